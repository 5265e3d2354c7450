"""The record from the tools people have (issue 14): ``cases/_sources.yaml`` maps a wide
spreadsheet (CSV or .xlsx) and a status-transition log (a Jira issue history, a GitHub
project timeline) into the record's events. The figures are those of the equivalent
hand-written event file; a row that cannot be mapped, and any later finding about a
mapped event, is at the source file's row and column; a mistake in _sources.yaml is at
its key or value."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import textwrap
from pathlib import Path

import openpyxl
import pytest
from record_helpers import (
    figures,
    measure,
    record_org,  # noqa: F401 - the module's org fixture
    run_main,
    where,
    write_decisions,
)

from decision_paths.load.cases import record_files, record_inputs
from decision_paths.model.organisation import Organisation

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
SHEET = "退款登记表.csv"

WIDE = """\
people: {李娜: li-na, 赵磊: zhao-lei, 王伟: wang-wei}
sources:
  - file: 退款登记表.csv
    shape: wide
    decision_column: 类型
    decisions: {退款: refund}
    case: 单号
    received: 收到时间
    inputs: {amount: 金额}
    stages: {intake: 登记完成, approve: 审批完成, answer: 答复时间}
    by: {intake: 登记人, approve: 审批人, answer: 答复人}
    withdrawn: 撤回日期
"""

JIRA = """\
people: {Li Na: li-na, Zhao Lei: zhao-lei, Wang Wei: wang-wei}
sources:
  - file: jira-history.csv
    shape: transitions
    decision: refund
    case: Issue key
    received: Created
    field: Field
    from: From
    to: To
    at: Changed
    by: Author
    date_format: "%d/%b/%y %I:%M %p"
    inputs: {amount: Amount}
    statuses:
      Open: intake
      Waiting for customer: paused
      Approval: approve
      Replying: answer
      Resolved: ~
      Closed: ~
      Withdrawn: withdrawn
"""

GITHUB = """\
people: {lina-cs: li-na, zhaolei: zhao-lei, wangwei-fin: wang-wei}
sources:
  - file: github-project-timeline.csv
    shape: transitions
    decision: refund
    case: number
    field: event
    status_field: project_v2_item_status_changed
    from: previous_status
    to: status
    at: created_at
    by: actor
    inputs: {amount: amount}
    statuses: {Todo: intake, Blocked: paused, Finance review: approve, Reply: answer, Done: ~, Archived: ~,
               Withdrawn: withdrawn}
"""

# RF-03 waits for the customer during intake in both ticket exports: the event file's two rows
PAUSES = """\
case,decision,event,stage,at,by
RF-03,refund,paused,intake,2026-11-17T11:00,zhao-lei
RF-03,refund,resumed,intake,2026-11-17T14:00,zhao-lei
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with decisions/ that the commands run in."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DECISION_PATHS_CACHE", str(tmp_path / "cache"))
    write_decisions(tmp_path / "decisions")
    return tmp_path


def folder(base: Path, name: str, mapping: str | None, *files: str, extra: dict[str, str] | None = None) -> Path:
    """``base/name`` with the fixture ``files``, ``_sources.yaml`` and more files by their text."""
    found = base / name
    found.mkdir(parents=True)
    for file in files:
        shutil.copy(FIXTURES / file, found / file)
    if mapping is not None:
        (found / "_sources.yaml").write_text(textwrap.dedent(mapping), encoding="utf-8")
    for file, text in (extra or {}).items():
        (found / file).write_text(textwrap.dedent(text), encoding="utf-8")
    return found


def stats(capsys: pytest.CaptureFixture[str], cases: Path) -> dict[str, object]:
    code, out, err = run_main(
        *("stats", "--format", "json", "--cases", str(cases), "--period", "2026-11", "--now", "2026-12-01T00:00"),
        capsys=capsys,
    )
    assert code == 0, err
    found: dict[str, object] = json.loads(out)
    return found


def check(capsys: pytest.CaptureFixture[str], cases: Path) -> list[str]:
    code, _, err = run_main("cases", "--check", "--cases", str(cases), "--today", "2026-12-01", capsys=capsys)
    assert code == 0
    return [line for line in err.splitlines() if ": warning: " in line or ": error: " in line]


# ------------------------------------------------------------------ the same figures


def test_a_wide_csv_sheet_gives_the_figures_of_the_event_file(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    imported = folder(here, "cases", WIDE, SHEET)
    written = folder(here, "written", None, "refund-events.csv")
    assert check(capsys, imported) == []
    found = stats(capsys, imported)
    assert found == stats(capsys, written)
    refund = next(d for d in found["decisions"] if d["decision"] == "refund")  # type: ignore[attr-defined]
    assert (refund["cases"], refund["on_time"], refund["withdrawn"], refund["left_out"]) == (12, 9, 1, 0)


def write_xlsx(path: Path, *, bad_cell: str | None = None) -> None:
    """The wide CSV fixture as a workbook people keep: a title row above the headers, real
    date-times (a date-only format where the time is 00:00), amounts as numbers, in a
    sheet named 2026 after a sheet of notes."""
    with (FIXTURES / SHEET).open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["每件退款一行"])
    sheet = book.create_sheet("2026")
    sheet.append(["2026 年退款登记"])
    sheet.append(rows[0])
    dated = {2, 4, 6, 8, 10}
    for row in rows[1:]:
        cells: list[object] = []
        for number, text in enumerate(row):
            if number in dated and text:
                cleaned = text.replace("/", "-").replace("年", "-").replace("月", "-").replace("日", "")
                day, _, time = cleaned.partition(" ")
                hour, minute = time.split(":")
                year, month, date = day.split("-")
                cells.append(dt.datetime(int(year), int(month), int(date), int(hour), int(minute)))
            elif number == 3:
                cells.append(int(text))
            else:
                cells.append(text or None)
        sheet.append(cells)
    for cell in sheet[2]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    if bad_cell is not None:
        sheet[bad_cell] = "11月17日"  # typed by hand, not a date
    book.save(path)


XLSX = WIDE.replace("退款登记表.csv", "退款登记表.xlsx").replace(
    "    shape: wide\n", "    shape: wide\n    sheet: 2026\n    header_row: 2\n"
)


def test_an_xlsx_sheet_gives_the_same_figures(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    imported = folder(here, "cases", XLSX)
    write_xlsx(imported / "退款登记表.xlsx")
    written = folder(here, "written", None, "refund-events.csv")
    assert check(capsys, imported) == []
    assert stats(capsys, imported) == stats(capsys, written)


@pytest.mark.parametrize(
    ("mapping", "export"), [(JIRA, "jira-history.csv"), (GITHUB, "github-project-timeline.csv")], ids=["jira", "github"]
)
def test_a_status_log_gives_the_figures_of_the_event_file(
    here: Path, capsys: pytest.CaptureFixture[str], org: Organisation, mapping: str, export: str
) -> None:
    imported = folder(here, "cases", mapping, export)
    written = folder(here, "written", None, "refund-events.csv", extra={"pauses.csv": PAUSES})
    assert check(capsys, imported) == []
    assert stats(capsys, imported) == stats(capsys, written)
    # the pause is read (it moves RF-03's promise), not merely harmless
    measured, _ = measure(org, imported)
    assert figures(measured, "refund").paused == 1 == figures(measure(org, written)[0], "refund").paused


# ------------------------------------------------------------------ rows that cannot be mapped

BAD_SHEET = """\
单号,类型,收到时间,金额,登记完成,登记人,审批完成,审批人,答复时间,答复人,撤回日期,备注
RF-01,退款,2026-11-16 10:00,500,2026-11-16 15:00,李娜,,,2026-11-17 10:00,李娜,,
,退款,2026-11-16 11:00,500,2026-11-16 15:00,李娜,,,,,,单号漏了
RF-03,退款,2026-11-17 09:30,800,11月17日,赵磊,,,2026-11-18 09:30,李娜,,
RF-04,退款,2026-11-17 14:00,300,2026-11-17 15:00,刘洋,,,2026-11-17 17:00,李娜,,
RF-05,退款,2026-11-18 10:00,200,2026-11-17 12:00,李娜,,,2026-11-18 15:00,李娜,,
RF-06,退货,2026-11-18 10:00,200,,,,,,,,
RF-07,退款,,200,2026-11-18 12:00,李娜,,,,,,
RF-08,退款,2026-11-18,200,2026-11-18 12:00,李娜,,,2026-11-18 15:00,李娜,,
,,,,,,,,,,,
"""


def test_unmappable_rows_and_later_findings_are_at_the_source_cell(org: Organisation, here: Path) -> None:
    cases = folder(here, "cases", WIDE, extra={SHEET: BAD_SHEET})
    measured, findings = measure(org, cases)
    shown = f"cases/{SHEET}"
    assert where(findings) == [
        (shown, 3, 1, "DP601"),  # no case id: 单号
        (shown, 4, 5, "DP601"),  # 登记完成 '11月17日' is no instant
        (shown, 5, 6, "DP603"),  # 登记人 刘洋 is nobody in the shared files
        (shown, 6, 5, "DP604"),  # 登记完成 before 收到时间
        (shown, 7, 2, "DP601"),  # 类型 退货 names no decision
        (shown, 8, 3, "DP601"),  # dates but no 收到时间
        (shown, 9, 3, "DP602"),  # a bare date: 00:00, with a warning (SPEC 11)
    ]
    messages = [f.message for f in findings]
    assert messages[1] == "'11月17日' is not an ISO 8601 instant, e.g. 2026-11-20T10:00+08:00 or 2026-11-20T10:00"
    assert "did you mean 'refund'" not in messages[4] and "'退货' is no decision" in messages[4]
    # RF-03, RF-04, RF-05 and RF-07 are left out; RF-01 and RF-08 are judged
    assert measured.left_out == {"refund": 4}
    assert figures(measured, "refund").cases == 2


def test_an_xlsx_finding_is_at_the_sheet_s_row_and_column(org: Organisation, here: Path) -> None:
    cases = folder(here, "cases", XLSX)
    write_xlsx(cases / "退款登记表.xlsx", bad_cell="E5")  # RF-03's 登记完成: sheet row 5, column 5
    measured, findings = measure(org, cases)
    assert [str(f.loc) for f in findings] == ["cases/退款登记表.xlsx:5:5"]
    assert measured.left_out == {"refund": 1}


JIRA_BAD = """\
Issue key,Summary,Created,Changed,Author,Field,From,To,Amount
RF-01,退款,16/Nov/26 10:00 AM,16/Nov/26 03:00 PM,Li Na,status,Open,Replying,500
RF-01,退款,16/Nov/26 10:00 AM,17/Nov/26 10:00 AM,Li Na,status,Replying,Resloved,500
RF-01,退款,16/Nov/26 10:00 AM,16/Nov/26 10:05 AM,Li Na,assignee,,Li Na,500
RF-02,退款,16/Nov/26 11:00 AM,16/Nov/26 03:00 PM,Li Na,status,Open,Replying,500
RF-02,退款,16/Nov/26 11:00 AM,17/Nov/26 10:00 AM,Li Na,status,Replying,Resolved,500
,退款,16/Nov/26 11:00 AM,17/Nov/26 10:00 AM,Li Na,status,Replying,Resolved,500
RF-03,退款,16/Nov/26 11:00 AM,soon,Li Na,status,Open,Replying,500
"""


def test_an_unknown_status_leaves_its_case_out_at_its_cell(org: Organisation, here: Path) -> None:
    cases = folder(here, "cases", JIRA, extra={"jira-history.csv": JIRA_BAD})
    measured, findings = measure(org, cases)
    assert where(findings) == [
        ("cases/jira-history.csv", 3, 8, "DP601"),  # To 'Resloved'
        ("cases/jira-history.csv", 7, 1, "DP601"),  # no Issue key
        ("cases/jira-history.csv", 8, 4, "DP601"),  # Changed 'soon'
    ]
    assert findings[0].message.startswith(
        "status 'Resloved' is not in statuses of _sources.yaml; did you mean 'Resolved'?"
    )
    assert measured.left_out == {"refund": 2}  # RF-01 and RF-03; RF-02 is judged
    assert figures(measured, "refund").cases == 1


# ------------------------------------------------------------------ mistakes in _sources.yaml

MISTAKES = """\
sources:
  - file: 退款登记表.csv
    shape: wide
    decision: refund
    case: 单号
    recieved: 收到时间
    received: 收到日期
    inputs: {amount: 金额, amout: 金额}
    stages: {intake: 登记完成, aprove: 审批完成, answer: 答复时间}
  - file: 退款登记.csv
    shape: wide
    decision: refund
    case: 单号
    received: 收到时间
    stages: {intake: 登记完成}
  - file: 退款登记表.csv
    shape: wides
  - file: jira.csv
    shape: transitions
    decision: refnd
    case: Issue key
    from: From
    to: To
    at: Changed
    statuses: {Open: intake}
"""


def test_mistakes_in_the_mapping_are_at_their_key_or_value(org: Organisation, here: Path) -> None:
    cases = folder(here, "cases", MISTAKES, SHEET, extra={"jira.csv": "Issue key,From,To,Changed\n"})
    measured, findings = measure(org, cases)
    assert [(f.loc.line, f.loc.column, f.rule.code, f.message) for f in findings] == [
        (6, 5, "DP605", "unknown key 'recieved' in a wide source; did you mean 'received'?"),
        (
            7,
            15,
            "DP605",
            f"there is no column '收到日期' in row 1 of cases/{SHEET}; its columns: 单号, 类型, 收到时间, 金额, "
            "登记完成, 登记人, 审批完成, 审批人, 答复时间, 答复人, 撤回日期, 备注; the file is not read",
        ),
        (8, 26, "DP605", "'amout' is no input of decision 'refund'; did you mean 'amount'?; its column is not read"),
        (
            9,
            28,
            "DP605",
            "'aprove' is no stage of decision 'refund'; did you mean 'approve'?; its column is not read",
        ),
        (10, 11, "DP605", "there is no file '退款登记.csv' in the cases folder; did you mean '退款登记表.csv'?"),
        (
            17,
            12,
            "DP605",
            "shape is 'wides': it must be wide (one row per case, a date column per stage) or transitions "
            "(one row per status change); did you mean 'wide'?",
        ),
        (20, 15, "DP605", "decision 'refnd' does not exist; did you mean 'refund'?; the file is not read"),
    ]
    assert {f.loc.file for f in findings} == {"cases/_sources.yaml"}
    assert measured.cases == 0


def test_mapped_files_are_sources_not_event_files(here: Path) -> None:
    cases = folder(here, "cases", WIDE, SHEET, "refund-events.csv")
    assert [Path(p).name for p in record_files(str(cases))] == ["refund-events.csv"]
    assert sorted(Path(p).name for p in record_inputs(str(cases))) == ["_sources.yaml", "refund-events.csv", SHEET]


def test_a_gb18030_csv_says_how_to_read_it(org: Organisation, here: Path) -> None:
    cases = folder(here, "cases", WIDE)
    (cases / SHEET).write_bytes((FIXTURES / SHEET).read_text(encoding="utf-8").encode("gb18030"))
    _, findings = measure(org, cases)
    assert [(f.loc.line, f.loc.column, f.rule.code) for f in findings] == [(3, 11, "DP605")]
    assert "encoding: gb18030" in findings[0].message
    (cases / "_sources.yaml").write_text(WIDE.replace("    shape: wide\n", "    shape: wide\n    encoding: gb18030\n"))
    measured, findings = measure(org, cases)
    assert findings == [] and figures(measured, "refund").cases == 12
