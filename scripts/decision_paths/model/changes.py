"""Semantic diff: what changed between two versions of the model, in its own terms.

Only meaning is compared (ids, texts, durations, who, branches), never
positions or formatting, so moving keys, quoting or comments changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from decision_paths.model.organisation import (
    Branch,
    Calendar,
    ChoiceTest,
    Decision,
    NumberTest,
    Organisation,
    Person,
    Role,
    Stage,
    Who,
)
from decision_paths.model.phrasing import how_many_of
from decision_paths.model.words import words

ENGLISH = words("en")  # change lines are in English until they follow the page's language


@dataclass(frozen=True, slots=True)
class Change:
    subject: str  # the decision id, or "roles"/"people"/"calendars" for shared data
    text: str  # one line a reader understands

    def __str__(self) -> str:
        return self.text


def who_text(who: Who, names: Mapping[str, str] | None = None) -> str:
    members = ", ".join((names or {}).get(m.id, m.id) for m in who.members)
    how = how_many_of(who.mode, who.needed, ENGLISH)
    return f"{how} [{members}]" if how else members


def branch_text(branch: Branch) -> str:
    if branch.otherwise:
        return f"otherwise -> {branch.go.id}"
    conditions = []
    for condition in branch.conditions:
        test = condition.test
        if isinstance(test, NumberTest):
            value = " and ".join(str(c) for c in test.comparisons)
            conditions.append(f"{condition.input.id} {value}")
        elif isinstance(test, ChoiceTest):
            conditions.append(f"{condition.input.id} = {' / '.join(o.id for o in test.options)}")
        else:
            conditions.append(f"{condition.input.id} = {'yes' if test.value else 'no'}")
    return f"when {', '.join(conditions)} -> {branch.go.id}"


def next_text(stage: Stage) -> str:
    if stage.next_stage is not None:
        return stage.next_stage.id
    return "; ".join(branch_text(b) for b in stage.branches) or "(final)"


def _label(stage: Stage) -> str:
    return f"{stage.title} ({stage.id})"


def decision_changes(
    old: Decision | None, new: Decision | None, names: Mapping[str, str] | None = None
) -> list[Change]:
    """What changed in one decision; ``names`` turns role/person ids into what readers call them."""
    if old is None:
        return [Change(new.id, f"decision added: {new.title} ({new.id})")] if new else []
    if new is None:
        return [Change(old.id, f"decision removed: {old.title} ({old.id})")]
    return [Change(new.id, text) for text in _decision_lines(old, new, names or {})]


def _changed(what: str, before: object, after: object) -> Iterator[str]:
    if before != after:
        yield f"{what}: {_or_none(before)} -> {_or_none(after)}"


def _or_none(value: object) -> object:
    return value if value not in (None, "") else "(none)"


def _decision_lines(old: Decision, new: Decision, names: Mapping[str, str]) -> Iterator[str]:
    if old.id != new.id:
        yield f"renamed: {old.id} -> {new.id}"
    if old.category != new.category:
        yield f"moved: {old.category or '(top level)'} -> {new.category or '(top level)'}"
    yield from _changed("title", old.title, new.title)
    if old.summary != new.summary:
        yield "summary reworded"
    yield from _changed("owner", names.get(old.owner.id, old.owner.id), names.get(new.owner.id, new.owner.id))
    yield from _changed("audience", old.audience.value, new.audience.value)
    yield from _changed(
        "calendar", old.calendar.id if old.calendar else None, new.calendar.id if new.calendar else None
    )
    yield from _changed("start", old.start.id, new.start.id)
    review_old = old.review_every.text if old.review_every else None
    review_new = new.review_every.text if new.review_every else None
    yield from _changed("review every", review_old, review_new)
    for input_id in [*old.inputs, *(i for i in new.inputs if i not in old.inputs)]:
        before, after = old.inputs.get(input_id), new.inputs.get(input_id)
        if before is None:
            yield f"input added: {after.label} ({input_id})"  # type: ignore[union-attr]
        elif after is None:
            yield f"input removed: {before.label} ({input_id})"
        elif (before.label, before.type, before.options) != (after.label, after.type, after.options):
            yield f"input changed: {input_id}"
    for stage_id in [*old.stages, *(s for s in new.stages if s not in old.stages)]:
        before_stage, after_stage = old.stages.get(stage_id), new.stages.get(stage_id)
        if before_stage is not None and after_stage is not None:
            yield from _stage_lines(before_stage, after_stage, names)
        elif after_stage is not None:
            who = who_text(after_stage.who, names)
            yield f"stage added: {_label(after_stage)}, {who}, within {after_stage.within.text}"
        elif before_stage is not None:
            yield f"stage removed: {_label(before_stage)}"
    if old.notes != new.notes:
        yield "notes changed"
    if old.client_notes != new.client_notes:
        yield "client notes changed"


def _stage_lines(old: Stage, new: Stage, names: Mapping[str, str]) -> Iterator[str]:
    label = _label(new)
    if old.title != new.title:
        yield f"{label}: title {old.title} -> {new.title}"
    if who_text(old.who, names) != who_text(new.who, names):
        yield f"{label}: {who_text(old.who, names)} -> {who_text(new.who, names)}"
    if (old.within.amount, old.within.unit) != (new.within.amount, new.within.unit):
        yield f"{label}: within {old.within} -> {new.within}"
    escalation_old = names.get(old.escalate_to.id, old.escalate_to.id) if old.escalate_to else None
    escalation_new = names.get(new.escalate_to.id, new.escalate_to.id) if new.escalate_to else None
    yield from (f"{label}: {line}" for line in _changed("escalate to", escalation_old, escalation_new))
    yield from (f"{label}: {line}" for line in _changed("visibility", old.visibility.value, new.visibility.value))
    if next_text(old) != next_text(new):
        yield f"{label}: next {next_text(old)} -> {next_text(new)}"
    if old.outcomes != new.outcomes:
        yield f"{label}: outcomes {', '.join(old.outcomes) or '(none)'} -> {', '.join(new.outcomes) or '(none)'}"
    if old.does != new.does:
        yield f"{label}: what the approver does changed"


def shared_changes(old: Organisation, new: Organisation) -> list[Change]:
    """Changes to roles, people and calendars."""
    found: list[Change] = []
    found += _table_changes("role", old.roles, new.roles, _role_lines)
    found += _table_changes("person", old.people, new.people, _person_lines)
    found += _table_changes("calendar", old.calendars, new.calendars, _calendar_lines)
    return found


def _table_changes(kind: str, old: Mapping, new: Mapping, lines) -> list[Change]:  # type: ignore[type-arg,no-untyped-def]
    subject = {"role": "roles", "person": "people", "calendar": "calendars"}[kind]
    found = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key not in new:
            found.append(Change(subject, f"{kind} removed: {key}"))
        elif key not in old:
            found.append(Change(subject, f"{kind} added: {key}"))
        else:
            found += [Change(subject, f"{kind} {key}: {line}") for line in lines(old[key], new[key])]
    return found


def _ids(refs) -> str:  # type: ignore[no-untyped-def]
    return ", ".join(r.id for r in refs) or "(nobody)"


def _role_lines(old: Role, new: Role) -> Iterator[str]:
    yield from _changed("title", old.title, new.title)
    yield from _changed("held by", _ids(old.held_by), _ids(new.held_by))
    yield from _changed("backup", _ids(old.backup), _ids(new.backup))
    yield from _changed("visibility", old.visibility.value, new.visibility.value)


def _person_lines(old: Person, new: Person) -> Iterator[str]:
    yield from _changed("name", old.name, new.name)
    yield from _changed("active", old.active, new.active)
    away_old = f"{old.away.start}..{old.away.until}" if old.away else None
    away_new = f"{new.away.start}..{new.away.until}" if new.away else None
    yield from _changed("away", away_old, away_new)


def _calendar_lines(old: Calendar, new: Calendar) -> Iterator[str]:
    yield from _changed("country", old.country.id, new.country.id)
    yield from _changed(
        "subdivision", old.subdivision.id if old.subdivision else None, new.subdivision.id if new.subdivision else None
    )
    yield from _changed("timezone", old.timezone.id, new.timezone.id)
    yield from _changed("hours", str(old.hours), str(new.hours))
    yield from _changed("workdays", sorted(old.workdays), sorted(new.workdays))
    yield from _changed("closed", sorted(map(str, old.closed)), sorted(map(str, new.closed)))
    yield from _changed("open", sorted(map(str, old.open)), sorted(map(str, new.open)))


def organisation_changes(old: Organisation, new: Organisation) -> list[Change]:
    """Everything that changed between two versions of a decisions folder."""
    names = {**{p.id: p.name for p in new.people.values()}, **{r.id: r.id for r in new.roles.values()}}
    found: list[Change] = []
    old_by_id, new_by_id = dict(old.decisions), dict(new.decisions)  # keyed by the id to compare under
    for decision_id in [*old_by_id, *(d for d in new_by_id if d not in old_by_id)]:
        found += decision_changes(old_by_id.get(decision_id), new_by_id.get(decision_id), names)
    return found + shared_changes(old, new)
