"""The case record where it is easy to get wrong (SPEC sections 3, 8 and 11): an answer
stage before the last, a stage open after the answer, a promise longer than a year, the
rules changing calendar, years no calendar can reach."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from record_helpers import CST, SHARED, ev, figures, load_org, measure, where, write_csv, write_decisions

from decision_paths.load import cases as load_cases
from decision_paths.measure.record import RecordRules, Version, measure_folder
from decision_paths.measure.tables import micros
from decision_paths.model.cases import Deviation, Measured, parse_period
from decision_paths.model.organisation import Organisation

CLAIM = """\
title: Claim
summary: Decided in two days, followed up after.
owner: delivery-lead
reviewed: 2026-10-01
answer: decide
start: check
stages:
  check: {title: Check, who: delivery-lead, within: 1 business day, next: decide}
  decide: {title: Decide, who: delivery-lead, within: 1 business day, next: follow-up}
  follow-up: {title: Follow up, who: account-manager, within: 2 business days, escalate_to: delivery-lead}
"""

SLOW = """\
title: Slow
summary: Longer than a year.
owner: delivery-lead
reviewed: 2026-10-01
start: wait
stages:
  wait: {title: Wait, who: delivery-lead, within: 300 calendar days, next: more}
  more: {title: More, who: delivery-lead, within: 200 calendar days}
"""

TWO_CALENDARS = (
    SHARED
    + """\
  hk: {country: HK, timezone: Asia/Hong_Kong, hours: "09:00-18:00"}
defaults:
  calendar: shanghai
"""
)

QUICK = """\
title: Quick
summary: One business day.
owner: delivery-lead
reviewed: 2026-10-01
calendar: {calendar}
start: answer
stages:
  answer: {{title: Answer, who: delivery-lead, within: 1 business day}}
"""


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Organisation:
    folder = tmp_path_factory.mktemp("org") / "decisions"
    write_decisions(folder, {"_org.yaml": SHARED, "claim.yaml": CLAIM, "slow.yaml": SLOW})
    return load_org(folder)


@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cases"


def exact_and_late() -> list[dict[str, str]]:
    """Two claims received Mon 16 Nov 10:00: check due Tue 17 18:00, decide (the answer) Wed 18
    18:00; EXACT decided at that instant, LATE a second after."""
    rows = []
    for case, answered in (("EXACT", "2026-11-18T18:00:00"), ("LATE", "2026-11-18T18:00:01")):
        rows += [
            ev(case, "claim", "received", "2026-11-16T10:00"),
            ev(case, "claim", "done", "2026-11-16T12:00", "check"),
            ev(case, "claim", "done", answered, "decide"),
        ]
    return rows


def test_the_answer_stage_ends_the_promise_not_the_last_stage(org: Organisation, cases: Path) -> None:
    write_csv(cases / "events.csv", exact_and_late())
    found = figures(measure(org, cases)[0], "claim")
    assert (found.on_time, found.late, found.open) == (1, 1, 0)  # follow-up still open: answered all the same


def test_a_stage_open_after_the_answer_can_be_overdue(org: Organisation, cases: Path) -> None:
    write_csv(
        cases / "events.csv",
        [
            ev("C1", "claim", "received", "2026-11-16T10:00"),
            ev("C1", "claim", "done", "2026-11-16T12:00", "check"),
            ev("C1", "claim", "done", "2026-11-17T10:00", "decide"),  # follow-up due Thu 19 18:00
        ],
    )
    measured, _ = measure(org, cases, now=dt.datetime(2026, 11, 20, 10, tzinfo=CST))
    assert [i.to_json() for i in measured.overdue] == [
        {
            "case": "C1",
            "decision": "claim",
            "stage": "follow-up",
            "due": "2026-11-19T18:00:00+08:00",
            "late_working_hours": 1.0,
            "can_act": ["li-na"],
            "escalate_to": "delivery-lead",
        }
    ]
    assert figures(measured, "claim").on_time == 1


def test_a_promise_longer_than_a_year_is_measured(org: Organisation, cases: Path) -> None:
    # Mon 5 Jan 2026 + 300 + 200 calendar days: 20 May 2027 23:59:59; measured early in 2026
    write_csv(
        cases / "events.csv",
        [
            ev("S1", "slow", "received", "2026-01-05T10:00"),
            ev("S1", "slow", "done", "2026-01-06T10:00", "wait"),
            ev("S1", "slow", "done", "2026-01-07T10:00", "more"),
        ],
    )
    measured, findings = measure(org, cases, now=dt.datetime(2026, 2, 1, tzinfo=CST), periods=["2027-05"])
    assert findings == []
    assert (measured.cases, figures(measured, "slow", "2027-05").on_time) == (1, 1)


@pytest.mark.parametrize("at", ["9999-12-31T10:00", "1900-01-01T10:00+08:00", "0001-01-01"])
def test_an_instant_in_a_year_no_calendar_reaches_is_a_finding(org: Organisation, cases: Path, at: str) -> None:
    write_csv(
        cases / "events.csv",
        [ev("Y1", "claim", "received", at), ev("Y2", "claim", "received", "2026-11-16T10:00")],
    )
    measured, findings = measure(org, cases)
    assert where(findings) == [("cases/events.csv", 2, 5, "DP601")]
    assert "outside the years 1970-9000" in findings[0].message
    assert measured.left_out == {"claim": 1} and measured.cases == 1


def _shanghai_then_hong_kong(tmp_path: Path, decision: str) -> tuple[Organisation, RecordRules]:
    """``decision`` (with a ``{calendar}`` slot) on Shanghai's calendar until 1 Nov 2026, then
    on Hong Kong's: today's organisation and the two versions as the history gives them."""
    found = {}
    for calendar in ("shanghai", "hk"):
        folder = tmp_path / calendar / "decisions"
        write_decisions(folder, {"_org.yaml": TWO_CALENDARS, "quick.yaml": decision.format(calendar=calendar)})
        found[calendar] = load_org(folder)
    before, now = found["shanghai"], found["hk"]
    since = micros(dt.datetime(2026, 11, 1, tzinfo=CST))
    versions = (Version(before.decisions["quick"], -(2**62)), Version(now.decisions["quick"], since))
    return now, RecordRules(now, {"quick": versions}, "history")


def test_a_case_counts_in_the_calendar_of_the_rules_in_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The rules moved from the Shanghai calendar to Hong Kong's on 1 Nov. Received Wed 30
    # Sep 10:00 under Shanghai's: National Day (1-7 Oct) is off, due Thu 8 Oct 18:00; under
    # Hong Kong's (1 Oct only) it would be Fri 2 Oct 18:00.
    monkeypatch.chdir(tmp_path)
    now, rules = _shanghai_then_hong_kong(tmp_path, QUICK)
    write_csv(
        tmp_path / "cases" / "events.csv",
        [ev("Q1", "quick", "received", "2026-09-30T10:00"), ev("Q1", "quick", "done", "2026-10-05T10:00", "answer")],
    )
    measured, findings = measure(now, tmp_path / "cases", periods=["2026-10"], rules=rules)
    assert findings == []  # each event once, not once per calendar the decision ever had
    found = figures(measured, "quick", "2026-10")
    assert (found.cases, found.on_time, found.late) == (1, 1, 0)


def test_a_pause_counts_in_the_calendar_of_the_rules_in_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As above, received Wed 30 Sep 10:00 under Shanghai's rules: due Thu 8 Oct 18:00. Paused
    # 30 Sep 12:00 to Thu 8 Oct 12:00: 6 + 3 working hours in Shanghai (1-7 Oct are off), so
    # the answer is due Fri 9 Oct 18:00 and one on Mon 12 Oct is late. Counted in Hong Kong's
    # calendar (the newest rules: only 1 Oct off) the pause was 45 hours, due Wed 14 Oct.
    monkeypatch.chdir(tmp_path)
    pausable = QUICK.replace("within: 1 business day}", "within: 1 business day, pausable: true}")
    now, rules = _shanghai_then_hong_kong(tmp_path, pausable)
    write_csv(
        tmp_path / "cases" / "events.csv",
        [
            ev("Q1", "quick", "received", "2026-09-30T10:00"),
            ev("Q1", "quick", "paused", "2026-09-30T12:00", "answer"),
            ev("Q1", "quick", "resumed", "2026-10-08T12:00", "answer"),
            ev("Q1", "quick", "done", "2026-10-12T10:00", "answer"),
        ],
    )
    measured, findings = measure(now, tmp_path / "cases", periods=["2026-10"], rules=rules)
    assert findings == []
    found = figures(measured, "quick", "2026-10")
    assert (found.cases, found.on_time, found.late) == (1, 0, 1)


def _check_stage(measured: Measured) -> tuple[int, int]:
    stage = next(s for s in figures(measured, "claim").stages if s.stage == "check")
    return stage.done, stage.on_time


def test_a_stage_done_twice_counts_its_first_done_by_time_then_by_row(org: Organisation, cases: Path) -> None:
    # check is due Tue 17 18:00; the late done comes first in the file, the on-time one after it
    write_csv(
        cases / "events.csv",
        [
            ev("C1", "claim", "received", "2026-11-16T10:00"),
            ev("C1", "claim", "done", "2026-11-18T10:00", "check", by="wang-wei"),
            ev("C1", "claim", "done", "2026-11-16T12:00", "check", by="wang-wei"),
            ev("C1", "claim", "done", "2026-11-17T11:00", "decide", by="wang-wei"),
            # two dones at one instant: the first row is the one that counts (who did it, too)
            ev("C2", "claim", "received", "2026-11-16T10:00"),
            ev("C2", "claim", "done", "2026-11-16T12:00", "check", by="chen-jie"),
            ev("C2", "claim", "done", "2026-11-16T12:00", "check", by="wang-wei"),
            ev("C2", "claim", "done", "2026-11-17T11:00", "decide", by="wang-wei"),
        ],
    )
    measured, _ = measure(org, cases)
    assert _check_stage(measured) == (2, 2)
    assert figures(measured, "claim").on_time == 2
    wrong = [(d.stage, d.examples) for d in measured.deviations if d.kind is Deviation.WRONG_ACTOR]
    assert wrong == [("check", ("C2",))]  # chen-jie (finance) cannot act at check


def test_cases_whose_keys_would_collide_are_numbered_instead(
    org: Organisation, cases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hash shared by two (case, decision) pairs would merge their events: every pair shares
    # this one, so the pairs are numbered, and each case is still judged on its own.
    monkeypatch.setattr(load_cases, "CASE_KEY", "0::BIGINT")
    rows = [*exact_and_late(), ev("EXACT", "slow", "received", "2026-11-16T10:00")]  # the same id, another decision
    write_csv(cases / "events.csv", rows)
    measured, found = measure(org, cases)
    assert found == []
    claim = figures(measured, "claim")
    assert (claim.cases, claim.on_time, claim.late) == (2, 1, 1)
    assert measured.cases == 3


def test_the_figures_alone_are_the_figures_of_the_whole_measure() -> None:
    # stats asks for the figures only: the same figures and counts as the sites' measure,
    # without the overdue list and conformance it never shows.
    repo = Path(__file__).resolve().parent.parent
    org = load_org(repo / "decisions")
    now = dt.datetime(2026, 11, 23, 9, tzinfo=CST)
    periods = [parse_period(p) for p in ("2026-10", "2026-Q3")]
    rules = RecordRules.current(org)
    whole, whole_found = measure_folder(str(repo / "cases"), rules, now, periods)
    alone, alone_found = measure_folder(str(repo / "cases"), rules, now, periods, figures_only=True)
    assert whole.overdue and whole.deviations  # the sample has both, so leaving them out shows
    assert (alone.overdue, alone.deviations) == ((), ())
    assert alone.figures == whole.figures and len(alone.figures) > 0
    assert (alone.cases, alone.left_out, alone_found) == (whole.cases, whole.left_out, whole_found)
