"""``cases --export xes FILE`` (issue 14): the record as an IEEE 1849-2016 event log.

Every log written here is validated against the schema the standard publishes
(tests/fixtures/xes, loaded in the log's namespace: the schema has none of its
own) and read back with the standard library, event by event: case, activity,
timestamp, lifecycle, resource are those of the record's rows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
import xmlschema
from conftest import REPO
from record_helpers import SHARED, ev, load_org, run_main, write_csv, write_decisions

from decision_paths.measure.export import COLUMNS, LIFECYCLE, exported_events
from decision_paths.measure.record import RecordRules, Version
from decision_paths.measure.tables import micros
from decision_paths.model.cases import EventKind
from decision_paths.pipeline.export import EXTRA
from decision_paths.store.xes import quoted, write_log

SCHEMA = REPO / "tests" / "fixtures" / "xes" / "xes-ieee-1849-2016.xsd"
NS = "http://www.xes-standard.org/"
_X = "{" + NS + "}"
NOW = "2026-12-01T00:00+08:00"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA), namespace=NS)


def read_back(path: Path) -> list[tuple[str, str, list[dict[str, str]]]]:
    """(case, decision, events as key -> value) of every trace, in file order."""
    root = ET.parse(path).getroot()
    assert root.tag == _X + "log" and root.get("xes.version") == "1849.2016"
    traces = []
    for trace in root.iter(_X + "trace"):
        own = {a.get("key"): a.get("value") for a in trace if a.tag != _X + "event"}
        events = [{str(a.get("key")): str(a.get("value")) for a in event} for event in trace.iter(_X + "event")]
        traces.append((str(own["concept:name"]), str(own["decision"]), events))
    return traces


def essentials(path: Path) -> list[tuple[str, str, str, str, str | None]]:
    """(case, activity, timestamp, lifecycle, resource) of every event, in file order."""
    return [
        (case, e["concept:name"], e["time:timestamp"], e["lifecycle:transition"], e.get("org:resource"))
        for case, _, events in read_back(path)
        for e in events
    ]


# ------------------------------------------------------------------ a hand-written record

RECORD = [
    # 退款-甲: a pause on intake, the answer signed by the stand-in (li-na away Nov 23-27)
    ev("退款-甲", "refund", "received", "2026-11-16T10:00", inputs="amount=500"),
    ev("退款-甲", "refund", "paused", "2026-11-16T11:00", "intake", reason="等客户补材料\n第二行"),
    ev("退款-甲", "refund", "resumed", "2026-11-17T09:30", "intake"),
    ev("退款-甲", "refund", "done", "2026-11-17T12:00", "intake", by="li-na"),
    ev("退款-甲", "refund", "done", "2026-11-23T10:00", "answer", by="zhao-lei"),
    # 退款-乙: withdrawn, with text that XML must escape; its received row is an instant in UTC
    ev("退款-乙", "refund", "received", "2026-11-18T02:00:00Z", inputs='{"amount": 2000}'),
    ev("退款-乙", "refund", "withdrawn", "2026-11-19T15:00", reason='客户 <撤回> & "不要了"', client_note="已撤回"),
    # V1: an announced delay (until, client_note); a bare date (a warning, 00:00, still exported)
    ev("V1", "visit", "received", "2026-11-18"),
    ev("V1", "visit", "delayed", "2026-11-20T09:00", "wait", until="2026-11-30T18:00", client_note="推迟到月底"),
    ev("V1", "visit", "done", "2026-11-20T16:15:30.250", "wait", by="wang-wei"),
    # BAD: a stage that does not exist leaves the whole case out of the figures and the log
    ev("BAD", "refund", "received", "2026-11-16T10:00", inputs="amount=500"),
    ev("BAD", "refund", "done", "2026-11-16T12:00", "intak", by="li-na"),
]

EXPECTED = [
    ("V1", "received", "2026-11-18T00:00:00.000+08:00", "complete", None),
    ("V1", "delayed", "2026-11-20T09:00:00.000+08:00", "complete", None),
    ("V1", "wait", "2026-11-20T16:15:30.250+08:00", "complete", "wang-wei"),
    ("退款-乙", "received", "2026-11-18T10:00:00.000+08:00", "complete", None),
    ("退款-乙", "withdrawn", "2026-11-19T15:00:00.000+08:00", "pi_abort", None),
    ("退款-甲", "received", "2026-11-16T10:00:00.000+08:00", "complete", None),
    ("退款-甲", "intake", "2026-11-16T11:00:00.000+08:00", "suspend", None),
    ("退款-甲", "intake", "2026-11-17T09:30:00.000+08:00", "resume", None),
    ("退款-甲", "intake", "2026-11-17T12:00:00.000+08:00", "complete", "li-na"),
    ("退款-甲", "answer", "2026-11-23T10:00:00.000+08:00", "complete", "zhao-lei"),
]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DECISION_PATHS_CACHE", str(tmp_path / "cache"))
    write_decisions(tmp_path / "decisions")
    # the rows out of order: the log sorts by case, then time
    write_csv(tmp_path / "cases" / "events.csv", [*RECORD[5:], *RECORD[:5]])
    return tmp_path


def test_a_hand_written_record_validates_and_reads_back_event_by_event(
    folder: Path, schema: xmlschema.XMLSchema, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main("cases", "--export", "xes", "record.xes", "--now", NOW, capsys=capsys)
    assert code == 0, err
    assert out == "wrote 10 events of 3 cases to record.xes (xes)\n"
    # the findings as `cases` reports them: the bare date, and the case left out
    lines = err.splitlines()
    assert lines[0].startswith("cases/events.csv:") and "date without a time" in lines[0]
    assert "stage 'intak' is not a stage" in lines[1] and "2 warnings" in lines[2]
    schema.validate(str(folder / "record.xes"))
    assert essentials(folder / "record.xes") == EXPECTED
    traces = {case: (decision, events) for case, decision, events in read_back(folder / "record.xes")}
    assert {case: decision for case, (decision, _) in traces.items()} == {
        "V1": "visit",
        "退款-乙": "refund",
        "退款-甲": "refund",
    }
    # the internal columns travel too, text exactly as written (line breaks, quotes, <, &)
    assert traces["退款-甲"][1][1]["reason"] == "等客户补材料\n第二行"
    assert traces["退款-乙"][1][1] == {
        "concept:name": "withdrawn",
        "time:timestamp": "2026-11-19T15:00:00.000+08:00",
        "lifecycle:transition": "pi_abort",
        "event": "withdrawn",
        "reason": '客户 <撤回> & "不要了"',
        "client_note": "已撤回",
    }
    delayed = traces["V1"][1][1]
    assert (delayed["stage"], delayed["until"], delayed["client_note"]) == (
        "wait",
        "2026-11-30T18:00:00.000+08:00",
        "推迟到月底",
    )
    assert traces["退款-乙"][1][0]["inputs"] == '{"amount": 2000}'
    assert "INTERNAL" in (folder / "record.xes").read_text(encoding="utf-8").split("<log", 1)[0]


def test_strict_writes_nothing_while_the_record_has_findings(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "record.xes").write_text("old", encoding="utf-8")
    code, out, err = run_main("cases", "--export", "xes", "record.xes", "--strict", "--now", NOW, capsys=capsys)
    assert (code, out) == (1, "")
    assert ": error: " in err and "record.xes not written" in err
    assert (folder / "record.xes").read_text(encoding="utf-8") == "old"
    assert not list(folder.glob(".tmp-*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--export", "csv", "out.csv"), "--export 'csv' is not a format"),
        (("--export", "xes", "out.xes", "--check"), "give one of them"),
        (("--export", "xes", "cases"), "that is a folder"),
        (("--export", "xes", "no/such/folder/out.xes"), "cannot write no/such/folder/out.xes"),
    ],
)
def test_usage_errors_exit_2(
    folder: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, out, err = run_main("cases", *args, "--now", NOW, capsys=capsys)
    assert (code, out) == (2, "")
    assert message in err, err


def test_json_says_what_was_written(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main("cases", "--export", "xes", "r.xes", "--format", "json", "--now", NOW, capsys=capsys)
    assert code == 0
    assert json.loads(out) == {"export": "xes", "file": "r.xes", "traces": 3, "events": 10}


def test_an_empty_record_is_a_valid_empty_log(tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
    write_decisions(tmp_path / "decisions")
    write_csv(tmp_path / "cases" / "events.csv", [])
    rules = RecordRules.current(load_org(tmp_path / "decisions"))
    with exported_events(str(tmp_path / "cases"), rules, dt.datetime.fromisoformat(NOW)) as record:
        write_log(tmp_path / "empty.xes", record.rows(), EXTRA)
        assert (record.traces, record.events, record.findings) == (0, 0, [])
    schema.validate(str(tmp_path / "empty.xes"))
    assert read_back(tmp_path / "empty.xes") == []


# ------------------------------------------------------------------ the writer on its own


def test_values_are_escaped_for_an_attribute_and_what_xml_cannot_hold_is_replaced(
    tmp_path: Path, schema: xmlschema.XMLSchema
) -> None:
    assert quoted("plain-id_1") == "plain-id_1"
    assert quoted('a&b<c>"d"\te\nf\rg') == "a&amp;b&lt;c&gt;&quot;d&quot;&#9;e&#10;f&#13;g"
    assert quoted("bell\x07 nul\x00") == "bell\ufffd nul\ufffd"
    text = "tab\there\nnew line, 中文 & <tags> \"quoted\" 'single' \x01"
    rows = [("c--1", "d", "a", "2026-01-01T00:00:00.000+08:00", "complete", "p", text)]
    write_log(tmp_path / "x.xes", rows, (("note", "string"),), comment="two -- hyphens ---")
    schema.validate(str(tmp_path / "x.xes"))
    [(case, _, [event])] = read_back(tmp_path / "x.xes")
    assert case == "c--1"
    assert event["note"] == text.replace("\x01", "\ufffd")
    assert event["org:resource"] == "p"


def test_the_writer_gets_the_columns_the_export_makes() -> None:
    assert tuple(key for key, _ in EXTRA) == COLUMNS[6:]
    assert set(LIFECYCLE) == set(EventKind)
    # the standard lifecycle model's transitions only (IEEE 1849-2016, lifecycle extension)
    standard = {"schedule", "assign", "withdraw", "reassign", "start", "suspend", "resume"}
    standard |= {"pi_abort", "ate_abort", "complete", "autoskip", "manualskip", "unknown"}
    assert set(LIFECYCLE.values()) <= standard


def test_the_package_never_imports_xmlschema() -> None:
    package = REPO / "scripts" / "decision_paths"
    assert not [p for p in package.rglob("*.py") if re.search(r"^\s*(import|from)\s+xmlschema", p.read_text(), re.M)]


# ------------------------------------------------------------------ the sample record


@pytest.mark.slow  # the whole sample record, checked against the XES schema: 7 s of CPU
def test_the_sample_record_exports_every_event_as_the_record_has_it(
    tmp_path: Path, schema: xmlschema.XMLSchema, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DECISION_PATHS_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "sample.xes"
    code, out, err = run_main(
        "cases",
        *("--decisions", str(REPO / "decisions"), "--cases", str(REPO / "cases")),
        *("--export", "xes", str(target), "--today", "2026-11-22", "--now", "2026-11-22T23:59+08:00"),
        capsys=capsys,
    )
    assert (code, err) == (0, ""), err
    schema.validate(str(target))
    org = load_org(REPO / "decisions")
    zones = {d.id: ZoneInfo(org.calendar_for(d).timezone.id) for d in org.decisions.values()}  # type: ignore[union-attr]
    sample = REPO / "cases" / "sample.parquet"
    rows = duckdb.sql(f"""SELECT "case", decision, event, stage, "at", "by" FROM read_parquet('{sample}')""").fetchall()
    lifecycle = {k.value: v for k, v in LIFECYCLE.items()}
    expected: dict[tuple[str, str], list[tuple[dt.datetime, str, str, str | None]]] = {}
    for case, decision, event, stage, at, by in rows:
        activity = stage if event in ("done", "paused", "resumed") else event
        instant = dt.datetime.fromisoformat(at)
        expected.setdefault((case, decision), []).append((instant, activity, lifecycle[event], by or None))
    got: dict[tuple[str, str], list[tuple[dt.datetime, str, str, str | None]]] = {}
    for case, decision, events in read_back(target):
        stamps = [dt.datetime.fromisoformat(e["time:timestamp"]) for e in events]
        assert stamps == sorted(stamps), case  # each trace in time order
        for stamp in stamps:  # with the offset of the decision's calendar at that instant
            assert stamp.utcoffset() == stamp.astimezone(zones[decision]).utcoffset(), (case, stamp)
        got[case, decision] = [
            (s, e["concept:name"], e["lifecycle:transition"], e.get("org:resource"))
            for s, e in zip(stamps, events, strict=True)
        ]
    assert list(got) == sorted(got)  # traces by case, then decision
    assert out == f"wrote {len(rows)} events of {len(expected)} cases to {target} (xes)\n"
    assert got == {key: sorted(events, key=lambda e: e[0]) for key, events in expected.items()}


def test_a_time_without_an_offset_is_exported_in_the_zone_it_was_read_in(tmp_path: Path) -> None:
    # The rules moved from Shanghai's calendar to London's on 1 Nov: a time the record wrote
    # without an offset is London's wall clock (the newest rules), so the log says 10:00
    # there (+01:00 in October), not the same instant in Shanghai's zone (17:00+08:00).
    org_text = SHARED + '  london: {country: GB, timezone: Europe/London, hours: "09:00-17:00"}\n'
    org_text += "defaults:\n  calendar: shanghai\n"
    quick = (
        "title: Quick\nsummary: One day.\nowner: delivery-lead\nreviewed: 2026-10-01\ncalendar: {calendar}\n"
        "start: answer\nstages:\n  answer: {{title: Answer, who: delivery-lead, within: 1 business day}}\n"
    )
    found = {}
    for calendar in ("shanghai", "london"):
        folder = tmp_path / calendar / "decisions"
        write_decisions(folder, {"_org.yaml": org_text, "quick.yaml": quick.format(calendar=calendar)})
        found[calendar] = load_org(folder)
    since = micros(dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    first, newest = found["shanghai"].decisions["quick"], found["london"].decisions["quick"]
    rules = RecordRules(found["london"], {"quick": (Version(first, -(2**62)), Version(newest, since))}, "history")
    write_csv(tmp_path / "cases" / "events.csv", [ev("Q1", "quick", "received", "2026-10-16T10:00")])
    now = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    with exported_events(str(tmp_path / "cases"), rules, now) as exported:
        rows = list(exported.rows())
    assert exported.findings == []
    assert [row[COLUMNS.index("timestamp")] for row in rows] == ["2026-10-16T10:00:00.000+01:00"]
