"""Check step: the model -> findings. One module per family of rules.

Checks read only the model (never YAML) and never raise on bad data: what
the loader could not build is simply absent, and its findings already exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from decision_paths.model.findings import Finding
from decision_paths.model.organisation import Organisation


@dataclass(frozen=True, slots=True)
class CheckContext:
    today: dt.date
    # Some file could not be loaded: hold back checks that need every decision
    # (e.g. "this person approves nothing" may just be a decision we could not read).
    incomplete: bool = False
    # Some person, role or calendar could not be read: do not call ids unknown.
    shared_incomplete: bool = False


Check = Callable[[Organisation, CheckContext], Iterable[Finding]]


def all_checks() -> tuple[Check, ...]:
    from decision_paths.checks import branches, calendars, graph, people, references, review

    return (references.check, graph.check, branches.check, people.check, calendars.check, review.check)


def run_checks(org: Organisation, context: CheckContext) -> list[Finding]:
    return [found for check in all_checks() for found in check(org, context)]
