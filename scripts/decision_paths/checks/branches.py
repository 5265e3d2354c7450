"""Branches: conditions fit their inputs, every input is used, and the
coverage rule holds exactly (DP303-DP307).

Coverage is decided exactly, not by sampling: each number input is split at
every threshold its conditions use, so one value per piece (each threshold,
one value between neighbours, one below and one above all) stands for every
number in that piece; choices take every option, yes-no both values. Two
branches overlap when, input by input, some value passes both; a gap is found
by splitting on one input at a time, skipping what a branch covers whole. No
combination of all the inputs is ever listed, so many inputs cost little.
"""

from __future__ import annotations

import decimal
import itertools
from collections.abc import Iterator, Sequence
from decimal import Decimal

from decision_paths.checks.context import CheckContext, every_decision
from decision_paths.load.rules import CONDITION_TYPE
from decision_paths.model.findings import Finding, Rule, Severity, excerpt
from decision_paths.model.organisation import (
    Branch,
    ChoiceTest,
    Condition,
    Decision,
    Input,
    InputType,
    NumberTest,
    Organisation,
    Stage,
    YesNoTest,
    plain_number,
)
from decision_paths.model.suggest import did_you_mean

E = Severity.ERROR
BRANCH_GAP = Rule("DP303", "branch-gap", E, "some combination of inputs matches no branch")
BRANCH_OVERLAP = Rule("DP304", "branch-overlap", E, "some combination of inputs matches two branches")
UNKNOWN_OPTION = Rule("DP306", "unknown-option", E, "a condition names an option its choice input does not have")
UNUSED_INPUT = Rule("DP307", "unused-input", E, "an input that no branch uses")
# condition-type is also found by the loader (a yes-no condition written as a list)
RULES = (BRANCH_GAP, BRANCH_OVERLAP, CONDITION_TYPE, UNKNOWN_OPTION, UNUSED_INPUT)


def check(org: Organisation, context: CheckContext) -> Iterator[Finding]:
    for decision in every_decision(org):
        # Each condition is judged on its own; coverage and use need the decision whole.
        whole = decision.complete
        used: set[str] = set()
        for stage in decision.stages.values():
            if not stage.branches:
                continue
            problems = [p for branch in stage.branches for c in branch.conditions for p in _condition(decision, c)]
            yield from problems
            used.update(c.input.id for branch in stage.branches for c in branch.conditions)
            unknown_input = any(c.input.id not in decision.inputs for b in stage.branches for c in b.conditions)
            if whole and not problems and not unknown_input:
                yield from _coverage(decision, stage)
        if not whole:
            continue
        for item in decision.inputs.values():
            if item.id not in used:
                yield UNUSED_INPUT.at(
                    item.loc,
                    f"input '{item.id}' is declared but no branch uses it: use it in a 'when' or remove it",
                )


def _condition(decision: Decision, condition: Condition) -> Iterator[Finding]:
    item = decision.inputs.get(condition.input.id)
    if item is None:
        return  # an unknown input is reported by the references check
    test = condition.test
    name = f"'{item.id}'"
    if item.type is InputType.NUMBER and not isinstance(test, NumberTest):
        yield CONDITION_TYPE.at(
            condition.loc,
            f'{name} is a number: write a comparison such as ">=10000" or "=5" (quoted), or a list of them',
        )
    elif item.type is InputType.YES_NO and not isinstance(test, YesNoTest):
        yield CONDITION_TYPE.at(condition.loc, f"{name} is a yes-no input: write true or false")
    elif item.type is InputType.CHOICE:
        if isinstance(test, YesNoTest) and (meant := _options_read_as(test.value, item.options)):
            yield CONDITION_TYPE.at(
                condition.loc,
                f"{name} is a choice, but YAML reads an unquoted {' or '.join(meant)} as "
                f"{'true' if test.value else 'false'}; quote the option: "
                + " or ".join(f'{{{item.id}: "{option}"}}' for option in meant),
            )
            return
        if not isinstance(test, ChoiceTest):
            yield CONDITION_TYPE.at(
                condition.loc,
                f"{name} is a choice: name one of its options ({_options(item)}) or a list of them",
            )
            return
        for option in test.options:
            if option.id not in item.options:
                yield UNKNOWN_OPTION.at(
                    option.loc,
                    f"'{option.id}' is not an option of {name} "
                    f"({_options(item)}){did_you_mean(option.id, item.options)}",
                )


# The words YAML 1.1 (and so PyYAML) reads as true or false when they are not quoted.
_YAML_TRUE, _YAML_FALSE = {"yes", "on", "true"}, {"no", "off", "false"}


def _options_read_as(value: bool, options: Sequence[str]) -> list[str]:
    """The options someone probably meant where YAML turned the unquoted word into ``value``."""
    words = _YAML_TRUE if value else _YAML_FALSE
    return [option for option in options if option.lower() in words]


def _coverage(decision: Decision, stage: Stage) -> Iterator[Finding]:
    input_ids = list(dict.fromkeys(c.input.id for b in stage.branches for c in b.conditions))
    inputs = [decision.inputs[i] for i in input_ids]
    values = [_representatives(item, stage.branches) for item in inputs]
    whens = [b for b in stage.branches if not b.otherwise]
    # For each branch and input: which representative values it lets through.
    allowed = [
        [_allowed(branch, item.id, candidates) for item, candidates in zip(inputs, values, strict=True)]
        for branch in whens
    ]
    if len(whens) == len(stage.branches):  # no 'otherwise': every combination needs a branch
        gap = _first_gap(allowed, [len(v) for v in values])
        if gap is not None:
            cell = {item.id: values[n][index] for n, (item, index) in enumerate(zip(inputs, gap, strict=True))}
            yield BRANCH_GAP.at(
                stage.next_loc or stage.loc,
                f"stage '{stage.id}': {_describe(inputs, cell)} "
                "matches no branch, so nobody owns such a request; add a branch for it or an "
                "'otherwise' item",
            )
    for (first, first_allowed), (second, second_allowed) in itertools.combinations(zip(whens, allowed, strict=True), 2):
        common = [a & b for a, b in zip(first_allowed, second_allowed, strict=True)]
        if all(common):
            cell = {item.id: values[n][min(common[n])] for n, item in enumerate(inputs)}
            yield BRANCH_OVERLAP.at(
                second.loc,
                f"stage '{stage.id}': {_describe(inputs, cell)} matches "
                f"two branches (lines {first.loc.line} and {second.loc.line}); make their "
                "conditions exclude each other",
            )


def _allowed(branch: Branch, input_id: str, candidates: Sequence[object]) -> frozenset[int]:
    tests = [c.test for c in branch.conditions if c.input.id == input_id]
    return frozenset(n for n, value in enumerate(candidates) if all(t.matches(value) for t in tests))


def _first_gap(allowed: list[list[frozenset[int]]], sizes: list[int]) -> tuple[int, ...] | None:
    """The first combination (in the order of the inputs and their values) that no branch
    lets through, or None. Splits on one input at a time; a part that some branch
    covers whole, or that was already found covered, is not looked into again."""
    inputs = len(sizes)
    everything = [frozenset(range(size)) for size in sizes]
    # covers_rest[b][d]: branch b lets through every value of inputs d and after
    covers_rest = [[all(a[k] == everything[k] for k in range(d, inputs)) for d in range(inputs + 1)] for a in allowed]
    covered: set[tuple[int, frozenset[int]]] = set()

    def search(depth: int, alive: frozenset[int]) -> tuple[int, ...] | None:
        if not alive:
            return tuple(0 for _ in range(depth, inputs))  # nothing matches: any rest will do
        if depth == inputs or any(covers_rest[b][depth] for b in alive) or (depth, alive) in covered:
            return None
        for value in range(sizes[depth]):
            found = search(depth + 1, frozenset(b for b in alive if value in allowed[b][depth]))
            if found is not None:
                return (value, *found)
        covered.add((depth, alive))
        return None

    return search(0, frozenset(range(len(allowed))))


def _representatives(item: Input, branches: Sequence[Branch]) -> list[object]:
    """One value for each piece of the input's range that the branches cannot tell apart."""
    if item.type is InputType.YES_NO:
        return [True, False]
    if item.type is InputType.CHOICE:
        return list(item.options)
    thresholds = sorted(
        {
            comparison.value
            for branch in branches
            for condition in branch.conditions
            if condition.input.id == item.id and isinstance(condition.test, NumberTest)
            for comparison in condition.test.comparisons
        }
    )
    if not thresholds:
        return [Decimal(0)]
    # Exact arithmetic on the numbers as written, however many digits they have.
    # digits from the largest integer part (at least the 1 added below) to the smallest decimal place
    largest = max(0, *(t.adjusted() for t in thresholds))
    digits = largest - min(0, *(int(t.as_tuple().exponent) for t in thresholds)) + 4
    with decimal.localcontext(decimal.Context(prec=max(digits, 28), traps=[decimal.Inexact])):
        points: list[object] = [thresholds[0] - 1]
        for low, high in itertools.pairwise(thresholds):
            points += [low, _between(low, high)]
        points += [thresholds[-1], thresholds[-1] + 1]
    return points


def _between(low: Decimal, high: Decimal) -> Decimal:
    """A value strictly between two thresholds, a whole number when one fits."""
    middle = ((low + high) / 2).to_integral_value(rounding=decimal.ROUND_FLOOR)
    return middle if low < middle < high else (low + high) / 2


def _options(item: Input) -> str:
    return ", ".join(excerpt(option) for option in item.options)


def _describe(inputs: list[Input], cell: dict[str, object]) -> str:
    return ", ".join(f"{item.id} = {_show(cell[item.id])}" for item in inputs)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain_number(value)
    return excerpt(str(value))
