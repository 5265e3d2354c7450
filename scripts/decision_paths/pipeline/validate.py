"""Load and check one decisions folder: every finding, and the model (for the query commands
and the builds alike). Kept apart from the site steps so that a query loads nothing else."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from decision_paths.checks import CheckContext, run_checks
from decision_paths.load.decisions import load_folder
from decision_paths.model.findings import Finding, sorted_findings
from decision_paths.model.organisation import Organisation


@dataclass(frozen=True, slots=True)
class Validation:
    org: Organisation
    findings: tuple[Finding, ...]  # sorted by file, line and column

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)


def validate_folder(
    folder: str, today: dt.date, sources: Mapping[str, bytes] | None = None, refused: Sequence[Finding] = ()
) -> Validation:
    """Load and check ``folder`` (or ``sources``, its files already read, and ``refused``,
    the links its scan would not follow)."""
    with _collector_paused():
        loaded = load_folder(folder, sources, refused)
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
