"""The record's events as an event log (issue 14: ``cases --export xes``), in DuckDB.

The rows are read and typed by the record's own steps (``measure.record.measure``
with ``findings_only``: the same ``ev`` table, the same findings, the same cases
left out), so an exported instant is the instant the figures count: a time
without offset is the wall clock of the decision's calendar, a bare date 00:00
of that day (a warning). What is exported:

- the events of the cases the record judges (the ``cases`` table): a case left
  out for a bad row (an unknown stage, an event before ``received``, inputs no
  path can use) is left out here too, so a process map shows what the figures
  count, never a trace with a hole where a row was wrong; its finding says so;
- one trace per (case, decision), traces in that order, each trace's events by
  instant, then by where they stand in the record (file, row);
- each instant in the zone of the calendar it was read in, with its offset there.

What the events mean in an event log's terms (the standard lifecycle model of
IEEE 1849-2016) is decided here, in ``LIFECYCLE`` and ``ACTIVITY``, once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb

from decision_paths.load.cases import load_record
from decision_paths.measure.record import MEMORY_LIMIT, RecordRules, measure
from decision_paths.model.cases import EventKind
from decision_paths.model.findings import Finding

# The transition of the activity each record event is. received and delayed are atomic
# events of the case (the request came in; a new date was announced): complete, as an
# event with no lifecycle of its own is read by every tool. A stage has no start event in
# the record (it starts when the one before it is done, SPEC 11), so done completes it,
# paused and resumed suspend and resume it; withdrawn aborts the process instance.
LIFECYCLE: dict[EventKind, str] = {
    EventKind.RECEIVED: "complete",
    EventKind.DONE: "complete",
    EventKind.PAUSED: "suspend",
    EventKind.RESUMED: "resume",
    EventKind.DELAYED: "complete",
    EventKind.WITHDRAWN: "pi_abort",
}
# The activity: the stage for what happens to a stage; the event kind for what happens to
# the case. A delay is told to the client and moves no work: as an activity of the stage it
# would count as a second pass through it in every process map, so it is an activity of
# its own ("delayed", the stage in an attribute).
STAGE_ACTIVITIES = frozenset({EventKind.DONE, EventKind.PAUSED, EventKind.RESUMED})

# The columns of each exported row, in order.
COLUMNS = (
    "case",
    "decision",
    "activity",
    "timestamp",  # xs:dateTime with the calendar's offset, milliseconds (microseconds if the record has them)
    "lifecycle",
    "resource",  # by, or None
    "event",
    "stage",  # or None
    "until",  # xs:dateTime like timestamp, or None
    "inputs",  # as the record gives them (received)
    "reason",
    "client_note",
)
BATCH = 10_000


@dataclass
class ExportedRecord:
    """What the export found: the findings of the record's rows (as ``cases --check`` has
    them), how many traces and events it has, and its rows, in order, batch by batch."""

    findings: list[Finding]
    traces: int
    events: int
    _con: duckdb.DuckDBPyConnection

    def rows(self) -> Iterator[tuple[str | None, ...]]:
        """The rows (``COLUMNS``), a batch at a time: DuckDB sorts them (spilling to disk
        past its memory limit), Python holds one batch."""
        result = self._con.execute(_rows_sql())
        while batch := result.fetchmany(BATCH):
            yield from batch


@contextlib.contextmanager
def exported_events(
    folder: str, rules: RecordRules, as_of: dt.datetime, shown: str | None = None
) -> Iterator[ExportedRecord]:
    """Read ``folder`` and type its rows as the record does; the accepted cases' events,
    while the block runs (a DuckDB of its own, spilling past ``MEMORY_LIMIT``)."""
    with tempfile.TemporaryDirectory(prefix="decision-paths-export-") as spill:
        con = duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT, "temp_directory": spill})
        try:
            loaded = load_record(con, folder, shown)
            con.execute("SET preserve_insertion_order = false")
            _, findings = measure(con, loaded, rules, as_of, (), findings_only=True)
            # every case judged has its received event, so a trace
            counted = con.execute(
                "SELECT (SELECT count(*) FROM cases), count(*) FROM ev e SEMI JOIN cases c ON c.key = e.ck"
            ).fetchone()
            traces, events = (int(counted[0]), int(counted[1])) if counted else (0, 0)
            yield ExportedRecord(findings, traces, events, con)
        finally:
            con.close()


def _instant(us: str, offset: str) -> str:
    """SQL: UTC microseconds ``us`` as xs:dateTime in the zone whose offset (seconds) is ``offset``."""
    local = f"make_timestamp({us} + {offset} * 1000000)"
    sign = f"CASE WHEN {offset} < 0 THEN '-' ELSE '+' END"
    hours = f"lpad((abs({offset}) // 3600)::VARCHAR, 2, '0')"
    minutes = f"lpad((abs({offset}) % 3600 // 60)::VARCHAR, 2, '0')"
    fraction = f"CASE WHEN {us} % 1000 = 0 THEN strftime({local}, '%g') ELSE strftime({local}, '%f') END"
    return f"strftime({local}, '%Y-%m-%dT%H:%M:%S') || '.' || {fraction} || {sign} || {hours} || ':' || {minutes}"


def _rows_sql() -> str:
    """The export's rows (``COLUMNS``), by case and decision, then instant, then the
    record's own order (file, row): the writer starts a trace where (case, decision) changes."""
    lifecycle = " ".join(f"WHEN '{kind.value}' THEN '{value}'" for kind, value in LIFECYCLE.items())
    on_stage = ", ".join(f"'{kind.value}'" for kind in sorted(STAGE_ACTIVITIES))
    return f"""
        SELECT e."case", e.decision,
               CASE WHEN e.event IN ({on_stage}) THEN e.stage ELSE e.event END AS activity,
               {_instant("e.at_us", "coalesce(o.offset_s, 0)")} AS timestamp,
               CASE e.event {lifecycle} END AS lifecycle,
               nullif(trim(e."by"), '') AS resource,
               e.event,
               nullif(trim(e.stage), '') AS stage,
               CASE WHEN e.until_us IS NOT NULL
                    THEN {_instant("e.until_us", "coalesce(u.offset_s, 0)")} END AS until,
               nullif(trim(e.inputs), '') AS inputs,
               nullif(e.reason, '') AS reason,
               nullif(e.client_note, '') AS client_note
        -- the cases the record judges; their events as it typed them
        FROM (SELECT ev.*, k.cal FROM ev LEFT JOIN ev_cal k USING (decision)
              WHERE ev.ck IN (SELECT key FROM cases)) e
        ASOF LEFT JOIN cal_offsets o ON o.cal = e.cal AND e.at_us >= o.from_us
        ASOF LEFT JOIN cal_offsets u ON u.cal = e.cal AND coalesce(e.until_us, -9223372036854775000) >= u.from_us
        ORDER BY e."case", e.decision, e.at_us, e.file, e.row
        """
