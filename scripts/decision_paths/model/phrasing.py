"""How the rules read in words, in the reader's language: who must approve, conditions,
absences and promises. Pages, diagrams and answers all phrase these here.

``words`` is a language's table from ``model.words``.
"""

from __future__ import annotations

from collections.abc import Mapping

from decision_paths.model.organisation import (
    Branch,
    ChoiceTest,
    Decision,
    NumberTest,
    Person,
    Stage,
    WhoMode,
    YesNoTest,
)
from decision_paths.model.promise import Promise
from decision_paths.model.units import Duration, plain_number


def how_many(stage: Stage, words: Mapping[str, str]) -> str:
    """'all of', 'any of', 'at least 2 of' ('' for a single approver)."""
    return how_many_of(stage.who.mode, stage.who.needed, words)


def how_many_of(mode: WhoMode, needed: int, words: Mapping[str, str]) -> str:
    if mode is WhoMode.ONE:
        return ""
    key = {WhoMode.ALL: "all_of", WhoMode.ANY: "any_of"}.get(mode, "at_least_of")
    return words[key].format(n=needed)


def condition_text(branch: Branch, decision: Decision, words: Mapping[str, str]) -> str:
    """A branch's conditions in plain words: 'amount >= 10000; urgent = yes'."""
    if branch.otherwise:
        return words["otherwise"]
    parts = []
    for condition in branch.conditions:
        item = decision.inputs.get(condition.input.id)
        name = item.label if item else condition.input.id
        test = condition.test
        if isinstance(test, NumberTest):
            parts.append(", ".join(f"{name} {c}" for c in test.comparisons))
        elif isinstance(test, ChoiceTest):
            parts.append(f"{name} = {' / '.join(o.id for o in test.options)}")
        elif isinstance(test, YesNoTest):
            parts.append(f"{name} = {words['yes'] if test.value else words['no']}")
    return "; ".join(parts)


def away(person: Person, words: Mapping[str, str]) -> str:
    """'Away 2026-11-20 – 2026-12-04' ('' when no absence is planned)."""
    if person.away is None:
        return ""
    return words["away"].format(start=person.away.start, until=person.away.until)


def duration_text(duration: Duration, words: Mapping[str, str]) -> str:
    """A duration in the reader's words, whatever language the editor wrote it in:
    ``2 个工作日`` and ``2 business days`` both read "2 business days" on an English page."""
    singular, plural = duration.unit.spec.word_keys
    return f"{plain_number(duration.amount)} {words[singular if duration.amount == 1 else plural]}"


def promise_text(found: Promise, words: Mapping[str, str]) -> str:
    """The promise with each unit in the reader's words."""
    return found.describe(lambda unit: words.get(f"unit_{unit}", unit))
