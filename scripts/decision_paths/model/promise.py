"""The promise in words (SPEC section 8): one range in one unit over every path.

When every stage that can come before the answer uses the same unit, the range
is the sums in that unit ("5-7 business days"). Otherwise sums of different
units ("1 week + 3 business days + 24 hours") mean nothing to a reader, so the
range is counted in the calendar's working days, exactly: for every start on
the hour in the current and the next year, the working days after the
received date up to and including the answer's due date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.organisation import Decision
from decision_paths.model.timeline import Paths, answer_id, answer_instants, paths, reachable_before_answer
from decision_paths.model.units import Duration, Unit


@dataclass(frozen=True, slots=True)
class Promise:
    """``low``-``high`` of ``unit``: the fastest and slowest path from request to answer."""

    low: Decimal
    high: Decimal
    unit: Unit

    @property
    def single(self) -> bool:
        return self.low == self.high


def promise(decision: Decision, calendar: BusinessCalendar | None, today: dt.date) -> Promise | None:
    """The promise over every path; None when it cannot be computed (a loop, a missing
    stage, or mixed units with no calendar), which the checks report."""
    if decision.start.id not in decision.stages:
        return None
    stages = reachable_before_answer(decision)
    units = {decision.stages[s].within.unit for s in stages}
    if len(units) == 1:
        return _summed(decision, stages, units.pop())
    if calendar is None:
        return None
    return _working_days(decision, calendar, today)


def _summed(decision: Decision, stages: list[str], unit: Unit) -> Promise | None:
    """Fewest and most of ``unit`` over the paths, by one pass from the answer backwards."""
    answer = answer_id(decision)
    targets = paths(decision).targets
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for stage_id in reversed(stages):  # every stage after all the stages it leads to
        stage = decision.stages[stage_id]
        own = stage.within.amount
        tails = [totals[t] for t in targets[stage_id] if t in totals] if stage_id != answer else []
        if tails:
            totals[stage_id] = (own + min(t[0] for t in tails), own + max(t[1] for t in tails))
        else:
            totals[stage_id] = (own, own)
    if decision.start.id not in totals:
        return None
    low, high = totals[decision.start.id]
    return Promise(low, high, unit)


def _working_days(decision: Decision, calendar: BusinessCalendar, today: dt.date) -> Promise:
    return working_days_between(decision, calendar, dt.date(today.year, 1, 1), dt.date(today.year + 1, 12, 31))


def working_days_between(decision: Decision, calendar: BusinessCalendar, first: dt.date, last: dt.date) -> Promise:
    """The range over every start on the hour from ``first`` to ``last``.

    Exact without trying all 24 hours of a day: an answer never comes earlier for a
    later start, so on one received date the count of working days only grows with
    the hour; the day's fewest come from the soonest path at the first hour, and its
    most from the latest path at the last hour (23:00, or whichever the clocks keep).
    """
    graph = paths(decision)
    key = f"{_shape(decision, graph)}/{first}/{last}"
    known = calendar.ranges.get(key)
    if isinstance(known, Promise):
        return known
    counted = calendar.ranges[key] = _count_working_days(decision, graph, calendar, first, last)
    return counted


def _shape(decision: Decision, graph: Paths) -> str:
    """What the count depends on, as a digest: each stage's time limit and where it leads,
    by position (not by id), and which stage gives the answer."""
    position = {stage_id: n for n, stage_id in enumerate(graph.order)}
    stages = tuple(
        (_limit(decision.stages[s].within), tuple(position[t] for t in graph.targets[s])) for s in graph.order
    )
    answer = answer_id(decision)
    shape = (position.get(decision.start.id), None if answer is None else position.get(answer), stages)
    return hashlib.sha256(repr(shape).encode()).hexdigest()[:32]


def _limit(within: Duration) -> tuple[str, str]:
    """A time limit as the count sees it: not where or how it was written."""
    return (str(within.amount), within.unit.value)


def _count_working_days(
    decision: Decision, graph: Paths, calendar: BusinessCalendar, first: dt.date, last: dt.date
) -> Promise:
    starts = _starts(calendar, first, last)
    counter = starts.counter
    soonest = answer_instants(decision, graph, starts.first_hours, calendar, later=False)
    latest = answer_instants(decision, graph, starts.last_hours, calendar, later=True)
    low = min(counter.counts(soonest))
    high = max(counter.counts(latest))
    return Promise(Decimal(low), Decimal(high), Unit.BUSINESS_DAYS)


@dataclass(frozen=True, slots=True)
class _Starts:
    """For every received date from first to last, its first and last start on the hour;
    and the working-day count: the same for every decision on one calendar."""

    first_hours: list[dt.datetime]
    last_hours: list[dt.datetime]
    counter: _WorkingDayCounter


def _starts(calendar: BusinessCalendar, first: dt.date, last: dt.date) -> _Starts:
    key = ("starts", first, last)
    known = calendar.ranges.get(key)
    if isinstance(known, _Starts):
        return known
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    hours = [_first_and_last_hour(day, calendar) for day in days]
    made = calendar.ranges[key] = _Starts(
        [h[0] for h in hours], [h[1] for h in hours], _WorkingDayCounter(calendar, first)
    )
    return made


def _first_and_last_hour(day: dt.date, calendar: BusinessCalendar) -> tuple[dt.datetime, dt.datetime]:
    """The first and last start on the hour whose wall clock shows ``day``."""
    first, last = calendar.local(day, dt.time(0)), calendar.local(day, dt.time(23))
    if first.date() != day:  # clocks skipped midnight
        first = calendar.local(day, dt.time(1))
    if last.date() != day:  # clocks skipped 23:00 into the next day
        last = calendar.local(day, dt.time(22))
    return first, last


class _WorkingDayCounter:
    """Working days in (received, due], from a running count per date (computed once each)."""

    def __init__(self, calendar: BusinessCalendar, first: dt.date) -> None:
        self.calendar = calendar
        self.first = first
        self.running: list[int] = [0]  # working days in [first, first + i)

    def _before(self, day: dt.date) -> int:
        index = (day - self.first).days
        while len(self.running) <= index + 1:
            counted = self.first + dt.timedelta(days=len(self.running) - 1)
            self.running.append(self.running[-1] + self.calendar.is_working_day(counted))
        return self.running[index]

    def counts(self, answers: list[dt.datetime]) -> list[int]:
        """Working days in (received, due] for one answer per received date, the dates
        consecutive from ``first``. A due date on the received day, or before the next
        working day, counts as 1: the answer comes before a working day has passed."""
        origin = self.first.toordinal()
        indexes = [answered.toordinal() - origin + 1 for answered in answers]
        self._before(self.first + dt.timedelta(days=max(indexes, default=0)))
        running = self.running
        return [max(1, running[due] - running[n + 1]) for n, due in enumerate(indexes)]
