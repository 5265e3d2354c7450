"""Paths must move forward and reach every stage: no loops, nothing unreachable (DP301, DP302)."""

from __future__ import annotations

from collections.abc import Iterator

from decision_paths.checks.context import CheckContext, every_decision
from decision_paths.model.findings import Finding, Rule, Severity
from decision_paths.model.organisation import Decision, Organisation

E = Severity.ERROR
CYCLE = Rule("DP301", "cycle", E, "the stages form a loop")
UNREACHABLE_STAGE = Rule("DP302", "unreachable-stage", E, "a stage that no path from start reaches")
RULES = (CYCLE, UNREACHABLE_STAGE)


def check(org: Organisation, context: CheckContext) -> Iterator[Finding]:
    for decision in every_decision(org):  # a loop among the links that were read is a loop
        yield from _cycles(decision)
    for decision in org.decisions.values():  # what is reached needs every link
        yield from _unreachable(decision)


def _cycles(decision: Decision) -> Iterator[Finding]:
    """Depth-first search without recursion; each edge that closes a loop is reported once."""
    done: set[str] = set()
    for root in decision.stages:
        if root in done:
            continue
        path: list[str] = [root]
        on_path = {root}
        pending = [iter(decision.stages[root].successors())]
        while pending:
            edge = next(pending[-1], None)
            if edge is None:
                pending.pop()
                done.add(path[-1])
                on_path.discard(path.pop())
                continue
            target = edge.id
            if target not in decision.stages or target in done:
                continue
            if target in on_path:
                loop = [*path[path.index(target) :], target]
                yield CYCLE.at(
                    edge.loc,
                    f"the path loops back: {' -> '.join(loop)}; a request must always move forward to a final stage",
                )
                continue
            path.append(target)
            on_path.add(target)
            pending.append(iter(decision.stages[target].successors()))


def _unreachable(decision: Decision) -> Iterator[Finding]:
    if decision.start.id not in decision.stages:
        return  # reported as an unknown stage
    reached = {decision.start.id}
    queue = [decision.start.id]
    while queue:
        for edge in decision.stages[queue.pop()].successors():
            if edge.id in decision.stages and edge.id not in reached:
                reached.add(edge.id)
                queue.append(edge.id)
    for stage in decision.stages.values():
        if stage.id not in reached:
            yield UNREACHABLE_STAGE.at(
                stage.loc,
                f"stage '{stage.id}' is never reached from start "
                f"'{decision.start.id}': point a next/go at it or remove it",
            )
