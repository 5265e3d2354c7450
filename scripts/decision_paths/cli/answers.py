"""Answers for the query commands (timeline, who, approves), as text or JSON data.

Each function takes the model and returns plain data; the CLI prints it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from decision_paths.checks import NO_HOLIDAY_DATA
from decision_paths.model import people as queries
from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.findings import Finding
from decision_paths.model.organisation import Decision, Organisation, Stage, WhoMode
from decision_paths.model.phrasing import duration_text, how_many_of, promise_text
from decision_paths.model.promise import promise
from decision_paths.model.timeline import Timeline, TimelineError, path_for
from decision_paths.model.words import words

ENGLISH = words("en")  # the command line answers in English (SPEC section 9)


def holiday_data_warnings(
    org: Organisation, decision: Decision, calendar: BusinessCalendar, timelines: list[Timeline]
) -> list[Finding]:
    """DP406: a timeline reaches a year the holiday library has no official schedule for."""
    years = sorted({year for t in timelines for year in t.years() if not calendar.has_official_schedule(year)})
    where = decision.calendar.loc if decision.calendar else calendar.calendar.country.loc
    return [
        NO_HOLIDAY_DATA.at(
            where,
            f"the timeline of '{decision.id}' reaches {year}, for which the "
            f"holidays library has no official {calendar.calendar.country.id} schedule yet (make-up "
            "workdays are published late in the previous year); dates in it may move",
        )
        for year in years
    ]


def promise_words(decision: Decision, calendar: BusinessCalendar | None, today: dt.date) -> str:
    """'3-7 business days': the promise over every path, in one unit (SPEC section 8)."""
    try:
        found = promise(decision, calendar, today)
    except TimelineError:
        return ""
    return promise_text(found, ENGLISH) if found else ""


def timeline_text(result: Timeline, fastest: Timeline, slowest: Timeline, promised: str, zone: str) -> str:
    lines = [f"{result.decision.title} ({result.decision.id})", f"received  {_when(result.start)} {zone}"]
    for item in result.stages:
        mark = "  <- the answer" if item is result.answer and item is not result.stages[-1] else ""
        lines.append(
            f"  {item.stage.title} ({item.stage.id}), {duration_text(item.stage.within, ENGLISH)}: "
            f"due {_when(item.due)}  [{', '.join(m.id for m in item.stage.who.members)}]{mark}"
        )
    lines.append(f"answer by {_when(result.due)} {zone}: {result.answer.stage.title}")
    if promised:
        lines.append(f"promise: {promised}")
    if fastest.due != slowest.due:
        lines.append(f"(any path: between {_when(fastest.due)} and {_when(slowest.due)})")
    return "\n".join(lines)


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %a %H:%M:%S %z")


def who_data(
    org: Organisation, decision: Decision, values: Mapping[str, object], today: dt.date, promised: str = ""
) -> dict[str, Any]:
    """Stage by stage: who decides, the people behind each role today, stand-ins and escalation."""
    try:
        stages = path_for(decision, values)
        complete = True
    except TimelineError:
        stages = list(decision.stages.values())
        complete = False
    return {
        "decision": decision.id,
        "today": today.isoformat(),
        "path_known": complete,
        "promise": promised,
        "stages": [_stage_who(org, stage, today) for stage in stages],
    }


def _stage_who(org: Organisation, stage: Stage, today: dt.date) -> dict[str, Any]:
    return {
        "id": stage.id,
        "title": stage.title,
        "within": duration_text(stage.within, ENGLISH),
        "mode": stage.who.mode.value,
        "needed": stage.who.needed,
        "who": [_party(org, m.id, today) for m in stage.who.members],
        "escalate_to": _party(org, stage.escalate_to.id, today) if stage.escalate_to else None,
    }


def _party(org: Organisation, party: str, today: dt.date) -> dict[str, Any]:
    person = org.people.get(party)
    if person is not None:
        return {"id": party, "kind": "person", "name": person.name, "away": person.is_away(today)}
    role = org.roles[party]
    standing = queries.stand_in(org, role, today)
    return {
        "id": party,
        "kind": "role",
        "title": role.title,
        "holders": [{"id": p.id, "name": p.name, "away": p.is_away(today)} for p in queries.holders(org, role)],
        "standing_in": list(standing.backups),
        # the people who will act, by name, and the backup that brings them in
        "stand_ins": [
            {"id": person, "name": org.people[person].name, "through": via[1] if len(via) > 1 else None}
            for person, via in (queries.acting_people(org, party, today).items() if not standing.present else ())
        ],
    }


def who_text(data: dict[str, Any]) -> str:
    lines = [f"{data['decision']} on {data['today']}"]
    if not data["path_known"]:
        lines.append("(every stage: give the inputs with --set to see one request's path)")
    if data.get("promise"):
        lines.append(f"promise: {data['promise']}")
    for stage in data["stages"]:
        how = how_many_of(WhoMode(stage["mode"]), stage["needed"], ENGLISH)
        lines.append(f"{stage['title']} ({stage['id']}), within {stage['within']}{': ' + how if how else ''}")
        for party in stage["who"]:
            lines.append(f"  {_party_text(party)}")
        if stage["escalate_to"]:
            lines.append(f"  if late: {_party_text(stage['escalate_to'])}")
    return "\n".join(lines)


def _party_text(party: dict[str, Any]) -> str:
    if party["kind"] == "person":
        return f"{party['name']} ({party['id']})" + (" - away today, nobody stands in" if party["away"] else "")
    people = ", ".join(f"{h['name']} ({h['id']}){' - away' if h['away'] else ''}" for h in party["holders"])
    text = f"{party['title']} ({party['id']}): {people or 'nobody holds this role'}"
    if party["stand_ins"]:
        names = ", ".join(
            f"{s['name']} ({s['id']}{', through ' + s['through'] if s['through'] and s['through'] != s['id'] else ''})"
            for s in party["stand_ins"]
        )
        text += f"; standing in: {names}"
    elif party["standing_in"]:
        text += f"; standing in: {', '.join(party['standing_in'])}"
    return text


def approves_data(org: Organisation, party: str, today: dt.date) -> dict[str, Any]:
    """Everything a person or role approves, owns or is escalated to: directly, through each
    role a person holds, and as a backup (also through a role they hold that is a backup);
    whether they stand in on ``today``."""
    via: list[tuple[str | None, str]] = [(None, party)]
    own_roles = [role.id for role in queries.roles_of(org, org.people[party])] if party in org.people else []
    via += [(role_id, role_id) for role_id in own_roles]
    via += [(f"backup for {role.id}", role.id) for role in queries.backup_for(org, party)]
    for own in own_roles:
        via += [(f"backup for {role.id} (through {own})", role.id) for role in queries.backup_for(org, own)]
    items = []
    for reason, acting_as in via:
        backup = reason is not None and reason.startswith("backup for ")
        standing_in_today = backup and bool(
            party in org.people
            and party in queries.acting_people(org, acting_as, today)
            and not queries.stand_in(org, org.roles[acting_as], today).present
        )
        for duty in queries.duties(org, acting_as):
            items.append(
                {
                    "decision": duty.decision.id,
                    "decision_title": duty.decision.title,
                    "stage": duty.stage.id if duty.stage else None,
                    "stage_title": duty.stage.title if duty.stage else None,
                    "within": duty.stage.within.text if duty.stage else None,
                    "kind": duty.kind,
                    "as": reason,
                    "standing_in_today": standing_in_today,
                }
            )
    kind = "person" if party in org.people else "role"
    name = org.people[party].name if kind == "person" else org.roles[party].title
    return {"id": party, "kind": kind, "name": name, "today": today.isoformat(), "duties": items}


def approves_text(data: dict[str, Any]) -> str:
    lines = [f"{data['name']} ({data['id']}, {data['kind']}) on {data['today']}"]
    if not data["duties"]:
        lines.append("  approves nothing")
    for item in data["duties"]:
        where = f"{item['decision_title']} ({item['decision']})"
        if item["stage"]:
            where += f" > {item['stage_title']} ({item['stage']}), within {item['within']}"
        role = f" as {item['as']}" if item["as"] else ""
        today = " (standing in today)" if item["standing_in_today"] else ""
        lines.append(f"  {item['kind']}{role}{today}: {where}")
    return "\n".join(lines)
