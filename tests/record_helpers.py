"""A small organisation and case records written by the tests of SPEC section 11.

Calendar: China (``holidays``), 09:00-18:00, Monday to Friday. The dates the
hand computations use (2026): Mon Nov 16, Fri Nov 20, Mon Nov 23 are working
days; Sat/Sun are not; National Day Oct 1-7 is off; Sat Oct 10 is a make-up
working day. 李娜 (li-na, the account manager) is away Nov 23-27, when 赵磊
(zhao-lei, the role's backup) stands in.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from decision_paths.cli import main
from decision_paths.measure.record import RecordRules, measure_folder
from decision_paths.model.cases import COLUMNS, DecisionFigures, Measured, parse_period
from decision_paths.model.findings import Finding
from decision_paths.model.organisation import Organisation
from decision_paths.pipeline import validate_folder

SHARED = """\
people:
  li-na: {name: 李娜, away: {from: 2026-11-23, until: 2026-11-27}}
  zhao-lei: {name: 赵磊}
  wang-wei: {name: 王伟}
  chen-jie: {name: 陈杰}
roles:
  account-manager: {title: 客户经理, held_by: [li-na], backup: [zhao-lei]}
  delivery-lead: {title: Delivery lead, held_by: [wang-wei]}
  finance: {title: Finance, held_by: [chen-jie]}
calendars:
  shanghai: {country: CN, timezone: Asia/Shanghai, hours: "09:00-18:00"}
"""

# intake -> answer for amounts up to 1000, intake -> approve -> answer above.
REFUND = """\
title: Refund
summary: Money back.
owner: delivery-lead
reviewed: 2026-10-01
inputs:
  amount: {label: Amount, type: number}
start: intake
stages:
  intake:
    title: Log it
    who: account-manager
    within: 1 business day
    pausable: true
    escalate_to: delivery-lead
    next:
      - when: {amount: ">1000"}
        go: approve
      - otherwise: answer
  approve:
    title: Approve
    who: delivery-lead
    within: 2 business days
    next: answer
  answer:
    title: Answer
    who: account-manager
    within: 4 business hours
"""

VISIT = """\
title: Site visit
summary: Someone comes round.
owner: delivery-lead
reviewed: 2026-10-01
start: wait
stages:
  wait:
    title: Wait for a slot
    who: delivery-lead
    within: 3 calendar days
    pausable: true
    next: answer
  answer:
    title: Answer
    who: delivery-lead
    within: 2 hours
"""

CALL = """\
title: Call back
summary: A call within ten hours.
owner: finance
reviewed: 2026-10-01
start: answer
stages:
  answer:
    title: Call back
    who: delivery-lead
    within: 10 hours
"""

DECISIONS = {"_org.yaml": SHARED, "refund.yaml": REFUND, "visit.yaml": VISIT, "call.yaml": CALL}

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CST = dt.timezone(dt.timedelta(hours=8))


def write_decisions(folder: Path, files: dict[str, str] = DECISIONS) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def load_org(folder: Path) -> Organisation:
    result = validate_folder(str(folder), dt.date(2026, 11, 20))
    assert not result.has_errors, [f.to_text() for f in result.findings]
    return result.org


@pytest.fixture(scope="module", name="org")
def record_org(tmp_path_factory: pytest.TempPathFactory) -> Organisation:
    """The organisation above, loaded once per module: a module that imports this has an
    ``org`` fixture."""
    folder = tmp_path_factory.mktemp("org") / "decisions"
    write_decisions(folder)
    return load_org(folder)


def run_main(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the command line in this process."""
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def ev(case: str, decision: str, event: str, at: str, stage: str = "", **more: str) -> dict[str, str]:
    """One row of the record; ``more``: by, inputs, until, reason, client_note."""
    return {"case": case, "decision": decision, "event": event, "stage": stage, "at": at, **more}


def write_csv(path: Path, rows: Iterable[dict[str, str]], columns: Sequence[str] = COLUMNS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def write_jsonl(path: Path, rows: Iterable[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def measure(
    org: Organisation,
    folder: Path,
    now: dt.datetime = NOW,
    periods: Sequence[str] = ("2026-11",),
    rules: RecordRules | None = None,
) -> tuple[Measured, list[Finding]]:
    return measure_folder(str(folder), rules or RecordRules.current(org), now, [parse_period(p) for p in periods])


def figures(measured: Measured, decision: str, period: str = "2026-11") -> DecisionFigures:
    found = measured.figures_for(decision, period)
    assert found is not None, f"no figures for {decision} in {period}: {measured.figures}"
    return found


def counts(found: DecisionFigures) -> dict[str, int]:
    return {
        "cases": found.cases,
        "on_time": found.on_time,
        "late": found.late,
        "open_late": found.open_late,
        "open": found.open,
        "withdrawn": found.withdrawn,
        "left_out": found.left_out,
    }


def where(findings: Iterable[Finding]) -> list[tuple[str, int, int, str]]:
    """(file, row, column, code) of each finding."""
    return [(f.loc.file, f.loc.line, f.loc.column, f.rule.code) for f in findings]
