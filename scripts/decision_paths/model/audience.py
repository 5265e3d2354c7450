"""The one place where each site's audience is decided (SPEC section 7).

``SITES`` says, per audience, which pages the site has, which configuration
file it reads, whether the repository's own docs go in, and what its change
history shows; ``site_view`` and ``site_history`` cut the model and the
history for it. Nothing downstream asks which audience it is building for.

For clients: everything built for them (pages, search index, sitemap, calculator data)
is planned from ``client_view(org)``, never from the full model, so nothing
internal can reach a client page by accident: it is simply not there.

Kept for clients: decisions with ``audience: client``, their title, summary,
client_notes, the answer stage, the site's client contact, inputs (clients
answer them in the calculator), each stage's title and within, the titles of client-visible roles named in ``who`` and
``escalate_to``, outcomes, and calendars (for the promise). An internal stage
becomes "Internal review" with its time; an internal role or a person becomes
"Internal team". Dropped: people, does, notes, owners, review dates,
categories, internal decisions, internal stage and role titles and ids.

Of the case record (``site_record``), clients get only the quarterly counts of their
decisions: no case id, person, reason, stage figure or percentile, no rate below
MIN_CASES_CLIENT cases.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass

from decision_paths.model.cases import MIN_CASES_CLIENT, NO_PERCENTILES, DecisionFigures, Measured, SiteRecord
from decision_paths.model.findings import Loc
from decision_paths.model.history import ChangeNote, History
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
from decision_paths.model.tracking import TrackedCase

INTERNAL_TEAM = "internal-team"
_NOWHERE = Loc("")


class PageKind(enum.Enum):
    HOME = "home"
    DECISION = "decision"  # stages, people behind them, diagram, calculator, history
    CLIENT_DECISION = "client-decision"  # steps, promise, calculator, client history
    ROLE = "role"
    PERSON = "person"
    ROLES = "roles"
    PEOPLE = "people"
    MATRIX = "matrix"
    REVIEW = "review"
    CHANGES = "changes"
    REFERENCE = "reference"  # the format and command references
    CALENDARS = "calendars"  # the working days behind every promise, year by year
    # From the case record (SPEC 11), when the site has one:
    PROMISES_KEPT = "promises-kept"  # per decision: on-time rates, percentiles, bottleneck, trend
    OVERDUE = "overdue"  # open cases and stages past due now, and who can act
    HIDDEN_RULES = "hidden-rules"  # conformance: where what happens is not what is written
    TRACKING = "tracking"  # one encrypted page per open or recent case, outside the nav (client site)


class RecordShown(enum.Enum):
    """What a site shows of the case record."""

    ALL = "all"  # every figure, stage by stage, the overdue cases and the deviations
    PUBLISHED = "published"  # the decisions' quarterly figures only, none below MIN_CASES_CLIENT


@dataclass(frozen=True, slots=True)
class Site:
    audience: Audience
    pages: tuple[PageKind, ...]
    config_files: tuple[str, ...]  # the first that exists is read, else the built-in settings
    own_docs: bool  # the repository's docs/ pages go in (they are written for editors)
    diagrams: bool
    authors: bool  # the history shows who made each change and why
    record: RecordShown = RecordShown.PUBLISHED


SITES: Mapping[Audience, Site] = {
    Audience.INTERNAL: Site(
        Audience.INTERNAL,
        (
            PageKind.DECISION,
            PageKind.ROLE,
            PageKind.PERSON,
            PageKind.ROLES,
            PageKind.PEOPLE,
            PageKind.MATRIX,
            PageKind.REVIEW,
            PageKind.CHANGES,
            PageKind.HOME,
            PageKind.REFERENCE,
            PageKind.CALENDARS,
            PageKind.PROMISES_KEPT,
            PageKind.OVERDUE,
            PageKind.HIDDEN_RULES,
        ),
        ("mkdocs.yml",),
        own_docs=True,
        diagrams=True,
        authors=True,
        record=RecordShown.ALL,
    ),
    # Clients get generated pages only: docs/ is for editors and may show internal details.
    Audience.CLIENT: Site(
        Audience.CLIENT,
        (PageKind.CLIENT_DECISION, PageKind.CHANGES, PageKind.HOME, PageKind.CALENDARS, PageKind.TRACKING),
        ("mkdocs.client.yml", "mkdocs.yml"),
        own_docs=False,
        diagrams=False,
        authors=False,
        record=RecordShown.PUBLISHED,
    ),
}


def site_view(org: Organisation, audience: Audience, words: Mapping[str, str]) -> Organisation:
    """The model one site is planned from: all of it, or the client view."""
    return org if audience is Audience.INTERNAL else client_view(org, words)


def site_record(
    record: SiteRecord, audience: Audience, view: Organisation, words: Mapping[str, str] | None = None
) -> SiteRecord:
    """The record as one site shows it. For clients: only the quarterly figures of the
    decisions on their site (``view``), whole-decision counts only (no stage, no percentile,
    no case id, person or reason), and no rate below MIN_CASES_CLIENT cases; and the
    tracked cases of those decisions with internal stages as "Internal review"."""
    if SITES[audience].record is RecordShown.ALL:
        return dataclasses.replace(record, measured=dataclasses.replace(record.measured, tracked=()))
    quarters = {p.label for p in record.quarters}
    figures = tuple(
        DecisionFigures(
            decision=f.decision,
            period=f.period,
            cases=f.cases,
            on_time=f.on_time,
            late=f.late,
            open_late=f.open_late,
            open=f.open,
            withdrawn=f.withdrawn,
            left_out=0,
            on_time_rate=f.on_time_rate if f.on_time + f.late + f.open_late >= MIN_CASES_CLIENT else None,
            working_hours=NO_PERCENTILES,
            paused=f.paused,
        )
        for f in record.measured.figures
        if f.decision in view.decisions and f.period in quarters
    )
    internal_title = (words or {}).get("internal_review", "Internal review")
    tracked = tuple(_client_tracked(t, internal_title) for t in record.measured.tracked if t.decision in view.decisions)
    measured = Measured(as_of=record.measured.as_of, rules=record.measured.rules, figures=figures, tracked=tracked)
    return SiteRecord(measured, record.zone, (), record.quarters)


def _client_tracked(case: TrackedCase, internal_title: str) -> TrackedCase:
    """A tracked case as its client sees it: internal stages renamed ``internal-review-N``
    with the title "Internal review", in the steps and in the events. The case id stays:
    it derives the page's address and key, and is never written to the page."""
    internal = [s.stage for s in case.steps if s.internal]
    renamed = {stage: f"internal-review-{n}" for n, stage in enumerate(internal, 1)}
    steps = tuple(
        dataclasses.replace(s, stage=renamed[s.stage], title=internal_title) if s.internal else s for s in case.steps
    )
    shown = {s.stage for s in case.steps}
    events = tuple(
        dataclasses.replace(e, stage=renamed.get(e.stage, e.stage) if e.stage is not None else None)
        for e in case.events
        # an event at a stage the path does not pass (conformance's business) names nothing to clients
        if e.stage is None or e.stage in shown
    )
    return dataclasses.replace(case, steps=steps, events=events)


def site_history(history: History, audience: Audience, view: Organisation) -> tuple[ChangeNote, ...]:
    """The history as one site shows it, newest first: for clients, only the client lines
    of decisions on the client site, without authors or commit messages."""
    authors = SITES[audience].authors
    notes = []
    for entry in history.entries:
        lines = entry.internal if authors else entry.client
        if not authors and (not lines or entry.subject not in view.decisions):
            continue
        notes.append(
            ChangeNote(
                entry.commit.sha,
                entry.commit.when,
                entry.subject,
                entry.title,
                lines,
                entry.commit.author if authors else None,
                entry.commit.message if authors else None,
            )
        )
    return tuple(notes)


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
        people={},
        roles=roles,
        calendars=calendars,
        defaults=org.defaults,
        decisions=decisions,
        files=(),
        client_contact=org.client_contact,
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
        answer=stage_ref(decision.answer) if decision.answer else None,
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
        outcome_labels=stage.outcome_labels,
        pausable=stage.pausable,
    )
