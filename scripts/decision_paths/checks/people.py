"""People and roles in use: idle people, empty roles, stages nobody can approve today (DP403-DP405)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from decision_paths.checks.context import CheckContext, every_decision
from decision_paths.model.findings import Finding, Rule, Severity
from decision_paths.model.organisation import Organisation, Stage, WhoMode
from decision_paths.model.people import can_act

W = Severity.WARNING
IDLE_PERSON = Rule("DP403", "idle-person", W, "a person who holds no role and approves nothing")
APPROVERS_AWAY = Rule("DP404", "approvers-away", W, "every approver of a stage is away today and nobody stands in")
EMPTY_ROLE = Rule("DP405", "empty-role", W, "a role with no holder (not yet named by any stage)")
RULES = (IDLE_PERSON, APPROVERS_AWAY, EMPTY_ROLE)


def check(org: Organisation, context: CheckContext) -> Iterator[Finding]:
    named_by_stages = {m.id for d in org.decisions.values() for s in d.stages.values() for m in s.who.members}
    if not context.incomplete:
        yield from _idle_people(org, named_by_stages)
        for role in org.roles.values():
            if not role.held_by and role.id not in named_by_stages:
                yield EMPTY_ROLE.at(
                    role.loc,
                    f"role '{role.id}' has no holder; add people to held_by before a stage names it",
                )
    for decision in every_decision(org):
        for stage in decision.stages.values():
            found = None if "who" in stage.unread else _nobody_available(org, stage, context.today)
            if found:
                yield found


def _idle_people(org: Organisation, named_by_stages: set[str]) -> Iterator[Finding]:
    approving = set(named_by_stages)
    for role in org.roles.values():
        approving.update(ref.id for ref in role.held_by)
        approving.update(ref.id for ref in role.backup)
    for person in org.people.values():
        if person.active and person.id not in approving:
            yield IDLE_PERSON.at(
                person.loc,
                f"{person.name} ('{person.id}') holds no role and approves "
                "nothing: give them a role, or mark them active: false if they have left",
            )


def _nobody_available(org: Organisation, stage: Stage, today: dt.date) -> Finding | None:
    """Warn only when absence is the reason: people who left, empty roles and
    unknown ids make a stage unapprovable too, but those are errors of their own."""
    available = [can_act(org, m.id, today) for m in stage.who.members]
    if sum(available) >= stage.who.needed:
        return None
    if sum(can_act(org, m.id, None) for m in stage.who.members) < stage.who.needed:
        return None
    missing = [m.id for m, ok in zip(stage.who.members, available, strict=True) if not ok]
    one = stage.who.mode is WhoMode.ONE
    what = f"'{missing[0]}' is" if one else f"{', '.join(repr(m) for m in missing)} are"
    return APPROVERS_AWAY.at(
        stage.who.loc,
        f"on {today} stage '{stage.id}' cannot be approved: {what} "
        "away and nobody stands in; add a backup to the role or name another approver",
    )
