"""People and roles: who holds a role, who stands in today, what each party does.
Pure functions; the site planner and the query commands both use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from decision_paths.model.organisation import Decision, Organisation, Person, Role, Stage


def holders(org: Organisation, role: Role) -> list[Person]:
    return [org.people[r.id] for r in role.held_by if r.id in org.people]


@dataclass(frozen=True, slots=True)
class StandIn:
    """Who acts for a role on a day: its holders who are in, else its backups."""

    present: tuple[Person, ...]
    away: tuple[Person, ...]
    backups: tuple[str, ...]  # role or person ids acting because every holder is away

    @property
    def covered(self) -> bool:
        return bool(self.present or self.backups)


def stand_in(org: Organisation, role: Role, day: dt.date) -> StandIn:
    people = [p for p in holders(org, role) if p.active]
    present = tuple(p for p in people if not p.is_away(day))
    away = tuple(p for p in people if p.is_away(day))
    backups: tuple[str, ...] = ()
    if not present:
        backups = tuple(r.id for r in role.backup if can_act(org, r.id, day, through_backup=False))
    return StandIn(present, away, backups)


def can_act(org: Organisation, party: str, day: dt.date | None, through_backup: bool = True) -> bool:
    """Whether a person or role can approve on ``day`` (None: as if nobody were away).

    The one stand-in rule: a person can who has not left and is not away; a role can
    through a holder who can or, failing that, through a backup who can. Backups stand
    in only for the role's own holders, one level deep, so a role listed as its own
    backup (or two roles backing each other) cannot loop."""
    person = org.people.get(party)
    if person is not None:
        return person.active and (day is None or not person.is_away(day))
    role = org.roles.get(party)
    if role is None:
        return False
    if any(can_act(org, ref.id, day, through_backup=False) for ref in role.held_by):
        return True
    return through_backup and any(can_act(org, ref.id, day, through_backup=False) for ref in role.backup)


@dataclass(frozen=True, slots=True)
class Duty:
    """One thing a role or person does in a decision."""

    decision: Decision
    stage: Stage | None  # None for owning the whole decision
    kind: str  # "approves", "escalation", "owns"


def duties(org: Organisation, party: str) -> Iterator[Duty]:
    """Everything a role or person approves, is escalated to, or owns, in decision and stage order."""
    return iter(duties_by_party(org).get(party, ()))


def duties_by_party(org: Organisation) -> dict[str, list[Duty]]:
    """``duties`` for every role and person at once, in one pass over the decisions."""
    found: dict[str, list[Duty]] = {}
    for decision in org.decisions.values():
        found.setdefault(decision.owner.id, []).append(Duty(decision, None, "owns"))
        for stage in decision.stages.values():
            for member in dict.fromkeys(m.id for m in stage.who.members):
                found.setdefault(member, []).append(Duty(decision, stage, "approves"))
            if stage.escalate_to is not None:
                found.setdefault(stage.escalate_to.id, []).append(Duty(decision, stage, "escalation"))
    return found


def roles_of(org: Organisation, person: Person) -> list[Role]:
    return [role for role in org.roles.values() if any(r.id == person.id for r in role.held_by)]


def backup_for(org: Organisation, party: str) -> list[Role]:
    return [role for role in org.roles.values() if any(r.id == party for r in role.backup)]


# ------------------------------------------------------------------ who acts, and through what

# How a person comes to act for a party: () named directly; (role,) a holder of the
# role; (role, backup) standing in for the role's holders as (or through) its backup.
Via = tuple[str, ...]


def possible_actors(org: Organisation, party: str) -> dict[str, Via]:
    """Everyone who could ever act for a person or role, absences aside: its holders, then
    its backups (a backup role through its holders), each with how they are joined to it."""
    if party in org.people:
        return {party: ()}
    role = org.roles.get(party)
    if role is None:
        return {}
    found: dict[str, Via] = {ref.id: (role.id,) for ref in role.held_by if ref.id in org.people}
    for backup in role.backup:
        for person in _people_of(org, backup.id):
            found.setdefault(person, (role.id, backup.id))
    return found


def acting_people(org: Organisation, party: str, day: dt.date) -> dict[str, Via]:
    """Who would act for a person or role on ``day``, by the stand-in rule: holders who can,
    else backups who can (``can_act``); each with how they are joined to it."""
    if party in org.people:
        return {party: ()} if can_act(org, party, day) else {}
    role = org.roles.get(party)
    if role is None:
        return {}
    present: dict[str, Via] = {
        ref.id: (role.id,) for ref in role.held_by if can_act(org, ref.id, day, through_backup=False)
    }
    if present:
        return present
    found: dict[str, Via] = {}
    for backup in role.backup:
        for person in _people_of(org, backup.id):
            if can_act(org, person, day):
                found.setdefault(person, (role.id, backup.id))
    return found


def _people_of(org: Organisation, party: str) -> list[str]:
    if party in org.people:
        return [party]
    role = org.roles.get(party)
    return [ref.id for ref in role.held_by if ref.id in org.people] if role is not None else []
