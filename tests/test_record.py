"""The case record against the promise (SPEC section 11), case by case, with answers
worked out by hand on the China calendar (09:00-18:00; see ``record_helpers``).

A promised instant T is shown to the second by two cases that differ only in
when they are answered: at T (on time) and at T + 1 s (late).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from record_helpers import (
    CST,
    NOW,
    counts,
    ev,
    figures,
    measure,
    record_org,  # noqa: F401 - the module's org fixture
    where,
    write_csv,
)

from decision_paths.measure.record import percentiles
from decision_paths.model.cases import Deviation, Percentiles
from decision_paths.model.organisation import Organisation

Rows = Callable[[str], list[dict[str, str]]]


@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cases"


def iso(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=CST)


def promised_to_the_second(
    org: Organisation, cases: Path, decision: str, before: Rows, answer: str, promised: str, period: str = "2026-11"
) -> None:
    """Answered at ``promised``: on time; one second later: late."""
    exact = iso(promised)
    rows = [
        *before("EXACT"),
        ev("EXACT", decision, "done", exact.isoformat(), answer),
        *before("LATE"),
        ev("LATE", decision, "done", (exact + dt.timedelta(seconds=1)).isoformat(), answer),
    ]
    write_csv(cases / "events.csv", rows)
    measured, findings = measure(org, cases, periods=[period])
    assert [f for f in findings if f.rule.code != "DP602"] == []
    found = figures(measured, decision, period)
    assert (found.on_time, found.late, found.cases) == (1, 1, 2), found


# ------------------------------------------------------------------ on time, late, open


def refund_small(received: str) -> Rows:
    return lambda case: [
        ev(case, "refund", "received", received, inputs="amount=500"),
        ev(case, "refund", "done", "2026-11-17T12:00", "intake", by="li-na"),
    ]


def test_on_time_at_exactly_the_promised_instant_late_one_second_after(org: Organisation, cases: Path) -> None:
    # Mon 16 Nov 10:00: intake (1 business day) is due Tue 17 18:00; the answer (4 business
    # hours) from there: Wed 18 13:00.
    promised_to_the_second(org, cases, "refund", refund_small("2026-11-16T10:00"), "answer", "2026-11-18T13:00")


def test_open_in_time_and_open_past_the_promise(org: Organisation, cases: Path) -> None:
    write_csv(
        cases / "events.csv",
        [
            # promised Wed 18 Nov 13:00 (as above)
            ev("IN-TIME", "refund", "received", "2026-11-16T10:00", inputs="amount=500"),
            # Fri 13 Nov 10:00: intake due Mon 16 18:00, answer due Tue 17 13:00
            ev("PAST", "refund", "received", "2026-11-13T10:00", inputs="amount=500"),
        ],
    )
    at_the_promise, _ = measure(org, cases, now=iso("2026-11-18T13:00"))
    assert counts(figures(at_the_promise, "refund")) == {
        "cases": 2,
        "on_time": 0,
        "late": 0,
        "open_late": 1,
        "open": 1,
        "withdrawn": 0,
        "left_out": 0,
    }
    a_second_later, _ = measure(org, cases, now=iso("2026-11-18T13:00:01"))
    assert (figures(a_second_later, "refund").open_late, figures(a_second_later, "refund").open) == (2, 0)


def test_withdrawn_cases_are_counted_apart(org: Organisation, cases: Path) -> None:
    write_csv(
        cases / "events.csv",
        [
            *refund_small("2026-11-16T10:00")("GONE"),
            ev("GONE", "refund", "withdrawn", "2026-11-17T15:00", reason="client cancelled"),
            *refund_small("2026-11-16T10:00")("KEPT"),
            ev("KEPT", "refund", "done", "2026-11-18T12:00", "answer", by="li-na"),
        ],
    )
    found = figures(measure(org, cases)[0], "refund")
    # SPEC 11's example: cases 120 = 104 on time + 9 late + 2 open late + 3 open + 2 withdrawn
    assert counts(found) == {
        "cases": 2,
        "on_time": 1,
        "late": 0,
        "open_late": 0,
        "open": 0,
        "withdrawn": 1,
        "left_out": 0,
    }


# ------------------------------------------------------------------ pauses and delays


def paused(received: str, stage: str, start: str, end: str, decision: str = "refund", **inputs: str) -> Rows:
    given = ";".join(f"{k}={v}" for k, v in inputs.items())
    return lambda case: [
        ev(case, decision, "received", received, inputs=given),
        ev(case, decision, "paused", start, stage, reason="waiting for the bank details"),
        ev(case, decision, "resumed", end, stage),
    ]


@pytest.mark.parametrize(
    ("received", "start", "end", "promised", "period"),
    [
        # Fri 20 Nov 10:00: intake due Mon 23 18:00. Paused Fri 16:00 - Mon 10:00 is 3 working
        # hours (Fri 16-18, Mon 9-10): intake due Tue 24 12:00, the answer 4 hours on: 16:00.
        ("2026-11-20T10:00", "2026-11-20T16:00", "2026-11-23T10:00", "2026-11-24T16:00", "2026-11"),
        # Wed 30 Sep 10:00: intake due Thu 8 Oct 18:00 (National Day Oct 1-7). Paused Sep 30
        # 17:00 - Oct 8 10:00 is 2 working hours: due Fri 9 Oct 11:00, the answer at 15:00.
        ("2026-09-30T10:00", "2026-09-30T17:00", "2026-10-08T10:00", "2026-10-09T15:00", "2026-10"),
        # Paused Sep 30 10:00 - Oct 9 18:00 is 26 working hours (8 + 9 + 9): from Oct 8 18:00,
        # Fri 9 (9 h), the make-up Sat 10 (9 h), Mon 12 9:00 + 8 h = 17:00; the answer 4
        # working hours on: Mon 17:00-18:00 and Tue 13 9:00-12:00.
        ("2026-09-30T10:00", "2026-09-30T10:00", "2026-10-09T18:00", "2026-10-13T12:00", "2026-10"),
    ],
)
def test_a_pause_on_a_pausable_stage_moves_the_promise_by_the_working_time_paused(
    org: Organisation, cases: Path, received: str, start: str, end: str, promised: str, period: str
) -> None:
    before = paused(received, "intake", start, end, amount="500")
    promised_to_the_second(org, cases, "refund", before, "answer", promised, period)


def test_a_pause_on_a_calendar_days_stage_moves_it_by_the_elapsed_time(org: Organisation, cases: Path) -> None:
    # Fri 20 Nov 10:00: wait (3 calendar days) due Mon 23 23:59:59. Paused Sat 12:00 - Sun
    # 18:00 = 30 hours: due Wed 25 05:59:59; the answer (2 hours) at 07:59:59.
    before = paused("2026-11-20T10:00", "wait", "2026-11-21T12:00", "2026-11-22T18:00", decision="visit")
    promised_to_the_second(org, cases, "visit", before, "answer", "2026-11-25T07:59:59")


def test_a_pause_on_a_stage_that_is_not_pausable_moves_nothing(org: Organisation, cases: Path) -> None:
    # 5000 goes through approve (2 business days, not pausable): Mon 16 Nov 10:00 -> intake
    # Tue 17 18:00 -> approve Thu 19 18:00 -> answer Fri 20 13:00, pause or not.
    def before(case: str) -> list[dict[str, str]]:
        return [
            *paused("2026-11-16T10:00", "approve", "2026-11-18T10:00", "2026-11-19T10:00", amount="5000")(case),
            ev(case, "refund", "done", "2026-11-16T11:00", "intake", by="li-na"),
            ev(case, "refund", "done", "2026-11-19T11:00", "approve", by="wang-wei"),
        ]

    promised_to_the_second(org, cases, "refund", before, "answer", "2026-11-20T13:00")


def test_a_delayed_case_that_misses_the_promise_is_late(org: Organisation, cases: Path) -> None:
    write_csv(
        cases / "events.csv",
        [
            *refund_small("2026-11-16T10:00")("SLOW"),
            ev(
                "SLOW",
                "refund",
                "delayed",
                "2026-11-17T15:00",
                "answer",
                until="2026-11-25T18:00+08:00",
                reason="finance is closed",
                client_note="我们将在11月25日前答复",
            ),
            # before the announced 25 Nov, after the promised Wed 18 13:00
            ev("SLOW", "refund", "done", "2026-11-19T10:00", "answer", by="li-na"),
        ],
    )
    measured, findings = measure(org, cases)
    assert findings == []
    assert (figures(measured, "refund").late, figures(measured, "refund").on_time) == (1, 0)


# ------------------------------------------------------------------ instants


def call(received: str) -> Rows:
    return lambda case: [ev(case, "call", "received", received)]


def test_a_bare_date_is_midnight_in_the_calendar_zone_with_a_warning(org: Organisation, cases: Path) -> None:
    # 00:00 Shanghai + 10 hours = 10:00 (00:00 UTC would make it 18:00)
    promised_to_the_second(org, cases, "call", call("2026-11-16"), "answer", "2026-11-16T10:00+08:00")
    _, findings = measure(org, cases)
    assert where(findings) == [("cases/events.csv", 2, 5, "DP602"), ("cases/events.csv", 4, 5, "DP602")]
    assert "00:00" in findings[0].message


@pytest.mark.parametrize(
    ("received", "promised"),
    [
        ("2026-11-16T09:00", "2026-11-16T19:00+08:00"),  # no offset: Shanghai time
        ("2026-11-16T09:00:00+00:00", "2026-11-17T03:00+08:00"),  # 17:00 in Shanghai
        ("2026-11-16T01:00Z", "2026-11-16T19:00+08:00"),
        ("2026-11-16 09:00:00", "2026-11-16T19:00+08:00"),
    ],
)
def test_an_instant_without_offset_is_in_the_calendar_zone_with_one_is_exact(
    org: Organisation, cases: Path, received: str, promised: str
) -> None:
    promised_to_the_second(org, cases, "call", call(received), "answer", promised)


# ------------------------------------------------------------------ rates and percentiles


def call_answered(case: str, hours: float, late: bool = False) -> list[dict[str, str]]:
    """Received Mon 16 Nov 09:00, answered ``hours`` later; ``late``: ``hours`` after 09:00 the
    next day (the 10 elapsed hours were up at 19:00), 9 + ``hours`` working hours."""
    received = iso("2026-11-16T09:00")
    answered = received + dt.timedelta(hours=hours + (24 if late else 0))
    return [
        ev(case, "call", "received", received.isoformat()),
        ev(case, "call", "done", answered.isoformat(), "answer", by="wang-wei"),
    ]


def ten_calls() -> list[dict[str, str]]:
    """Working hours 1..10 in a shuffled order; the tenth (10 h: 9 on Monday, 1 on Tuesday) late."""
    rows = []
    for hours in (7, 2, 9, 4, 1, 6, 3, 8, 5):
        rows += call_answered(f"C{hours}", hours)
    rows += call_answered("C10", 1, late=True)
    return rows


def test_rate_and_nearest_rank_percentiles_from_ten_cases(org: Organisation, cases: Path) -> None:
    write_csv(
        cases / "events.csv",
        [
            *ten_calls(),
            ev("OPEN", "call", "received", "2026-11-16T09:00"),  # open, past its promise
            ev("GONE", "call", "received", "2026-11-16T09:00"),
            ev("GONE", "call", "withdrawn", "2026-11-16T10:00"),
        ],
    )
    found = figures(measure(org, cases)[0], "call")
    assert counts(found) == {
        "cases": 12,
        "on_time": 9,
        "late": 1,
        "open_late": 1,
        "open": 0,
        "withdrawn": 1,
        "left_out": 0,
    }
    assert found.on_time_rate == round(9 / 11, 4)
    # nearest rank of 1..10: p50 the 5th, p80 the 8th, p95 the 10th (interpolation: 5.5, 8.2, 9.55)
    assert found.working_hours == Percentiles(5.0, 8.0, 10.0)
    (answer,) = found.stages
    assert (answer.stage, answer.done, answer.on_time, answer.on_time_rate) == ("answer", 10, 9, 0.9)
    assert answer.working_hours == Percentiles(5.0, 8.0, 10.0)


def test_below_ten_cases_there_is_no_rate_and_no_percentile(org: Organisation, cases: Path) -> None:
    nine_answered = [r for r in ten_calls() if r["case"] != "C1"]
    # 9 answered + 1 open late: 10 cases for the rate, 9 for the percentiles
    write_csv(cases / "events.csv", [*nine_answered, ev("OPEN", "call", "received", "2026-11-16T09:00")])
    found = figures(measure(org, cases)[0], "call")
    assert (found.on_time_rate, found.working_hours) == (0.8, Percentiles(None, None, None))
    assert (found.stages[0].on_time_rate, found.stages[0].working_hours) == (None, Percentiles(None, None, None))
    write_csv(cases / "events.csv", nine_answered)
    found = figures(measure(org, cases)[0], "call")
    assert (found.cases, found.on_time_rate, found.working_hours.p50) == (9, None, None)


def test_nearest_rank() -> None:
    twenty = [float(v) for v in range(1, 21)]
    assert percentiles(twenty) == Percentiles(10.0, 16.0, 19.0)
    assert percentiles(twenty[:10]) == Percentiles(5.0, 8.0, 10.0)
    assert percentiles(twenty[:9]) == Percentiles(None, None, None)
    assert percentiles([2.5] * 10) == Percentiles(2.5, 2.5, 2.5)


def test_working_hours_of_a_case_count_business_hours_only(org: Organisation, cases: Path) -> None:
    # Mon 16 Nov 10:00 to Wed 18 13:00: 8 + 9 + 4 = 21 working hours; ten alike
    rows = []
    for number in range(10):
        rows += [
            *refund_small("2026-11-16T10:00")(f"R{number}"),
            ev(f"R{number}", "refund", "done", "2026-11-18T13:00", "answer"),
        ]
    write_csv(cases / "events.csv", rows)
    found = figures(measure(org, cases)[0], "refund")
    assert found.working_hours == Percentiles(21.0, 21.0, 21.0)
    intake, answer = found.stages
    # intake: Mon 10:00 - Tue 12:00 = 8 + 3; answer: Tue 12:00 - Wed 13:00 = 6 + 4
    assert (intake.stage, intake.working_hours.p50, answer.stage, answer.working_hours.p50) == (
        "intake",
        11.0,
        "answer",
        10.0,
    )


# ------------------------------------------------------------------ stages


def test_a_stage_is_judged_from_when_it_actually_started(org: Organisation, cases: Path) -> None:
    # intake late (due Tue 17 18:00, done Wed 18 12:00); the answer done within 4 working
    # hours of that (16:00) is on time, though the case (promised Wed 13:00) is late.
    write_csv(
        cases / "events.csv",
        [
            ev("S", "refund", "received", "2026-11-16T10:00", inputs="amount=500"),
            ev("S", "refund", "done", "2026-11-18T12:00", "intake", by="li-na"),
            ev("S", "refund", "done", "2026-11-18T16:00", "answer", by="li-na"),
        ],
    )
    found = figures(measure(org, cases)[0], "refund")
    assert (found.late, found.on_time) == (1, 0)
    assert [(s.stage, s.done, s.on_time) for s in found.stages] == [("intake", 1, 0), ("answer", 1, 1)]
    assert found.bottleneck is not None and found.bottleneck.stage == "intake"
    # intake early (Mon 11:00): the answer is due at 15:00 by its own allowance; done Tue
    # 09:00 it is late, though the case is well within the promise.
    write_csv(
        cases / "events.csv",
        [
            ev("S", "refund", "received", "2026-11-16T10:00", inputs="amount=500"),
            ev("S", "refund", "done", "2026-11-16T11:00", "intake", by="li-na"),
            ev("S", "refund", "done", "2026-11-17T09:00", "answer", by="li-na"),
        ],
    )
    found = figures(measure(org, cases)[0], "refund")
    assert (found.late, found.on_time) == (0, 1)
    assert [(s.stage, s.done, s.on_time) for s in found.stages] == [("intake", 1, 1), ("answer", 1, 0)]


# ------------------------------------------------------------------ overdue now


def test_overdue_now_names_the_stage_its_due_and_who_can_act(org: Organisation, cases: Path) -> None:
    write_csv(
        cases / "events.csv",
        [
            # Fri 20 Nov 10:00: intake due Mon 23 18:00; li-na is away, her backup acts.
            ev("OD1", "refund", "received", "2026-11-20T10:00", inputs="amount=500"),
            # intake done Mon 16 15:00; approve (2 business days) due Wed 18 18:00.
            ev("OD2", "refund", "received", "2026-11-16T10:00", inputs="amount=5000"),
            ev("OD2", "refund", "done", "2026-11-16T15:00", "intake", by="li-na"),
            # received this morning: in time
            ev("NEW", "refund", "received", "2026-11-24T09:00", inputs="amount=500"),
            # answered: never overdue
            *refund_small("2026-11-16T10:00")("DONE"),
            ev("DONE", "refund", "done", "2026-11-17T13:00", "answer", by="li-na"),
        ],
    )
    measured, _ = measure(org, cases, now=iso("2026-11-24T10:00"))
    assert [item.to_json() for item in measured.overdue] == [
        {
            "case": "OD2",
            "decision": "refund",
            "stage": "approve",
            "due": "2026-11-18T18:00:00+08:00",
            "late_working_hours": 28.0,  # Thu 19, Fri 20, Mon 23 (9 each) and Tue 24 09-10
            "can_act": ["wang-wei"],
            "escalate_to": None,
        },
        {
            "case": "OD1",
            "decision": "refund",
            "stage": "intake",
            "due": "2026-11-23T18:00:00+08:00",
            "late_working_hours": 1.0,
            "can_act": ["zhao-lei"],
            "escalate_to": "delivery-lead",
        },
    ]


def test_a_paused_stage_is_not_overdue_while_it_waits(org: Organisation, cases: Path) -> None:
    # intake due Mon 23 18:00, but paused since Mon 16:00 and not resumed by Tue 10:00
    write_csv(
        cases / "events.csv",
        [
            ev("WAIT", "refund", "received", "2026-11-20T10:00", inputs="amount=500"),
            ev("WAIT", "refund", "paused", "2026-11-23T16:00", "intake"),
            ev("OTHER", "refund", "received", "2026-11-16T10:00", inputs="amount=500"),
            ev("OTHER", "refund", "done", "2026-11-16T11:00", "intake", by="li-na"),
        ],
    )
    measured, _ = measure(org, cases, now=iso("2026-11-24T10:00"))
    assert [(i.case, i.stage) for i in measured.overdue] == [("OTHER", "answer")]
    assert figures(measured, "refund").open == 1  # WAIT: its promise moves while it waits


# ------------------------------------------------------------------ conformance


def test_conformance_counts_each_kind_of_deviation_with_examples(org: Organisation, cases: Path) -> None:
    def case(name: str, amount: int, received: str, *done: tuple[str, str, str]) -> list[dict[str, str]]:
        rows = [ev(name, "refund", "received", received, inputs=f"amount={amount}")]
        return rows + [ev(name, "refund", "done", at, stage, by=by) for stage, at, by in done]

    write_csv(
        cases / "events.csv",
        [
            *case(
                "SKIP",
                5000,
                "2026-11-16T10:00",
                ("intake", "2026-11-16T11:00", "li-na"),
                ("answer", "2026-11-16T15:00", "li-na"),
            ),
            *case(
                "OFF",
                500,
                "2026-11-16T10:00",
                ("intake", "2026-11-16T11:00", "li-na"),
                ("approve", "2026-11-16T12:00", "wang-wei"),
                ("answer", "2026-11-16T15:00", "li-na"),
            ),
            *case(
                "ORDER",
                5000,
                "2026-11-16T10:00",
                ("approve", "2026-11-16T11:00", "wang-wei"),
                ("intake", "2026-11-16T12:00", "li-na"),
                ("answer", "2026-11-16T15:00", "li-na"),
            ),
            *case(
                "WHO",
                500,
                "2026-11-16T10:00",
                ("intake", "2026-11-16T11:00", "chen-jie"),
                ("answer", "2026-11-16T15:00", "li-na"),
            ),
            # the backup acts while the holder is in: not the stand-in rule
            *case(
                "BACKUP",
                500,
                "2026-11-17T10:00",
                ("intake", "2026-11-17T11:00", "zhao-lei"),
                ("answer", "2026-11-17T15:00", "li-na"),
            ),
            # li-na is away from 23 Nov: she could not act, her backup could
            *case(
                "AWAY",
                500,
                "2026-11-24T09:00",
                ("intake", "2026-11-24T10:00", "li-na"),
                ("answer", "2026-11-24T15:00", "zhao-lei"),
            ),
            *case(
                "STANDIN",
                500,
                "2026-11-24T09:00",
                ("intake", "2026-11-24T10:00", "zhao-lei"),
                ("answer", "2026-11-24T15:00", "zhao-lei"),
            ),
            *case(
                "CLEAN",
                5000,
                "2026-11-16T10:00",
                ("intake", "2026-11-16T11:00", "li-na"),
                ("approve", "2026-11-16T12:00", "wang-wei"),
                ("answer", "2026-11-16T15:00", "li-na"),
            ),
        ],
    )
    measured, findings = measure(org, cases)
    assert findings == []
    found = {(d.decision, d.kind, d.stage): (d.count, d.examples) for d in measured.deviations}
    assert found == {
        ("refund", Deviation.WRONG_ACTOR, "intake"): (3, ("AWAY", "BACKUP", "WHO")),
        ("refund", Deviation.SKIPPED, "approve"): (1, ("SKIP",)),
        ("refund", Deviation.NOT_ON_PATH, "approve"): (1, ("OFF",)),
        ("refund", Deviation.OUT_OF_ORDER, "approve"): (1, ("ORDER",)),
    }
    assert measured.deviations[0].kind is Deviation.WRONG_ACTOR  # the most cases first


def test_now_defaults_to_the_period_figures_as_of(org: Organisation, cases: Path) -> None:
    write_csv(cases / "events.csv", refund_small("2026-11-16T10:00")("X"))
    measured, _ = measure(org, cases)
    assert measured.as_of == NOW and measured.rules == "current" and measured.cases == 1
