"""How the rules read in words, in the reader's language: who must approve, conditions,
absences and promises. Pages, diagrams and answers all phrase these here.

``words`` is a language's table from ``model.words``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from decision_paths.model.organisation import (
    Branch,
    ChoiceTest,
    Condition,
    Decision,
    Input,
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
            labels = (item.option_label(o.id) if item else o.id for o in test.options)
            parts.append(f"{name} = {' / '.join(labels)}")
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
    """'5-7 个工作日', '8 business hours': one unit, one way of writing a range."""
    singular, plural = found.unit.spec.word_keys
    unit = words[singular if found.single and found.high == 1 else plural]
    if found.single:
        return f"{plain_number(found.high)} {unit}"
    return f"{plain_number(found.low)}-{plain_number(found.high)} {unit}"


# ---------------------------------------------------------------- short conditions (diagram labels)

Bound = tuple[Decimal, bool]  # a number, and whether it belongs to the range
_AT_LEAST, _AT_MOST, _DASH = "\u2265", "\u2264", "\u2013"


def number_text(value: Decimal) -> str:
    """A number with thousands separators, every digit written kept: 10000 -> '10,000',
    -1234.50 -> '-1,234.5'."""
    text = plain_number(value)
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, fraction = digits.partition(".")
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")


def range_text(low: Bound | None, high: Bound | None, unit: str | None = None, *, exact: bool = False) -> str:
    """A range of numbers, short: '≥ 10,000', '< 2,000', '= 5', and a two-sided range of
    whole numbers as the whole numbers in it, '10,000–49,999' (for >= 10000 and < 50000).
    ``exact`` keeps both comparisons as written ('≥ 10,000, < 50,000'): for tooltips, where
    an amount such as 49,999.5 must not look left out."""
    parts = []
    if low is not None and high is not None and low[1] and high[1] and low[0] == high[0]:
        parts.append(f"= {number_text(low[0])}")
    elif low is not None and high is not None and not exact and _whole(low[0]) and _whole(high[0]):
        first = low[0] if low[1] else low[0] + 1
        last = high[0] if high[1] else high[0] - 1
        if first == last:
            parts.append(f"= {number_text(first)}")
        elif first < last:
            parts.append(f"{number_text(first)}–{number_text(last)}")
    if not parts:
        if low is not None:
            parts.append(f"{'≥' if low[1] else '>'} {number_text(low[0])}")
        if high is not None:
            parts.append(f"{'≤' if high[1] else '<'} {number_text(high[0])}")
    text = ", ".join(parts)
    return f"{text} {unit}" if unit and text else text


def _whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


def number_bounds(test: NumberTest) -> tuple[Bound | None, Bound | None] | None:
    """The range a number test allows, as (lowest, highest); None when nothing passes."""
    low: Bound | None = None
    high: Bound | None = None
    for c in test.comparisons:
        if c.operator in (">", ">=", "="):
            bound = (c.value, c.operator != ">")
            if low is None or bound[0] > low[0] or (bound[0] == low[0] and not bound[1]):
                low = bound
        if c.operator in ("<", "<=", "="):
            bound = (c.value, c.operator != "<")
            if high is None or bound[0] < high[0] or (bound[0] == high[0] and not bound[1]):
                high = bound
    if low is not None and high is not None and (low[0] > high[0] or (low[0] == high[0] and not (low[1] and high[1]))):
        return None
    return low, high


def answer_text(item: Input | None, test: NumberTest | ChoiceTest | YesNoTest, words: Mapping[str, str]) -> str:
    """One condition's answer, short and without the question: '≥ 10,000', '10,000–49,999',
    an option's label ('Fixed price / Time and materials' for several), 'yes'."""
    if isinstance(test, NumberTest):
        bounds = number_bounds(test)
        if bounds is None:  # contradictory comparisons: shown as written
            return ", ".join(f"{c.operator} {number_text(c.value)}" for c in test.comparisons)
        return range_text(*bounds, item.unit if item else None)
    if isinstance(test, ChoiceTest):
        return " / ".join(item.option_label(o.id) if item else o.id for o in test.options)
    return words["yes"] if test.value else words["no"]


def short_condition(condition: Condition, decision: Decision, words: Mapping[str, str]) -> str:
    """A condition as a diagram's edge says it, without the question: see ``answer_text``."""
    return answer_text(decision.inputs.get(condition.input.id), condition.test, words)


def short_branch(branch: Branch, decision: Decision, words: Mapping[str, str]) -> str:
    """A branch's conditions, short: the answer alone for one condition ('≥ 10,000'), each
    answer after its question for several ('Effort: ≤ 20; Repeat client: yes'), 'otherwise'."""
    if branch.otherwise:
        return words["otherwise"]
    if len(branch.conditions) == 1:
        return short_condition(branch.conditions[0], decision, words)
    parts = []
    for condition in branch.conditions:
        item = decision.inputs.get(condition.input.id)
        parts.append(f"{item.label if item else condition.input.id}: {short_condition(condition, decision, words)}")
    return "; ".join(parts)
