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


def due_instants(duration: Duration, received: list[dt.datetime], calendar: BusinessCalendar) -> list[dt.datetime]:
    """``due_instant`` for many requests at once (the promise in words asks for two years of
    starts per stage): the same answers, looked up with the unit worked out once."""
    spec = duration.unit.spec
    known = calendar.dues.setdefault((spec.kind, duration.amount * spec.factor), {})
    utc = dt.UTC
    try:
        return [known.get(moment.astimezone(utc)) or _due_instant(duration, moment, calendar) for moment in received]
    except OverflowError:  # one by one, to say which
        return [due_instant(duration, moment, calendar) for moment in received]


def _due_instant(duration: Duration, received: dt.datetime, calendar: BusinessCalendar) -> dt.datetime:
    spec = duration.unit.spec
    # Keyed by the UTC instant: two aware times in one zone compare by wall clock, so the
    # two 01:30s of the night the clocks go back would be one key.
    amount = duration.amount * spec.factor
    counted = calendar.dues.setdefault((spec.kind, amount), {})
    key = received.astimezone(dt.UTC)
    known = counted.get(key)
    if known is not None:
        return known
    arithmetic = _ARITHMETIC.get(spec.kind)
    if arithmetic is None:  # never fall back to another count: a wrong date is worse than none
        raise NotImplementedError(f"the timeline cannot count '{spec.kind}' ({duration.unit}); add its arithmetic")
    due = counted[key] = arithmetic(received.astimezone(calendar.zone), amount, calendar)
    return due


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


def path_signature(decision: Decision, values: Mapping[str, object]) -> tuple[bool | None, ...]:
    """All that ``path_for`` reads of ``values``: for each condition of the decision's
    branches, whether its input matches (None: not given). Values with one signature take
    one path, or fail alike: a million requests need their path worked out once per signature."""
    return tuple(
        c.test.matches(values[c.input.id]) if c.input.id in values else None
        for stage in decision.stages.values()
        for branch in stage.branches
        for c in branch.conditions
    )


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
    def answer(self) -> StageTime:
        """The stage whose due instant is the promised answer: ``answer`` when the path
        passes it, else the last stage. Later stages (a follow-up call) keep their dates."""
        wanted = answer_id(self.decision)
        return next((s for s in self.stages if s.stage.id == wanted), self.stages[-1])

    @property
    def due(self) -> dt.datetime:
        return self.answer.due

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


def answer_id(decision: Decision) -> str | None:
    """The stage named by ``answer`` (None: the final stage of whichever path is taken)."""
    if decision.answer is not None and decision.answer.id in decision.stages:
        return decision.answer.id
    return None


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
    stages in path order keeps one instant per stage, never a list of paths. The
    answer stage ends a path for the promise; what follows it is drawn the same way.
    """
    graph = paths(decision)
    return (
        _extreme_timeline(decision, graph, start, calendar, later=False),
        _extreme_timeline(decision, graph, start, calendar, later=True),
    )


def answer_instants(
    decision: Decision, graph: Paths, starts: list[dt.datetime], calendar: BusinessCalendar, *, later: bool
) -> list[dt.datetime]:
    """The soonest (or latest) answer instant for each start, in one pass, keeping no
    paths: the promise in words asks this for every day of two years."""
    ends, _ = _extreme_pass(decision, graph, {decision.start.id: starts}, calendar, later, answer_id(decision))
    return [answered for answered, _ in ends]


@dataclass(frozen=True, slots=True)
class Paths:
    """The stages reachable from start, each after every stage that leads to it, and
    the distinct stages each leads to: worked out once, walked many times."""

    order: tuple[str, ...]
    targets: Mapping[str, tuple[str, ...]]


def paths(decision: Decision) -> Paths:
    order = path_order(decision)
    return Paths(tuple(order), {stage_id: tuple(_next_ids(decision, stage_id)) for stage_id in order})


def path_order(decision: Decision) -> list[str]:
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


def reachable_before_answer(decision: Decision) -> list[str]:
    """The stages some path passes on its way to the answer, in path order."""
    answer = answer_id(decision)
    seen: set[str] = set()
    pending = [decision.start.id]
    while pending:
        stage_id = pending.pop()
        if stage_id in seen or stage_id not in decision.stages:
            continue
        seen.add(stage_id)
        if stage_id != answer:
            pending.extend(_next_ids(decision, stage_id))
    return [s for s in path_order(decision) if s in seen]


def _next_ids(decision: Decision, stage_id: str) -> list[str]:
    """The distinct stages a stage leads to (ids that exist; others are findings)."""
    return [t for t in dict.fromkeys(t.id for t in decision.stages[stage_id].successors()) if t in decision.stages]


def _extreme_pass(
    decision: Decision,
    graph: Paths,
    received: dict[str, list[dt.datetime]],
    calendar: BusinessCalendar,
    later: bool,
    answer: str | None,
) -> tuple[list[tuple[dt.datetime, str]], dict[str, list[str]]]:
    """For many requests at once (one per entry of the lists): the extreme answer instant
    and the stage that gives it, and the stage each stage was reached from.
    ``received``: the stages the pass starts at, and when each request gets there.
    Every request reaches the same stages; only the instants differ."""
    came_from: dict[str, list[str]] = {}
    best: list[tuple[dt.datetime, str]] = []
    pick = max if later else min

    for stage_id in graph.order:
        if stage_id not in received:
            continue
        within = decision.stages[stage_id].within
        dues = due_instants(within, received[stage_id], calendar)
        targets = () if stage_id == answer else graph.targets[stage_id]
        if not targets:
            ends = [(due, stage_id) for due in dues]
            best = ends if not best else [pick(old, new, key=_instant) for old, new in zip(best, ends, strict=True)]
        for target in targets:
            if target not in received:
                received[target], came_from[target] = list(dues), [stage_id] * len(dues)
                continue
            now, sources = received[target], came_from.setdefault(target, [""] * len(dues))
            for index, due in enumerate(dues):
                if (due > now[index]) if later else (due < now[index]):
                    now[index], sources[index] = due, stage_id
    if not best:  # pragma: no cover - a loop-free decision has a final stage
        raise TimelineError(f"'{decision.id}' has no final stage")
    return best, came_from


def _instant(end: tuple[dt.datetime, str]) -> dt.datetime:
    return end[0]


def _walk_back(came_from: dict[str, list[str]], last: str) -> list[str]:
    """The path that ends at ``last`` for a single request, first stage first."""
    path = [last]
    while path[-1] in came_from and came_from[path[-1]][0]:
        path.append(came_from[path[-1]][0])
    path.reverse()
    return path


def _extreme_timeline(
    decision: Decision, graph: Paths, start: dt.datetime, calendar: BusinessCalendar, *, later: bool
) -> Timeline:
    begin = {decision.start.id: [start.astimezone(calendar.zone)]}
    ends, came_from = _extreme_pass(decision, graph, begin, calendar, later, answer_id(decision))
    answered, last = ends[0]
    path = _walk_back(came_from, last)
    after = graph.targets[last]
    if after:  # the answer stage: show what follows it, the same extreme way
        tail_ends, tail = _extreme_pass(decision, graph, {t: [answered] for t in after}, calendar, later, None)
        path.extend(_walk_back(tail, tail_ends[0][1]))
    return timeline(decision, [decision.stages[s] for s in path], start, calendar)


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
