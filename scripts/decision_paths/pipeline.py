"""Load and check a decisions folder: the one entry point every command uses."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from decision_paths.checks import RULES_BY_CODE, CheckContext, run_checks
from decision_paths.load.decisions import load_folder
from decision_paths.load.files import read_sources, scan_folder
from decision_paths.model.findings import Finding, Loc, sorted_findings
from decision_paths.model.organisation import Organisation
from decision_paths.store import cache as buildcache


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


@dataclass(frozen=True)
class CheckedFolder:
    """A folder's findings, from the build cache when none of its files changed.
    The model is loaded only if a later step needs it (a cached plan does not)."""

    folder: str
    today: dt.date
    version: str  # of the files and the date: later steps key their caches on it
    findings: tuple[Finding, ...]
    file_count: int
    sources: Mapping[str, bytes] | None = None  # the files as read, so a later load sees the same bytes
    validation: Validation | None = None  # when checked just now
    refused: tuple[Finding, ...] = ()  # links the scan did not follow

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)

    @functools.cached_property
    def org(self) -> Organisation:
        return (self.validation or validate_folder(self.folder, self.today, self.sources, self.refused)).org


def check_folder(folder: str, today: dt.date) -> CheckedFolder:
    """``validate_folder`` for builds: the findings come from the cache when the files are unchanged."""
    scan = scan_folder(folder)
    sources = read_sources(folder, scan)
    if sources is None:  # a file cannot be read: the loader says which, every time
        result = validate_folder(folder, today)
        return CheckedFolder(folder, today, "", result.findings, len(result.org.files), None, result)
    links = [[f.loc.file, f.rule.code] for f in scan.refused]  # a new bad link is a change too
    version = buildcache.key("check", folder, today.isoformat(), buildcache.sources_version(sources), links)
    stored = buildcache.read("check", version)
    if stored is not None:
        with contextlib.suppress(KeyError, TypeError, ValueError):
            findings = tuple(
                Finding(Loc(file, line, column), RULES_BY_CODE[code], message)
                for file, line, column, code, message in stored["findings"]
            )
            return CheckedFolder(folder, today, version, findings, int(stored["files"]), sources, None, scan.refused)
    result = validate_folder(folder, today, sources, scan.refused)
    buildcache.write(
        "check",
        version,
        {
            "files": len(result.org.files),
            "findings": [[f.loc.file, f.loc.line, f.loc.column, f.rule.code, f.message] for f in result.findings],
        },
    )
    return CheckedFolder(folder, today, version, result.findings, len(result.org.files), sources, result, scan.refused)


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
