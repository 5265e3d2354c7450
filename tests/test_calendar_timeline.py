"""The promise (SPEC sections 2, 5 and 8): exact due instants on real calendars.

Every expected instant below was worked out by hand from the official 2026
schedules, then checked against ``holidays.country_holidays`` (see
``test_library_has_the_official_2026_schedule``, which pins the facts the
hand computations rely on, so a changed library points here first).

China 2026 (State Council schedule):
- New Year: Jan 1-3 off; Sun Jan 4 is a make-up working day.
- Spring Festival: Feb 15-23 off; Sat Feb 14 and Sat Feb 28 are make-up working days.
- Labour Day: May 1-5 off; Sat May 9 is a make-up working day.
- Mid-Autumn: Fri Sep 25 off (Sep 25-27).
- National Day: Oct 1-7 off; Sun Sep 20 and Sat Oct 10 are make-up working days.
Hong Kong 2026 has its own holidays (Feb 17-19, Oct 1, Mon Oct 19, Dec 25, ...)
and no make-up working days.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import subprocess
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import given
from hypothesis import strategies as st

from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.findings import Loc
from decision_paths.model.organisation import BusinessHours, Calendar, Ref, Stage
from decision_paths.model.timeline import (
    MissingInput,
    TimelineError,
    due_instant,
    fastest_and_slowest,
    parse_start,
    parse_value,
    path_for,
    path_signature,
    timeline,
)
from decision_paths.model.units import UNIT_WORDS, DurationError, parse_duration

COMMAND = REPO / ".venv" / "bin" / "decision-paths"
NOWHERE = Loc("")


def make_calendar(
    country: str = "CN",
    timezone: str = "Asia/Shanghai",
    hours: str = "09:00-18:00",
    workdays=range(5),
    closed=(),
    open=(),
) -> BusinessCalendar:  # type: ignore[no-untyped-def]
    opens, closes = (dt.timedelta(hours=int(t[:2]), minutes=int(t[3:5])) for t in hours.split("-"))
    return BusinessCalendar(
        Calendar(
            id="test",
            loc=NOWHERE,
            country=Ref(country, NOWHERE),
            timezone=Ref(timezone, NOWHERE),
            hours=BusinessHours(opens, closes, NOWHERE),
            workdays=frozenset(workdays),
            closed=frozenset(dt.date.fromisoformat(d) for d in closed),
            open=frozenset(dt.date.fromisoformat(d) for d in open),
        )
    )


CN = make_calendar()
HK = make_calendar("HK", "Asia/Hong_Kong")


def due(calendar: BusinessCalendar, within: str, received: str) -> str:
    return due_instant(parse_duration(within, NOWHERE), parse_start(received, calendar), calendar).isoformat()


# ------------------------------------------------------------------ the library's facts


def test_library_has_the_official_2026_schedule() -> None:
    import holidays

    cn = holidays.country_holidays("CN", years=2026)
    makeup = {d for d in cn.weekend_workdays if d.year == 2026}
    assert makeup == {
        dt.date(2026, 1, 4),
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 9),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    }

    def days_off(first: str, last: str) -> list[str]:
        start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        days = (start + dt.timedelta(n) for n in range((end - start).days + 1))
        return [d.isoformat() for d in days if not CN.is_working_day(d)]

    assert days_off("2026-01-01", "2026-01-05") == ["2026-01-01", "2026-01-02", "2026-01-03"]
    assert days_off("2026-02-13", "2026-03-01") == [f"2026-02-{d}" for d in range(15, 24)] + ["2026-03-01"]
    assert days_off("2026-04-30", "2026-05-10") == [f"2026-05-0{d}" for d in range(1, 6)] + ["2026-05-10"]
    assert days_off("2026-09-19", "2026-10-11") == ["2026-09-19", "2026-09-25", "2026-09-26", "2026-09-27"] + [
        f"2026-10-0{d}" for d in range(1, 8)
    ] + ["2026-10-11"]
    for makeup_day in sorted(makeup):
        assert CN.is_makeup_workday(makeup_day) and CN.is_working_day(makeup_day), makeup_day
    # Hong Kong: no make-up days; its own holidays.
    hk = holidays.country_holidays("HK", years=2026)
    assert not {d for d in getattr(hk, "weekend_workdays", ()) if d.year == 2026}
    assert {
        dt.date(2026, 2, 17),
        dt.date(2026, 2, 18),
        dt.date(2026, 2, 19),
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 19),
        dt.date(2026, 12, 25),
    } <= set(hk)
    assert HK.is_working_day(dt.date(2026, 2, 16)) and HK.is_working_day(dt.date(2026, 10, 2))
    assert not HK.is_working_day(dt.date(2026, 2, 14)) and not HK.is_working_day(dt.date(2026, 10, 10))


def test_has_official_schedule() -> None:
    assert CN.has_official_schedule(2026)
    assert not CN.has_official_schedule(2027)  # make-up days for 2027 are not in the library
    assert HK.has_official_schedule(2026) and HK.has_official_schedule(2027)  # no make-up days to wait for


# ------------------------------------------------------------------ business days


@pytest.mark.parametrize(
    "received, within, expected",
    [
        # National Day: Oct 1-7 off, Sat Oct 10 works.
        ("2026-09-30T10:00", "1 business day", "2026-10-08T18:00:00+08:00"),
        ("2026-09-30T10:00", "2 business days", "2026-10-09T18:00:00+08:00"),
        ("2026-09-30T10:00", "3 business days", "2026-10-10T18:00:00+08:00"),  # make-up Saturday
        ("2026-09-30T10:00", "4 business days", "2026-10-12T18:00:00+08:00"),
        ("2026-09-30T10:00", "3个工作日", "2026-10-10T18:00:00+08:00"),
        # Mid-Autumn: Fri Sep 25 off.
        ("2026-09-24T10:00", "1 business day", "2026-09-28T18:00:00+08:00"),
        # Make-up Sunday Sep 20.
        ("2026-09-18T10:00", "1 business day", "2026-09-20T18:00:00+08:00"),
        ("2026-09-19T10:00", "1 business day", "2026-09-20T18:00:00+08:00"),
        # Spring Festival: Feb 15-23 off, Sat Feb 14 and Sat Feb 28 work.
        ("2026-02-13T10:00", "1 business day", "2026-02-14T18:00:00+08:00"),
        ("2026-02-13T10:00", "2 business days", "2026-02-24T18:00:00+08:00"),
        ("2026-02-12T17:59", "5 business days", "2026-02-26T18:00:00+08:00"),
        ("2026-02-27T10:00", "1 business day", "2026-02-28T18:00:00+08:00"),
        ("2026-02-27T10:00", "2 business days", "2026-03-02T18:00:00+08:00"),
        # Labour Day: May 1-5 off, Sat May 9 works.
        ("2026-04-30T10:00", "1 business day", "2026-05-06T18:00:00+08:00"),
        ("2026-04-30T10:00", "4 business days", "2026-05-09T18:00:00+08:00"),
        # New Year: Jan 1-3 off, Sun Jan 4 works.
        ("2025-12-31T10:00", "1 business day", "2026-01-04T18:00:00+08:00"),
        ("2025-12-31T10:00", "2 business days", "2026-01-05T18:00:00+08:00"),
    ],
    ids=lambda v: str(v),
)
def test_business_days_across_chinese_holidays(received: str, within: str, expected: str) -> None:
    assert due(CN, within, received) == expected


@pytest.mark.parametrize(
    "received, within, expected",
    [
        ("2026-10-03T11:00", "1 business day", "2026-10-08T18:00:00+08:00"),  # a holiday Saturday
        ("2026-10-01T00:00", "1 business day", "2026-10-08T18:00:00+08:00"),
        ("2026-10-07T23:00", "1 business day", "2026-10-08T18:00:00+08:00"),  # last day off
        ("2026-02-18T09:30", "1 business day", "2026-02-24T18:00:00+08:00"),
        ("2026-02-18T09:30", "2 business days", "2026-02-25T18:00:00+08:00"),
        ("2026-01-03T10:00", "1 business day", "2026-01-04T18:00:00+08:00"),
    ],
    ids=lambda v: str(v),
)
def test_received_on_a_holiday(received: str, within: str, expected: str) -> None:
    assert due(CN, within, received) == expected


@pytest.mark.parametrize(
    "received, within, expected",
    [
        ("2026-02-14T10:00", "1 business day", "2026-02-24T18:00:00+08:00"),
        ("2026-10-10T10:00", "1 business day", "2026-10-12T18:00:00+08:00"),
        ("2026-09-20T08:00", "1 business day", "2026-09-21T18:00:00+08:00"),
    ],
    ids=lambda v: str(v),
)
def test_received_on_a_makeup_working_day(received: str, within: str, expected: str) -> None:
    assert due(CN, within, received) == expected


def test_business_days_count_strictly_after_the_date_received() -> None:
    # Received at 08:00, before opening, on a working Thursday: not due that evening.
    assert due(CN, "1 business day", "2026-11-19T08:00") == "2026-11-20T18:00:00+08:00"
    assert due(CN, "1 business day", "2026-11-19T00:00") == "2026-11-20T18:00:00+08:00"
    assert due(CN, "1 business day", "2026-11-19T23:59") == "2026-11-20T18:00:00+08:00"
    assert due(CN, "1 business day", "2026-11-20T08:00") == "2026-11-23T18:00:00+08:00"  # Friday -> Monday


def test_company_closure_and_extra_open_day() -> None:
    plain = make_calendar()
    closed = make_calendar(closed=["2026-12-31"])
    assert due(plain, "1 business day", "2026-12-30T10:00") == "2026-12-31T18:00:00+08:00"
    # Dec 31 closed, Jan 1 New Year's Day, then the weekend.
    assert due(closed, "1 business day", "2026-12-30T10:00") == "2027-01-04T18:00:00+08:00"
    assert due(closed, "1 business day", "2026-12-29T10:00") == "2026-12-30T18:00:00+08:00"
    # `open` beats a public holiday and a weekend.
    opened = make_calendar(open=["2026-10-05", "2026-11-22"])
    assert due(opened, "1 business day", "2026-09-30T10:00") == "2026-10-05T18:00:00+08:00"
    assert due(opened, "2 business days", "2026-09-30T10:00") == "2026-10-08T18:00:00+08:00"
    assert due(opened, "1 business day", "2026-11-20T10:00") == "2026-11-22T18:00:00+08:00"
    # `closed` beats an official make-up working day.
    no_makeup = make_calendar(closed=["2026-10-10"])
    assert due(no_makeup, "3 business days", "2026-09-30T10:00") == "2026-10-12T18:00:00+08:00"


# ------------------------------------------------------------------ business hours


@pytest.mark.parametrize(
    "received, within, expected",
    [
        ("2026-11-20T17:00", "2 business hours", "2026-11-23T10:00:00+08:00"),  # Friday 17:00 -> Monday
        ("2026-11-19T07:00", "1 business hour", "2026-11-19T10:00:00+08:00"),  # before opening
        ("2026-11-19T20:00", "1 business hour", "2026-11-20T10:00:00+08:00"),  # after closing
        ("2026-11-19T18:00", "1 business hour", "2026-11-20T10:00:00+08:00"),  # at closing
        ("2026-11-19T10:00", "1.5 business hours", "2026-11-19T11:30:00+08:00"),
        ("2026-11-19T17:30", "1.5 business hours", "2026-11-20T10:00:00+08:00"),
        ("2026-11-19T16:00", "2 business hours", "2026-11-19T18:00:00+08:00"),  # fills to closing: same day
        ("2026-11-19T09:00", "9 business hours", "2026-11-19T18:00:00+08:00"),
        ("2026-11-19T09:00", "18 business hours", "2026-11-20T18:00:00+08:00"),
        ("2026-11-19T10:00", "9 business hours", "2026-11-20T10:00:00+08:00"),
        ("2026-11-21T11:00", "1 business hour", "2026-11-23T10:00:00+08:00"),  # received on a Saturday
        ("2026-11-19", "1 business hour", "2026-11-19T10:00:00+08:00"),  # bare date = 00:00
        ("2026-09-30T17:00", "2 business hours", "2026-10-08T10:00:00+08:00"),  # over National Day
        ("2026-02-27T17:00", "2 business hours", "2026-02-28T10:00:00+08:00"),  # make-up Saturday counts
        ("2026-02-13T17:00", "4个工作小时", "2026-02-14T12:00:00+08:00"),
        ("2026-02-14T16:00", "4 business hours", "2026-02-24T11:00:00+08:00"),
    ],
    ids=lambda v: str(v),
)
def test_business_hours(received: str, within: str, expected: str) -> None:
    assert due(CN, within, received) == expected


# ------------------------------------------------------------------ calendar days, weeks, hours


@pytest.mark.parametrize(
    "received, within, expected",
    [
        ("2026-09-30T10:00", "2 calendar days", "2026-10-02T23:59:59+08:00"),  # holidays count
        ("2026-11-20T23:30", "1 calendar day", "2026-11-21T23:59:59+08:00"),
        ("2026-11-20T00:00", "1天", "2026-11-21T23:59:59+08:00"),
        ("2026-12-30T10:00", "3 days", "2027-01-02T23:59:59+08:00"),
        ("2026-11-20T10:00", "1 week", "2026-11-27T23:59:59+08:00"),
        ("2026-11-20T10:00", "2周", "2026-12-04T23:59:59+08:00"),
        ("2026-02-14T10:00", "1 week", "2026-02-21T23:59:59+08:00"),
    ],
    ids=lambda v: str(v),
)
def test_calendar_days_and_weeks_end_at_235959(received: str, within: str, expected: str) -> None:
    assert due(CN, within, received) == expected


@pytest.mark.parametrize(
    "received, within, expected",
    [
        ("2026-11-20T22:30", "3 hours", "2026-11-21T01:30:00+08:00"),  # across midnight
        ("2026-09-30T10:00", "24 hours", "2026-10-01T10:00:00+08:00"),  # holidays count
        ("2026-11-20T23:00", "1.5 hours", "2026-11-21T00:30:00+08:00"),
        ("2026-11-21T10:00", "2小时", "2026-11-21T12:00:00+08:00"),  # weekends count
    ],
    ids=lambda v: str(v),
)
def test_elapsed_hours(received: str, within: str, expected: str) -> None:
    assert due(CN, within, received) == expected


def test_elapsed_hours_are_real_hours_across_a_clock_change() -> None:
    london = make_calendar("GB", "Europe/London")
    # 2026-03-29 01:00 GMT the clocks go forward: two real hours after 00:30 GMT is 03:30 BST.
    assert due(london, "2 hours", "2026-03-29T00:30") == "2026-03-29T03:30:00+01:00"
    # 2026-10-25 02:00 BST the clocks go back.
    assert due(london, "3 hours", "2026-10-24T23:30") == "2026-10-25T01:30:00+00:00"


# ------------------------------------------------------------------ Hong Kong and custom calendars


@pytest.mark.parametrize(
    "received, within, expected",
    [
        ("2026-02-13T10:00", "1 business day", "2026-02-16T18:00:00+08:00"),  # no make-up Saturday in HK
        ("2026-02-16T10:00", "1 business day", "2026-02-20T18:00:00+08:00"),  # Feb 17-19 off
        ("2026-02-16T10:00", "2 business days", "2026-02-23T18:00:00+08:00"),
        ("2026-09-30T10:00", "1 business day", "2026-10-02T18:00:00+08:00"),  # only Oct 1 off
        ("2026-10-16T10:00", "1 business day", "2026-10-20T18:00:00+08:00"),  # Mon Oct 19 off (Chung Yeung)
        ("2026-12-24T10:00", "1 business day", "2026-12-28T18:00:00+08:00"),  # Christmas
        ("2026-09-30T17:00", "2 business hours", "2026-10-02T10:00:00+08:00"),
    ],
    ids=lambda v: str(v),
)
def test_hong_kong_calendar(received: str, within: str, expected: str) -> None:
    assert due(HK, within, received) == expected


def test_custom_workdays_and_hours() -> None:
    six_days = make_calendar(workdays=range(6))
    assert due(six_days, "1 business day", "2026-11-20T10:00") == "2026-11-21T18:00:00+08:00"
    assert due(six_days, "1 business day", "2026-11-21T10:00") == "2026-11-23T18:00:00+08:00"
    # Workdays never beat a public holiday: Sat Oct 3 is National Day.
    assert due(six_days, "1 business day", "2026-10-02T10:00") == "2026-10-08T18:00:00+08:00"
    mornings = make_calendar(hours="08:30-12:00")
    assert due(mornings, "2 business hours", "2026-11-19T11:00") == "2026-11-20T09:30:00+08:00"
    assert due(mornings, "1 business hour", "2026-11-19T13:00") == "2026-11-20T09:30:00+08:00"
    assert due(mornings, "1 business day", "2026-11-19T10:00") == "2026-11-20T12:00:00+08:00"


# ------------------------------------------------------------------ start instants


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-20", "2026-11-20T00:00:00+08:00"),
        ("2026-11-20T10:00", "2026-11-20T10:00:00+08:00"),
        ("2026-11-20T10:00:30", "2026-11-20T10:00:30+08:00"),
        ("2026-11-20T02:00:00Z", "2026-11-20T10:00:00+08:00"),
        ("2026-11-20T02:00:00+00:00", "2026-11-20T10:00:00+08:00"),
        ("2026-11-19T20:00:00-06:00", "2026-11-20T10:00:00+08:00"),
        ("2026-11-20T10:00+08:00", "2026-11-20T10:00:00+08:00"),
    ],
)
def test_parse_start(text: str, expected: str) -> None:
    assert parse_start(text, CN).isoformat() == expected


def test_start_with_another_offset_counts_in_the_calendar_zone() -> None:
    # 02:00 UTC on Friday is 10:00 in Shanghai: one business hour later is 11:00, not 10:00 on Friday UTC.
    assert due(CN, "1 business hour", "2026-11-20T02:00:00Z") == "2026-11-20T11:00:00+08:00"
    # 17:00 UTC on Thursday is already Friday 01:00 in Shanghai.
    assert due(CN, "1 business day", "2026-11-19T17:00:00Z") == "2026-11-23T18:00:00+08:00"


@pytest.mark.parametrize("text", ["tomorrow", "2026-13-01", "2026-11-31", "20-11-2026", "2026-11-20T25:00", ""])
def test_malformed_start(text: str) -> None:
    with pytest.raises(TimelineError, match="not an ISO date"):
        parse_start(text, CN)


# ------------------------------------------------------------------ paths through a decision

SHARED = """\
people:
  li-na: {name: 李娜}
roles:
  clerk: {title: Clerk, held_by: [li-na]}
calendars:
  shanghai: {country: CN, timezone: Asia/Shanghai, closed: [2026-12-31]}
  hk: {country: HK, timezone: Asia/Hong_Kong}
  six-days:
    country: CN
    timezone: Asia/Shanghai
    workdays: [mon, tue, wed, thu, fri, sat]
    hours: "08:30-12:00"
    open: [2026-10-05]
defaults:
  calendar: shanghai
"""

ROUTED = """\
title: Routed
summary: Branches on three kinds of input.
owner: clerk
reviewed: 2026-10-01
review_every: 180 days
inputs:
  amount: {label: Amount, type: number}
  kind: {label: Kind, type: choice, options: [standard, special, other]}
  urgent: {label: Urgent, type: yes-no}
start: intake
stages:
  intake:
    title: Intake
    who: clerk
    within: 1 business day
    next:
      - when: {amount: ">20"}
        go: big
      - when: {amount: "<=20", kind: standard}
        go: answer
      - when: {amount: "<=20", kind: [special, other], urgent: true}
        go: fast
      - otherwise: slow
  big:
    title: Big
    who: clerk
    within: 3 business days
    next: answer
  fast:
    title: Fast
    who: clerk
    within: 4 business hours
    next: answer
  slow:
    title: Slow
    who: clerk
    within: 1 week
    next: answer
  answer:
    title: Answer
    who: clerk
    within: 2 calendar days
"""


def one_stage(calendar: str, within: str) -> str:
    return f"""\
title: One stage
summary: On calendar {calendar}.
owner: clerk
reviewed: 2026-10-01
review_every: 180 days
calendar: {calendar}
start: only
stages:
  only:
    title: Only
    who: clerk
    within: {within}
"""


@pytest.fixture
def routed(empty_org):  # type: ignore[no-untyped-def]
    empty_org.write("_org.yaml", SHARED)
    empty_org.write("routed.yaml", ROUTED)
    return empty_org


def loaded(org, decision_id: str = "routed"):  # type: ignore[no-untyped-def]
    result = org.validate()
    assert not result.has_errors, [f.to_text() for f in result.findings]
    decision = result.org.decisions[decision_id]
    return result.org, decision, BusinessCalendar(result.org.calendar_for(decision))


def values_for(decision, **given: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {name: parse_value(decision.inputs[name], text) for name, text in given.items()}


@pytest.mark.parametrize(
    "given, path",
    [
        ({"amount": "25"}, ["intake", "big", "answer"]),
        ({"amount": "25", "kind": "special", "urgent": "yes"}, ["intake", "big", "answer"]),
        ({"amount": "20", "kind": "standard"}, ["intake", "answer"]),
        ({"amount": "3", "kind": "special", "urgent": "yes"}, ["intake", "fast", "answer"]),
        ({"amount": "3", "kind": "other", "urgent": "true"}, ["intake", "fast", "answer"]),
        ({"amount": "3", "kind": "special", "urgent": "no"}, ["intake", "slow", "answer"]),
        ({"amount": "20.5", "kind": "standard"}, ["intake", "big", "answer"]),
        ({"amount": "-1", "kind": "other", "urgent": "否"}, ["intake", "slow", "answer"]),
    ],
)
def test_branch_taken_per_input_values(routed, given, path) -> None:  # type: ignore[no-untyped-def]
    _, decision, _ = loaded(routed)
    assert [s.id for s in path_for(decision, values_for(decision, **given))] == path


@pytest.mark.parametrize(
    "given, missing",
    [
        ({}, "amount"),
        ({"kind": "standard"}, "amount"),
        ({"amount": "5"}, "kind"),
        ({"amount": "5", "kind": "special"}, "urgent"),
        ({"amount": "5", "urgent": "yes"}, "kind"),
    ],
)
def test_only_inputs_that_can_change_the_path_are_required(routed, given, missing) -> None:  # type: ignore[no-untyped-def]
    _, decision, _ = loaded(routed)
    with pytest.raises(MissingInput) as raised:
        path_for(decision, values_for(decision, **given))
    assert raised.value.input.id == missing
    assert f"'{missing}'" in str(raised.value) and f"--set {missing}=" in str(raised.value)


def test_missing_input_message_lists_allowed_values(routed) -> None:  # type: ignore[no-untyped-def]
    _, decision, _ = loaded(routed)
    with pytest.raises(MissingInput, match="one of: standard, special, other"):
        path_for(decision, values_for(decision, amount="5"))
    with pytest.raises(MissingInput, match="yes or no"):
        path_for(decision, values_for(decision, amount="5", kind="other"))
    with pytest.raises(MissingInput, match="a number"):
        path_for(decision, {})


def test_an_input_whose_branches_all_lead_to_the_same_stage_is_not_asked_for(org) -> None:  # type: ignore[no-untyped-def]
    # conftest's scope-change: effort-days "<=20" -> answer, otherwise -> answer. Whatever the effort,
    # the path is intake -> answer, so the input cannot change the answer and must not be required.
    _, decision, _ = loaded(org, "scope-change")
    assert [s.id for s in path_for(decision, {})] == ["intake", "answer"]


@pytest.mark.parametrize(
    "kind, text",
    [("amount", "twelve"), ("amount", "nan"), ("amount", "inf"), ("kind", "Standard"), ("urgent", "maybe")],
)
def test_values_of_the_wrong_type(routed, kind, text) -> None:  # type: ignore[no-untyped-def]
    _, decision, _ = loaded(routed)
    with pytest.raises(TimelineError):
        parse_value(decision.inputs[kind], text)


def test_parse_value_types(routed) -> None:  # type: ignore[no-untyped-def]
    _, decision, _ = loaded(routed)
    assert parse_value(decision.inputs["amount"], " 12.50 ") == Decimal("12.50")
    assert parse_value(decision.inputs["kind"], "special") == "special"
    assert [parse_value(decision.inputs["urgent"], t) for t in ("yes", "Y", "true", "1", "是")] == [True] * 5
    assert [parse_value(decision.inputs["urgent"], t) for t in ("no", "N", "false", "0", "否")] == [False] * 5


def test_timeline_chains_stages_and_reports_json(routed) -> None:  # type: ignore[no-untyped-def]
    _, decision, calendar = loaded(routed)
    start = parse_start("2026-09-30T10:00", calendar)
    result = timeline(decision, path_for(decision, values_for(decision, amount="25")), start, calendar)
    assert result.to_json() == {
        "decision": "routed",
        "start": "2026-09-30T10:00:00+08:00",
        "stages": [
            {
                "id": "intake",
                "title": "Intake",
                "who": ["clerk"],
                "received": "2026-09-30T10:00:00+08:00",
                "due": "2026-10-08T18:00:00+08:00",
            },
            {
                "id": "big",
                "title": "Big",
                "who": ["clerk"],
                "received": "2026-10-08T18:00:00+08:00",
                "due": "2026-10-12T18:00:00+08:00",
            },  # via Sat Oct 10
            {
                "id": "answer",
                "title": "Answer",
                "who": ["clerk"],
                "received": "2026-10-12T18:00:00+08:00",
                "due": "2026-10-14T23:59:59+08:00",
            },
        ],
        "due": "2026-10-14T23:59:59+08:00",
    }
    # A business-hours stage that starts at 18:00 counts from the next working morning.
    fast = timeline(
        decision, path_for(decision, values_for(decision, amount="1", kind="other", urgent="yes")), start, calendar
    )
    assert [s.due.isoformat() for s in fast.stages] == [
        "2026-10-08T18:00:00+08:00",
        "2026-10-09T13:00:00+08:00",
        "2026-10-11T23:59:59+08:00",
    ]
    assert fast.due == fast.stages[-1].due


def test_fastest_and_slowest_over_all_paths(routed) -> None:  # type: ignore[no-untyped-def]
    _, decision, calendar = loaded(routed)
    assert sorted([s.id for s in p] for p in every_path(decision)) == [
        ["intake", "answer"],
        ["intake", "big", "answer"],
        ["intake", "fast", "answer"],
        ["intake", "slow", "answer"],
    ]
    fastest, slowest = fastest_and_slowest(decision, parse_start("2026-09-30T10:00", calendar), calendar)
    assert [s.stage.id for s in fastest.stages] == ["intake", "answer"]
    assert fastest.due.isoformat() == "2026-10-10T23:59:59+08:00"
    assert [s.stage.id for s in slowest.stages] == ["intake", "slow", "answer"]
    assert slowest.due.isoformat() == "2026-10-17T23:59:59+08:00"  # Oct 8 18:00 + 1 week = Oct 15, + 2 days


def test_business_hours_until_midnight_lose_no_time(empty_org) -> None:  # type: ignore[no-untyped-def]
    # "24:00" is accepted as a closing time (a desk open all day); its hours are whole hours:
    # 4 hours on Thursday (20:00-24:00) and 4 more from Friday 00:00 end at exactly 04:00.
    empty_org.write("_org.yaml", SHARED.replace('hours: "08:30-12:00"', 'hours: "00:00-24:00"'))
    empty_org.write("desk.yaml", one_stage("six-days", "8 business hours"))
    _, decision, calendar = loaded(empty_org, "desk")
    result = timeline(decision, path_for(decision, {}), parse_start("2026-11-19T20:00", calendar), calendar)
    assert result.due.isoformat() == "2026-11-20T04:00:00+08:00"


def test_calendars_from_yaml(empty_org) -> None:  # type: ignore[no-untyped-def]
    empty_org.write("_org.yaml", SHARED)
    empty_org.write("closure.yaml", one_stage("shanghai", "1 business day"))
    empty_org.write("hk-hours.yaml", one_stage("hk", "2 business hours"))
    empty_org.write("six-days.yaml", one_stage("six-days", "1 business day"))
    empty_org.write("six-hours.yaml", one_stage("six-days", "2 business hours"))
    cases = [
        ("closure", "2026-12-30T10:00", "2027-01-04T18:00:00+08:00"),
        ("hk-hours", "2026-09-30T17:00", "2026-10-02T10:00:00+08:00"),
        ("six-days", "2026-11-20T10:00", "2026-11-21T12:00:00+08:00"),
        ("six-days", "2026-09-30T10:00", "2026-10-05T12:00:00+08:00"),  # open on a holiday
        ("six-hours", "2026-11-21T11:00", "2026-11-23T09:30:00+08:00"),
    ]
    for decision_id, start, expected in cases:
        _, decision, calendar = loaded(empty_org, decision_id)
        result = timeline(decision, path_for(decision, {}), parse_start(start, calendar), calendar)
        assert (decision_id, start, result.due.isoformat()) == (decision_id, start, expected)


# ------------------------------------------------------------------ DP406 on the timeline command


def run_timeline(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    assert COMMAND.exists(), f"the console command is not installed at {COMMAND}"
    return subprocess.run(
        [str(COMMAND), "timeline", *args],
        cwd=cwd,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ},
    )


def test_timeline_warns_when_it_reaches_a_year_without_official_data(empty_org) -> None:  # type: ignore[no-untyped-def]
    empty_org.write("_org.yaml", SHARED)
    empty_org.write("china.yaml", one_stage("shanghai", "5 business days"))
    empty_org.write("hong-kong.yaml", one_stage("hk", "5 business days"))
    reaching = run_timeline("china", "--start", "2026-12-28T10:00", "--format", "json", cwd=empty_org.root)
    assert reaching.returncode == 0, reaching.stderr
    warnings = [line for line in reaching.stderr.splitlines() if "DP406" in line]
    assert len(warnings) == 1, reaching.stderr
    assert re.match(r"^decisions/(china|_org)\.yaml:[1-9]\d*:[1-9]\d*: warning: .*2027.*", warnings[0]), warnings[0]
    assert warnings[0].endswith("[DP406 no-holiday-data]")
    assert '"due": "2027-' in reaching.stdout  # the answer is still given

    inside = run_timeline("china", "--start", "2026-11-20T10:00", cwd=empty_org.root)
    assert inside.returncode == 0 and "DP406" not in inside.stderr, inside.stderr
    assert inside.stderr == ""
    # Hong Kong has no make-up days to wait for: 2027 is fine.
    hong_kong = run_timeline("hong-kong", "--start", "2026-12-28T10:00", cwd=empty_org.root)
    assert hong_kong.returncode == 0 and "DP406" not in hong_kong.stderr, hong_kong.stderr


# ------------------------------------------------- the promise over many paths


def every_path(decision) -> Iterator[list[Stage]]:  # type: ignore[no-untyped-def]
    """Brute force: every path from start to a final stage, with no bound."""
    stack = [[decision.stages[decision.start.id]]]
    while stack:
        path = stack.pop()
        successors = list(dict.fromkeys(t.id for t in path[-1].successors()))
        if not successors:
            yield path
        stack.extend([*path, decision.stages[target]] for target in reversed(successors))


BRANCH_DURATIONS = ["4 business hours", "1 business day", "3 business days", "1 week", "2 calendar days", "30 hours"]


def branchy(points: int, pick: Callable[[int, int], str]) -> str:
    """A decision with ``points`` independent yes/no branch points in a row: at each, a
    short and a long side road that meet again, so there are 2**points paths."""
    inputs = "".join(f"  b{i}: {{label: B{i}, type: yes-no}}\n" for i in range(points))
    stages = []
    for i in range(points):
        after = f"p{i + 1}" if i + 1 < points else "answer"
        stages.append(
            f"  p{i}:\n    title: P{i}\n    who: clerk\n    within: {pick(i, 0)}\n    next:\n"
            f"      - when: {{b{i}: true}}\n        go: a{i}\n      - otherwise: b{i}\n"
            f"  a{i}:\n    title: A{i}\n    who: clerk\n    within: {pick(i, 1)}\n    next: {after}\n"
            f"  b{i}:\n    title: B{i}\n    who: clerk\n    within: {pick(i, 2)}\n    next: {after}\n"
        )
    return (
        "title: Branchy\nsummary: Many paths.\nowner: clerk\nreviewed: 2026-10-01\nreview_every: 180 days\n"
        f"inputs:\n{inputs}start: p0\nstages:\n{''.join(stages)}"
        "  answer:\n    title: Answer\n    who: clerk\n    within: 1 business day\n"
    )


@pytest.mark.parametrize("seed", range(12))
def test_fastest_and_slowest_equal_brute_force_on_small_branchy_decisions(empty_org, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    points = rng.randint(1, 6)
    chosen = {(i, j): rng.choice(BRANCH_DURATIONS) for i in range(points) for j in range(3)}
    empty_org.write("_org.yaml", SHARED)
    empty_org.write("branchy.yaml", branchy(points, lambda i, j: chosen[i, j]))
    _, decision, calendar = loaded(empty_org, "branchy")
    start = parse_start(rng.choice(["2026-09-30T10:00", "2026-12-31T17:30", "2027-02-05T08:00"]), calendar)
    dues = [timeline(decision, path, start, calendar).due for path in every_path(decision)]
    assert len(dues) == 2**points
    fastest, slowest = fastest_and_slowest(decision, start, calendar)
    assert (fastest.due, slowest.due) == (min(dues), max(dues))
    # and each is a real path whose own timeline gives that date
    for found in (fastest, slowest):
        assert timeline(decision, [s.stage for s in found.stages], start, calendar).due == found.due


@pytest.mark.parametrize("points", [16, 40])
def test_the_slowest_promise_is_exact_with_many_independent_branch_points(empty_org, points: int) -> None:  # type: ignore[no-untyped-def]
    # Each point: its own stage takes 1 business day, the "yes" road 4 business hours,
    # the "no" road 1 week. 2**40 paths; the slowest takes every "no" road.
    empty_org.write("_org.yaml", SHARED)
    empty_org.write("branchy.yaml", branchy(points, lambda i, j: ["1 business day", "4 business hours", "1 week"][j]))
    _, decision, calendar = loaded(empty_org, "branchy")
    start = parse_start("2026-01-05T10:00", calendar)
    slow_path = [decision.stages[s] for i in range(points) for s in (f"p{i}", f"b{i}")] + [decision.stages["answer"]]
    fast_path = [decision.stages[s] for i in range(points) for s in (f"p{i}", f"a{i}")] + [decision.stages["answer"]]
    fastest, slowest = fastest_and_slowest(decision, start, calendar)
    assert [s.stage.id for s in slowest.stages] == [s.id for s in slow_path]
    assert slowest.due == timeline(decision, slow_path, start, calendar).due
    assert [s.stage.id for s in fastest.stages] == [s.id for s in fast_path]
    if points == 16:  # the date the issue found by hand; a cap at 10,000 paths said 2026-05-14
        assert slowest.due == dt.datetime(2026, 6, 1, 18, 0, tzinfo=calendar.zone)


# ------------------------------------------------- clock changes (Europe/London, 2026)


def all_day_london() -> BusinessCalendar:
    return make_calendar("GB", "Europe/London", hours="00:00-24:00", workdays=range(7))


@pytest.mark.parametrize(
    "received, within, expected",
    [
        # clocks go forward at 01:00 GMT: eight real working hours from midnight end at 08:00 GMT
        ("2026-03-29T00:00", "8 business hours", "2026-03-29T09:00:00+01:00"),
        # clocks go back at 02:00 BST: eight real hours from midnight BST end at 07:00 GMT
        ("2026-10-25T00:00", "8 business hours", "2026-10-25T07:00:00+00:00"),
        ("2026-10-25T00:00", "25 business hours", "2026-10-26T00:00:00+00:00"),  # that day has 25 hours
        ("2026-03-29T00:00", "23 business hours", "2026-03-30T00:00:00+01:00"),  # and that one 23
    ],
)
def test_business_hours_count_real_time_across_clock_changes(received: str, within: str, expected: str) -> None:
    assert due(all_day_london(), within, received) == expected


@pytest.mark.parametrize(
    "start, expected",
    [
        ("2026-03-29T01:30", "2026-03-29T02:30:00+01:00"),  # never happens: as far past the change
        ("2026-10-25T01:30", "2026-10-25T01:30:00+01:00"),  # happens twice: the first
        ("2026-10-25T01:30+00:00", "2026-10-25T01:30:00+00:00"),  # an offset says which
    ],
)
def test_a_start_in_a_clock_change_is_resolved_by_one_rule(start: str, expected: str) -> None:
    assert parse_start(start, all_day_london()).isoformat() == expected


def test_printed_instants_carry_the_zones_real_offset() -> None:
    london = all_day_london()
    assert london.local(dt.date(2026, 3, 29), dt.time(1, 0)).isoformat() == "2026-03-29T02:00:00+01:00"
    assert london.local(dt.date(2026, 3, 29), dt.time(0, 59)).isoformat() == "2026-03-29T00:59:00+00:00"
    # a nine-to-five stage received in the gap is due at a real time with a real offset
    nine_to_six = make_calendar("GB", "Europe/London", workdays=range(7))
    assert due(nine_to_six, "1 business hours", "2026-03-29T01:30") == "2026-03-29T10:00:00+01:00"


# ------------------------------------------------- what the arithmetic cannot count


@pytest.mark.parametrize("start", ["9999-12-31T10:00", "9999-12-31", "0001-01-01", "1969-12-31T23:00"])
def test_a_start_outside_the_years_is_a_usage_error(start: str) -> None:
    inputs = ["--set", "work-delivered=yes", "--set", "refund-amount=100"]
    done = subprocess.run(
        [str(COMMAND), "timeline", "refund-request", "--start", start, *inputs],
        cwd=REPO,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "1970-9000" in done.stderr


def test_the_last_allowed_start_still_gives_an_answer() -> None:
    calendar = make_calendar()
    assert due(calendar, "10 weeks", "9000-12-01T10:00").startswith("9001-02-09T23:59:59")


@pytest.mark.parametrize(
    "within, limit",
    [
        ("999999 weeks", "520 weeks"),
        ("99999999999999999999 business days", "2600 business days"),
        ("87601 hours", "87600 hours"),
        ("20801 个工作小时", "20800 business hours"),
    ],
)
def test_a_duration_past_ten_years_is_a_finding_at_the_value(empty_org, within: str, limit: str) -> None:  # type: ignore[no-untyped-def]
    empty_org.write("_org.yaml", SHARED)
    empty_org.write("long.yaml", one_stage("shanghai", within))
    (found,) = [f for f in empty_org.findings() if f.rule.code == "DP105"]
    line = next(n for n, text in enumerate(one_stage("shanghai", within).splitlines(), 1) if "within:" in text)
    assert (found.loc.line, found.loc.column) == (line, 13)
    assert "longer than 10 years" in found.message and limit in found.message


@given(
    amount=st.integers(min_value=1, max_value=30000),
    unit=st.sampled_from(sorted(UNIT_WORDS)),
    start=st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(9000, 12, 31)),
    zone=st.sampled_from(["Asia/Shanghai", "Europe/London", "Asia/Hong_Kong"]),
)
def test_any_duration_and_start_gives_a_due_date_or_a_message(amount: int, unit: str, start, zone: str) -> None:  # type: ignore[no-untyped-def]
    calendar = make_calendar("GB" if zone == "Europe/London" else "CN", zone)
    try:
        duration = parse_duration(f"{amount} {unit}", NOWHERE)
    except DurationError as err:
        assert "longer than 10 years" in str(err)
        return
    try:
        answer = due_instant(duration, parse_start(start.isoformat(), calendar), calendar)
    except TimelineError as err:
        assert str(err)
        return
    assert answer.utcoffset() == answer.tzinfo.utcoffset(answer.replace(tzinfo=None))  # type: ignore[union-attr]


def test_a_promise_the_calendar_cannot_count_is_a_one_line_error(tmp_path: Path) -> None:
    from site_helpers import run_cli

    folder = tmp_path / "decisions"
    folder.mkdir()
    (folder / "_org.yaml").write_text(
        SHARED.split("calendars:")[0]
        + 'calendars:\n  thin: {country: CN, timezone: Asia/Shanghai, workdays: [sat], hours: "09:00-09:30"}\n',
        encoding="utf-8",
    )
    (folder / "thin.yaml").write_text(one_stage("thin", "20000 business hours"), encoding="utf-8")
    done = run_cli("timeline", "thin", "--start", "2026-11-20", cwd=tmp_path)
    assert done.code == 2 and "Traceback" not in done.err, done.err
    assert len(done.err.strip().splitlines()) == 1
    assert "too few working days or hours to count 20000 business hours" in done.err


@pytest.mark.parametrize(
    "zone, country, hours, within, received, expected",
    [
        # the desk closes at 02:30, but the clocks jump from 02:00 to 03:00: it is open 2 real hours
        (
            "America/New_York",
            "US",
            "00:00-02:30",
            "2.5 business hours",
            "2026-03-08T00:00",
            "2026-03-09T00:30:00-04:00",
        ),
        ("Europe/London", "GB", "00:00-01:30", "2 business hours", "2026-03-29T00:00", "2026-03-30T01:00:00+01:00"),
        # the desk opens at 01:30, which the clocks skip: it opens when they jump to 02:00
        ("Europe/London", "GB", "01:30-05:00", "3 business hours", "2026-03-29T00:00", "2026-03-29T05:00:00+01:00"),
    ],
)
def test_opening_or_closing_in_the_hour_the_clocks_skip_is_the_jump(  # type: ignore[no-untyped-def]
    zone, country, hours, within, received, expected
) -> None:
    calendar = make_calendar(country, zone, hours=hours, workdays=range(7))
    assert due(calendar, within, received) == expected


def test_a_loop_of_stages_gives_a_message_not_endless_work(empty_org) -> None:  # type: ignore[no-untyped-def]
    empty_org.write("_org.yaml", SHARED)
    empty_org.write(
        "loop.yaml",
        one_stage("shanghai", "1 business day").replace(
            "    within: 1 business day\n", "    within: 1 business day\n    next: only\n"
        ),
    )
    result = empty_org.validate()
    assert "DP301" in {f.rule.code for f in result.findings}  # validate reports the loop itself
    decision = result.org.decisions["loop"]
    calendar = BusinessCalendar(result.org.calendar_for(decision))
    with pytest.raises(TimelineError, match="form a loop"):
        fastest_and_slowest(decision, parse_start("2026-11-20", calendar), calendar)


def test_one_calendar_counts_the_two_half_past_ones_of_the_autumn_night_apart() -> None:
    # The calendar remembers due instants it has counted; the two 01:30s of 25 October
    # 2026 in London (BST, then GMT an hour later) are different requests.
    london = make_calendar(country="GB", timezone="Europe/London")
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC).astimezone(london.zone)
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC).astimezone(london.zone)
    assert first.replace(tzinfo=None) == second.replace(tzinfo=None)  # both read 01:30
    day = parse_duration("24 hours", NOWHERE)
    assert due_instant(day, first, london).isoformat() == "2026-10-26T00:30:00+00:00"
    assert due_instant(day, second, london).isoformat() == "2026-10-26T01:30:00+00:00"


def _outcome(decision, values):  # type: ignore[no-untyped-def]
    try:
        return tuple(s.id for s in path_for(decision, values))
    except MissingInput as missing:
        return ("missing", missing.input.id)


def test_values_with_one_path_signature_take_one_path(routed) -> None:  # type: ignore[no-untyped-def]
    # The record works a path out once per signature: it must hold everything path_for reads.
    _, decision, _ = loaded(routed)
    amounts = ["-1", "0", "3", "4", "19.99", "20", "20.5", "25", "1000"]
    kinds = [None, "standard", "special", "other"]
    urgents = [None, "yes", "no"]
    seen: dict[tuple[bool | None, ...], object] = {}
    for amount in [None, *amounts]:
        for kind in kinds:
            for urgent in urgents:
                given = {k: v for k, v in (("amount", amount), ("kind", kind), ("urgent", urgent)) if v is not None}
                values = values_for(decision, **given)
                outcome = _outcome(decision, values)
                assert seen.setdefault(path_signature(decision, values), outcome) == outcome, given
    assert len(set(seen.values())) > 4  # the paths and the missing inputs all occur
    assert path_signature(decision, values_for(decision, amount="3")) == path_signature(
        decision, values_for(decision, amount="4")
    )
