"""Four eyes (SPEC section 4): nobody checks their own work, even as a stand-in.

- DP210: a person who can act at a stage and at one it is ``independent_of``
  (as a holder, named directly, or through a backup): an error.
- DP408: in the next 30 days, a stand-in would act at two stages of one path,
  or for two of the approvers one stage needs: a warning, even without
  ``independent_of``, because that is what four eyes usually means.
- DP409: a stage escalates to its own approver: nobody else hears of the delay.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator

from decision_paths.checks.context import CheckContext, every_decision
from decision_paths.model.findings import Finding, Rule, Severity
from decision_paths.model.organisation import Decision, Organisation, Stage, WhoMode
from decision_paths.model.people import Via, acting_people, possible_actors

FOUR_EYES = Rule(
    "DP210", "four-eyes", Severity.ERROR, "a person could act at a stage and at one it must be independent of"
)
STAND_IN_TWICE = Rule(
    "DP408", "stand-in-twice", Severity.WARNING, "in the next 30 days a stand-in would act twice on one request"
)
ESCALATES_TO_APPROVER = Rule(
    "DP409", "escalates-to-approver", Severity.WARNING, "a stage escalates to its own approver"
)
RULES = (FOUR_EYES, STAND_IN_TWICE, ESCALATES_TO_APPROVER)

LOOK_AHEAD_DAYS = 30


def check(org: Organisation, context: CheckContext) -> Iterator[Finding]:
    # Who acts for a party on a day is the same in every decision: worked out once per day.
    acting: dict[tuple[str, dt.date], dict[str, Via]] = {}
    days = _days_that_differ(org, context.today)
    for decision in every_decision(org):
        # Two stages named by independent_of, or one stage and its escalation, are judged
        # as read; who acts twice on one request needs its paths, so the decision whole.
        yield from _independence(org, decision)
        if decision.complete:
            yield from _stand_ins(org, decision, days, acting)
        for stage in decision.stages.values():
            yield from _escalation(org, stage)


def how(org: Organisation, via: Via) -> str:
    """How a person is joined to a party, in the words of a finding."""
    if not via:
        return "named directly"
    if len(via) == 1:
        return f"holds '{via[0]}'"
    return f"stands in for '{via[0]}' through its backup '{via[1]}'"


def _stage_people(stage: Stage, resolve: Callable[[str], dict[str, Via]]) -> dict[str, Via]:
    """Who acts at a stage, with how, by ``resolve`` (who could ever, or who would on a day)."""
    found: dict[str, Via] = {}
    for member in stage.who.members:
        for person, via in resolve(member.id).items():
            found.setdefault(person, via)
    return found


def _independence(org: Organisation, decision: Decision) -> Iterator[Finding]:
    for stage in decision.stages.values():
        if not stage.independent_of or "who" in stage.unread:
            continue
        here = _stage_people(stage, functools.partial(possible_actors, org))
        for ref in stage.independent_of:
            other = decision.stages.get(ref.id)
            if other is None or other.id == stage.id or "who" in other.unread:
                continue  # an unknown stage is DP202's; a stage cannot be independent of itself
            there = _stage_people(other, functools.partial(possible_actors, org))
            for person in sorted(here.keys() & there.keys()):
                name = org.people[person].name
                yield FOUR_EYES.at(
                    ref.loc,
                    f"four eyes: {name} ('{person}') could act at stage '{stage.id}' ({how(org, here[person])}) "
                    f"and at '{other.id}' ({how(org, there[person])}), which '{stage.id}' must be independent "
                    "of; give one of the roles another holder or backup",
                )


def _later(decision: Decision) -> dict[str, set[str]]:
    """For each stage, the stages a request can reach after it (loops are DP301's)."""
    later: dict[str, set[str]] = {}

    def reach(stage_id: str, seen: frozenset[str]) -> set[str]:
        if stage_id in later:
            return later[stage_id]
        stage = decision.stages.get(stage_id)
        found: set[str] = set()
        for ref in stage.successors() if stage is not None else ():
            if ref.id in decision.stages and ref.id not in seen:
                found |= {ref.id} | reach(ref.id, seen | {ref.id})
        later[stage_id] = found
        return found

    for stage_id in decision.stages:
        reach(stage_id, frozenset({stage_id}))
    return later


def _stand_ins(
    org: Organisation,
    decision: Decision,
    days: list[dt.date],
    acting_on: dict[tuple[str, dt.date], dict[str, Via]],
) -> Iterator[Finding]:
    later = _later(decision)
    independent = {(s.id, ref.id) for s in decision.stages.values() for ref in s.independent_of}
    reported: set[tuple[str, str, str]] = set()
    for day in days:
        today_acting = functools.partial(_acting_on, org, day, acting_on)
        acting = {s.id: _stage_people(s, today_acting) for s in decision.stages.values()}
        for stage in decision.stages.values():
            yield from _twice_in_one_stage(org, stage, day, reported, today_acting)
            for first_id in (s for s, after in later.items() if stage.id in after):
                if (stage.id, first_id) in independent:
                    continue  # DP210 says it, always, not only on the days it happens
                for person in sorted(acting[stage.id].keys() & acting[first_id].keys()):
                    first_via, then_via = acting[first_id][person], acting[stage.id][person]
                    key = (person, first_id, stage.id)
                    if key in reported or (len(first_via) < 2 and len(then_via) < 2):
                        continue  # the same holder at two stages is the path as written, not a stand-in
                    reported.add(key)
                    yield STAND_IN_TWICE.at(
                        stage.who.loc,
                        f"on {day} {org.people[person].name} ('{person}') would act at stage '{first_id}' "
                        f"({how(org, first_via)}) and then at '{stage.id}' ({how(org, then_via)}) of the same "
                        f"request; add independent_of: [{first_id}] to '{stage.id}' and give the role a backup "
                        "who does not act at both",
                    )


def _days_that_differ(org: Organisation, today: dt.date) -> list[dt.date]:
    """The days ahead on which a different set of people is away, each the first of its set:
    who acts depends on nothing else, and a finding is told on the first day it happens."""
    first_of: dict[frozenset[str], dt.date] = {}
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = today + dt.timedelta(days=offset)
        away = frozenset(person.id for person in org.people.values() if person.is_away(day))
        first_of.setdefault(away, day)
    return sorted(first_of.values())


def _acting_on(
    org: Organisation, day: dt.date, known: dict[tuple[str, dt.date], dict[str, Via]], party: str
) -> dict[str, Via]:
    found = known.get((party, day))
    if found is None:
        found = known[(party, day)] = acting_people(org, party, day)
    return found


def _twice_in_one_stage(
    org: Organisation,
    stage: Stage,
    day: dt.date,
    reported: set[tuple[str, str, str]],
    acting_on: Callable[[str], dict[str, Via]],
) -> Iterator[Finding]:
    """One person acting for two of the approvers a stage needs (all of, at least N of)."""
    if stage.who.mode not in (WhoMode.ALL, WhoMode.AT_LEAST):
        return
    seen: dict[str, str] = {}
    for member in stage.who.members:
        for person in acting_on(member.id):
            first = seen.setdefault(person, member.id)
            key = (person, stage.id, stage.id)
            if first != member.id and key not in reported:
                reported.add(key)
                yield STAND_IN_TWICE.at(
                    stage.who.loc,
                    f"on {day} {org.people[person].name} ('{person}') would act for both '{first}' and "
                    f"'{member.id}' at stage '{stage.id}', which needs them as different people; give one of "
                    "the roles a backup who is not the other",
                )


def _escalation(org: Organisation, stage: Stage) -> Iterator[Finding]:
    target = stage.escalate_to
    if target is None or "who" in stage.unread:
        return
    approvers = {m.id for m in stage.who.members}
    holders = {p for m in stage.who.members for p, via in possible_actors(org, m.id).items() if len(via) < 2}
    if target.id in approvers or (target.id in org.people and target.id in holders):
        yield ESCALATES_TO_APPROVER.at(
            target.loc,
            f"stage '{stage.id}' escalates to '{target.id}', who approves it: when it is late nobody else "
            "hears of it; escalate to the approver's manager",
        )
