#!/usr/bin/env python3
"""Write a realistic, seeded case record (SPEC section 11) for a decisions folder.

    .venv/bin/python scripts/generate_cases.py --decisions decisions --out cases \\
        --cases 2000 --seed 7 --end 2026-11-22 --format parquet

The record is made with the package's own model, so it means what the rules say:
each request's inputs choose its path (``path_for``), each stage is due when
``due_instant`` says, counted from when the stage really started, and whoever
signs a stage is a person who can act for its ``who`` on that day
(``acting_people``: stand-ins included while a holder is away). The promise
(``timeline``) dates the announced delays and gives the summary it prints.

What makes it look like a real team's record:

- requests arrive mostly in business hours on the calendar's working days, a
  few in the evening or at weekends, a little more each month; client-facing
  decisions are asked for more often than internal ones;
- number inputs fall on both sides of every branch threshold (now and then
  exactly on it), every option and yes/no answer occurs;
- most stages are done inside their allowance, in business hours; one stage per
  decision is its bottleneck and runs late about a quarter of the time, more as
  the year goes on (in the sample, BOTTLENECK names them: the busy finance
  controller's approvals, the one lawyer's review, ...; in another organisation,
  the approval level whose approver carries the most work); other stages run
  late 3-8% of the time, now and then by several allowances (forgotten);
- pauses while waiting on the client, on the ``pausable`` stage (they move its due
  instant) and a few on stages that are not pausable (they move nothing, so those
  stages come out late); announced delays with a ``client_note``; withdrawn
  requests; skipped stages and a stage signed by someone outside its ``who``, so
  the conformance page has something true to say;
- the record stops at the end of ``--end``: what would happen later is left out,
  so the last weeks' requests are still open, some of them past due.

The same arguments give byte-identical files, with any ``--jobs``: each decision
draws from its own seeded stream. Cases are made decision by decision (in
parallel processes for large records) in chunks of CHUNK, each chunk written to
a Parquet part by DuckDB, and the parts copied in order into one file, so a
million cases need little memory.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import math
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import duckdb

from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.organisation import (
    Audience,
    Decision,
    InputType,
    NumberTest,
    Organisation,
    Stage,
    Visibility,
    WhoMode,
)
from decision_paths.model.people import acting_people, possible_actors
from decision_paths.model.timeline import answer_id, due_instant, path_for, timeline
from decision_paths.model.units import Kind
from decision_paths.pipeline import validate_folder
from decision_paths.plan.localnames import zone_name

COLUMNS = ("case", "decision", "event", "stage", "at", "by", "inputs", "until", "reason", "client_note")
FORMATS = ("parquet", "csv", "jsonl")
CHUNK = 10_000  # cases held in memory at once, and per Parquet part
PARALLEL_ABOVE = 50_000  # more cases than this: one process per CPU by default
WINDOW_DAYS = 365  # requests arrive over the 12 months that end with --end

# ------------------------------------------------------------------ what the sample organisation is like
# Hints for the sample decisions; any other organisation gets the fallbacks.

# Requests a year, relative to each other: the client-facing paths are the busy ones.
VOLUME = {
    "client-complaint": 17,
    "refund-request": 16,
    "discount-exception": 15,
    "out-of-scope-request": 14,
    "deadline-extension": 12,
    "expense-approval": 13,
    "contract-renewal": 7,
    "subcontractor-hiring": 5,
}
VOLUME_CLIENT, VOLUME_INTERNAL = 12, 7
# Ticket numbers: a prefix per decision, as a ticket system has one per queue.
PREFIX = {
    "client-complaint": "CP",
    "refund-request": "RF",
    "discount-exception": "DS",
    "out-of-scope-request": "OS",
    "deadline-extension": "DL",
    "expense-approval": "EX",
    "contract-renewal": "RN",
    "subcontractor-hiring": "SC",
}
# The stage where requests wait, per decision. The finance controller is the busiest approver
# (five decisions, and approvals are a small part of her job); one in-house lawyer reviews
# every changed contract; two directors must both find time for a change request; the
# delivery leads investigate complaints between project work. Other organisations get the
# approval level whose approver carries the most work (see Generator._bottleneck).
BOTTLENECK = {
    "expense-approval": "controller-approval",
    "refund-request": "finance-approval",
    "discount-exception": "joint-approval",
    "out-of-scope-request": "director-approval",
    "subcontractor-hiring": "executive-approval",
    "contract-renewal": "legal-review",
    "deadline-extension": "change-request",
    "client-complaint": "investigate",
}
# How often each option is chosen (relative); unnamed options weigh 1.
CHOICE_WEIGHTS: dict[str, dict[str, float]] = {
    "severity": {"critical": 1, "major": 3, "minor": 6},
    "cause": {"client-delay": 4, "our-delay": 3, "third-party": 2},
    "expense-type": {"travel": 6, "client-entertainment": 2, "training": 1, "equipment": 1.5},
    "renewal-type": {"same-terms": 6, "new-scope": 2.5, "price-change": 1.5},
}
YES_SHARE = {"work-delivered": 0.55, "repeat-client": 0.6, "client-data-access": 0.35}

# How often things happen, per case of the whole record (withdrawn, ...) or per case that can have them.
LATE_BOTTLENECK = (0.17, 0.31)  # at the start and at the end of the year: the busy approver gets busier
LATE_OTHER = (0.03, 0.08)  # each other stage draws its own rate in this range
FORGOTTEN = 0.1  # of the late stages: they lay untouched for several allowances
PAUSE_SHARE = 0.18  # of the cases that pass a pausable stage
RATES = {
    "withdrawn": 0.0015,
    "delayed": 0.005,
    "pause_elsewhere": 0.002,  # paused on a stage that is not pausable: moves nothing
    "skipped": 0.002,
    "outsider": 0.0006,  # done by someone outside the stage's `who`
}
FEATURES = ("withdrawn", "delayed", "pause_pausable", "pause_elsewhere", "skipped", "outsider")
MATURE_DAYS = 60  # a guaranteed example is placed in a case received at least this long before --end

WAITING_ON_CLIENT = (
    ("等待客户提供问题日志和截图", "我们在等待您提供问题日志和截图，收到后继续处理。"),
    ("等待客户安排远程访问环境", "我们在等待您安排远程访问，安排好后继续处理。"),
    ("客户对接人休假，等待回复", "我们在等待您方对接人的回复。"),
    ("等待客户确认需求细节", "我们在等待您确认需求细节，确认后继续处理。"),
    ("等待客户补充材料", "我们在等待您补充材料，收到后继续处理。"),
)
RESUMED = ("客户已提供所需信息", "客户已回复", "材料已补齐")
DELAYS = (
    ("审批人出差，审批顺延", "审批需要更多时间"),
    ("需要第三方供应商书面确认", "需要与第三方核实"),
    ("需补充核对相关记录", "需要补充核对相关记录"),
    ("需要更多部门会签", "需要更多部门共同确认"),
    ("团队资源紧张，排期顺延", "团队需要更多时间"),
)
WITHDRAWALS = (
    ("客户撤回申请：双方已当面协商解决", "已按您的要求撤回申请。"),
    ("客户表示问题已自行解决", "已按您的要求关闭申请。"),
    ("重复提交，已合并到另一张工单", "该申请与您的另一份申请重复，已合并处理。"),
    ("客户改为下季度再提", "已按您的要求撤回申请，欢迎随时重新提交。"),
)


# ------------------------------------------------------------------ working time of one calendar


class WorkingTime:
    """The business hours of one calendar over a span of days, as epoch seconds with running
    totals: how much working time lies between two instants, and which instant lies a given
    working time after another. Built from ``BusinessCalendar`` (working days, opening and
    closing instants), so no calendar rule is repeated here."""

    def __init__(self, calendar: BusinessCalendar, first: dt.date, last: dt.date) -> None:
        self.calendar = calendar
        self.days: list[dt.date] = []
        self.opens: list[int] = []
        self.closes: list[int] = []
        self.before: list[int] = []  # working seconds before each day's opening
        self.after: list[int] = []  # working seconds up to each day's closing
        total = 0
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                opens = int(calendar.boundary(day, calendar.opens).timestamp())
                closes = int(calendar.boundary(day, calendar.closes).timestamp())
                if closes > opens:
                    self.days.append(day)
                    self.opens.append(opens)
                    self.closes.append(closes)
                    self.before.append(total)
                    total += closes - opens
                    self.after.append(total)
            day += dt.timedelta(days=1)
        if not self.days:
            raise SystemExit(f"calendar '{calendar.calendar.id}' has no working hours from {first} to {last}")
        self.day_seconds = max(self.closes[0] - self.opens[0], 3600)

    def worked(self, moment: int) -> int:
        """Working seconds from the start of the span up to ``moment``."""
        index = bisect.bisect_right(self.opens, moment) - 1
        if index < 0:
            return 0
        if moment > self.closes[-1]:  # past the span: count on as if always open
            return self.after[-1] + moment - self.closes[-1]
        return self.before[index] + min(moment, self.closes[index]) - self.opens[index]

    def at(self, worked: int) -> int:
        """The instant at which ``worked`` working seconds have passed."""
        index = bisect.bisect_left(self.after, worked)
        if index >= len(self.after):
            return self.closes[-1] + worked - self.after[-1]
        return self.opens[index] + worked - self.before[index]

    def close_of_working_day(self, moment: int, later: int = 0) -> int:
        """Closing time of the working day ``moment`` falls in (or the next one), ``later`` days on."""
        index = bisect.bisect_left(self.closes, moment) + later
        return self.closes[max(0, min(index, len(self.closes) - 1))]


# ------------------------------------------------------------------ one decision, ready to generate


@dataclass(frozen=True)
class Step:
    """One stage of a path, with what generating it needs to know."""

    stage: Stage
    index: int
    clock: bool  # counted in elapsed time (``N hours``): work goes on at night
    bottleneck: bool
    late: float  # share late (not for the bottleneck, whose share grows over the year)
    answer: bool  # the stage whose done answers the request
    members: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """One path a decision's requests take, and where on it each kind of event can happen."""

    steps: tuple[Step, ...]
    stages: list[Stage]  # for timeline()
    where: Mapping[str, tuple[int, ...]]  # feature -> indexes of the steps it may happen at


@dataclass
class Plan:
    """What is fixed about a decision before any case: its calendar, rates and paths."""

    index: int
    decision: Decision
    prefix: str
    count: int
    calendar: BusinessCalendar
    hours: WorkingTime
    zone: ZoneInfo
    cutoff: int  # the first instant after the record: midnight after --end, in this calendar
    bottleneck: str | None
    late: dict[str, float]  # stage -> share late, for the stages that are not the bottleneck
    thresholds: dict[str, list[Decimal]]
    zone_words: str
    guarantees: set[str] = field(default_factory=set)  # features this decision must show at least once
    possible: set[str] = field(default_factory=set)  # features some path of it can show
    routes: dict[tuple[str, ...], Route] = field(default_factory=dict)

    def route(self, path: list[Stage]) -> Route:
        key = tuple(s.id for s in path)
        found = self.routes.get(key)
        if found is None:
            found = self.routes[key] = self._route(path)
        return found

    def _route(self, path: list[Stage]) -> Route:
        answer = answer_id(self.decision) or path[-1].id
        ids = [s.id for s in path]
        last = ids.index(answer) if answer in ids else len(ids) - 1
        steps = tuple(
            Step(
                stage,
                index,
                _kind(stage) is Kind.CLOCK_HOURS,
                stage.id == self.bottleneck,
                self.late[stage.id],
                index == last,
                tuple(m.id for m in stage.who.members),
            )
            for index, stage in enumerate(path)
        )
        upto = list(range(last + 1))  # the stages before the answer, and the answer
        inner = [i for i in upto[1:-1] if i < len(path) - 1]  # neither the first, the answer nor the last
        work = [i for i in upto[1:] if not steps[i].clock]
        where = {
            "withdrawn": tuple(i for i in upto for _ in range(len(upto) - i)),  # mostly early
            "delayed": (ids.index(self.bottleneck),) if self.bottleneck in ids[: last + 1] else tuple(upto[1:] or upto),
            "pause_pausable": tuple(i for i, s in enumerate(path) if s.pausable and not steps[i].clock),
            # the step after intake, where one waits on the client; pausing it moves nothing
            "pause_elsewhere": tuple(i for i in work[:1] if not path[i].pausable),
            "skipped": tuple([i for i in inner if path[i].visibility is Visibility.INTERNAL] or inner),
            # the checker signing her own check, where four eyes are required; else any later stage
            "outsider": tuple([i for i in upto if path[i].independent_of] or upto[1:]),
        }
        return Route(steps, path, where)


@dataclass
class Case:
    number: str
    received: int
    values: dict[str, object]
    route: Route
    features: dict[str, int] = field(default_factory=dict)  # feature -> index of the step


class Event(NamedTuple):
    at: int  # epoch seconds
    order: int  # among events at the same second: received first, withdrawn last
    event: str
    stage: str | None = None
    by: str | None = None
    inputs: str | None = None
    until: str | None = None
    reason: str | None = None
    client_note: str | None = None


Row = tuple[str | None, ...]  # the COLUMNS, as text
STATS = (
    "cases",
    "events",
    "open",
    "open_past_due",
    "answered",
    "answered_on_time",
    "withdrawn",
    "delayed",
    "paused_pausable",
    "paused_elsewhere",
    "skipped",
    "outsider",
    "stand_in",
)


class Generator:
    """The plans for every decision; ``run`` makes one decision's cases."""

    def __init__(self, org: Organisation, total: int, seed: int, end: dt.date) -> None:
        self.org = org
        self.seed = seed
        self.end = end
        self.first_day = end - dt.timedelta(days=WINDOW_DAYS - 1)
        self.decisions = [d for _, d in sorted(org.decisions.items())]
        self.calendars: dict[str, BusinessCalendar] = {}
        self.hours: dict[str, WorkingTime] = {}
        self._on_path: dict[str, dict[str, float]] = {}  # decision -> stage -> share of requests passing it
        # decision -> the paths seen, each with a list holding 1/tries for each time it was
        self._paths: dict[str, dict[tuple[str, ...], tuple[list[Stage], list[float]]]] = {}
        self.plans = self._plans(total, random.Random(seed))  # noqa: S311 - sample data, not secrets

    def _calendar(self, decision: Decision) -> tuple[BusinessCalendar, WorkingTime]:
        calendar = self.org.calendar_for(decision)
        if calendar is None:
            raise SystemExit(f"{decision.file}: no calendar for '{decision.id}'")
        if calendar.id not in self.calendars:
            business = BusinessCalendar(calendar)
            self.calendars[calendar.id] = business
            first = self.first_day - dt.timedelta(days=14)
            self.hours[calendar.id] = WorkingTime(business, first, self.end + dt.timedelta(days=400))
        return self.calendars[calendar.id], self.hours[calendar.id]

    def _plans(self, total: int, rng: random.Random) -> list[Plan]:
        weights = [
            VOLUME.get(d.id, VOLUME_CLIENT if d.audience is Audience.CLIENT else VOLUME_INTERNAL)
            for d in self.decisions
        ]
        counts = _apportion(total, weights)
        prefixes = _prefixes([d.id for d in self.decisions])
        loads = self._loads(weights)
        plans = []
        # in the order of their ticket numbers, so the record is in case order
        ordered = sorted(zip(self.decisions, counts, strict=True), key=lambda pair: prefixes[pair[0].id])
        for index, (decision, count) in enumerate(ordered):
            calendar, hours = self._calendar(decision)
            plans.append(
                Plan(
                    index,
                    decision,
                    prefixes[decision.id],
                    count,
                    calendar,
                    hours,
                    calendar.zone,
                    int(_local(self.end + dt.timedelta(days=1), 0, calendar.zone)),
                    self._bottleneck(decision, loads),
                    {s: rng.uniform(*LATE_OTHER) for s in decision.stages},
                    _thresholds(decision),
                    zone_name(calendar.calendar.timezone.id, "zh"),
                )
            )
        # Each feature the record must show is guaranteed by one decision: the one with the most
        # cases that can have it, sharing them out so that one small decision is not asked for all.
        # A stage signed by someone outside `who` is shown where it matters most: four eyes.
        share: dict[tuple[int, str], float] = {}
        for plan in plans:
            for path, times in self._paths[plan.decision.id].values():
                where = plan.route(path).where
                for feature in FEATURES:
                    if where[feature] and _can_have(plan.decision, feature):
                        share[plan.index, feature] = share.get((plan.index, feature), 0.0) + sum(times)
            plan.possible = {f for f in FEATURES if (plan.index, f) in share}
        for feature in FEATURES:
            able = [p for p in plans if p.count and feature in p.possible]
            if feature == "outsider":
                able = [p for p in able if any(s.independent_of for s in p.decision.stages.values())] or able
            if able:
                best = max(able, key=lambda p: p.count * share[p.index, feature] / (1 + len(p.guarantees)))
                best.guarantees.add(feature)
        if plans:
            max(plans, key=lambda p: p.count).guarantees.add("open")
        return plans

    def _loads(self, weights: Sequence[float]) -> dict[str, float]:
        """Requests a year that may need each person: a decision's volume times how often a
        stage is on its path (from sample inputs), shared among the people who hold the role."""
        shares = sum(weights) or 1.0
        probe = random.Random(0)  # noqa: S311 - a fixed sample to estimate paths; not the record's stream
        load: dict[str, float] = {}
        for decision, weight in zip(self.decisions, weights, strict=True):
            thresholds = _thresholds(decision)
            seen: dict[str, int] = {}
            tries = 200
            paths = self._paths[decision.id] = {}
            for _ in range(tries):
                path = path_for(decision, _values(probe, decision, thresholds))
                known = paths.setdefault(tuple(s.id for s in path), (path, []))
                known[1].append(1.0 / tries)
                for stage in path:
                    seen[stage.id] = seen.get(stage.id, 0) + 1
            self._on_path[decision.id] = {stage: times / tries for stage, times in seen.items()}
            for stage_id, times in seen.items():
                stage = decision.stages[stage_id]
                members = stage.who.members
                each = weight / shares * times / tries * (1 / len(members) if stage.who.mode is WhoMode.ANY else 1)
                for member in members:
                    people = [p for p, via in possible_actors(self.org, member.id).items() if len(via) <= 1]
                    for person in people:
                        load[person] = load.get(person, 0.0) + each / len(people)
        return load

    def _bottleneck(self, decision: Decision, loads: Mapping[str, float]) -> str | None:
        """Of the approval levels (stages that only some requests pass, chosen by a branch),
        the one whose approver carries the most work in the whole organisation, the shorter
        allowance first when two tie: where a busy person makes requests wait. A decision
        whose every request takes the same stages picks among all but its first."""
        if BOTTLENECK.get(decision.id) in decision.stages:
            return BOTTLENECK[decision.id]

        def busiest(stage: Stage) -> tuple[float, float]:
            people = [
                p for m in stage.who.members for p, via in possible_actors(self.org, m.id).items() if len(via) <= 1
            ]
            nominal = stage.within.amount * stage.within.unit.spec.nominal_hours
            return max((loads.get(p, 0.0) for p in people), default=0.0), -float(nominal)

        stages = list(decision.stages.values())
        share = self._on_path[decision.id]
        candidates = [s for s in stages if 0 < share.get(s.id, 0) < 1]
        candidates = candidates or [s for s in stages if s.id != decision.start.id] or stages
        return max(candidates, key=busiest).id if candidates else None

    def run(self, plan: Plan) -> Iterator[list[Row]]:
        """One decision's cases in chunks of at most CHUNK, in case order, each chunk's rows in order.
        Each decision draws from its own stream, so decisions can be made in parallel."""
        return Run(self, plan).chunks()


def _can_have(decision: Decision, feature: str) -> bool:
    """Whether the decision may show the feature at all (where on a path: ``Route.where``)."""
    if feature == "delayed":  # a delay is announced to the client
        return decision.audience is Audience.CLIENT
    return True


class Run:
    """The cases of one decision."""

    def __init__(self, generator: Generator, plan: Plan) -> None:
        self.org = generator.org
        self.plan = plan
        self.first_day = generator.first_day
        self.end = generator.end
        self.rng = random.Random(f"{generator.seed}/{plan.decision.id}")  # noqa: S311 - sample data
        self.stats = dict.fromkeys(STATS, 0)
        self._acting: dict[tuple[str, dt.date], list[tuple[str, tuple[str, ...]]]] = {}

    def chunks(self) -> Iterator[list[Row]]:
        plan, rng = self.plan, self.rng
        received = self._arrivals()
        numbers = _numbers(plan, received, self.first_day)
        for begin in range(0, len(received), CHUNK):
            cases = []
            for i in range(begin, min(begin + CHUNK, len(received))):
                values = _values(rng, plan.decision, plan.thresholds)
                cases.append(Case(numbers[i], received[i], values, plan.route(path_for(plan.decision, values))))
            self._features(cases, guarantee=begin == 0)
            plan.calendar.dues.clear()  # due instants are cached per exact instant: drop them
            yield [row for case in cases for row in self._rows(case)]

    def _arrivals(self) -> list[int]:
        """When requests arrive: working days weigh 1 and other days 0.07, growing by a tenth
        over the year; inside a working day 85% in business hours, the rest early or late."""
        plan, rng = self.plan, self.rng
        calendar, zone = plan.calendar, plan.zone
        days = [self.first_day + dt.timedelta(days=i) for i in range(WINDOW_DAYS)]
        weights = [
            (1.0 if calendar.is_working_day(d) else 0.07) * (0.95 + 0.1 * i / (WINDOW_DAYS - 1))
            for i, d in enumerate(days)
        ]
        cumulative = list(itertools.accumulate(weights))
        opens, closes = calendar.opens.total_seconds(), calendar.closes.total_seconds()
        found = []
        for _ in range(plan.count):
            day = days[min(bisect.bisect_left(cumulative, rng.random() * cumulative[-1]), WINDOW_DAYS - 1)]
            if not calendar.is_working_day(day):
                second = rng.uniform(9 * 3600, 21 * 3600)
            elif rng.random() < 0.85 or (opens < 3600 and closes > 23 * 3600):
                second = rng.uniform(opens, closes)
            elif rng.random() < 0.4:
                second = rng.uniform(min(7 * 3600, opens), opens)
            else:
                second = rng.uniform(closes, max(closes, 23 * 3600))
            found.append(int(_local(day, second, zone)))
        if "open" in plan.guarantees and found:
            # at least one request arrives on the last working day, so the record ends with open cases
            last = bisect.bisect_right(plan.hours.days, self.end) - 1
            latest = plan.hours.opens[last] + int(rng.uniform(0.2, 0.6) * plan.hours.day_seconds)
            found[found.index(max(found))] = max(max(found), latest)
        found.sort()
        return found

    def _features(self, cases: list[Case], guarantee: bool) -> None:
        """Mark the cases of a chunk that are withdrawn, delayed, paused, ... and at which step:
        each at its rate (per case, or per case that passes a pausable stage), and at least
        once in the decision that guarantees it, in a case old enough to have finished. A case
        has one of them at most: a withdrawn request would hide the delay it was meant to show."""
        rng, plan = self.rng, self.plan
        mature = plan.cutoff - MATURE_DAYS * 86400
        for feature in FEATURES:
            if feature not in plan.possible:
                continue
            eligible = [c for c in cases if c.route.where[feature] and not c.features]  # one each, so none is lost
            if not eligible:
                continue
            expected = PAUSE_SHARE * len(eligible) if feature == "pause_pausable" else RATES[feature] * len(cases)
            chance = min(1.0, expected / len(eligible))
            chosen = [c for c in eligible if rng.random() < chance]
            if guarantee and feature in plan.guarantees and not any(c.received < mature for c in chosen):
                ripe = [c for c in eligible if c.received < mature]
                if feature == "outsider":  # where four eyes are required, if any such case is ripe
                    ripe = [
                        c for c in ripe if any(c.route.steps[i].stage.independent_of for i in c.route.where[feature])
                    ] or ripe
                if ripe:
                    chosen.append(rng.choice(ripe))
            for case in chosen:
                case.features[feature] = rng.choice(case.route.where[feature])

    def _rows(self, case: Case) -> list[Row]:
        rng, plan, stats = self.rng, self.plan, self.stats
        hours, zone, decision = plan.hours, plan.zone, plan.decision
        features = case.features
        inputs = json.dumps({k: _json_value(v) for k, v in case.values.items()}, ensure_ascii=False)
        events = [Event(case.received, 0, "received", inputs=inputs)]
        progress = (case.received - plan.cutoff) / (WINDOW_DAYS * 86400) + 1  # 0..1 over the year
        bottleneck_late = LATE_BOTTLENECK[0] + (LATE_BOTTLENECK[1] - LATE_BOTTLENECK[0]) * progress
        started = case.received
        acted: dict[str, str] = {}
        marks: list[tuple[str, int]] = []  # what the summary counts, and when it happened
        answered: int | None = None
        delayed: tuple[int, str] | None = None  # when the client was told, and at which stage
        for step in case.route.steps:
            stage, index = step.stage, step.index
            if features.get("skipped") == index:
                marks.append(("skipped", started))
                continue  # nobody did it; the next stage starts when this one would have
            due = int(due_instant(stage.within, dt.datetime.fromtimestamp(started, zone), plan.calendar).timestamp())
            clock, begin = step.clock, hours.worked(started)
            allowance = due - started if clock else hours.worked(due) - begin
            if allowance <= 0:  # no working time inside it (a weekend): people work in elapsed time
                clock, allowance = True, max(due - started, 60)
            if features.get("delayed") == index:
                share = 1 + rng.uniform(0.8, 3.0)
            elif rng.random() < (bottleneck_late if step.bottleneck else step.late):
                if rng.random() < FORGOTTEN:  # it lay in someone's inbox
                    share = 1 + rng.uniform(2.0, 8.0)
                else:
                    share = 1 + min(rng.lognormvariate(math.log(0.5 if step.bottleneck else 0.3), 0.8), 6.0)
            else:  # most work takes a quarter of the allowance; a busy approver uses most of it
                share = _kumaraswamy(rng, 2.0, 1.6) if step.bottleneck else _kumaraswamy(rng, 1.0, 3.0)
            work = max(allowance * share, 60.0)

            def instant(offset: float, clock: bool = clock, begin: int = begin, started: int = started) -> int:
                return started + int(offset) if clock else hours.at(begin + int(offset))

            if features.get("withdrawn") == index:
                reason, note = rng.choice(WITHDRAWALS)
                client = note if decision.audience is Audience.CLIENT else None
                events.append(
                    Event(instant(work * rng.uniform(0.1, 0.9)), 9, "withdrawn", None, None, None, None, reason, client)
                )
                break

            waited = 0.0
            if features.get("pause_pausable") == index or features.get("pause_elsewhere") == index:
                mark = work * rng.uniform(0.15, 0.5)
                for _ in range(1 if rng.random() < 0.8 else 2):
                    reason, note = rng.choice(WAITING_ON_CLIENT)
                    events.append(Event(instant(mark + waited), 2, "paused", stage.id, None, None, None, reason, note))
                    waited += rng.uniform(0.3, 4.0) * hours.day_seconds
                    events.append(
                        Event(instant(mark + waited), 3, "resumed", stage.id, None, None, None, rng.choice(RESUMED))
                    )
                    mark += (work - mark) * rng.uniform(0.2, 0.6)
            if features.get("delayed") == index:
                delayed = (instant(allowance * rng.uniform(0.6, 0.95) + waited), stage.id)
            done = max(instant(work + waited), started + 60)
            if features.get("outsider") == index:
                person = self._outsider(stage, acted)
                marks.append(("outsider", done))
            else:
                person, standing_in = self._actor(step, dt.datetime.fromtimestamp(done, zone).date())
                if standing_in:
                    marks.append(("stand_in", done))
            acted[stage.id] = person
            events.append(Event(done, 5, "done", stage.id, person))
            if step.answer:
                answered = done
            started = done

        received = dt.datetime.fromtimestamp(case.received, zone)
        promised = int(timeline(decision, case.route.stages, received, plan.calendar).due.timestamp())
        if delayed is not None and events[-1].event != "withdrawn":
            events.append(self._delay(delayed, promised, answered))

        cutoff = plan.cutoff
        events.sort(key=_when)
        kept = [e for e in events if e.at < cutoff]
        self._count(kept, answered, promised)
        for what, moment in marks:
            stats[what] += moment < cutoff
        number, kind = case.number, decision.id
        return [(number, kind, e.event, e.stage, _iso(e.at, zone), *e[4:]) for e in kept]

    def _delay(self, delayed: tuple[int, str], promised: int, answered: int | None) -> Event:
        """The team tells the client a new date: mostly the one they then keep, sometimes
        one they miss again; never earlier than a working day after the promise."""
        rng, plan = self.rng, self.plan
        hours = plan.hours
        target = answered if answered is not None else promised + 5 * 86400
        until = hours.close_of_working_day(target, later=0 if rng.random() < 0.8 else -1)
        told, stage = delayed
        until = max(until, hours.close_of_working_day(promised, later=1), told + 3600)
        reason, public = rng.choice(DELAYS)
        when = dt.datetime.fromtimestamp(until, plan.zone)
        note = (
            f"抱歉，{public}，无法在原定时间答复。我们会在 {when.year} 年 {when.month} 月 {when.day} 日 "
            f"{when:%H:%M}（{plan.zone_words}）前给您书面答复。"
        )
        return Event(told, 4, "delayed", stage, None, None, _iso(until, plan.zone), reason, note)

    def _actor(self, step: Step, day: dt.date) -> tuple[str, bool]:
        """Who signs the stage on ``day``, and whether as a stand-in: for a stage that needs
        several approvals, the one who gives the last; a person who can act for that member
        that day (``acting_people``: a backup when every holder is away)."""
        members = step.members
        first = members[0] if len(members) == 1 else self.rng.choice(members)
        for member in (first, *members):
            people = self._acting_on(member, day)
            if people:
                person, via = people[0] if len(people) == 1 else self.rng.choice(people)
                return person, len(via) > 1  # acting through a backup: every holder is away
        return next(iter(possible_actors(self.org, first)), first), False

    def _acting_on(self, member: str, day: dt.date) -> list[tuple[str, tuple[str, ...]]]:
        key = (member, day)
        found = self._acting.get(key)
        if found is None:
            found = self._acting[key] = list(acting_people(self.org, member, day).items())
        return found

    def _outsider(self, stage: Stage, acted: Mapping[str, str]) -> str:
        """Someone who may not sign here: the person who did a stage this one must be
        independent of (the checker approving her own check), else anyone outside ``who``."""
        for ref in stage.independent_of:
            if ref.id in acted:
                return acted[ref.id]
        allowed = {p for m in stage.who.members for p in possible_actors(self.org, m.id)}
        others = sorted(p for p, person in self.org.people.items() if person.active and p not in allowed)
        return self.rng.choice(others) if others else next(iter(allowed))

    def _count(self, kept: Sequence[Event], answered: int | None, promised: int) -> None:
        stats, cutoff = self.stats, self.plan.cutoff
        stats["cases"] += 1
        stats["events"] += len(kept)
        kinds = {(e.event, e.stage) for e in kept}
        stats["delayed"] += any(e.event == "delayed" for e in kept)
        paused = {s for event, s in kinds if event == "paused"}
        stats["paused_pausable"] += any(self.plan.decision.stages[s].pausable for s in paused if s)
        stats["paused_elsewhere"] += any(not self.plan.decision.stages[s].pausable for s in paused if s)
        if kept[-1].event == "withdrawn":
            stats["withdrawn"] += 1
        elif answered is None or answered >= cutoff:
            stats["open"] += 1
            stats["open_past_due"] += promised < cutoff
        else:
            stats["answered"] += 1
            stats["answered_on_time"] += answered <= promised


def _when(event: Event) -> tuple[int, int]:
    return event.at, event.order


def _kumaraswamy(rng: random.Random, a: float, b: float) -> float:
    """A share of the allowance, 0..1, shaped like a Beta(a, b) and drawn with one random number."""
    return float((1 - (1 - rng.random()) ** (1 / b)) ** (1 / a))


# ------------------------------------------------------------------ small helpers


def _kind(stage: Stage) -> Kind:
    return stage.within.unit.spec.kind


def _local(day: dt.date, second: float, zone: ZoneInfo) -> float:
    wall = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=int(second))
    return wall.replace(tzinfo=zone, fold=0).timestamp()


def _iso(moment: int, zone: ZoneInfo) -> str:
    return dt.datetime.fromtimestamp(moment, zone).isoformat()


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, largest remainders first (exact, no randomness)."""
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    for index in sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _prefixes(ids: Sequence[str]) -> dict[str, str]:
    """A ticket prefix per decision: the sample's own, else the words' initials, made unique."""
    found: dict[str, str] = {}
    for decision in ids:
        words = [w for w in decision.replace("_", "-").split("-") if w]
        options = [PREFIX.get(decision, ""), "".join(w[0] for w in words)[:3], decision[:2], decision[:3]]
        prefix = next((o.upper() for o in options if len(o) >= 2 and o.upper() not in found.values()), "")
        number = 2
        while not prefix or prefix in found.values():
            prefix, number = f"{decision[:2].upper()}{number}", number + 1
        found[decision] = prefix
    return found


def _numbers(plan: Plan, received: Sequence[int], first_day: dt.date) -> list[str]:
    """Ticket numbers in arrival order, restarting each year; the first year goes on from the
    requests before the record began, as a ticket system's numbers would."""
    years = [dt.datetime.fromtimestamp(moment, plan.zone).year for moment in received]
    before = (first_day - dt.date(first_day.year, 1, 1)).days
    already = {first_day.year: round(plan.count * before / WINDOW_DAYS)}
    totals: dict[int, int] = {}
    for year in years:
        totals[year] = totals.get(year, 0) + 1
    widths = {y: max(4, len(str(n + already.get(y, 0)))) for y, n in totals.items()}
    seen: dict[int, int] = {}
    numbers = []
    for year in years:
        seen[year] = seen.get(year, already.get(year, 0)) + 1
        numbers.append(f"{plan.prefix}-{year}-{seen[year]:0{widths[year]}d}")
    return numbers


def _thresholds(decision: Decision) -> dict[str, list[Decimal]]:
    """The numbers each number input is compared with at the branch points."""
    found: dict[str, set[Decimal]] = {}
    for stage in decision.stages.values():
        for branch in stage.branches:
            for condition in branch.conditions:
                if isinstance(condition.test, NumberTest):
                    found.setdefault(condition.input.id, set()).update(c.value for c in condition.test.comparisons)
    return {k: sorted(v) for k, v in found.items()}


def _values(rng: random.Random, decision: Decision, thresholds: Mapping[str, list[Decimal]]) -> dict[str, object]:
    """One request's answers: every input, on both sides of every threshold."""
    values: dict[str, object] = {}
    for item in decision.inputs.values():
        if item.type is InputType.CHOICE:
            weights = CHOICE_WEIGHTS.get(item.id, {})
            values[item.id] = rng.choices(item.options, [weights.get(o, 1.0) for o in item.options])[0]
        elif item.type is InputType.YES_NO:
            values[item.id] = rng.random() < YES_SHARE.get(item.id, 0.5)
        else:
            values[item.id] = _number(rng, thresholds.get(item.id, []))
    return values


def _number(rng: random.Random, edges: Sequence[Decimal]) -> Decimal:
    """Log-uniform from an eighth of the lowest threshold to four times the highest; now and
    then exactly on a threshold or one off it. Small thresholds (days) give whole numbers."""
    positive = [e for e in edges if e > 0]
    if positive and rng.random() < 0.03:
        return rng.choice(positive) + rng.choice((Decimal(-1), Decimal(0), Decimal(1)))
    if not positive:
        return Decimal(rng.randint(1, 100))
    low, high = min(positive), max(positive)
    if high <= 100:
        return Decimal(max(1, round(math.exp(rng.uniform(0, math.log(float(high) * 3))))))
    amount = math.exp(rng.uniform(math.log(float(low) / 8), math.log(float(high) * 4)))
    step = rng.choices((100, 10, 1), (0.5, 0.35, 0.15))[0]
    return Decimal(max(step, round(amount / step) * step))


# ------------------------------------------------------------------ writing

_SHARED: Generator | None = None  # the generator a forked worker makes its decision's cases with


def _make_parts(job: tuple[int, str]) -> tuple[list[str], dict[str, int]]:
    """One decision's cases to Parquet parts in ``scratch`` (a worker's task); its statistics."""
    index, scratch = job
    generator = _SHARED
    assert generator is not None  # noqa: S101 - set before the workers fork
    plan = generator.plans[index]
    run = Run(generator, plan)
    con = duckdb.connect()
    con.execute("SET threads = 1")  # the workers are the parallelism
    columns = ", ".join(f'unnest(${i + 1}::VARCHAR[]) AS "{name}"' for i, name in enumerate(COLUMNS))
    parts = []
    for number, rows in enumerate(run.chunks()):
        part = Path(scratch) / f"part-{plan.index:04d}-{number:05d}.parquet"
        lists = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in COLUMNS]
        con.execute(f"COPY (SELECT {columns}) TO {_quoted(part)} (FORMAT parquet)", lists)
        parts.append(str(part))
    con.close()
    return parts, run.stats


def write(generator: Generator, target: Path, form: str, jobs: int) -> dict[str, int]:
    """Each decision's cases in chunks to Parquet parts (in ``jobs`` processes), then all parts
    into ``target`` in case order, through DuckDB. Returns the record's statistics."""
    global _SHARED
    target.parent.mkdir(parents=True, exist_ok=True)
    stats = dict.fromkeys(STATS, 0)
    with tempfile.TemporaryDirectory(prefix=".generate-", dir=target.parent) as scratch:
        tasks = [(plan.index, scratch) for plan in generator.plans if plan.count]
        _SHARED = generator
        try:
            if jobs > 1 and len(tasks) > 1:
                with multiprocessing.get_context("fork").Pool(min(jobs, len(tasks))) as pool:
                    made = pool.map(_make_parts, tasks, chunksize=1)
            else:
                made = [_make_parts(task) for task in tasks]
        finally:
            _SHARED = None
        parts = [part for found, _ in made for part in found]
        for _, counted in made:
            for key, value in counted.items():
                stats[key] += value
        options = {
            "parquet": "FORMAT parquet, COMPRESSION zstd",
            "csv": "FORMAT csv, HEADER true",
            "jsonl": "FORMAT json",
        }[form]
        staged = Path(scratch) / f"out.{form}"
        names = ", ".join(_quoted(p) for p in parts)
        con = duckdb.connect()
        con.execute("SET preserve_insertion_order = true")  # the parts' order is the record's order
        con.execute("SET threads = 1")  # a streaming copy: a few seconds, and little memory
        con.execute(f"COPY (SELECT * FROM read_parquet([{names}])) TO {_quoted(staged)} ({options})")  # noqa: S608
        con.close()
        staged.replace(target)
    return stats


def _quoted(path: Path | str) -> str:
    """A file path as an SQL string literal (COPY takes no parameter for it)."""
    return "'" + str(path).replace("'", "''") + "'"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--decisions", default="decisions", help="the decisions folder (default: decisions)")
    parser.add_argument("--out", default="cases", help="the folder to write into (default: cases)")
    parser.add_argument("--name", default="sample", help="the file's name without extension (default: sample)")
    parser.add_argument("--cases", type=int, default=2000, help="how many requests (default: 2000)")
    parser.add_argument("--seed", type=int, default=7, help="the random seed (default: 7)")
    parser.add_argument("--end", required=True, help="the record's last day, YYYY-MM-DD")
    parser.add_argument("--format", choices=FORMATS, default="parquet", help="file format (default: parquet)")
    parser.add_argument(
        "--jobs", type=int, default=None, help="processes (default: one per CPU above 50,000 cases); same output"
    )
    parser.add_argument("--quiet", action="store_true", help="print no summary")
    args = parser.parse_args(argv)
    try:
        end = dt.date.fromisoformat(args.end)
    except ValueError:
        parser.error(f"--end '{args.end}' is not a date YYYY-MM-DD")
    if args.cases < 1:
        parser.error("--cases must be 1 or more")
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1) if args.cases > PARALLEL_ABOVE else 1

    began = time.monotonic()
    checked = validate_folder(args.decisions, end)
    if checked.has_errors:
        for finding in checked.findings:
            if finding.is_error:
                print(finding, file=sys.stderr)
        print(f"{args.decisions}: fix the errors first; no cases written", file=sys.stderr)
        return 1
    if not checked.org.decisions:
        print(f"{args.decisions}: no decisions, so no cases", file=sys.stderr)
        return 1
    generator = Generator(checked.org, args.cases, args.seed, end)
    target = Path(args.out) / f"{args.name}.{args.format}"
    stats = write(generator, target, args.format, max(1, jobs))
    if not args.quiet:
        rate = stats["answered_on_time"] / stats["answered"] if stats["answered"] else 0.0
        summary = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in stats.items())
        print(f"{target}: {target.stat().st_size:,} bytes in {time.monotonic() - began:.1f} s", file=sys.stderr)
        print(f"  {summary}; answered on time (pauses not deducted) {rate:.1%}", file=sys.stderr)
        bottlenecks = ", ".join(f"{p.decision.id}: {p.bottleneck}" for p in generator.plans)
        print(f"  bottlenecks: {bottlenecks}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
