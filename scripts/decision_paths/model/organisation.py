"""The typed model of a decisions folder: the one representation that checks,
timelines and rendering read. Built by ``load``; nothing after loading looks
at YAML again. Every object keeps the place in the source it came from.

A decision file with a part that could not be read still gives a ``Decision``,
one that is not ``complete``: it holds every part that was read, names the others
in its ``unread`` fields, and has an empty stand-in where a required part is
missing (a ``who`` that names nobody, a ``next`` that goes nowhere, no title).
It lives in ``Organisation.partial_decisions``, never in ``decisions``, so only
the checks that judge one part at a time see it; nothing that plans pages,
answers a query or compares history does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from decision_paths.model.findings import Loc
from decision_paths.model.units import Duration
from decision_paths.model.units import plain_number as plain_number  # re-exported: checks.branches uses it


@dataclass(frozen=True, slots=True)
class Ref:
    """An id named somewhere, with the place it was named."""

    id: str
    loc: Loc


class Visibility(StrEnum):
    CLIENT = "client"
    INTERNAL = "internal"


class Audience(StrEnum):
    INTERNAL = "internal"
    CLIENT = "client"


# ---------------------------------------------------------------- shared data


@dataclass(frozen=True, slots=True)
class Away:
    start: dt.date  # inclusive
    until: dt.date  # inclusive
    loc: Loc

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.until


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    loc: Loc
    name: str
    email: str | None = None
    active: bool = True
    away: Away | None = None

    def is_away(self, day: dt.date) -> bool:
        return self.away is not None and self.away.covers(day)


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    loc: Loc
    title: str
    held_by: tuple[Ref, ...] = ()
    backup: tuple[Ref, ...] = ()
    visibility: Visibility = Visibility.CLIENT


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Opening and closing time as durations since midnight, so "24:00" is exact."""

    opens: dt.timedelta
    closes: dt.timedelta
    loc: Loc

    def __str__(self) -> str:
        return f"{clock(self.opens)}-{clock(self.closes)}"


def clock(since_midnight: dt.timedelta) -> str:
    minutes = int(since_midnight.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class Calendar:
    id: str
    loc: Loc
    country: Ref  # the country code, with where it was written
    timezone: Ref
    hours: BusinessHours
    subdivision: Ref | None = None
    workdays: frozenset[int] = frozenset(range(5))  # 0 = Monday, as date.weekday()
    closed: frozenset[dt.date] = frozenset()
    open: frozenset[dt.date] = frozenset()


@dataclass(frozen=True, slots=True)
class Defaults:
    calendar: Ref | None = None


# ------------------------------------------------------------------ decisions


class InputType(StrEnum):
    NUMBER = "number"
    CHOICE = "choice"
    YES_NO = "yes-no"


@dataclass(frozen=True, slots=True)
class Input:
    id: str
    loc: Loc
    label: str
    type: InputType
    options: tuple[str, ...] = ()  # ids, in the order written
    option_labels: Mapping[str, str] = field(default_factory=dict)  # id -> what people read, when given
    unit: str | None = None  # what a number counts, shown after it (人天, CNY)

    def option_label(self, option: str) -> str:
        return self.option_labels.get(option, option)


class WhoMode(StrEnum):
    ONE = "one"
    ALL = "all"
    ANY = "any"
    AT_LEAST = "at_least"


@dataclass(frozen=True, slots=True)
class Who:
    """Who must approve: one id, all of several, any of several, or N of several."""

    mode: WhoMode
    members: tuple[Ref, ...]
    needed: int  # how many members must approve
    loc: Loc


@dataclass(frozen=True, slots=True)
class Comparison:
    operator: str  # one of > >= < <= =
    value: Decimal

    def holds(self, number: Decimal) -> bool:
        match self.operator:
            case ">":
                return number > self.value
            case ">=":
                return number >= self.value
            case "<":
                return number < self.value
            case "<=":
                return number <= self.value
        return number == self.value

    def __str__(self) -> str:
        return f"{self.operator} {plain_number(self.value)}"


@dataclass(frozen=True, slots=True)
class NumberTest:
    comparisons: tuple[Comparison, ...]  # all must hold

    def matches(self, value: object) -> bool:
        return isinstance(value, Decimal) and all(c.holds(value) for c in self.comparisons)


@dataclass(frozen=True, slots=True)
class ChoiceTest:
    options: tuple[Ref, ...]  # any may match

    def matches(self, value: object) -> bool:
        return any(option.id == value for option in self.options)


@dataclass(frozen=True, slots=True)
class YesNoTest:
    value: bool

    def matches(self, value: object) -> bool:
        return value is self.value


Test = NumberTest | ChoiceTest | YesNoTest


@dataclass(frozen=True, slots=True)
class Condition:
    input: Ref
    test: Test
    loc: Loc  # of the condition's value


@dataclass(frozen=True, slots=True)
class Branch:
    """One item of a ``next`` list: ``when`` conditions (all must hold), or ``otherwise``."""

    conditions: tuple[Condition, ...]
    go: Ref
    loc: Loc
    otherwise: bool = False

    def matches(self, values: Mapping[str, object]) -> bool:
        return all(c.test.matches(values.get(c.input.id)) for c in self.conditions)


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    loc: Loc
    title: str
    who: Who
    within: Duration
    does: str | None = None
    escalate_to: Ref | None = None
    visibility: Visibility = Visibility.CLIENT
    next_stage: Ref | None = None  # a plain ``next: stage``
    branches: tuple[Branch, ...] = ()  # a ``next:`` list
    next_loc: Loc | None = None
    outcomes: tuple[str, ...] = ()  # ids (or the text itself, in the list form)
    outcome_labels: Mapping[str, str] = field(default_factory=dict)
    independent_of: tuple[Ref, ...] = ()  # four eyes: nobody who can act there may act here
    pausable: bool = False
    # The parts that could not be read ("title", "who", "within", "next"), each an empty
    # stand-in here; only a stage of a partial decision has any.
    unread: frozenset[str] = frozenset()

    def outcome_label(self, outcome: str) -> str:
        return self.outcome_labels.get(outcome, outcome)

    @property
    def is_final(self) -> bool:
        return self.next_stage is None and not self.branches

    def successors(self) -> tuple[Ref, ...]:
        if self.next_stage is not None:
            return (self.next_stage,)
        return tuple(branch.go for branch in self.branches)


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    file: str
    loc: Loc
    category: str
    title: str
    summary: str
    owner: Ref
    start: Ref
    stages: Mapping[str, Stage]  # in file order
    audience: Audience = Audience.INTERNAL
    reviewed: dt.date | None = None
    reviewed_loc: Loc | None = None  # where `reviewed` is written, even if its value was unreadable
    review_every: Duration | None = None
    calendar: Ref | None = None
    inputs: Mapping[str, Input] = field(default_factory=dict)
    notes: str | None = None
    client_notes: str | None = None
    answer: Ref | None = None  # the stage whose due time is the promised answer; None: the final stage
    # What could not be read, so that the checks neither call an id unknown because its
    # definition is in a broken part, nor read a stand-in as if it had been written:
    # parts of the decision ("title", "summary", "owner", "start"; "stages" or "inputs"
    # when their ids are not all known), and the ids of stages and inputs that could not be read.
    unread: frozenset[str] = frozenset()
    unread_stages: frozenset[str] = frozenset()
    unread_inputs: frozenset[str] = frozenset()

    @property
    def complete(self) -> bool:
        """Every part was read: only such a decision is planned, queried or compared."""
        return not (self.unread or self.unread_stages or self.unread_inputs) and not any(
            stage.unread for stage in self.stages.values()
        )

    def review_due(self) -> dt.date | None:
        if self.reviewed is None or self.review_every is None:
            return None
        # review_every is in days or weeks (the loader refuses others): the factor is in days
        days = int(self.review_every.amount * self.review_every.unit.spec.factor)
        return self.reviewed + dt.timedelta(days=days)


@dataclass(frozen=True, slots=True)
class Organisation:
    people: Mapping[str, Person]
    roles: Mapping[str, Role]
    calendars: Mapping[str, Calendar]
    defaults: Defaults
    decisions: Mapping[str, Decision]  # complete ones only
    files: tuple[str, ...]  # every file read, in order
    categories: Mapping[str, str] = field(default_factory=dict)  # category -> its title
    client_contact: str | None = None  # whom clients contact when a promised date has passed
    # Decisions read in part (not ``complete``): for the checks only, see the module's docstring.
    partial_decisions: Mapping[str, Decision] = field(default_factory=dict)

    def category_title(self, category: str) -> str:
        return self.categories.get(category, category)

    def calendar_for(self, decision: Decision) -> Calendar | None:
        if decision.calendar is not None:
            return self.calendars.get(decision.calendar.id)
        if self.defaults.calendar is not None:
            return self.calendars.get(self.defaults.calendar.id)
        if len(self.calendars) == 1:
            return next(iter(self.calendars.values()))
        return None
