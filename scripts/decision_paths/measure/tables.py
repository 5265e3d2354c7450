"""Working-time tables: one calendar's days, hours and clock changes as rows DuckDB can join.

Every fact in them comes from ``model.calendars.BusinessCalendar``, the one
implementation of SPEC section 8's calendar: which days are working days
(holidays, make-up workdays, closures), when a desk opens and closes (clock
changes included), and each instant's UTC offset. The SQL that joins them only
looks values up; it decides nothing about calendars, so it cannot drift.

Tables (``cal`` is the calendar id; instants are UTC microseconds since 1970):
- ``cal_days(cal, day, idx, working, opens_us, closes_us, eod_us)``: every date of
  the span; ``idx`` counts working days up to and including ``day``; ``opens_us`` and
  ``closes_us`` are a working day's opening and closing instants, ``eod_us`` the
  instant of 23:59:59 that day.
- ``cal_work(cal, at_us, cum_us, open)``: each opening and closing instant, with the
  working microseconds before it (``open``: the desk opens at ``at_us``).
- ``cal_offsets(cal, from_us, offset_s)``: the UTC offset in force from an instant on.
- ``cal_wall(cal, wall_from_us, offset_s)``: for wall-clock times from ``wall_from_us`` on,
  the offset that turns them into instants (the ``at_wall`` rule: a doubled time is
  the first, a skipped one the same distance past the change).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from decision_paths.model.calendars import BusinessCalendar

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def micros(moment: dt.datetime) -> int:
    """UTC microseconds since 1970, exactly (no float rounding)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int, calendar: BusinessCalendar) -> dt.datetime:
    return (EPOCH + dt.timedelta(microseconds=value)).astimezone(calendar.zone)


@dataclass(frozen=True, slots=True)
class CalendarTables:
    days: list[tuple[str, dt.date, int, bool, int | None, int | None, int]]
    work: list[tuple[str, int, int, bool]]
    offsets: list[tuple[str, int, int]]
    wall: list[tuple[str, int, int]]


def calendar_tables(calendar_id: str, calendar: BusinessCalendar, first: dt.date, last: dt.date) -> CalendarTables:
    """The tables for ``first`` to ``last`` (inclusive); the caller leaves room for the longest stage."""
    days: list[tuple[str, dt.date, int, bool, int | None, int | None, int]] = []
    work: list[tuple[str, int, int, bool]] = []
    index, cumulative = 0, 0
    day = first
    while day <= last:
        working = calendar.is_working_day(day)
        closes = opens = None
        if working:
            index += 1
            opens_at = calendar.boundary(day, calendar.opens)
            closes_at = calendar.boundary(day, calendar.closes)
            closes, opens = micros(closes_at), micros(opens_at)
            work.append((calendar_id, opens, cumulative, True))
            cumulative += closes - micros(opens_at)
            work.append((calendar_id, closes, cumulative, False))
        eod = micros(calendar.local(day, dt.time(23, 59, 59)))
        days.append((calendar_id, day, index, working, opens, closes, eod))
        day += dt.timedelta(days=1)
    offsets = list(_offsets(calendar_id, calendar, first, last))
    return CalendarTables(days, work, offsets, _wall(calendar_id, offsets))


def _offsets(
    calendar_id: str, calendar: BusinessCalendar, first: dt.date, last: dt.date
) -> Iterable[tuple[str, int, int]]:
    """The offset at the start of the span, then each change: found by checking each day and
    searching a day whose offset changes to the second (zones change on whole seconds)."""

    def offset(moment: dt.datetime) -> int:
        found = moment.astimezone(calendar.zone).utcoffset()
        return int(found.total_seconds()) if found is not None else 0

    moment = dt.datetime.combine(first - dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    current = offset(moment)
    yield calendar_id, micros(moment), current
    while moment < end:
        following = moment + dt.timedelta(days=1)
        if offset(following) != current:
            low, high = moment, following
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                if offset(middle) == current:
                    low = middle
                else:
                    high = middle
            change = high.replace(microsecond=0)
            current = offset(change)
            yield calendar_id, micros(change), current
        moment = following


def _wall(calendar_id: str, offsets: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """At a change from offset a to b at instant T, wall times before T + max(a, b) still
    use a (the first of a doubled hour; the earlier reading of a skipped one)."""
    rows = [(calendar_id, offsets[0][1] + offsets[0][2] * 1_000_000, offsets[0][2])]
    for (_, _, before), (_, at, after) in itertools.pairwise(offsets):
        rows.append((calendar_id, at + max(before, after) * 1_000_000, after))
    return rows
