"""The case record as an IEEE XES event log (``cases --export xes FILE``).

The events come from ``measure.export`` (typed, findings and left-out cases as
the record has them, judged by the rules in force of ``pipeline.record``); the
file is written by ``store.xes`` as it streams, so five million events need no
more memory than a batch of them. The log is for the company's own analysts
(pm4py, Disco, ProM): it carries the record's internal columns too, ``reason``
and ``client_note``, and says so in a comment at its top.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from decision_paths.measure.export import exported_events
from decision_paths.model.findings import Finding
from decision_paths.model.history import History
from decision_paths.model.organisation import Organisation
from decision_paths.pipeline.record import record_rules
from decision_paths.store.xes import write_log

# The XES type of each column after the resource (measure.export.COLUMNS[6:]; a test holds them equal).
EXTRA = (
    ("event", "string"),
    ("stage", "string"),
    ("until", "date"),
    ("inputs", "string"),
    ("reason", "string"),
    ("client_note", "string"),
)

COMMENT = (
    "The case record in {folder} as an IEEE 1849-2016 event log, written by 'decision-paths cases' "
    "(export xes); rules in force: {rules}. One trace per case and decision; "
    "activity: the stage (done, paused, resumed) or the event (received, delayed, withdrawn). "
    "INTERNAL: it holds the record's reason and client_note columns, for the company's own analysts."
)


@dataclass(frozen=True, slots=True)
class Exported:
    findings: tuple[Finding, ...]
    traces: int
    events: int
    written: bool  # False: refused, the record has findings and ``refuse_findings`` was set


def export_xes(
    decisions: str,
    folder: str,
    org: Organisation,
    history: History | None,
    as_of: dt.datetime,
    target: Path,
    *,
    refuse_findings: bool = False,
) -> Exported:
    """Write the record of ``folder`` to ``target`` as XES; with ``refuse_findings``, only
    when its rows have no findings (``--strict``: they are errors), else ``target`` is left
    as it was. Raises OSError."""
    rules = record_rules(decisions, org, history)
    with exported_events(folder, rules, as_of) as record:
        found = tuple(record.findings)
        if refuse_findings and found:
            return Exported(found, record.traces, record.events, written=False)
        comment = COMMENT.format(folder=os.path.relpath(folder), rules=rules.source)
        write_log(target, record.rows(), EXTRA, name="decision-paths case record", comment=comment)
        return Exported(found, record.traces, record.events, written=True)
