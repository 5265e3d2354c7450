"""The promise (SPEC section 8): when each stage of a request is due.

A request received at instant ``t`` moves through the stages of its path; each
stage starts when the previous one is due. Pure functions of the model, a
calendar and the start instant.
"""

from __future__ import annotations

import datetime as dt
import graphlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.organisation import Branch, Decision, Input, InputType, Stage
from decision_paths.model.units import Duration, Kind, plain_number

# A start far outside these years is a typing mistake; the arithmetic must stay inside datetime's range.
FIRST_START_YEAR, LAST_START_YEAR = 1970, 9000
MAX_SEARCH_DAYS = 3660  # a calendar with no working day in ten years is a mistake, not a wait


class TimelineError(Exception):
    """The timeline cannot be computed; the message says what is missing."""


class MissingInput(TimelineError):
    def __init__(self, item: Input):
        self.input = item
        super().__init__(
            f"the path depends on '{item.id}' ({item.label}): give it with --set {item.id}=VALUE{_allowed(item)}"
        )


def _allowed(item: Input) -> str:
    if item.type is InputType.CHOICE:
        return f"; one of: {', '.join(item.options)}"
    if item.type is InputType.YES_NO:
        return "; yes or no"
    return "; a number"


def parse_value(item: Input, text: str) -> object:
    """A ``--set`` value as the input's type: Decimal, an option, or True/False."""
    if item.type is InputType.NUMBER:
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise TimelineError(f"'{item.id}' is a number; '{text}' is not") from None
        if not value.is_finite():
            raise TimelineError(f"'{item.id}' is a number; '{text}' is not")
        return value
    if item.type is InputType.YES_NO:
        answer = text.strip().lower()
        if answer in ("yes", "true", "y", "1", "是"):
            return True
        if answer in ("no", "false", "n", "0", "否"):
            return False
        raise TimelineError(f"'{item.id}' is yes or no; '{text}' is neither")
    if text not in item.options:
        raise TimelineError(f"'{item.id}' must be one of: {', '.join(item.options)}; not '{text}'")
    return text


def due_instant(duration: Duration, received: dt.datetime, calendar: BusinessCalendar) -> dt.datetime:
    """When a stage received at ``received`` is due, in the calendar's time zone."""
    try:
        return _due_instant(duration, received, calendar)
    except OverflowError:
        raise TimelineError(
            f"a stage received on {received.date().isoformat()} would be due after the year {dt.MAXYEAR}; start earlier"
        ) from None


def _due_instant(duration: Duration, received: dt.datetime, calendar: BusinessCalendar) -> dt.datetime:
    spec = duration.unit.spec
    arithmetic = _ARITHMETIC.get(spec.kind)
    if arithmetic is None:  # never fall back to another count: a wrong date is worse than none
        raise NotImplementedError(f"the timeline cannot count '{spec.kind}' ({duration.unit}); add its arithmetic")
    return arithmetic(received.astimezone(calendar.zone), duration.amount * spec.factor, calendar)


def _clock_hours(start: dt.datetime, hours: Decimal, calendar: BusinessCalendar) -> dt.datetime:
    return (start.astimezone(dt.UTC) + dt.timedelta(hours=float(hours))).astimezone(calendar.zone)


def _calendar_days(start: dt.datetime, days: Decimal, calendar: BusinessCalendar) -> dt.datetime:
    return calendar.local(start.date() + dt.timedelta(days=int(days)), dt.time(23, 59, 59))


def _business_days(start: dt.datetime, days: Decimal, calendar: BusinessCalendar) -> dt.datetime:
    return calendar.local(_nth_working_day_after(start.date(), int(days), calendar), calendar.closes)


def _nth_working_day_after(day: dt.date, count: int, calendar: BusinessCalendar) -> dt.date:
    found = 0
    for offset in range(1, MAX_SEARCH_DAYS * max(count, 1)):
        candidate = day + dt.timedelta(days=offset)
        if calendar.is_working_day(candidate):
            found += 1
            if found == count:
                return candidate
    raise _too_few_working_days(calendar, f"{count} business days")


def _too_few_working_days(calendar: BusinessCalendar, amount: str) -> TimelineError:
    return TimelineError(
        f"calendar '{calendar.calendar.id}' has too few working days or hours to count {amount} "
        f"within {MAX_SEARCH_DAYS // 366} years; check its workdays, hours and closed days"
    )


def _add_business_hours(start: dt.datetime, hours: Decimal, calendar: BusinessCalendar) -> dt.datetime:
    """Count elapsed working time inside business hours on working days: on the day the
    clocks change, a 00:00-24:00 desk is open 23 or 25 real hours, and they all count."""
    remaining = dt.timedelta(hours=float(hours))
    moment = start.astimezone(dt.UTC)  # real instants: aware arithmetic in one zone would use wall time
    day = start.astimezone(calendar.zone).date()
    for _ in range(MAX_SEARCH_DAYS):
        if calendar.is_working_day(day):
            opens = calendar.boundary(day, calendar.opens).astimezone(dt.UTC)
            closes = calendar.boundary(day, calendar.closes).astimezone(dt.UTC)
            moment = max(moment, opens)
            if moment < closes:
                available = closes - moment
                if remaining <= available:
                    return (moment + remaining).astimezone(calendar.zone)
                remaining -= available
        day += dt.timedelta(days=1)
    raise _too_few_working_days(calendar, f"{plain_number(hours)} business hours")


# How each kind of unit counts; the calculator JS has the same four (model/units.py).
_ARITHMETIC: dict[Kind, Callable[[dt.datetime, Decimal, BusinessCalendar], dt.datetime]] = {
    Kind.CLOCK_HOURS: _clock_hours,
    Kind.CALENDAR_DAYS: _calendar_days,
    Kind.BUSINESS_DAYS: _business_days,
    Kind.BUSINESS_HOURS: _add_business_hours,
}


# ------------------------------------------------------------------- paths


def path_for(decision: Decision, values: Mapping[str, object]) -> list[Stage]:
    """The stages a request with these input values goes through."""
    path: list[Stage] = []
    stage = decision.stages[decision.start.id]
    while True:
        path.append(stage)
        if stage.next_stage is not None:
            stage = decision.stages[stage.next_stage.id]
            continue
        if not stage.branches:
            return path
        taken = _branch_taken(decision, stage, values)
        stage = decision.stages[taken.go.id]


def _branch_taken(decision: Decision, stage: Stage, values: Mapping[str, object]) -> Branch:
    """The branch these values take; asks only for inputs that can change the answer."""
    undecided: list[Branch] = []
    for branch in (b for b in stage.branches if not b.otherwise):
        known = [c for c in branch.conditions if c.input.id in values]
        if any(not c.test.matches(values[c.input.id]) for c in known):
            continue  # already ruled out
        if len(known) == len(branch.conditions):
            return branch  # branches never overlap in a valid decision
        undecided.append(branch)
    otherwise = next((b for b in stage.branches if b.otherwise), None)
    possible = undecided + ([otherwise] if otherwise is not None else [])
    if undecided and len({b.go.id for b in possible}) > 1:
        missing = next(c.input.id for c in undecided[0].conditions if c.input.id not in values)
        raise MissingInput(decision.inputs[missing])
    if possible:  # every branch still possible leads to the same stage
        return possible[0]
    raise TimelineError(f"no branch of stage '{stage.id}' matches these inputs")  # only after a coverage error


@dataclass(frozen=True, slots=True)
class StageTime:
    stage: Stage
    received: dt.datetime
    due: dt.datetime


@dataclass(frozen=True, slots=True)
class Timeline:
    decision: Decision
    start: dt.datetime
    stages: tuple[StageTime, ...]

    @property
    def due(self) -> dt.datetime:
        return self.stages[-1].due

    def years(self) -> set[int]:
        return {self.start.year} | {s.due.year for s in self.stages}

    def to_json(self) -> dict[str, object]:
        return {
            "decision": self.decision.id,
            "start": self.start.isoformat(),
            "stages": [
                {
                    "id": s.stage.id,
                    "title": s.stage.title,
                    "who": [m.id for m in s.stage.who.members],
                    "received": s.received.isoformat(),
                    "due": s.due.isoformat(),
                }
                for s in self.stages
            ],
            "due": self.due.isoformat(),
        }


def timeline(decision: Decision, path: list[Stage], start: dt.datetime, calendar: BusinessCalendar) -> Timeline:
    received = start.astimezone(calendar.zone)
    times = []
    for stage in path:
        due = due_instant(stage.within, received, calendar)
        times.append(StageTime(stage, received, due))
        received = due
    return Timeline(decision, start.astimezone(calendar.zone), tuple(times))


def fastest_and_slowest(
    decision: Decision, start: dt.datetime, calendar: BusinessCalendar
) -> tuple[Timeline, Timeline]:
    """The paths that answer soonest and latest from ``start``, exactly, over any number of paths.

    A stage's due instant never comes earlier when it is received later (true of every
    unit), so the latest answer through a stage always continues from the latest
    instant it can be received, and the soonest from the soonest: one pass over the
    stages in path order keeps one instant per stage, never a list of paths.
    """
    order = _path_order(decision)
    return (
        _extreme_timeline(decision, order, start, calendar, later=False),
        _extreme_timeline(decision, order, start, calendar, later=True),
    )


def _path_order(decision: Decision) -> list[str]:
    """The stages reachable from start, each after every stage that leads to it."""
    reachable: dict[str, None] = {}
    pending = [decision.start.id]
    while pending:
        stage_id = pending.pop()
        if stage_id not in reachable and stage_id in decision.stages:
            reachable[stage_id] = None
            pending.extend(_next_ids(decision, stage_id))
    order: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for stage_id in reachable:
        order.add(stage_id)
        for target in _next_ids(decision, stage_id):
            order.add(target, stage_id)
    try:
        return list(order.static_order())
    except graphlib.CycleError:
        raise TimelineError(f"the stages of '{decision.id}' form a loop, so no answer date can be promised") from None


def _next_ids(decision: Decision, stage_id: str) -> list[str]:
    """The distinct stages a stage leads to (ids that exist; others are findings)."""
    return [t for t in dict.fromkeys(t.id for t in decision.stages[stage_id].successors()) if t in decision.stages]


def _extreme_timeline(
    decision: Decision, order: list[str], start: dt.datetime, calendar: BusinessCalendar, *, later: bool
) -> Timeline:
    received = {decision.start.id: start.astimezone(calendar.zone)}
    came_from: dict[str, str] = {}
    best: tuple[dt.datetime, str] | None = None

    def better(candidate: dt.datetime, current: dt.datetime) -> bool:
        return candidate > current if later else candidate < current

    for stage_id in order:
        if stage_id not in received:
            continue
        stage = decision.stages[stage_id]
        due = due_instant(stage.within, received[stage_id], calendar)
        targets = _next_ids(decision, stage_id)
        if not targets and (best is None or better(due, best[0])):
            best = (due, stage_id)
        for target in targets:
            if target not in received or better(due, received[target]):
                received[target], came_from[target] = due, stage_id
    if best is None:  # pragma: no cover - a loop-free decision has a final stage
        raise TimelineError(f"'{decision.id}' has no final stage")
    path = [best[1]]
    while path[-1] in came_from:
        path.append(came_from[path[-1]])
    return timeline(decision, [decision.stages[s] for s in reversed(path)], start, calendar)


def parse_start(text: str, calendar: BusinessCalendar) -> dt.datetime:
    """An ISO start: a bare date is 00:00 of that date, a time without offset is in the calendar's zone."""
    try:
        if len(text.strip()) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text.strip()), dt.time())
        else:
            moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise TimelineError(
            f"--start '{text}' is not an ISO date or date-time, e.g. 2026-11-20 or "
            "2026-11-20T10:00 or 2026-11-20T10:00+08:00"
        ) from None
    if not FIRST_START_YEAR <= moment.year <= LAST_START_YEAR:
        raise TimelineError(
            f"--start '{text}' is outside the years {FIRST_START_YEAR}-{LAST_START_YEAR}; "
            "give the day the request arrives"
        )
    if moment.tzinfo is None:
        return calendar.at_wall(moment)
    return moment.astimezone(calendar.zone)
