"""The record commands (SPEC sections 9 and 11): cases, stats, overdue, as scripts and CI
run them; and the rules in force taken from the git history."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO
from record_helpers import SHARED, ev, load_org, write_csv, write_decisions

from decision_paths.cli import main
from decision_paths.measure.tables import micros
from decision_paths.pipeline import record as pipeline_record
from decision_paths.pipeline.record import record_rules
from decision_paths.pipeline.sites import Pipeline

COMMAND = REPO / ".venv" / "bin" / "decision-paths"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def dp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """The command line in this process, in a folder with decisions/ and cases/."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DECISION_PATHS_CACHE", str(tmp_path / "cache"))
    write_decisions(tmp_path / "decisions")
    write_csv(
        tmp_path / "cases" / "events.csv",
        [
            # answered on time (promised Wed 18 Nov 13:00)
            ev("R1", "refund", "received", "2026-11-16T10:00", inputs="amount=500"),
            ev("R1", "refund", "done", "2026-11-17T12:00", "intake", by="li-na"),
            ev("R1", "refund", "done", "2026-11-18T12:00", "answer", by="li-na"),
            # intake overdue since Mon 23 18:00
            ev("OD1", "refund", "received", "2026-11-20T10:00", inputs="amount=500"),
            # a bad row: row 6, column 3
            ev("R1", "refund", "finished", "2026-11-18T12:00", "answer"),
        ],
    )

    def run(*args: str) -> Run:
        try:
            code = main(list(args))
        except SystemExit as stop:
            code = int(stop.code or 0)
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


NOW = "--now=2026-11-24T10:00+08:00"


def test_cases_check_prints_the_findings_only(dp) -> None:  # type: ignore[no-untyped-def]
    run = dp("cases", "--check", NOW)
    assert (run.code, run.out) == (0, "")
    lines = run.err.splitlines()
    assert lines[0] == (
        "cases/events.csv:6:3: warning: event 'finished' is not one of received, done, paused, resumed, "
        "delayed, withdrawn [DP601 bad-case-row]"
    )
    assert len(lines) == 2 and "1 warning" in lines[1]
    strict = dp("cases", "--check", "--strict", NOW)
    assert (strict.code, strict.out) == (1, "")
    assert strict.err.startswith("cases/events.csv:6:3: error: ")


def test_cases_without_check_summarises(dp) -> None:  # type: ignore[no-untyped-def]
    run = dp("cases", "--format", "json", NOW)
    assert run.code == 0
    assert json.loads(run.out) == {
        "as_of": "2026-11-24T10:00:00+08:00",
        "rules": "current",
        "cases": 1,
        "left_out": {"refund": 1},
        "overdue": 1,
    }


STATS_KEYS = {"period", "as_of", "rules", "decisions"}
DECISION_KEYS = {
    "decision",
    "cases",
    "on_time",
    "late",
    "open_late",
    "open",
    "withdrawn",
    "left_out",
    "on_time_rate",
    "working_hours",
    "stages",
}
STAGE_KEYS = {"stage", "done", "on_time", "on_time_rate", "working_hours"}


def test_stats_json_is_one_object_shaped_as_the_spec(dp) -> None:  # type: ignore[no-untyped-def]
    run = dp("stats", "--format", "json", "--period", "2026-11", NOW)
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert set(data) == STATS_KEYS
    assert (data["period"], data["as_of"], data["rules"]) == ("2026-11", "2026-11-24T10:00:00+08:00", "current")
    assert [d["decision"] for d in data["decisions"]] == ["call", "refund", "visit"]
    refund = data["decisions"][1]
    assert set(refund) == DECISION_KEYS
    assert {k: refund[k] for k in ("cases", "on_time", "open", "left_out", "on_time_rate")} == {
        "cases": 0 + 1,  # R1 is left out for its bad row; OD1 is open (promised Tue 24 13:00)
        "on_time": 0,
        "open": 1,
        "left_out": 1,
        "on_time_rate": None,
    }
    assert refund["working_hours"] == {"p50": None, "p80": None, "p95": None}
    assert all(set(s) == STAGE_KEYS for d in data["decisions"] for s in d["stages"])
    one = dp("stats", "refund", "--format", "json", "--period", "2026-11", NOW)
    assert [d["decision"] for d in json.loads(one.out)["decisions"]] == ["refund"]


def test_stats_csv_has_a_header_and_a_row_per_decision(dp) -> None:  # type: ignore[no-untyped-def]
    run = dp("stats", "--format", "csv", "--period", "2026-11", NOW)
    assert run.code == 0, run.err
    rows = list(csv.reader(io.StringIO(run.out)))
    assert rows[0][:4] == ["period", "decision", "stage", "cases"]
    assert "on_time_rate" in rows[0] and "p95_hours" in rows[0]
    assert [(r[0], r[1]) for r in rows[1:] if r[2] == ""] == [
        ("2026-11", "call"),
        ("2026-11", "refund"),
        ("2026-11", "visit"),
    ]
    assert all(len(r) == len(rows[0]) for r in rows)


def test_the_default_period_is_the_last_closed_quarter(dp) -> None:  # type: ignore[no-untyped-def]
    assert json.loads(dp("stats", "--format", "json", NOW).out)["period"] == "2026-Q3"
    # 16:30 UTC on 30 Sep is 00:30 on 1 Oct in Shanghai: there, Q3 has closed
    assert json.loads(dp("stats", "--format", "json", "--now=2026-09-30T16:30Z").out)["period"] == "2026-Q3"
    assert json.loads(dp("stats", "--format", "json", "--now=2026-09-30T15:30Z").out)["period"] == "2026-Q2"


def test_overdue_json_is_one_list_shaped_as_the_spec(dp) -> None:  # type: ignore[no-untyped-def]
    run = dp("overdue", "--format", "json", NOW)
    assert run.code == 0, run.err
    assert json.loads(run.out) == [
        {
            "case": "OD1",
            "decision": "refund",
            "stage": "intake",
            "due": "2026-11-23T18:00:00+08:00",
            "late_working_hours": 1.0,
            "can_act": ["zhao-lei"],  # li-na is away, her backup stands in
            "escalate_to": "delivery-lead",
        }
    ]
    text = dp("overdue", NOW)
    assert "OD1 refund / Log it: due 2026-11-23T18:00:00+08:00, 1 working hours late; can act: 赵磊" in text.out


def test_working_time_tables_are_counted_once_a_day_and_again_when_a_calendar_changes(  # type: ignore[no-untyped-def]
    dp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[tuple[dt.date, dt.date]] = []
    real = pipeline_record.working_time_tables

    def counting(rules, first, latest):  # type: ignore[no-untyped-def]
        counted.append((first, latest))
        return real(rules, first, latest)

    monkeypatch.setattr(pipeline_record, "working_time_tables", counting)
    first = dp("overdue", "--format", "json", NOW)
    again = dp("overdue", "--format", "json", "--now=2026-11-24T11:00+08:00")  # another instant, the same day
    assert len(counted) == 1  # the second read them from the cache
    assert json.loads(first.out)[0]["due"] == json.loads(again.out)[0]["due"] == "2026-11-23T18:00:00+08:00"
    shared = tmp_path / "decisions" / "_org.yaml"
    shared.write_text(shared.read_text().replace('"09:00-18:00"}', '"09:00-18:00", closed: [2026-11-23]}'))
    closed = dp("overdue", "--format", "json", NOW)
    assert len(counted) == 2  # a closed day is a new calendar: counted again, never the old tables
    assert json.loads(closed.out) == []  # intake is now due Tuesday at 18:00


def test_now_without_an_offset_is_in_the_calendar_zone(dp) -> None:  # type: ignore[no-untyped-def]
    run = dp("overdue", "--format", "json", "--now=2026-11-24T10:00")
    assert json.loads(run.out)[0]["late_working_hours"] == 1.0
    assert json.loads(dp("cases", "--format", "json", "--now=2026-11-24T10:00").out)["as_of"] == (
        "2026-11-24T10:00:00+08:00"
    )


def test_now_defaults_to_source_date_epoch_shown_in_the_calendar_zone(dp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 11, 24, 2, tzinfo=dt.UTC).timestamp())))
    assert json.loads(dp("cases", "--format", "json").out)["as_of"] == "2026-11-24T10:00:00+08:00"
    assert json.loads(dp("cases", "--format", "json", "--now=2026-11-24T02:00Z").out)["as_of"] == (
        "2026-11-24T10:00:00+08:00"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stats", "--period", "2026-13"), "--period '2026-13' is neither a quarter nor a month"),
        (("stats", "--period", "Q3"), "--period 'Q3' is neither a quarter nor a month"),
        (("overdue", "--now", "yesterday"), "--now 'yesterday' is not an ISO instant"),
        (("stats", "nosuch"), "no decision 'nosuch'"),
        (("cases", "--cases", "missing"), "no cases folder (missing)"),
    ],
)
def test_usage_errors_exit_2_with_a_message(dp, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    run = dp(*args)
    assert (run.code, run.out) == (2, ""), run
    assert run.err.startswith("decision-paths: error: ") and message in run.err, run.err


def test_no_cases_folder_beside_the_decisions_is_a_usage_error(dp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "cases" / "events.csv").unlink()
    (tmp_path / "cases").rmdir()
    run = dp("overdue", NOW)
    assert run.code == 2 and "no cases folder (cases/ beside the decisions folder)" in run.err


def test_the_same_record_elsewhere_names_its_own_files(dp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the cached measurement of the same bytes must not keep the first folder's paths
    assert dp("cases", "--check", NOW).err.startswith("cases/events.csv:6:3:")
    (tmp_path / "cases").rename(tmp_path / "record")
    assert dp("cases", "--check", "--cases", "record", NOW).err.startswith("record/events.csv:6:3:")


# ------------------------------------------------------------------ rules in force, from git

QUICK = """\
title: Quick answer
summary: Answered in {days} business days.
owner: delivery-lead
reviewed: 2026-08-01
start: answer
stages:
  answer:
    title: Answer
    who: delivery-lead
    within: {days} business days
"""


def git(repo: Path, *args: str, when: str = "2026-09-01T12:00:00+08:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Editor",
        "GIT_AUTHOR_EMAIL": "editor@example.com",
        "GIT_COMMITTER_NAME": "Editor",
        "GIT_COMMITTER_EMAIL": "editor@example.com",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 business days from 1 Sep 2026, 3 from 1 Nov; one case under each."""
    repo = tmp_path_factory.mktemp("history")
    git(repo, "init", "-q", "-b", "main")
    write_decisions(repo / "decisions", {"_org.yaml": SHARED, "quick.yaml": QUICK.format(days=2)})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Quick answers in 2 days")
    (repo / "decisions" / "quick.yaml").write_text(textwrap.dedent(QUICK.format(days=3)), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Quick answers in 3 days", when="2026-11-01T12:00:00+08:00")
    write_csv(
        repo / "cases" / "events.csv",
        [
            # Mon 12 Oct 10:00, 2 days then: due Wed 14 18:00; answered Thu 15: late (3 days now)
            ev("OLD", "quick", "received", "2026-10-12T10:00"),
            ev("OLD", "quick", "done", "2026-10-15T10:00", "answer", by="wang-wei"),
            # Mon 16 Nov 10:00, 3 days now: due Thu 19 18:00; answered Thu 19 10:00: on time
            ev("NEW", "quick", "received", "2026-11-16T10:00"),
            ev("NEW", "quick", "done", "2026-11-19T10:00", "answer", by="wang-wei"),
        ],
    )
    return repo


WHEN = ("--now", "2026-12-01T00:00+08:00")


def stats(repo: Path, period: str) -> dict[str, object]:
    done = subprocess.run(
        [str(COMMAND), "stats", "--format=json", "--decisions=decisions", "--cases=cases", *WHEN, "--period", period],
        cwd=repo,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "DECISION_PATHS_CACHE": str(repo / ".cache")},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_each_case_is_judged_by_the_rules_in_force_when_it_was_received(repository: Path) -> None:
    october, november = stats(repository, "2026-10"), stats(repository, "2026-11")
    assert october["rules"] == november["rules"] == "history"
    (old,) = october["decisions"]  # type: ignore[misc]
    (new,) = november["decisions"]  # type: ignore[misc]
    assert (old["cases"], old["on_time"], old["late"]) == (1, 0, 1)  # later edits never rewrite it
    assert (new["cases"], new["on_time"], new["late"]) == (1, 1, 0)


def test_record_rules_are_the_committed_versions(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECISION_PATHS_CACHE", str(repository / ".cache"))
    folder = str(repository / "decisions")
    org = load_org(repository / "decisions")
    rules = record_rules(folder, org, Pipeline(folder, dt.date(2026, 12, 1)).history("en"))
    assert rules.source == "history"
    first, second = rules.versions["quick"]
    assert first.since == -(2**62)  # cases older than the first commit: the first rules known
    assert second.since == micros(dt.datetime.fromisoformat("2026-11-01T12:00:00+08:00"))
    assert [v.decision.stages["answer"].within.amount for v in (first, second)] == [2, 3]


def test_cases_check_json_prints_the_findings_as_validate_does(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "case,decision,event,stage,at\nX1,no-such-decision,received,,2026-11-02T10:00+08:00\n", encoding="utf-8"
    )
    done = subprocess.run(
        [
            *(sys.executable, "-m", "decision_paths", "--decisions", str(REPO / "decisions"), "cases", "--check"),
            *("--cases", str(folder), "--now", "2026-11-23T09:00+08:00", "--format", "json"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert [(f["line"], f["column"], f["code"]) for f in found] == [(2, 2, "DP603")]
