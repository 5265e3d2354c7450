"""Load and check a decisions folder: the one entry point every command uses."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from dataclasses import dataclass
from typing import Iterator

from decision_paths.checks import CheckContext, run_checks
from decision_paths.findings import Finding, sorted_findings
from decision_paths.load import load_folder
from decision_paths.model import Organisation


@dataclass(frozen=True, slots=True)
class Validation:
    org: Organisation
    findings: tuple[Finding, ...]  # sorted by file, line and column

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)


def validate_folder(folder: str, today: dt.date) -> Validation:
    with _collector_paused():
        loaded = load_folder(folder)
        found = list(loaded.findings)
        found += run_checks(loaded.org, CheckContext(today, loaded.incomplete, loaded.shared_incomplete))
    return Validation(loaded.org, tuple(sorted_findings(found)))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading makes hundreds of thousands of small acyclic objects; the cycle
    collector would scan them again and again (about 40% of the time) and
    find nothing, since reference counting frees them. Pause it meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
