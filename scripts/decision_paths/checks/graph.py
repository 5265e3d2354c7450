"""Paths must move forward and reach every stage: no loops, nothing unreachable (DP301, DP302).

A mistyped stage id (DP202) is the cause, not the stages behind it: each unknown
``start``/``next``/``go``/``otherwise`` is read as the stage its DP202 suggests, so
only stages unreachable even then are reported; when one on a path from start
has no suggestion, none is, until the id is fixed.
"""

from __future__ import annotations

from collections.abc import Iterator

from decision_paths.checks.context import CheckContext, every_decision
from decision_paths.model.findings import Finding, Rule, Severity
from decision_paths.model.organisation import Decision, Organisation
from decision_paths.model.suggest import close_names

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
    start = _meant(decision, decision.start.id)
    if start is None:
        return  # an unknown start with no suggestion: its DP202 is the whole story
    reached = {start}
    queue = [start]
    while queue:
        for edge in decision.stages[queue.pop()].successors():
            target = _meant(decision, edge.id)
            if target is None:
                return
            if target not in reached:
                reached.add(target)
                queue.append(target)
    for stage in decision.stages.values():
        if stage.id not in reached:
            yield UNREACHABLE_STAGE.at(
                stage.loc,
                f"stage '{stage.id}' is never reached from start '{start}': point a next/go at it or remove it",
            )


def _meant(decision: Decision, stage_id: str) -> str | None:
    """The stage an id names, or the one its unknown-stage finding suggests, or None."""
    if stage_id in decision.stages:
        return stage_id
    close = close_names(stage_id, decision.stages)
    return close[0] if close else None
