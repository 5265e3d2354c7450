"""The case record through the pipeline: which rules judge it, measuring it once, caching it.

Rules in force come from the decisions' git history (the same log the sites
read): each case is judged by its decision as it stood at the last commit at or
before the case was received; a case older than the first commit is judged by
the first version. Without history (no git, a shallow clone), today's rules
judge every case and the figures say so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from decision_paths.load.cases import record_inputs
from decision_paths.load.history import load_versions
from decision_paths.measure.record import RecordRules, Version, measure_folder, tables_basis, working_time_tables
from decision_paths.measure.tables import CalendarTables, micros
from decision_paths.model.cases import Measured, Period
from decision_paths.model.findings import Finding
from decision_paths.model.history import History
from decision_paths.model.organisation import Organisation
from decision_paths.store import cache


@dataclass(frozen=True, slots=True)
class MeasuredRecord:
    measured: Measured
    findings: tuple[Finding, ...]


def record_rules(decisions: str, org: Organisation, history: History | None) -> RecordRules:
    """Each decision's versions from the history, else today's rules."""
    if history is None or not history.versions:
        return RecordRules.current(org)
    found: dict[str, list[Version]] = {}
    for decision_id, versions in load_versions(decisions, history.versions).items():
        kept = [Version(d, micros(when)) for when, d in versions if d is not None]
        if kept:
            kept[0] = Version(kept[0].decision, -(2**62))  # older cases: the first rules known
            found[decision_id] = kept
    for decision_id, decision in org.decisions.items():  # a decision not committed yet
        found.setdefault(decision_id, [Version(decision, -(2**62))])
    return RecordRules(org, found, "history")


def record_version(folder: str) -> str:
    """A hash of every file's name and bytes the record is read from (event files,
    ``_sources.yaml`` and the sheets it maps, ``_tracking.yaml``): an unchanged record is not read again."""
    digest = hashlib.sha256()
    for path in record_inputs(folder):
        digest.update(os.path.relpath(path, folder).encode() + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def measure_record(
    decisions: str,
    folder: str,
    org: Organisation | Callable[[], Organisation],
    history: History | None,
    as_of: dt.datetime,
    periods: Sequence[Period],
    decisions_version: str = "",
    *,
    findings_only: bool = False,
    figures_only: bool = False,
    tracking: bool = False,
) -> MeasuredRecord:
    """Measure the record of ``folder`` against the rules; cached by the record's bytes and
    place, the decisions and their history, the instant and the periods. ``org`` may be a
    function that loads the model: a build whose record is cached then need not load it.
    ``findings_only``: check the rows and cases, measure nothing (``cases --check``);
    ``figures_only``: the periods' figures, no overdue list or conformance (``stats``);
    ``tracking``: also what the tracking pages show (when a secret builds them)."""
    wanted = list(periods)
    key = ""
    if decisions_version:
        key = cache.key(
            "record",
            # findings name files relative to the current folder: the same bytes in another
            # folder, or measured from elsewhere, must not show the paths stored the first time
            os.path.abspath(folder),
            os.getcwd(),
            record_version(folder),
            decisions_version,
            history.versions if history else (),
            as_of,
            tuple(p.label for p in wanted),
            findings_only,
            figures_only,
            tracking,
        )
        found = cache.read("record", key, MeasuredRecord)
        if found is not None:
            return found
    rules = record_rules(decisions, org if isinstance(org, Organisation) else org(), history)
    measured, findings = measure_folder(
        folder,
        rules,
        as_of,
        wanted,
        findings_only=findings_only,
        figures_only=figures_only,
        tracking=tracking,
        tables_for=cached_tables,
    )
    result = MeasuredRecord(measured, tuple(findings))
    if key:
        cache.write("record", key, result)
    return result


def cached_tables(rules: RecordRules, first: dt.date, latest: dt.date) -> tuple[CalendarTables, ...]:
    """The working-time tables, kept in the build cache by what they are made of (and the
    holidays library's version, part of every key): each new day's first record command
    counts them, the others read them."""
    key = cache.key("calendar-tables", tables_basis(rules), first, latest)
    found = cache.read("calendar-tables", key, tuple[CalendarTables, ...])
    if found is None:
        found = working_time_tables(rules, first, latest)
        cache.write("calendar-tables", key, found)
    return found
