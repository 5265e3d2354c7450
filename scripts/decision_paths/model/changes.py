"""Semantic diff: what changed between two versions of the model, in its own terms.

Only meaning is compared (ids, texts, durations, who, branches), never
positions or formatting, so moving keys, quoting or comments changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from decision_paths.model.organisation import (
    Branch,
    Calendar,
    ChoiceTest,
    Decision,
    Input,
    NumberTest,
    Organisation,
    Person,
    Ref,
    Role,
    Stage,
    Who,
)
from decision_paths.model.phrasing import condition_text, duration_text, how_many_of
from decision_paths.model.units import Duration
from decision_paths.model.words import words as language_words

T = TypeVar("T")

ENGLISH = language_words("en")  # `decision-paths diff` speaks English; the sites pass their language's words


@dataclass(frozen=True, slots=True)
class Change:
    subject: str  # the decision id, or "roles"/"people"/"calendars" for shared data
    text: str  # one line a reader understands

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Naming:
    """What the lines call the things they name. For editors (``decision-paths diff``): the ids
    they write, a title beside each. For readers (the sites' history, ``readers``): only what
    the pages call them: role titles, person names, stage and category titles, input and
    option labels."""

    parties: Mapping[str, str] = field(default_factory=dict)  # role or person id -> title or name
    categories: Mapping[str, str] = field(default_factory=dict)  # category folder -> title
    readers: bool = False

    @classmethod
    def for_readers(cls, *orgs: Organisation) -> Naming:
        """The names of ``orgs``' roles, people and categories; a later organisation's win."""
        parties: dict[str, str] = {}
        categories: dict[str, str] = {}
        for org in orgs:
            parties |= {p.id: p.name for p in org.people.values()} | {r.id: r.title for r in org.roles.values()}
            categories |= dict(org.categories)
        return cls(parties, categories, readers=True)

    def party(self, party: str) -> str:
        return self.parties.get(party, party)


def who_text(who: Who, names: Mapping[str, str] | None = None, words: Mapping[str, str] = ENGLISH) -> str:
    members = ", ".join((names or {}).get(m.id, m.id) for m in who.members)
    how = how_many_of(who.mode, who.needed, words)
    return f"{how} [{members}]" if how else members


def decision_changes(
    old: Decision | None,
    new: Decision | None,
    naming: Naming | None = None,
    words: Mapping[str, str] = ENGLISH,
) -> list[Change]:
    """What changed in one decision, in ``words``' language, naming things as ``naming`` says
    (by default: ids, as editors write them)."""
    lines = _Lines(words, naming or Naming())
    if old is None:
        return [Change(new.id, words["change_decision_added"].format(name=lines.titled(new)))] if new else []
    if new is None:
        return [Change(old.id, words["change_decision_removed"].format(name=lines.titled(old)))]
    return [Change(new.id, text) for text in lines.decision(old, new)]


class _Lines:
    """The lines of one comparison, phrased in one language."""

    def __init__(self, words: Mapping[str, str], naming: Naming):
        self.w = words
        self.naming = naming
        self.readers = naming.readers

    def changed(self, what: str, before: object, after: object) -> Iterator[str]:
        if before != after:
            yield self.w["change_field"].format(what=self.w[what], old=self.or_none(before), new=self.or_none(after))

    def or_none(self, value: object) -> object:
        return value if value not in (None, "") else self.w["change_none"]

    def name(self, party: str) -> str:
        return self.naming.party(party)

    def titled(self, decision: Decision) -> str:
        return decision.title if self.readers else f"{decision.title} ({decision.id})"

    def stage_label(self, stage: Stage) -> str:
        return stage.title if self.readers else f"{stage.title} ({stage.id})"

    def stage_ref(self, decision: Decision, stage_id: str) -> str:
        """A stage another field names: its id for editors, its title for readers."""
        stage = decision.stages.get(stage_id)
        return stage.title if self.readers and stage is not None else stage_id

    def category(self, category: str) -> str:
        if not category:
            return self.w["change_top_level"]
        return self.naming.categories.get(category, category) if self.readers else category

    def input_name(self, item: Input) -> str:
        return item.label if self.readers else f"{item.label} ({item.id})"

    def branch(self, branch: Branch, decision: Decision) -> str:
        w = self.w
        go = self.stage_ref(decision, branch.go.id)
        if branch.otherwise:
            return w["change_otherwise"].format(go=go)
        if self.readers:  # as the decision page says it: labels, not ids
            return w["change_when"].format(conditions=condition_text(branch, decision, w), go=go)
        conditions = []
        for condition in branch.conditions:
            test = condition.test
            if isinstance(test, NumberTest):
                value = w["change_and"].join(str(c) for c in test.comparisons)
                conditions.append(f"{condition.input.id} {value}")
            elif isinstance(test, ChoiceTest):
                conditions.append(f"{condition.input.id} = {' / '.join(o.id for o in test.options)}")
            else:
                conditions.append(f"{condition.input.id} = {w['yes'] if test.value else w['no']}")
        return w["change_when"].format(conditions=", ".join(conditions), go=go)

    def next(self, stage: Stage, decision: Decision) -> str:
        if stage.next_stage is not None:
            return self.stage_ref(decision, stage.next_stage.id)
        return "; ".join(self.branch(b, decision) for b in stage.branches) or self.w["change_final"]

    def outcomes(self, stage: Stage) -> str:
        shown = (stage.outcome_label(o) if self.readers else o for o in stage.outcomes)
        return ", ".join(shown) or self.w["change_none"]

    def duration(self, duration: Duration | None) -> str | None:
        return duration_text(duration, self.w) if duration is not None else None

    def who(self, who: Who) -> str:
        return who_text(who, self.naming.parties, self.w)

    def audience(self, value: str) -> str:
        return self.w[f"change_{value}"]

    def decision(self, old: Decision, new: Decision) -> Iterator[str]:
        w = self.w
        if old.id != new.id:
            yield w["change_renamed"].format(old=old.id, new=new.id)
        if old.category != new.category:
            yield w["change_moved"].format(old=self.category(old.category), new=self.category(new.category))
        yield from self.changed("change_title", old.title, new.title)
        if old.summary != new.summary:
            yield w["change_summary"]
        yield from self.changed("change_owner", self.name(old.owner.id), self.name(new.owner.id))
        yield from self.changed("change_audience", self.audience(old.audience.value), self.audience(new.audience.value))
        yield from self.changed(
            "change_calendar", old.calendar.id if old.calendar else None, new.calendar.id if new.calendar else None
        )
        yield from self.changed("change_start", self.stage_ref(old, old.start.id), self.stage_ref(new, new.start.id))
        yield from self.changed("change_review_every", self.duration(old.review_every), self.duration(new.review_every))
        for input_id in [*old.inputs, *(i for i in new.inputs if i not in old.inputs)]:
            before, after = old.inputs.get(input_id), new.inputs.get(input_id)
            if before is None:
                yield w["change_input_added"].format(name=self.input_name(after))  # type: ignore[arg-type]
            elif after is None:
                yield w["change_input_removed"].format(name=self.input_name(before))
            elif (before.label, before.type, before.options) != (after.label, after.type, after.options):
                yield w["change_input_changed"].format(name=after.label if self.readers else input_id)
        for stage_id in [*old.stages, *(s for s in new.stages if s not in old.stages)]:
            before_stage, after_stage = old.stages.get(stage_id), new.stages.get(stage_id)
            if before_stage is not None and after_stage is not None:
                yield from self.stage(before_stage, after_stage, old, new)
            elif after_stage is not None:
                yield w["change_stage_added"].format(
                    stage=self.stage_label(after_stage),
                    who=self.who(after_stage.who),
                    within=self.duration(after_stage.within),
                )
            elif before_stage is not None:
                yield w["change_stage_removed"].format(stage=self.stage_label(before_stage))
        if old.notes != new.notes:
            yield w["change_notes"]
        if old.client_notes != new.client_notes:
            yield w["change_client_notes"]

    def stage(self, old: Stage, new: Stage, old_decision: Decision, new_decision: Decision) -> Iterator[str]:
        w = self.w
        label = self.stage_label(new)
        lines: list[str] = []
        if old.title != new.title:
            lines.append(w["change_stage_title"].format(old=old.title, new=new.title))
        if self.who(old.who) != self.who(new.who):
            lines.append(f"{self.who(old.who)} -> {self.who(new.who)}")
        if (old.within.amount, old.within.unit) != (new.within.amount, new.within.unit):
            lines.append(w["change_stage_within"].format(old=self.duration(old.within), new=self.duration(new.within)))
        escalation_old = self.name(old.escalate_to.id) if old.escalate_to else None
        escalation_new = self.name(new.escalate_to.id) if new.escalate_to else None
        lines += self.changed("change_escalate_to", escalation_old, escalation_new)
        lines += self.changed(
            "change_visibility", self.audience(old.visibility.value), self.audience(new.visibility.value)
        )
        next_old, next_new = self.next(old, old_decision), self.next(new, new_decision)
        if next_old != next_new:
            lines.append(w["change_stage_next"].format(old=next_old, new=next_new))
        if self.outcomes(old) != self.outcomes(new):
            lines.append(w["change_stage_outcomes"].format(old=self.outcomes(old), new=self.outcomes(new)))
        if old.does != new.does:
            lines.append(w["change_stage_does"])
        for line in lines:
            yield w["change_in_stage"].format(stage=label, line=line)

    def parties(self, refs: tuple[Ref, ...]) -> str:
        return ", ".join(self.name(r.id) if self.readers else r.id for r in refs) or self.w["change_nobody"]

    def role(self, old: Role, new: Role) -> Iterator[str]:
        yield from self.changed("change_title", old.title, new.title)
        yield from self.changed("change_held_by", self.parties(old.held_by), self.parties(new.held_by))
        yield from self.changed("change_backup", self.parties(old.backup), self.parties(new.backup))
        yield from self.changed(
            "change_visibility", self.audience(old.visibility.value), self.audience(new.visibility.value)
        )

    def person(self, old: Person, new: Person) -> Iterator[str]:
        yield from self.changed("change_name", old.name, new.name)
        yes_no = {True: self.w["yes"], False: self.w["no"]}
        yield from self.changed("change_active", yes_no[bool(old.active)], yes_no[bool(new.active)])
        away_old = f"{old.away.start}..{old.away.until}" if old.away else None
        away_new = f"{new.away.start}..{new.away.until}" if new.away else None
        yield from self.changed("change_away", away_old, away_new)

    def calendar(self, old: Calendar, new: Calendar) -> Iterator[str]:
        yield from self.changed("change_country", old.country.id, new.country.id)
        yield from self.changed(
            "change_subdivision",
            old.subdivision.id if old.subdivision else None,
            new.subdivision.id if new.subdivision else None,
        )
        yield from self.changed("change_timezone", old.timezone.id, new.timezone.id)
        yield from self.changed("change_hours", str(old.hours), str(new.hours))
        yield from self.changed("change_workdays", sorted(old.workdays), sorted(new.workdays))
        yield from self.changed("change_closed", sorted(map(str, old.closed)), sorted(map(str, new.closed)))
        yield from self.changed("change_open", sorted(map(str, old.open)), sorted(map(str, new.open)))


def shared_changes(
    old: Organisation, new: Organisation, words: Mapping[str, str] = ENGLISH, *, readers: bool = False
) -> list[Change]:
    """Changes to roles, people and calendars, in ``words``' language: by id, or (``readers``)
    by the role's title and the person's name."""
    naming = Naming.for_readers(old, new) if readers else Naming()
    lines = _Lines(words, naming)
    found: list[Change] = []
    found += _table_changes("role", old.roles, new.roles, lines.role, words, naming)
    found += _table_changes("person", old.people, new.people, lines.person, words, naming)
    found += _table_changes("calendar", old.calendars, new.calendars, lines.calendar, words, Naming())
    return found


def _table_changes(
    kind: str,
    old: Mapping[str, T],
    new: Mapping[str, T],
    lines: Callable[[T, T], Iterator[str]],
    words: Mapping[str, str],
    naming: Naming,
) -> list[Change]:
    subject = {"role": "roles", "person": "people", "calendar": "calendars"}[kind]
    found = []
    for key in [*old, *(k for k in new if k not in old)]:
        name = naming.party(key) if naming.readers else key
        if key not in new:
            found.append(Change(subject, words[f"change_{kind}_removed"].format(name=name)))
        elif key not in old:
            found.append(Change(subject, words[f"change_{kind}_added"].format(name=name)))
        else:
            found += [
                Change(subject, words[f"change_{kind}_changed"].format(name=name, line=line))
                for line in lines(old[key], new[key])
            ]
    return found


def organisation_changes(old: Organisation, new: Organisation, words: Mapping[str, str] = ENGLISH) -> list[Change]:
    """Everything that changed between two versions of a decisions folder, for editors: by id,
    with people's names in ``who``."""
    naming = Naming({**{p.id: p.name for p in new.people.values()}, **{r.id: r.id for r in new.roles.values()}})
    found: list[Change] = []
    old_by_id, new_by_id = dict(old.decisions), dict(new.decisions)  # keyed by the id to compare under
    for decision_id in [*old_by_id, *(d for d in new_by_id if d not in old_by_id)]:
        found += decision_changes(old_by_id.get(decision_id), new_by_id.get(decision_id), naming, words)
    return found + shared_changes(old, new, words)
