"""How long a decision may take from start to answer: fastest and slowest over every path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from decision_paths.model.organisation import Decision
from decision_paths.model.units import UNITS, Duration, Unit, plain_number

# Nominal hours only order paths whose units differ; dates come from timelines.
_UNIT_ORDER = tuple(spec.unit for spec in sorted(UNITS, key=lambda spec: spec.sum_order))


@dataclass(frozen=True, slots=True)
class Allowance:
    """The time a path may take: an amount per unit, e.g. 5 business days + 4 business hours."""

    amounts: tuple[tuple[Unit, Decimal], ...] = ()

    @classmethod
    def of(cls, duration: Duration) -> Allowance:
        return cls(((duration.unit, duration.amount),))

    def __add__(self, other: Allowance) -> Allowance:
        totals = dict(self.amounts)
        for unit, amount in other.amounts:
            totals[unit] = totals.get(unit, Decimal(0)) + amount
        return Allowance(tuple((u, totals[u]) for u in _UNIT_ORDER if u in totals))

    @property
    def nominal_hours(self) -> Decimal:
        return sum((u.spec.nominal_hours * a for u, a in self.amounts), Decimal(0))

    def __str__(self) -> str:
        return self.describe()

    def describe(self, unit_name: Callable[[str], str] = str) -> str:
        return " + ".join(_amount(a, u, unit_name) for u, a in self.amounts) or "0"


@dataclass(frozen=True, slots=True)
class Promise:
    fastest: Allowance
    slowest: Allowance

    def __str__(self) -> str:
        return self.describe()

    def describe(self, unit_name: Callable[[str], str] = str) -> str:
        """'3-7 business days' when both ends use one unit, else 'fastest – slowest'.

        ``unit_name`` turns an English unit ('business days') into the reader's words.
        """
        if self.fastest == self.slowest:
            return self.fastest.describe(unit_name)
        if len(self.fastest.amounts) == len(self.slowest.amounts) == 1:
            (unit_a, low), (unit_b, high) = self.fastest.amounts[0], self.slowest.amounts[0]
            if unit_a is unit_b:
                return f"{_number(low)}-{_amount(high, unit_a, unit_name)}"
        return f"{self.fastest.describe(unit_name)} – {self.slowest.describe(unit_name)}"


def _number(amount: Decimal) -> str:
    return plain_number(amount)


def _amount(amount: Decimal, unit: Unit, unit_name: Callable[[str], str] = str) -> str:
    return f"{_number(amount)} {unit_name(unit.spec.name(amount))}"


def promise(decision: Decision) -> Promise | None:
    """Fastest and slowest total allowance over every path from start to a final stage."""
    if decision.start.id not in decision.stages:
        return None
    memo: dict[str, tuple[Allowance, Allowance]] = {}
    order = _reverse_topological(decision)
    for stage_id in order:
        stage = decision.stages[stage_id]
        own = Allowance.of(stage.within)
        tails = [memo[t.id] for t in stage.successors() if t.id in memo]
        if not tails:
            memo[stage_id] = (own, own)
            continue
        fastest = min((t[0] for t in tails), key=lambda a: a.nominal_hours)
        slowest = max((t[1] for t in tails), key=lambda a: a.nominal_hours)
        memo[stage_id] = (own + fastest, own + slowest)
    if decision.start.id not in memo:
        return None
    return Promise(*memo[decision.start.id])


def _reverse_topological(decision: Decision) -> list[str]:
    """Stages so that each comes after all stages it leads to (valid decisions have no loops)."""
    done: list[str] = []
    seen: set[str] = set()
    for root in decision.stages:
        stack = [(root, iter(decision.stages[root].successors()))]
        if root in seen:
            continue
        seen.add(root)
        while stack:
            stage_id, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                done.append(stage_id)
            elif child.id in decision.stages and child.id not in seen:
                seen.add(child.id)
                stack.append((child.id, iter(decision.stages[child.id].successors())))
    return done
