"""The case record (SPEC section 11): what happened to real requests, and how it is judged.

A record is events, one a row: a request is received, its stages are done,
paused, resumed or delayed, or it is withdrawn. These types carry them from the
loader to the measuring step; the verdicts and figures are what pages and
commands show. Instants are aware datetimes in UTC unless a field says otherwise.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from decision_paths.model.findings import Rule, Severity
from decision_paths.model.tracking import TrackedCase

COLUMNS = ("case", "decision", "event", "stage", "at", "by", "inputs", "until", "reason", "client_note")
ALWAYS = ("case", "decision", "event", "at")


class EventKind(enum.StrEnum):
    RECEIVED = "received"
    DONE = "done"
    PAUSED = "paused"
    RESUMED = "resumed"
    DELAYED = "delayed"
    WITHDRAWN = "withdrawn"


NEEDS_STAGE = frozenset({EventKind.DONE, EventKind.PAUSED, EventKind.RESUMED, EventKind.DELAYED})

# Below these counts a rate or percentile says more about chance than about the team.
MIN_CASES_INTERNAL = 10
MIN_CASES_CLIENT = 20

# Findings about rows of the record: warnings (errors with --strict), at the cell.
BAD_ROW = Rule("DP601", "bad-case-row", Severity.WARNING, "a row of the case record cannot be used")
BARE_DATE = Rule("DP602", "bare-date", Severity.WARNING, "an instant in the case record is a date without a time")
UNKNOWN_IN_RECORD = Rule(
    "DP603",
    "unknown-in-record",
    Severity.WARNING,
    "the case record names a decision, stage or person that does not exist",
)
CASE_ORDER = Rule(
    "DP604", "case-out-of-order", Severity.WARNING, "a case's events contradict each other (done before received, ...)"
)
# The mapping file that turns spreadsheets and ticket exports into events (load.sources).
BAD_SOURCE = Rule(
    "DP605", "bad-source-mapping", Severity.WARNING, "the cases folder's _sources.yaml cannot map a file or column"
)
TRACKING_SETTING = Rule(
    "DP610",
    "bad-tracking-setting",
    Severity.WARNING,
    "the cases folder's _tracking.yaml cannot be read: no tracking page is built until it is fixed",
)
RULES = (BAD_ROW, BARE_DATE, UNKNOWN_IN_RECORD, CASE_ORDER, BAD_SOURCE, TRACKING_SETTING)


class Status(enum.StrEnum):
    """How a case stands against its promise at the moment of measuring."""

    ON_TIME = "on_time"  # answered at or before the promised answer instant
    LATE = "late"  # answered after it
    OPEN_LATE = "open_late"  # not answered, and the promised instant has passed
    OPEN = "open"  # not answered, still in time
    WITHDRAWN = "withdrawn"  # counted apart


@dataclass(frozen=True, slots=True)
class Percentiles:
    """Working hours at the 50th, 80th and 95th percentile (nearest rank); None below the threshold."""

    p50: float | None
    p80: float | None
    p95: float | None

    def to_json(self) -> dict[str, float | None]:
        return {"p50": self.p50, "p80": self.p80, "p95": self.p95}


NO_PERCENTILES = Percentiles(None, None, None)


@dataclass(frozen=True, slots=True)
class StageFigures:
    stage: str
    done: int  # stages done in the period
    on_time: int  # of those, done within their `within` from when they started
    on_time_rate: float | None
    working_hours: Percentiles
    over_within_hours: float  # working hours spent beyond `within`, summed: the bottleneck measure
    first_late: int  # cases in which this stage was the first to run late

    def to_json(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "done": self.done,
            "on_time": self.on_time,
            "on_time_rate": self.on_time_rate,
            "working_hours": self.working_hours.to_json(),
        }


@dataclass(frozen=True, slots=True)
class DecisionFigures:
    """A decision's cases whose promised answer falls in one period."""

    decision: str
    period: str  # '2026-11' or '2026-Q3'
    cases: int
    on_time: int
    late: int
    open_late: int
    open: int
    withdrawn: int
    left_out: int
    on_time_rate: float | None
    working_hours: Percentiles
    stages: tuple[StageFigures, ...] = ()
    paused: int = 0  # cases with a pause that moved the promise

    def to_json(self) -> dict[str, object]:
        return {
            "decision": self.decision,
            "cases": self.cases,
            "on_time": self.on_time,
            "late": self.late,
            "open_late": self.open_late,
            "open": self.open,
            "withdrawn": self.withdrawn,
            "left_out": self.left_out,
            "on_time_rate": self.on_time_rate,
            "working_hours": self.working_hours.to_json(),
            "stages": [s.to_json() for s in self.stages],
        }

    @property
    def bottleneck(self) -> StageFigures | None:
        """The stage with the most working time over its `within` (None when none runs over)."""
        worst = max(self.stages, key=lambda s: (s.over_within_hours, s.first_late), default=None)
        return worst if worst is not None and worst.over_within_hours > 0 else None


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month ('2026-11') or quarter ('2026-Q3'), in a calendar's time zone."""

    label: str
    first: dt.date
    last: dt.date  # inclusive

    @property
    def is_quarter(self) -> bool:
        return "-Q" in self.label


def month(year: int, number: int) -> Period:
    first = dt.date(year, number, 1)
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return Period(f"{year}-{number:02d}", first, following - dt.timedelta(days=1))


def quarter(year: int, number: int) -> Period:
    first = dt.date(year, 3 * number - 2, 1)
    following = dt.date(year + (number == 4), (3 * number) % 12 + 1, 1)
    return Period(f"{year}-Q{number}", first, following - dt.timedelta(days=1))


def parse_period(text: str) -> Period:
    """'2026-Q3' or '2026-11'; ValueError with what would be right."""
    cleaned = text.strip()
    try:
        year_text, _, rest = cleaned.partition("-")
        year = int(year_text)
        if rest.upper().startswith("Q") and rest[1:].isdigit() and 1 <= int(rest[1:]) <= 4:
            return quarter(year, int(rest[1:]))
        if rest.isdigit() and 1 <= int(rest) <= 12 and len(rest) == 2:
            return month(year, int(rest))
    except ValueError:
        pass
    raise ValueError(f"--period '{text}' is neither a quarter nor a month, e.g. 2026-Q3 or 2026-11")


def last_closed(today: dt.date, *, quarterly: bool) -> Period:
    """The last month or quarter that ended before ``today``."""
    if quarterly:
        current = (today.month - 1) // 3 + 1
        return quarter(today.year, current - 1) if current > 1 else quarter(today.year - 1, 4)
    return month(today.year, today.month - 1) if today.month > 1 else month(today.year - 1, 12)


def previous(period: Period) -> Period:
    year = period.first.year
    if period.is_quarter:
        number = (period.first.month - 1) // 3 + 1
        return quarter(year, number - 1) if number > 1 else quarter(year - 1, 4)
    return month(year, period.first.month - 1) if period.first.month > 1 else month(year - 1, 12)


@dataclass(frozen=True, slots=True)
class OverdueItem:
    """An open case or stage past its due instant, and whom a reminder goes to."""

    case: str
    decision: str
    stage: str | None  # None: the case's answer is overdue but no stage is open (all done but the answer)
    due: dt.datetime  # in the decision calendar's zone
    late_working_hours: float
    can_act: tuple[str, ...]  # person ids who can act now, stand-ins included
    escalate_to: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "case": self.case,
            "decision": self.decision,
            "stage": self.stage,
            "due": self.due.isoformat(),
            "late_working_hours": self.late_working_hours,
            "can_act": list(self.can_act),
            "escalate_to": self.escalate_to,
        }


class Deviation(enum.StrEnum):
    """Where what happens is not what is written (conformance)."""

    SKIPPED = "skipped"  # a stage on the path was never done, though a later one was
    NOT_ON_PATH = "not_on_path"  # a stage was done that the inputs' path does not pass
    OUT_OF_ORDER = "out_of_order"  # stages done in another order than the path's
    WRONG_ACTOR = "wrong_actor"  # done by someone who could not act there that day


@dataclass(frozen=True, slots=True)
class DeviationCount:
    decision: str
    kind: Deviation
    stage: str
    count: int
    examples: tuple[str, ...]  # a few case ids


@dataclass(frozen=True, slots=True)
class Measured:
    """Everything measured from a record, as of one instant."""

    as_of: dt.datetime
    rules: str  # "history" or "current"
    figures: tuple[DecisionFigures, ...] = ()  # per decision and period, for the periods asked for
    overdue: tuple[OverdueItem, ...] = ()
    deviations: tuple[DeviationCount, ...] = ()
    left_out: Mapping[str, int] = field(default_factory=dict)  # decision id -> cases left out
    cases: int = 0
    tracked: tuple[TrackedCase, ...] = ()  # client decisions' cases that get a tracking page

    def figures_for(self, decision: str, period: str) -> DecisionFigures | None:
        return next((f for f in self.figures if f.decision == decision and f.period == period), None)


# How many months the trend shows, and how many quarters the client site publishes.
TREND_MONTHS = 12
PUBLISHED_QUARTERS = 4
USUALLY_LATE_BELOW = 0.8  # a stage on time less often than this (with enough cases) is usually late


@dataclass(frozen=True, slots=True)
class SiteRecord:
    """The record as a site shows it: what was measured, and the periods the pages name."""

    measured: Measured
    zone: str  # the default calendar's time zone: the 'as of' instant and the periods' day are in it
    months: tuple[Period, ...]  # oldest first, ending with the last closed month
    quarters: tuple[Period, ...]  # newest first: the last closed quarter, then the ones before it

    @property
    def last_month(self) -> Period:
        return self.months[-1]

    @property
    def last_quarter(self) -> Period:
        return self.quarters[0]


def shown_periods(day: dt.date) -> tuple[tuple[Period, ...], tuple[Period, ...]]:
    """(the trend's months, oldest first; the published quarters, newest first), as of ``day``."""
    months = [last_closed(day, quarterly=False)]
    while len(months) < TREND_MONTHS:
        months.append(previous(months[-1]))
    quarters = [last_closed(day, quarterly=True)]
    while len(quarters) < PUBLISHED_QUARTERS:
        quarters.append(previous(quarters[-1]))
    return tuple(reversed(months)), tuple(quarters)
