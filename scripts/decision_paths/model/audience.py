"""The one place where the client audience is cut out of the model (SPEC section 7).

Everything built for clients (pages, search index, sitemap, calculator data)
is planned from ``client_view(org)``, never from the full model, so nothing
internal can reach a client page by accident: it is simply not there.

Kept for clients: decisions with ``audience: client``, their title, summary,
client_notes, inputs (clients answer them in the calculator), each stage's
title and within, the titles of client-visible roles named in ``who`` and
``escalate_to``, outcomes, and calendars (for the promise). An internal stage
becomes "Internal review" with its time; an internal role or a person becomes
"Internal team". Dropped: people, does, notes, owners, review dates,
categories, internal decisions, internal stage and role titles and ids.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from decision_paths.model.findings import Loc
from decision_paths.model.organisation import (
    Audience,
    Decision,
    Organisation,
    Ref,
    Role,
    Stage,
    Visibility,
    Who,
    WhoMode,
)

INTERNAL_TEAM = "internal-team"
_NOWHERE = Loc("")


def client_view(org: Organisation, words: Mapping[str, str]) -> Organisation:
    visible_roles = {rid for rid, role in org.roles.items() if role.visibility is Visibility.CLIENT}
    decisions = {
        d.id: _decision(d, visible_roles, words) for d in org.decisions.values() if d.audience is Audience.CLIENT
    }
    named = {
        m.id
        for d in decisions.values()
        for s in d.stages.values()
        for m in (*s.who.members, *((s.escalate_to,) if s.escalate_to else ()))
    }
    roles = {
        rid: Role(rid, _NOWHERE, org.roles[rid].title) for rid in org.roles if rid in named and rid in visible_roles
    }
    roles[INTERNAL_TEAM] = Role(INTERNAL_TEAM, _NOWHERE, words["internal_team"])
    used_calendars = {c.id for d in decisions.values() if (c := org.calendar_for(d)) is not None}
    calendars = {cid: cal for cid, cal in org.calendars.items() if cid in used_calendars}
    return Organisation(
        people={}, roles=roles, calendars=calendars, defaults=org.defaults, decisions=decisions, files=()
    )


def _decision(decision: Decision, visible_roles: set[str], words: Mapping[str, str]) -> Decision:
    internal = [s.id for s in decision.stages.values() if s.visibility is Visibility.INTERNAL]
    renamed = {sid: f"internal-review-{n}" for n, sid in enumerate(internal, 1)}

    def stage_ref(ref: Ref) -> Ref:
        return Ref(renamed.get(ref.id, ref.id), _NOWHERE)

    def party(ref: Ref) -> Ref:
        return Ref(ref.id if ref.id in visible_roles else INTERNAL_TEAM, _NOWHERE)

    stages = {}
    for stage in decision.stages.values():
        client_stage = _stage(stage, stage_ref, party, words)
        stages[client_stage.id] = client_stage
    return Decision(
        id=decision.id,
        file="",
        loc=_NOWHERE,
        category="",
        title=decision.title,
        summary=decision.summary,
        owner=Ref(INTERNAL_TEAM, _NOWHERE),
        start=stage_ref(decision.start),
        stages=stages,
        audience=Audience.CLIENT,
        calendar=decision.calendar,
        inputs=decision.inputs,
        client_notes=decision.client_notes,
    )


def _stage(stage: Stage, stage_ref, party, words: Mapping[str, str]) -> Stage:  # type: ignore[no-untyped-def]
    internal = stage.visibility is Visibility.INTERNAL
    if internal:
        who = Who(WhoMode.ONE, (Ref(INTERNAL_TEAM, _NOWHERE),), 1, _NOWHERE)
    else:
        members = tuple({p.id: p for p in map(party, stage.who.members)}.values())
        mode = stage.who.mode if len(members) > 1 else WhoMode.ONE
        who = Who(mode, members, min(stage.who.needed, len(members)), _NOWHERE)
    branches = tuple(dataclasses.replace(b, go=stage_ref(b.go), loc=_NOWHERE) for b in stage.branches)
    return Stage(
        id=stage_ref(Ref(stage.id, _NOWHERE)).id,
        loc=_NOWHERE,
        title=words["internal_review"] if internal else stage.title,
        who=who,
        within=stage.within,
        escalate_to=party(stage.escalate_to) if stage.escalate_to and not internal else None,
        visibility=stage.visibility,
        next_stage=stage_ref(stage.next_stage) if stage.next_stage else None,
        branches=branches,
        outcomes=stage.outcomes,
    )
