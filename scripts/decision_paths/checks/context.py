"""What every check is given besides the model, and the shape of a check."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from decision_paths.model.findings import Finding
from decision_paths.model.organisation import Decision, Organisation


@dataclass(frozen=True, slots=True)
class CheckContext:
    today: dt.date
    # Some file could not be loaded: hold back checks that need every decision
    # (e.g. "this person approves nothing" may just be a decision we could not read).
    incomplete: bool = False
    # Some person, role or calendar could not be read: do not call ids unknown.
    shared_incomplete: bool = False


Check = Callable[[Organisation, CheckContext], Iterable[Finding]]


def every_decision(org: Organisation) -> Iterator[Decision]:
    """The complete decisions, then those read in part, for the checks that judge one part
    at a time (an id named, a stage's approvers): what was read is right or wrong whatever
    happened to the rest. They skip what a decision's ``unread`` fields name. A check
    that needs a decision whole (its paths, its coverage) reads ``org.decisions`` only."""
    return itertools.chain(org.decisions.values(), org.partial_decisions.values())
