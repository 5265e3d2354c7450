"""The promise in words (SPEC section 8): one unit, never a sum, and the answer stage.

Each case is a decision a reader would meet: every stage in one unit gives the
sums in that unit; mixed units give working days, counted exactly over every
start on the hour (checked here by brute force over the hours around Spring
Festival and National Day); ``answer`` picks the stage whose due instant is
the answer, and later stages keep their dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.phrasing import promise_text
from decision_paths.model.promise import Promise, promise, working_days_between
from decision_paths.model.timeline import fastest_and_slowest, path_for, timeline
from decision_paths.model.units import Unit
from decision_paths.model.words import words

SHARED = """\
people:
  li-na: {name: 李娜}
roles:
  clerk: {title: Clerk, held_by: [li-na]}
calendars:
  shanghai: {country: CN, timezone: Asia/Shanghai, hours: "09:00-18:00"}
defaults:
  calendar: shanghai
"""

HEAD = "title: T\nsummary: S\nowner: clerk\nreviewed: 2026-10-01\nreview_every: 180 days\n"


def decision_yaml(*withins: str, branch: tuple[str, str] | None = None, answer: str | None = None) -> str:
    """Stages s0, s1, ... in a row; ``branch`` = (short, long) adds a yes/no fork after s0."""
    lines = [HEAD]
    if branch:
        lines.append("inputs:\n  fast: {label: Fast, type: yes-no}\n")
    if answer:
        lines.append(f"answer: {answer}\n")
    lines.append("start: s0\nstages:\n")
    names = [f"s{i}" for i in range(len(withins))]
    for i, (name, within) in enumerate(zip(names, withins, strict=True)):
        after = names[i + 1] if i + 1 < len(names) else None
        lines.append(f"  {name}:\n    title: Stage {i}\n    who: clerk\n    within: {within}\n")
        if i == 0 and branch:
            lines.append("    next:\n      - when: {fast: true}\n        go: short\n      - otherwise: long\n")
        elif after:
            lines.append(f"    next: {after}\n")
    if branch:
        after = names[1] if len(names) > 1 else None
        for name, within in zip(("short", "long"), branch, strict=True):
            lines.append(f"  {name}:\n    title: {name}\n    who: clerk\n    within: {within}\n")
            if after:
                lines.append(f"    next: {after}\n")
    return "".join(lines)


def load(empty_org, text: str):  # type: ignore[no-untyped-def]
    empty_org.write("_org.yaml", SHARED)
    empty_org.write("d.yaml", text)
    result = empty_org.validate()
    assert not result.has_errors, [f.to_text() for f in result.findings]
    decision = result.org.decisions["d"]
    return decision, BusinessCalendar(result.org.calendar_for(decision))


ZH, EN = words("zh"), words("en")
TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    "withins, branch, zh, en",
    [
        (("1 business day", "3 个工作日"), ("1 business day", "3 business days"), "5-7 个工作日", "5-7 business days"),
        (("4 business hours", "4 个工作小时"), None, "8 个工作小时", "8 business hours"),
        (("1 business day",), None, "1 个工作日", "1 business day"),
        (("1.5 business hours", "1 business hour"), None, "2.5 个工作小时", "2.5 business hours"),
        (("2 weeks",), ("1 week", "3 weeks"), "3-5 周", "3-5 weeks"),
    ],
)
def test_one_unit_everywhere_gives_the_sums_in_that_unit(empty_org, withins, branch, zh, en) -> None:  # type: ignore[no-untyped-def]
    decision, calendar = load(empty_org, decision_yaml(*withins, branch=branch))
    found = promise(decision, calendar, TODAY)
    assert found is not None
    assert (promise_text(found, ZH), promise_text(found, EN)) == (zh, en)


def test_mixed_units_give_working_days_and_never_a_sum(empty_org) -> None:  # type: ignore[no-untyped-def]
    # 4 business hours, then 1 week or 2 business days, then 1 business day.
    decision, calendar = load(
        empty_org, decision_yaml("4 business hours", "1 business day", branch=("2 个工作日", "1 周"))
    )
    found = promise(decision, calendar, TODAY)
    assert found is not None and found.unit is Unit.BUSINESS_DAYS
    text = promise_text(found, ZH)
    assert "+" not in text and "周" not in text and text.endswith(" 个工作日")
    # Slowest by hand: received Fri 2026-12-04 23:00: 4 business hours end Mon 12-07 13:00, a week
    # ends Mon 12-14 23:59:59, one business day ends Tue 12-15 18:00: Mon 7 .. Tue 15 = 7 working days.
    # Around National Day it is longer (counted in the brute-force test below).
    assert found.low <= 3 and found.high >= 7


def brute_force(decision, calendar: BusinessCalendar, first: dt.date, last: dt.date) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Every start on the hour, the fastest and the slowest path each, counted day by day."""
    counts = []
    day = first
    while day <= last:
        for hour in range(24):
            start = calendar.local(day, dt.time(hour))
            if start.date() != day:
                continue
            for answered in fastest_and_slowest(decision, start, calendar):
                working = 0
                probe = day
                while probe < answered.due.date():
                    probe += dt.timedelta(days=1)
                    working += calendar.is_working_day(probe)
                counts.append(max(working, 1))
        day += dt.timedelta(days=1)
    return min(counts), max(counts)


@pytest.mark.parametrize(
    "first, last",
    [
        (dt.date(2026, 9, 15), dt.date(2026, 10, 12)),  # Mid-Autumn, National Day, make-up Sep 20 and Oct 10
        (dt.date(2026, 2, 5), dt.date(2026, 3, 2)),  # Spring Festival, make-up Feb 14 and Feb 28
    ],
)
def test_the_working_day_range_equals_brute_force_over_every_hour(empty_org, first, last) -> None:  # type: ignore[no-untyped-def]
    text = decision_yaml("4 business hours", "30 hours", branch=("2 个工作日", "1 周"))
    decision, calendar = load(empty_org, text)
    found = working_days_between(decision, calendar, first, last)
    assert (int(found.low), int(found.high)) == brute_force(decision, calendar, first, last)


def test_a_due_date_on_the_received_day_counts_as_one_working_day(empty_org) -> None:  # type: ignore[no-untyped-def]
    decision, calendar = load(empty_org, decision_yaml("2 hours", "1 business hour"))
    # Tue 2026-12-01 09:00 + 2 hours = 11:00, + 1 business hour = 12:00 the same day: 1.
    # 23:00 + 2 hours = Wed 01:00, + 1 business hour = Wed 10:00: also 1 (Wed is the first).
    found = working_days_between(decision, calendar, dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    assert found == Promise(Decimal(1), Decimal(1), Unit.BUSINESS_DAYS)
    assert promise_text(found, ZH) == "1 个工作日"


def test_the_promise_stops_at_the_answer_stage(empty_org) -> None:  # type: ignore[no-untyped-def]
    # s2 (the follow-up, 1 week) comes after the answer s1: it is not part of the promise.
    decision, calendar = load(empty_org, decision_yaml("1 business day", "2 business days", "1 week", answer="s1"))
    found = promise(decision, calendar, TODAY)
    assert found is not None and promise_text(found, EN) == "3 business days"


def test_a_timeline_is_due_when_its_answer_stage_is_and_later_stages_keep_their_dates(empty_org) -> None:  # type: ignore[no-untyped-def]
    decision, calendar = load(empty_org, decision_yaml("1 business day", "2 business days", "1 week", answer="s1"))
    start = calendar.local(dt.date(2026, 12, 1), dt.time(10))
    result = timeline(decision, path_for(decision, {}), start, calendar)
    assert result.answer.stage.id == "s1"
    assert result.due.isoformat() == "2026-12-04T18:00:00+08:00"  # Wed 18:00 + 2 business days
    assert result.stages[-1].due.isoformat() == "2026-12-11T23:59:59+08:00"
    assert result.to_json()["due"] == "2026-12-04T18:00:00+08:00"
    fastest, slowest = fastest_and_slowest(decision, start, calendar)
    assert fastest.due == slowest.due == result.due
    assert [s.stage.id for s in slowest.stages] == ["s0", "s1", "s2"]  # the follow-up still shows


def test_the_slowest_answer_ignores_a_long_stage_after_the_answer(empty_org) -> None:  # type: ignore[no-untyped-def]
    # Two roads to the answer s1; after it, a 3-week follow-up. The slowest answer is the long road.
    decision, calendar = load(
        empty_org,
        decision_yaml("1 business day", "1 business day", "3 weeks", branch=("1 hour", "5 business days"), answer="s1"),
    )
    start = calendar.local(dt.date(2026, 12, 1), dt.time(10))
    fastest, slowest = fastest_and_slowest(decision, start, calendar)
    assert [s.stage.id for s in slowest.stages] == ["s0", "long", "s1", "s2"]
    assert slowest.due.isoformat() == "2026-12-10T18:00:00+08:00"  # Wed 2 + 5 = Wed 9, + 1 = Thu 10
    assert fastest.due.isoformat() == "2026-12-03T18:00:00+08:00"  # Wed 18:00 + 1 hour, + 1 = Thu 3


def test_decisions_on_one_calendar_each_get_their_own_range(empty_org) -> None:  # type: ignore[no-untyped-def]
    """One calendar object serves a whole plan and remembers ranges by the decisions' shape:
    a decision that differs in one time limit, or in where a stage leads, is counted anew."""
    empty_org.write("_org.yaml", SHARED)
    texts = {
        "a": decision_yaml("4 business hours", "30 hours", branch=("2 个工作日", "1 周")),
        "same-shape": decision_yaml("4 business hours", "30 hours", branch=("2 个工作日", "1 周")).replace(
            "Stage 1", "Another title"
        ),
        "longer": decision_yaml("4 business hours", "54 hours", branch=("2 个工作日", "1 周")),
        "no-branch": decision_yaml("4 business hours", "30 hours", "2 个工作日"),
    }
    for name, text in texts.items():
        empty_org.write(f"{name}.yaml", text)
    result = empty_org.validate()
    assert not result.has_errors, [f.to_text() for f in result.findings]
    decisions = result.org.decisions
    shared = BusinessCalendar(result.org.calendar_for(decisions["a"]))
    first, last = dt.date(2026, 9, 20), dt.date(2026, 10, 12)
    ranges = {name: working_days_between(decisions[name], shared, first, last) for name in texts}
    for name in texts:  # each as if counted alone
        alone = BusinessCalendar(result.org.calendar_for(decisions[name]))
        assert (int(ranges[name].low), int(ranges[name].high)) == brute_force(decisions[name], alone, first, last), name
    assert ranges["same-shape"] == ranges["a"]
    assert ranges["longer"].high > ranges["a"].high
