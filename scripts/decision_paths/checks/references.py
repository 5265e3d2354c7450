"""Every id named must exist: roles and people, stages, inputs and calendars (DP2xx)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping

from decision_paths.checks.context import CheckContext, every_decision
from decision_paths.load.rules import MISSING_KEY
from decision_paths.model.findings import Finding, Rule, Severity
from decision_paths.model.organisation import Decision, Organisation, Person, Ref, Role
from decision_paths.model.suggest import did_you_mean

E = Severity.ERROR
UNKNOWN_ROLE = Rule("DP201", "unknown-role", E, "a role or person id that does not exist")
UNKNOWN_STAGE = Rule("DP202", "unknown-stage", E, "a stage id that does not exist in this decision")
UNKNOWN_CALENDAR = Rule("DP203", "unknown-calendar", E, "a calendar id that does not exist")
UNKNOWN_PERSON = Rule("DP204", "unknown-person", E, "a person id that does not exist")
INACTIVE_PERSON = Rule("DP205", "inactive-person", E, "a person marked active: false is still named")
ROLE_WITHOUT_HOLDER = Rule("DP206", "role-without-holder", E, "a role with no holder is named by a stage")
UNKNOWN_INPUT = Rule("DP207", "unknown-input", E, "a condition names an input the decision does not declare")
SELF_BACKUP = Rule("DP208", "self-backup", E, "a role named as its own backup")
# A warning: covering for each other is common and works (a stand-in is one level deep);
# the loop only leaves everyone waiting when all in it are away.
BACKUP_LOOP = Rule("DP211", "backup-loop", Severity.WARNING, "roles that name each other as backups, in a loop")
RESERVED_ID = Rule("DP209", "reserved-id", E, "an id that the site uses for a page of its own, such as index")
RULES = (
    MISSING_KEY,  # the format's rule, here for several calendars and no default one
    UNKNOWN_ROLE,
    UNKNOWN_STAGE,
    UNKNOWN_CALENDAR,
    UNKNOWN_PERSON,
    INACTIVE_PERSON,
    ROLE_WITHOUT_HOLDER,
    UNKNOWN_INPUT,
    SELF_BACKUP,
    RESERVED_ID,
    BACKUP_LOOP,
)

# Findings that only hold if every person, role and calendar was read.
_NEED_ALL_SHARED = {UNKNOWN_ROLE, UNKNOWN_PERSON, UNKNOWN_CALENDAR, MISSING_KEY}


def check(org: Organisation, context: CheckContext) -> Iterator[Finding]:
    found: Iterator[Finding] = itertools.chain(_shared(org), *(_decision(org, d) for d in every_decision(org)))
    if context.shared_incomplete:  # one broken shared file must not make every id look unknown
        found = (f for f in found if f.rule not in _NEED_ALL_SHARED)
    yield from found


def _shared(org: Organisation) -> Iterator[Finding]:
    for role in org.roles.values():
        for ref in role.held_by:
            person = org.people.get(ref.id)
            if person is None:
                yield UNKNOWN_PERSON.at(
                    ref.loc,
                    f"role '{role.id}' held_by names '{ref.id}', who is not in "
                    f"people{did_you_mean(ref.id, org.people)}",
                )
            elif not person.active:
                yield _inactive(ref, person.name, f"role '{role.id}' held_by")
        for ref in role.backup:
            yield from _party(org, ref, f"role '{role.id}' backup")
        yield from _self_backup(role)
        yield from _backup_loop(org, role)
    yield from _reserved_ids(org)
    default = org.defaults.calendar
    if default is not None and default.id not in org.calendars:
        yield _unknown_calendar(org, default, "defaults calendar")
    if default is None and len(org.calendars) > 1:
        second = list(org.calendars.values())[1]
        yield MISSING_KEY.at(
            second.loc,
            f"there are {len(org.calendars)} calendars but no default: add "
            f"defaults: {{calendar: {next(iter(org.calendars))}}} to a shared file",
        )


def _backup_loop(org: Organisation, role: Role) -> Iterator[Finding]:
    """Roles backing each other up in a loop (a -> b -> a): when the holders of both are away,
    each waits for the other, and whoever reads the roles cannot tell who acts."""
    for ref in role.backup:
        path = _loop_back(org, ref.id, role.id, (role.id,))
        if path is not None and min(path) == role.id:  # once per loop, at its first role
            yield BACKUP_LOOP.at(
                ref.loc,
                f"backups go round in a loop: {' -> '.join((*path, role.id))}; a stand-in is one level deep, so "
                "when all their holders are away nobody acts: name a backup outside the loop for one of them",
            )


def _loop_back(org: Organisation, current: str, start: str, path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The roles from ``start`` through ``current`` back to ``start`` by backups, if they loop."""
    if current == start:
        return path if len(path) > 1 else None  # a role as its own backup is DP208's
    role = org.roles.get(current)
    if role is None or current in path:
        return None
    for ref in role.backup:
        found = _loop_back(org, ref.id, start, (*path, current))
        if found is not None:
            return found
    return None


def _self_backup(role: Role) -> Iterator[Finding]:
    """A role named as its own backup: when its holders are away, it would wait for them."""
    for ref in role.backup:
        if ref.id == role.id:
            yield SELF_BACKUP.at(
                ref.loc,
                f"role '{role.id}' is named as its own backup: when its holders are away nobody would act; "
                "name a person or another role",
            )


RESERVED_IDS = ("index",)  # the list page of each kind (people/index.html, roles/index.html)


def _reserved_ids(org: Organisation) -> Iterator[Finding]:
    tables: tuple[tuple[str, Mapping[str, Person | Role | Decision]], ...] = (
        ("person", org.people),
        ("role", org.roles),
        ("decision", {**org.decisions, **org.partial_decisions}),
    )
    for kind, table in tables:
        for reserved in RESERVED_IDS:
            if reserved in table:
                yield RESERVED_ID.at(
                    table[reserved].loc,
                    f"'{reserved}' cannot be a {kind} id: the site uses it for the page listing every {kind}; "
                    f"choose another id, e.g. '{reserved}-{kind}'",
                )


def _decision(org: Organisation, decision: Decision) -> Iterator[Finding]:
    """Every id the decision names; in a decision read in part, only the parts read, and no
    stage or input called unknown that may be one that could not be read."""
    if "owner" not in decision.unread:
        yield from _party(org, decision.owner, "owner")
    if decision.calendar is not None:
        if decision.calendar.id not in org.calendars:
            yield _unknown_calendar(org, decision.calendar, "calendar")
    elif not org.calendars:
        yield UNKNOWN_CALENDAR.at(
            decision.loc,
            "no calendar is defined for working days and holidays: "
            "add one under calendars: in a shared file such as _calendars.yaml",
        )
    if "start" not in decision.unread:
        yield from _stage_named(decision, decision.start, "start")
    if decision.answer is not None:
        yield from _stage_named(decision, decision.answer, "answer")
    for stage in decision.stages.values():
        for member in stage.who.members:  # an unread who names nobody
            yield from _party(org, member, f"stage '{stage.id}' who")
            role = org.roles.get(member.id)
            if role is not None and not role.held_by:
                yield ROLE_WITHOUT_HOLDER.at(
                    member.loc,
                    f"stage '{stage.id}' is decided by role "
                    f"'{role.id}', but nobody holds that role: add people to its held_by",
                )
        if stage.escalate_to is not None:
            yield from _party(org, stage.escalate_to, f"stage '{stage.id}' escalate_to")
        for target in stage.successors():
            yield from _stage_named(decision, target, f"stage '{stage.id}' next")
        for other in stage.independent_of:
            yield from _stage_named(decision, other, f"stage '{stage.id}' independent_of")
        inputs_known = "inputs" not in decision.unread
        for branch in stage.branches:
            for condition in branch.conditions:
                name = condition.input.id
                if inputs_known and name not in decision.inputs and name not in decision.unread_inputs:
                    declared = ", ".join(decision.inputs) or "none are declared"
                    yield UNKNOWN_INPUT.at(
                        condition.input.loc,
                        f"stage '{stage.id}' branches on "
                        f"'{name}', which is not one of the decision's inputs ({declared})"
                        f"{did_you_mean(name, [*decision.inputs, *decision.unread_inputs])}",
                    )


def _stage_named(decision: Decision, ref: Ref, where: str) -> Iterator[Finding]:
    """DP202 for a stage id that is not a stage, unless it may be one that could not be read."""
    if ref.id in decision.stages or ref.id in decision.unread_stages or "stages" in decision.unread:
        return
    yield _unknown_stage(decision, ref, where)


def _party(org: Organisation, ref: Ref, where: str) -> Iterator[Finding]:
    """A who/owner/escalate_to/backup id: a role, or a person who has not left."""
    if ref.id in org.roles:
        return
    person = org.people.get(ref.id)
    if person is None:
        known = [*org.roles, *org.people]
        yield UNKNOWN_ROLE.at(
            ref.loc,
            f"{where} names '{ref.id}', which is neither a role nor a person{did_you_mean(ref.id, known)}",
        )
    elif not person.active:
        yield _inactive(ref, person.name, where)


def _inactive(ref: Ref, name: str, where: str) -> Finding:
    return INACTIVE_PERSON.at(
        ref.loc,
        f"{where} names '{ref.id}' ({name}), who has left (active: false); name a role or a current colleague instead",
    )


def _unknown_calendar(org: Organisation, ref: Ref, where: str) -> Finding:
    known = ", ".join(org.calendars) or "none are defined"
    return UNKNOWN_CALENDAR.at(
        ref.loc,
        f"{where} '{ref.id}' is not a calendar ({known}){did_you_mean(ref.id, org.calendars)}",
    )


def _unknown_stage(decision: Decision, ref: Ref, where: str) -> Finding:
    return UNKNOWN_STAGE.at(
        ref.loc,
        f"{where} '{ref.id}' is not a stage of this decision"
        f"{did_you_mean(ref.id, [*decision.stages, *decision.unread_stages])}",
    )
