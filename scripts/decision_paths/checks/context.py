"""What every check is given besides the model, and the shape of a check."""

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
