"""The in-page date calculator: the data its script computes with, exported at build time, and its form.

The browser computes the same timelines as ``timeline.py`` from this data:
each calendar's working days (holidays, make-up workdays, closures) for the
build's year and the next, its business hours, and its UTC offsets, so the
page needs no server and no third-party script. Without JavaScript the page
still shows a worked example computed here.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass

from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.organisation import ChoiceTest, Decision, InputType, NumberTest, Stage, Test, clock
from decision_paths.model.phrasing import duration_text
from decision_paths.model.timeline import TimelineError, answer_id, fastest_and_slowest
from decision_paths.model.units import Duration
from decision_paths.plan.localnames import zone_name
from decision_paths.plan.views import Calculator, Choice, ExampleRow, Field

SCRIPT_ID_PREFIX = "dp-calculator-data-"


@functools.lru_cache(maxsize=64)
def calendar_data(calendar: BusinessCalendar, year: int) -> dict[str, object]:
    """Working days from 1 January of ``year`` to 31 December of the next, as a '0'/'1' string.
    Cached: every decision page of a calendar carries the same data."""
    first = dt.date(year, 1, 1)
    last = dt.date(year + 1, 12, 31)
    days = "".join(
        "1" if calendar.is_working_day(first + dt.timedelta(days=n)) else "0" for n in range((last - first).days + 1)
    )
    return {
        "id": calendar.calendar.id,
        "from": first.isoformat(),
        "days": days,
        "workdays": sorted(calendar.calendar.workdays),
        "opens": clock(calendar.opens),
        "closes": clock(calendar.closes),
        "offsets": _offsets(calendar, first, last),
    }


def _offsets(calendar: BusinessCalendar, first: dt.date, last: dt.date) -> list[list[int]]:
    """[[utc milliseconds, offset minutes], ...]: the offset in force from each change on.

    Checked once a day; a day whose offset changes is searched to the 15 minutes
    (every zone's transitions fall on a quarter hour)."""

    def offset_at(moment: dt.datetime) -> int:
        return int(moment.astimezone(calendar.zone).utcoffset().total_seconds() // 60)  # type: ignore[union-attr]

    moment = dt.datetime.combine(first - dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    changes = [[int(moment.timestamp() * 1000), offset_at(moment)]]
    while moment < end:
        following = moment + dt.timedelta(days=1)
        if offset_at(following) != changes[-1][1]:
            step = moment
            while step < following:
                step += dt.timedelta(minutes=15)
                if offset_at(step) != changes[-1][1]:
                    changes.append([int(step.timestamp() * 1000), offset_at(step)])
                    break
        moment = following
    return changes


def decision_data(decision: Decision, words: Mapping[str, str] | None = None) -> dict[str, object]:
    """What the script computes with; ``words`` phrase each stage's time as the page does
    (the editor's own text without them)."""
    return {
        "id": decision.id,
        "start": decision.start.id,
        "answer": answer_id(decision),
        "inputs": {
            i.id: {"label": i.label, "type": i.type.value, "options": list(i.options)} for i in decision.inputs.values()
        },
        "stages": {s.id: _stage_data(s, words) for s in decision.stages.values()},
    }


def _stage_data(stage: Stage, words: Mapping[str, str] | None) -> dict[str, object]:
    return {
        "title": stage.title,
        "duration": duration_data(stage.within),
        "within": duration_text(stage.within, words) if words is not None else stage.within.text,
        "next": stage.next_stage.id if stage.next_stage else None,
        "branches": [
            {
                "otherwise": b.otherwise,
                "go": b.go.id,
                "conditions": [_condition(c.input.id, c.test) for c in b.conditions],
            }
            for b in stage.branches
        ],
    }


def duration_data(duration: Duration) -> dict[str, object]:
    """The kind of counting and the amount in that kind (2 weeks: 14 calendar days): the
    JS counts per kind, so it needs no change for a unit that counts like another."""
    spec = duration.unit.spec
    return {"kind": spec.kind.value, "amount": float(duration.amount * spec.factor)}


def _condition(input_id: str, test: Test) -> dict[str, object]:
    if isinstance(test, NumberTest):
        return {"input": input_id, "comparisons": [[c.operator, float(c.value)] for c in test.comparisons]}
    if isinstance(test, ChoiceTest):
        return {"input": input_id, "options": [o.id for o in test.options]}
    return {"input": input_id, "value": test.value}


def calculator_view(
    decision: Decision, calendar: BusinessCalendar, words: Mapping[str, str], language: str, today: dt.date
) -> Calculator:
    """The form, the worked example (for readers without JavaScript) and the data the script reads."""
    zone = zone_name(calendar.calendar.timezone.id, language)
    data = {
        "decision": decision_data(decision, words),
        "calendar": {
            **calendar_data(calendar, today.year),
            # years of the exported days whose holidays are not official yet (DP406)
            "unpublished": [y for y in (today.year, today.year + 1) if not calendar.has_official_schedule(y)],
        },
        "zone": zone,
        "words": {
            **{k: words[k] for k in ("missing_input", "yes", "no", "outside_calendar")},
            "answer_lead": words["answer_lead"],
            "unpublished_year": words["unpublished_year"],
            "invalid_start": words["invalid_start"],
        },
    }
    fields = []
    for item in decision.inputs.values():
        if item.type is InputType.NUMBER:
            fields.append(Field(item.id, f"{item.label} ({item.unit})" if item.unit else item.label, "number"))
            continue
        if item.type is InputType.CHOICE:
            choices = tuple(Choice(o, item.option_label(o)) for o in item.options)
        else:
            choices = (Choice("yes", words["yes"]), Choice("no", words["no"]))
        fields.append(Field(item.id, item.label, "select", choices))
    start = calendar.local(today, dt.time(10))
    example = worked_example(decision, calendar, words, start, zone)
    return Calculator(
        decision.id,
        _local(start),
        zone,
        tuple(fields),
        example.text,
        example.rows,
        # '<' written as \u003c: the data sits in a <script> element and must not end it.
        json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c"),
        lead=example.lead,
        caveat=example.caveat,
    )


@dataclass(frozen=True, slots=True)
class WorkedExample:
    text: str = ""
    rows: tuple[ExampleRow, ...] = ()
    lead: str = ""
    caveat: str = ""


def worked_example(
    decision: Decision, calendar: BusinessCalendar, words: Mapping[str, str], start: dt.datetime, zone: str
) -> WorkedExample:
    """A request at ``start``: when its fastest and slowest paths are answered."""
    try:
        fastest, slowest = fastest_and_slowest(decision, start, calendar)
    except TimelineError:
        return WorkedExample()
    rows = tuple(ExampleRow(s.stage.title, duration_text(s.stage.within, words), _local(s.due)) for s in slowest.stages)
    text = words["example"].format(start=_local(start), fastest=_local(fastest.due), slowest=_local(slowest.due))
    lead = words["answer_lead"].format(when=_local(slowest.due), zone=zone, stage=slowest.answer.stage.title)
    unpublished = sorted(y for y in fastest.years() | slowest.years() if not calendar.has_official_schedule(y))
    caveat = words["unpublished_year"].format(year=unpublished[0]) if unpublished else ""
    return WorkedExample(text, rows, lead, caveat)


def _local(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
