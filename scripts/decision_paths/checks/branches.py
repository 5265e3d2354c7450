"""Branches: conditions fit their inputs, every input is used, and the
coverage rule holds exactly (DP303-DP307).

Coverage is decided exactly, not by sampling: each number input is split at
every threshold its conditions use, so one value per piece (each threshold,
one value between neighbours, one below and one above all) stands for every
number in that piece. Choices take every option, yes-no both values. Every
combination of those values is tested against every branch.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from decimal import Decimal

from decision_paths.checks import CheckContext
from decision_paths.checks.suggest import did_you_mean
from decision_paths.findings import Finding, finding
from decision_paths.model import (
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
)

MAX_COMBINATIONS = 1_000_000


def check(org: Organisation, context: CheckContext) -> Iterator[Finding]:
    for decision in org.decisions.values():
        used: set[str] = set()
        for stage in decision.stages.values():
            if not stage.branches:
                continue
            problems = [p for branch in stage.branches for c in branch.conditions for p in _condition(decision, c)]
            yield from problems
            used.update(c.input.id for branch in stage.branches for c in branch.conditions)
            unknown_input = any(c.input.id not in decision.inputs for b in stage.branches for c in b.conditions)
            if not problems and not unknown_input:
                yield from _coverage(decision, stage)
        for item in decision.inputs.values():
            if item.id not in used:
                yield finding(
                    "unused-input",
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
        yield finding(
            "condition-type",
            condition.loc,
            f'{name} is a number: write a comparison such as ">=10000" or "=5" (quoted), or a list of them',
        )
    elif item.type is InputType.YES_NO and not isinstance(test, YesNoTest):
        yield finding("condition-type", condition.loc, f"{name} is a yes-no input: write true or false")
    elif item.type is InputType.CHOICE:
        if not isinstance(test, ChoiceTest):
            yield finding(
                "condition-type",
                condition.loc,
                f"{name} is a choice: name one of its options ({', '.join(item.options)}) or a list of them",
            )
            return
        for option in test.options:
            if option.id not in item.options:
                yield finding(
                    "unknown-option",
                    option.loc,
                    f"'{option.id}' is not an option of {name} "
                    f"({', '.join(item.options)}){did_you_mean(option.id, item.options)}",
                )


def _coverage(decision: Decision, stage: Stage) -> Iterator[Finding]:
    input_ids = list(dict.fromkeys(c.input.id for b in stage.branches for c in b.conditions))
    inputs = [decision.inputs[i] for i in input_ids]
    values = [_representatives(item, stage.branches) for item in inputs]
    combinations = 1
    for candidates in values:
        combinations *= len(candidates)
    if combinations > MAX_COMBINATIONS:
        yield finding(
            "invalid-value",
            stage.next_loc or stage.loc,
            f"stage '{stage.id}' branches on "
            f"{len(inputs)} inputs with {combinations} combinations to check; split it into stages "
            "that each decide on fewer inputs",
        )
        return
    whens = [b for b in stage.branches if not b.otherwise]
    has_otherwise = len(whens) < len(stage.branches)
    gap_reported = False
    overlaps: set[tuple[int, int]] = set()
    for combination in itertools.product(*values):
        cell = dict(zip(input_ids, combination, strict=True))
        matching = [b for b in whens if b.matches(cell)]
        if not matching and not has_otherwise and not gap_reported:
            gap_reported = True
            yield finding(
                "branch-gap",
                stage.next_loc or stage.loc,
                f"stage '{stage.id}': {_describe(inputs, cell)} "
                "matches no branch, so nobody owns such a request; add a branch for it or an "
                "'otherwise' item",
            )
        for first, second in itertools.combinations(matching, 2):
            pair = (first.loc.line, second.loc.line)
            if pair not in overlaps:
                overlaps.add(pair)
                yield finding(
                    "branch-overlap",
                    second.loc,
                    f"stage '{stage.id}': {_describe(inputs, cell)} matches "
                    f"two branches (lines {first.loc.line} and {second.loc.line}); make their "
                    "conditions exclude each other",
                )


def _representatives(item: Input, branches: Sequence[Branch]) -> list[object]:
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
    points: list[object] = [thresholds[0] - 1]
    for low, high in itertools.pairwise(thresholds):
        points += [low, _between(low, high)]
    points += [thresholds[-1], thresholds[-1] + 1]
    return points


def _between(low: Decimal, high: Decimal) -> Decimal:
    """A value strictly between two thresholds, a whole number when one fits."""
    middle = ((low + high) / 2).to_integral_value()
    return middle if low < middle < high else (low + high) / 2


def _describe(inputs: list[Input], cell: dict[str, object]) -> str:
    return ", ".join(f"{item.id} = {_show(cell[item.id])}" for item in inputs)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)
