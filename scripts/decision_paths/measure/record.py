"""The record against the promise (SPEC section 11), in DuckDB.

Steps, each a table: ``events`` (from the loader) -> ``ev`` (typed, with the
problems of each row) -> ``cases`` (one row per usable case, with the rules in
force and its path) -> ``answer_due`` (the promised answer, walked stage by
stage) -> ``done`` (actual stages, each judged from when it really started) ->
``verdict`` (one row per case) -> figures per period, overdue now, conformance.
Each table is dropped once no later step reads it: a million cases do not fit
DuckDB's memory limit all at once, and what is kept is spilled to disk.

Python decides only what needs the model: the decision version in force, the
path the inputs choose, who may act on a day. Calendar arithmetic is the tables'
(``measure.dues``), so a million cases cost a few joins, not a million loops.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import duckdb

from decision_paths.load.cases import LoadedRecord, RecordFile, bulk_insert, cell_loc, load_record
from decision_paths.load.tracking import load_epochs
from decision_paths.measure import dues
from decision_paths.measure.tables import CalendarTables, calendar_tables, from_micros, micros
from decision_paths.measure.tracking import keep_tracked_events, tracked_cases
from decision_paths.model import people as queries
from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.cases import (
    BAD_ROW,
    BARE_DATE,
    CASE_ORDER,
    MIN_CASES_INTERNAL,
    NEEDS_STAGE,
    NO_PERCENTILES,
    UNKNOWN_IN_RECORD,
    DecisionFigures,
    Deviation,
    DeviationCount,
    EventKind,
    Measured,
    OverdueItem,
    Percentiles,
    Period,
    StageFigures,
    Status,
)
from decision_paths.model.findings import Finding
from decision_paths.model.organisation import Audience, Decision, InputType, Organisation
from decision_paths.model.suggest import did_you_mean
from decision_paths.model.timeline import (
    FIRST_START_YEAR,
    LAST_START_YEAR,
    MissingInput,
    TimelineError,
    answer_id,
    due_instant,
    parse_value,
    path_for,
    path_signature,
)

_US = 1_000_000
MEMORY_LIMIT = "1GB"  # DuckDB's own use; the Python process and the tables' export come on top
_HOUR_US = 3_600 * _US
_LONGEST_STAGE_DAYS = 3660  # the tables reach past the last event by the longest allowance
# The years an instant of the record may fall in (those of `timeline --start`): one typo such
# as 9999 would make the tables overflow, 1026 make them a million days long.
_YEARS = f"BETWEEN {FIRST_START_YEAR} AND {LAST_START_YEAR}"


@dataclass(frozen=True, slots=True)
class Version:
    """A decision as it stood from ``since`` (UTC microseconds) on."""

    decision: Decision
    since: int


@dataclass
class RecordRules:
    """The rules the record is judged by: each decision's versions in time order, the
    organisation for people and calendars, and where they came from."""

    org: Organisation
    versions: Mapping[str, Sequence[Version]]
    source: str  # "history" or "current"

    @classmethod
    def current(cls, org: Organisation) -> RecordRules:
        return cls(org, {d.id: (Version(d, -(2**62)),) for d in org.decisions.values()}, "current")


@dataclass
class _Context:
    con: duckdb.DuckDBPyConnection
    files: tuple[RecordFile, ...]
    findings: list[Finding] = field(default_factory=list)
    known: Mapping[str, Sequence[str]] = field(default_factory=dict)  # rule -> the names it could have meant


def measure(
    con: duckdb.DuckDBPyConnection,
    loaded: LoadedRecord,
    rules: RecordRules,
    as_of: dt.datetime,
    periods: Sequence[Period],
    *,
    findings_only: bool = False,
    figures_only: bool = False,
    tracking: bool = False,
    tables_for: TablesFor | None = None,
) -> tuple[Measured, list[Finding]]:
    """Measure the loaded ``events`` table. ``periods``: the months and quarters to give figures for.
    ``findings_only``: stop once every row and case is checked (only those steps find problems);
    ``figures_only``: stop once the periods' figures are known, with no overdue list and no
    conformance (``stats`` shows neither; at a million cases they were a seventh of its time);
    ``tracking``: also give what the client decisions' tracking pages show;
    ``tables_for``: makes the working-time tables (default ``working_time_tables``)."""
    known = {"unknown": sorted(rules.versions), "unknown-person": sorted(rules.org.people)}
    context = _Context(con, loaded.files, list(loaded.findings), known)
    versions = _register_versions(con, rules)
    calendars = _register_calendars(con, rules, as_of, tables_for or working_time_tables)
    _typed_events(context)
    _cases(context, rules, versions)
    epochs, epoch_findings = load_epochs(loaded.folder, loaded.shown) if loaded.folder else ({}, ())
    context.findings.extend(epoch_findings)
    if findings_only:
        return Measured(as_of=as_of, rules=rules.source), _sorted(context.findings)
    client = frozenset(d.id for d in rules.org.decisions.values() if d.audience is Audience.CLIENT)
    # a broken _tracking.yaml builds no page: with its epochs lost, a revoked link would open again
    tracking = tracking and epochs is not None and bool(client)
    if tracking:
        keep_tracked_events(con, client, as_of)
    _draw_out_events(con, as_of)
    _promised(con, versions, as_of, keep_steps=tracking)
    _actual(con, versions, as_of)
    left_out = dict(con.execute("SELECT decision, count(*) FROM left_out GROUP BY decision").fetchall())
    figures = _figures(con, periods, left_out)
    total = con.execute("SELECT count(*) FROM verdict").fetchone()
    cases = int(total[0]) if total else 0
    if figures_only:
        measured = Measured(as_of=as_of, rules=rules.source, figures=figures, left_out=left_out, cases=cases)
        return measured, _sorted(context.findings)
    overdue = _overdue(con, rules, versions, calendars, as_of)
    deviations = _deviations(con, rules, versions)
    tracked = tracked_cases(con, [v.decision for v in versions], epochs or {}, as_of) if tracking else ()
    measured = Measured(
        as_of=as_of,
        rules=rules.source,
        figures=figures,
        overdue=overdue,
        deviations=deviations,
        left_out=left_out,
        cases=cases,
        tracked=tracked,
    )
    return measured, _sorted(context.findings)


def _sorted(found: list[Finding]) -> list[Finding]:
    return sorted(found, key=lambda f: (f.loc.file, f.loc.line, f.loc.column, f.rule.code))


# ------------------------------------------------------------------ what the SQL joins


def _register_versions(con: duckdb.DuckDBPyConnection, rules: RecordRules) -> list[Version]:
    """``versions(decision, dnum, version, since_us, first, cal)`` and per version its stages and answer."""
    flat: list[Version] = []
    rows, stages = [], []
    numbers = {decision_id: number for number, decision_id in enumerate(sorted(rules.versions))}
    for decision_id, found in rules.versions.items():
        for position, version in enumerate(found):
            number = len(flat)
            flat.append(version)
            calendar_id = _calendar_id(rules.org, version.decision)
            rows.append((decision_id, numbers[decision_id], number, version.since, position == 0, calendar_id))
            answer = answer_id(version.decision)
            for place, stage in enumerate(version.decision.stages.values()):
                spec = stage.within.unit.spec
                stages.append(
                    (
                        number,
                        stage.id,
                        spec.kind.value,
                        float(stage.within.amount * spec.factor),
                        stage.pausable,
                        stage.id == answer,
                        place,
                    )
                )
    bulk_insert(
        con,
        "versions",
        [
            ("decision", "VARCHAR"),
            ("dnum", "BIGINT"),  # the decision's number: part of a case's key when keys are numbered (``_case_key``)
            ("version", "INTEGER"),
            ("since_us", "BIGINT"),
            ("first", "BOOLEAN"),
            ("cal", "VARCHAR"),
        ],
        rows,
    )
    bulk_insert(
        con,
        "version_stages",
        [
            ("version", "INTEGER"),
            ("stage", "VARCHAR"),
            ("kind", "VARCHAR"),
            ("amount", "DOUBLE"),
            ("pausable", "BOOLEAN"),
            ("is_answer", "BOOLEAN"),
            ("place", "INTEGER"),  # the order of the decision file, which pages and figures follow
        ],
        stages,
    )
    return flat


def _calendar_id(org: Organisation, decision: Decision) -> str | None:
    calendar = org.calendar_for(decision)
    return calendar.id if calendar is not None else None


# What makes the working-time tables for a record from its first to its latest day: by
# default ``working_time_tables``; the pipeline keeps them in the build cache (a record's
# span changes daily at most, and counting the days loads every country's holidays).
TablesFor = Callable[["RecordRules", dt.date, dt.date], tuple[CalendarTables, ...]]


def _register_calendars(
    con: duckdb.DuckDBPyConnection, rules: RecordRules, as_of: dt.datetime, tables_for: TablesFor
) -> dict[str, BusinessCalendar]:
    """The working-time tables of every calendar a decision uses, over the record's years."""
    span = con.execute(
        "SELECT make_timestamp(min(at_wall))::DATE, make_timestamp(max(at_wall))::DATE "
        f"FROM events WHERE at_year {_YEARS}"
    ).fetchone()
    first = (span[0] if span and span[0] else as_of.date()) - dt.timedelta(days=7)
    latest = max(span[1] if span and span[1] else as_of.date(), as_of.date())
    dues.load_tables(con, list(tables_for(rules, first, latest)))  # one way to fill them, the one the dues test uses
    return {calendar_id: BusinessCalendar(calendar) for calendar_id, calendar in rules.org.calendars.items()}


def working_time_tables(rules: RecordRules, first: dt.date, latest: dt.date) -> tuple[CalendarTables, ...]:
    """Every calendar's tables from ``first`` to past ``latest`` by the slowest promise (was a
    flat 400 days: a case with a longer path had no due instant in the tables and vanished
    from every figure without a word), and by the record's own length, the most a pause can
    move a due instant."""
    calendars = {calendar_id: BusinessCalendar(calendar) for calendar_id, calendar in rules.org.calendars.items()}
    last = latest + _reach(rules, calendars, latest) + (latest - first) + dt.timedelta(days=31)
    return tuple(calendar_tables(calendar_id, business, first, last) for calendar_id, business in calendars.items())


def tables_basis(rules: RecordRules) -> tuple[object, ...]:
    """Everything ``working_time_tables`` reads besides its dates: the calendars, and each
    version's calendar and time limits (how far the slowest promise reaches)."""
    limits = []
    for decision_id in sorted(rules.versions):
        for version in rules.versions[decision_id]:
            stages = [
                (s.within.unit.spec.kind.value, str(s.within.amount * s.within.unit.spec.factor))
                for s in version.decision.stages.values()
            ]
            limits.append((_calendar_id(rules.org, version.decision), stages))
    return (sorted(rules.org.calendars.items()), limits)


def _reach(rules: RecordRules, calendars: Mapping[str, BusinessCalendar], start: dt.date) -> dt.timedelta:
    """How far past ``start`` any version's every stage, one after another, can be due: more
    than any path takes."""
    reach = dt.timedelta()
    for found in rules.versions.values():
        for version in found:
            calendar_id = _calendar_id(rules.org, version.decision)
            business = calendars.get(calendar_id) if calendar_id is not None else None
            if business is None:
                continue
            began = moment = business.local(start)
            try:
                for stage in version.decision.stages.values():
                    moment = due_instant(stage.within, moment, business)
            except TimelineError:
                moment = began + dt.timedelta(days=_LONGEST_STAGE_DAYS)
            reach = max(reach, moment - began)
    return reach


# ------------------------------------------------------------------ rows -> typed events


def _number_case_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Keep each ``events`` row's hashed case key when no two (case, decision) pairs of the
    record share one (counted; all but certain), else number the pairs by an ENUM of the
    case ids and their decision's ``dnum`` (rewriting the column is slow, and that rare)."""
    counted = con.execute(
        """SELECT (SELECT count(*) FROM (SELECT DISTINCT "case", decision FROM events)),
                  (SELECT count(DISTINCT ck) FROM events)"""
    ).fetchone()
    if counted and counted[0] == counted[1]:
        return
    decisions = con.execute("SELECT coalesce(max(dnum), 0) + 1 FROM versions").fetchone()
    con.execute(
        f"""
        CREATE TYPE case_id AS ENUM (SELECT DISTINCT "case" FROM events WHERE "case" IS NOT NULL ORDER BY 1);
        UPDATE events SET ck = enum_code(events."case"::case_id)::BIGINT * {int(decisions[0]) if decisions else 1}
                               + v.dnum
        FROM (SELECT decision, any_value(dnum) AS dnum FROM versions GROUP BY decision) v
        WHERE v.decision = events.decision;
        DROP TYPE case_id;
        """
    )


def _typed_events(context: _Context) -> None:
    """``ev``: the loaded rows that can be read, every instant in UTC; a finding for each row
    that cannot. Only the columns the later steps read are kept."""
    con = context.con
    kinds = ", ".join(f"'{k.value}'" for k in EventKind)
    needs_stage = ", ".join(f"'{k.value}'" for k in NEEDS_STAGE)
    _number_case_keys(con)
    # The loaded rows are ``ev``, in place: copying a million cases' columns took longer than
    # typing them. Instants are read in the calendar of the decision's newest version (one
    # row per decision: DISTINCT decision, cal gave two, and each event twice).
    con.execute(
        """
        ALTER TABLE events RENAME TO ev;
        -- kept: the export gives each instant in the zone it was read in
        CREATE OR REPLACE TABLE ev_cal AS
        SELECT decision, arg_max(cal, since_us) AS cal FROM versions GROUP BY decision HAVING cal IS NOT NULL;
        """
    )
    # A time without offset is a wall-clock time of the decision's calendar: only those rows
    # (often none) take the ASOF joins.
    con.execute(
        """
        UPDATE ev SET at_us = w.at_us, until_us = w.until_us
        FROM (
            SELECT e.file, e.row,
                coalesce(e.at_us, e.at_wall - w.offset_s * 1000000) AS at_us,
                coalesce(e.until_us, e.until_wall - u.offset_s * 1000000) AS until_us
            FROM (SELECT ev.*, c.cal FROM ev JOIN ev_cal c USING (decision)
                  WHERE NOT (at_us IS NOT NULL AND ("until" IS NULL OR until_us IS NOT NULL))) e
            ASOF LEFT JOIN cal_wall w
                ON w.cal = e.cal AND coalesce(e.at_wall, -9223372036854775000) >= w.wall_from_us
            ASOF LEFT JOIN cal_wall u
                ON u.cal = e.cal AND coalesce(e.until_wall, -9223372036854775000) >= u.wall_from_us
        ) w
        WHERE ev.file = w.file AND ev.row = w.row
        """
    )
    # Each problem keeps its row's case and decision: that case is left out. Instants are
    # checked where the decision has a calendar.
    timed = "decision IN (SELECT decision FROM ev_cal)"
    problems = f"""
        SELECT file, row, 'decision' AS col, 'unknown' AS rule, decision AS value, "case", decision FROM ev
            -- an empty cell is 'missing' below, not also a decision named ''
            WHERE trim(decision) <> '' AND decision IN (SELECT decision FROM versions) IS NOT TRUE
        UNION ALL SELECT file, row, 'case', 'missing', NULL, "case", decision FROM ev
            WHERE coalesce(trim("case"), '') = ''
        UNION ALL SELECT file, row, 'decision', 'missing', NULL, "case", decision FROM ev
            WHERE coalesce(trim(decision), '') = ''
        UNION ALL SELECT file, row, 'event', 'event', event, "case", decision FROM ev
            WHERE event IS NULL OR event NOT IN ({kinds})
        UNION ALL SELECT file, row, 'stage', 'stage', event, "case", decision FROM ev
            WHERE event IN ({needs_stage}) AND coalesce(trim(stage), '') = ''
        UNION ALL SELECT file, row, 'at', 'at', "at", "case", decision FROM ev
            WHERE {timed} AND at_us IS NULL AND (at_year IS NULL OR at_year {_YEARS})
        UNION ALL SELECT file, row, 'at', 'at-years', "at", "case", decision FROM ev
            WHERE {timed} AND NOT at_year {_YEARS}
        UNION ALL SELECT file, row, 'until', 'until', "until", "case", decision FROM ev
            WHERE event = 'delayed' AND {timed} AND until_us IS NULL
    """
    con.execute(f"CREATE OR REPLACE TABLE problems AS {problems}")
    for file, row, column, rule, value in con.execute(
        "SELECT file, row, col, rule, value FROM problems ORDER BY file, row, col"
    ).fetchall():
        context.findings.append(_row_finding(context, file, row, column, rule, value))
    for file, row, value in con.execute(
        'SELECT file, row, "at" FROM ev WHERE at_bare AND at_us IS NOT NULL ORDER BY file, row'
    ).fetchall():
        context.findings.append(
            BARE_DATE.at(
                _loc(context, file, row, "at"),
                f"'{value}' is a date without a time: it counts as 00:00 of that day; "
                "write the time, e.g. 2026-11-20T10:00",
            )
        )
    # Rows with a problem leave ev (problems keeps their case for left_out); the columns read
    # only to find problems go too.
    con.execute(
        """
        DELETE FROM ev WHERE EXISTS (SELECT 1 FROM problems p WHERE p.file = ev.file AND p.row = ev.row);
        ALTER TABLE ev DROP COLUMN "at"; ALTER TABLE ev DROP COLUMN "until"; ALTER TABLE ev DROP COLUMN at_bare;
        ALTER TABLE ev DROP COLUMN at_year; ALTER TABLE ev DROP COLUMN at_wall; ALTER TABLE ev DROP COLUMN until_wall;
        """
    )


def _loc(context: _Context, file: int, row: int, column: str | None):  # type: ignore[no-untyped-def]
    found = context.files[file]
    return cell_loc(found, row, column, found.source or None)


_MESSAGES = {
    "unknown": "decision '{value}' does not exist (no decision file has that name, now or in the history)",
    "missing": "this cell is empty; every row needs case, decision, event and at",
    "event": "event '{value}' is not one of received, done, paused, resumed, delayed, withdrawn",
    "stage": "a '{value}' event needs the stage it is about in the stage column",
    "at": "'{value}' is not an ISO 8601 instant, e.g. 2026-11-20T10:00+08:00 or 2026-11-20T10:00",
    "at-years": f"'{{value}}' is outside the years {FIRST_START_YEAR}-{LAST_START_YEAR}; check the year",
    "until": "a delayed event needs the new due instant in until, e.g. 2026-12-01T18:00+08:00; not '{value}'",
}


def _row_finding(context: _Context, file: int, row: int, column: str, rule: str, value: object) -> Finding:
    message = _MESSAGES[rule].format(value=value if value is not None else "")
    if rule in context.known and isinstance(value, str):
        message += did_you_mean(value, context.known[rule])
    found_rule = UNKNOWN_IN_RECORD if rule == "unknown" else BAD_ROW
    return found_rule.at(_loc(context, file, row, column), message)


# ------------------------------------------------------------------ events -> cases


def _cases(context: _Context, rules: RecordRules, versions: list[Version]) -> None:
    """One row per case with its received instant, rules in force and path; the cases
    that cannot be judged go to ``left_out`` with a finding each."""
    con = context.con
    # Each case's received events in order, read once for its problems and its receipt.
    con.execute(
        """
        CREATE OR REPLACE TABLE recv AS
        SELECT ck, "case", decision, file, row, at_us, inputs,
               row_number() OVER (PARTITION BY ck ORDER BY at_us, file, row) AS n
        FROM ev WHERE event = 'received'
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE case_problems AS
        -- at the event cell: the second 'received' is what is wrong, not the case id
        SELECT file, row, 'event' AS col, 'second-received' AS rule, "case" AS value FROM recv WHERE n > 1
        UNION ALL
        -- the case's first row: the smallest (file, row) pair, not the smallest of each
        SELECT min(e.file), arg_min(e.row, (e.file, e.row)), 'case', 'no-received', any_value(e."case")
        FROM ev e ANTI JOIN recv r USING (ck) GROUP BY e.ck
        UNION ALL
        -- (every instant in ev is read: a row without one left with its problem)
        SELECT e.file, e.row, 'at', 'before-received', e."case"
        FROM ev e JOIN recv f ON f.ck = e.ck AND f.n = 1
        WHERE e.event <> 'received' AND e.at_us < f.at_us
        """
    )
    # Rules in force: the last version at or before receipt, else the first one known.
    con.execute(
        """
        CREATE OR REPLACE TABLE received AS
        SELECT r.ck, r."case", r.decision, r.file, r.row, r.at_us AS received_us, r.inputs,
               -- the promise counts in the calendar of the rules in force, not of today's rules
               coalesce(v.cal, f.cal) AS cal, coalesce(v.version, f.version) AS version
        FROM (SELECT * FROM recv WHERE n = 1) r
        ASOF LEFT JOIN versions v ON v.decision = r.decision AND r.at_us >= v.since_us
        LEFT JOIN versions f ON f.decision = r.decision AND f.first;
        DROP TABLE recv;
        """
    )
    # Stages and people the record names must exist (stages: in the rules in force).
    con.execute(
        """
        INSERT INTO case_problems
        SELECT e.file, e.row, 'stage', 'unknown-stage', e.stage FROM ev e
        JOIN received r USING (ck)
        WHERE e.stage IS NOT NULL AND trim(e.stage) <> ''
          AND NOT EXISTS (SELECT 1 FROM version_stages s WHERE s.version = r.version AND s.stage = e.stage)
        """
    )
    bulk_insert(con, "people", [("person", "VARCHAR")], [(p,) for p in rules.org.people])
    con.execute(
        """
        INSERT INTO case_problems
        SELECT e.file, e.row, 'by', 'unknown-person', e."by" FROM ev e
        WHERE coalesce(trim(e."by"), '') <> '' AND e."by" NOT IN (SELECT person FROM people)
        """
    )
    _paths(context, versions)
    for file, row, column, rule, value in con.execute(
        "SELECT file, row, col, rule, value FROM case_problems ORDER BY file, row, col"
    ).fetchall():
        context.findings.append(_case_finding(context, file, row, column, rule, value))
    con.execute(
        """
        CREATE OR REPLACE TABLE left_out AS
        SELECT DISTINCT e."case", e.decision FROM ev e
        JOIN case_problems p ON p.file = e.file AND p.row = e.row
        UNION SELECT DISTINCT "case", decision FROM problems
            WHERE "case" IS NOT NULL AND decision IN (SELECT decision FROM versions)
        UNION SELECT "case", decision FROM source_left_out WHERE decision IN (SELECT decision FROM versions)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE cases AS
        SELECT r.ck AS key, r.* EXCLUDE (ck), p.path
        FROM received r JOIN input_paths p ON p.version = r.version AND p.inputs IS NOT DISTINCT FROM r.inputs
        WHERE p.path IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM left_out l WHERE l."case" = r."case" AND l.decision = r.decision)
        """
    )
    # Read no more (a million cases spill past the memory limit: every table kept costs I/O).
    con.execute("DROP TABLE received")


_CASE_MESSAGES = {
    "second-received": "case '{value}' is received a second time; a case has one received event",
    "no-received": "case '{value}' has no received event, so nothing can be measured from it",
    "before-received": "this event of case '{value}' comes before the case was received",
    "unknown-stage": "stage '{value}' is not a stage of this decision as it stood when the case was received",
    "unknown-person": "there is no person '{value}' in the shared files (_*.yaml)",
    "inputs": "{value}",
}


def _case_finding(context: _Context, file: int, row: int, column: str, rule: str, value: object) -> Finding:
    found_rule = UNKNOWN_IN_RECORD if rule.startswith("unknown") else CASE_ORDER if rule != "inputs" else BAD_ROW
    message = _CASE_MESSAGES[rule].format(value=value if value is not None else "")
    if rule in context.known and isinstance(value, str):
        message += did_you_mean(value, context.known[rule])
    return found_rule.at(_loc(context, file, row, column), message)


def _paths(context: _Context, versions: list[Version]) -> None:
    """Each distinct (version, inputs) -> the path its inputs choose, as ``path_steps``;
    inputs the path cannot use are findings at the inputs cell."""
    con = context.con
    distinct = con.execute(
        "SELECT version, inputs, min(file), min(row) FROM received WHERE version IS NOT NULL GROUP BY ALL"
    ).fetchall()
    keys: dict[tuple[int, tuple[str, ...]], int] = {}
    input_rows: list[tuple[int, str | None, int | None]] = []
    steps: list[tuple[int, int, str]] = []
    chosen: dict[tuple[int, tuple[bool | None, ...]], tuple[str, ...] | TimelineError] = {}
    for version, inputs, _file, _row in distinct:
        decision = versions[version].decision
        found: tuple[str, ...] | TimelineError | ValueError
        try:
            found = _chosen_path(decision, version, _inputs(decision, inputs), chosen)
        except (TimelineError, ValueError) as err:  # inputs that cannot be read
            found = err
        if isinstance(found, Exception):
            problem = str(found)
            if isinstance(found, MissingInput):  # its own words are for the command line (--set)
                item = found.input
                problem = f"the path depends on '{item.id}' ({item.label}), which the inputs do not give"
            con.execute(
                "INSERT INTO case_problems SELECT file, row, 'inputs', 'inputs', ? FROM received "
                "WHERE version = ? AND inputs IS NOT DISTINCT FROM ?",
                [f"the inputs cannot choose a path: {problem}", version, inputs],
            )
            input_rows.append((version, inputs, None))
            continue
        stages = found
        if (version, stages) not in keys:
            keys[version, stages] = len(keys)
            steps.extend((keys[version, stages], position, stage) for position, stage in enumerate(stages, 1))
        input_rows.append((version, inputs, keys[version, stages]))
    bulk_insert(con, "input_paths", [("version", "INTEGER"), ("inputs", "VARCHAR"), ("path", "INTEGER")], input_rows)
    bulk_insert(con, "path_steps", [("path", "INTEGER"), ("pos", "INTEGER"), ("stage", "VARCHAR")], steps)
    con.execute(
        """
        CREATE OR REPLACE TABLE path_steps AS
        SELECT p.*, s.kind, s.amount, s.pausable,
               s.is_answer OR (NOT EXISTS (SELECT 1 FROM path_steps q JOIN version_stages a
                                            ON a.version = v.version AND a.stage = q.stage AND a.is_answer
                                            WHERE q.path = p.path)
                               AND p.pos = max(p.pos) OVER (PARTITION BY p.path)) AS is_answer,
               v.version
        FROM path_steps p
        JOIN (SELECT DISTINCT path, version FROM input_paths WHERE path IS NOT NULL) v USING (path)
        JOIN version_stages s ON s.version = v.version AND s.stage = p.stage
        """
    )


def _chosen_path(
    decision: Decision,
    version: int,
    values: Mapping[str, object],
    chosen: dict[tuple[int, tuple[bool | None, ...]], tuple[str, ...] | TimelineError],
) -> tuple[str, ...] | TimelineError:
    """The stage ids of the path these values take, or why there is none: worked out once per
    version and signature (``chosen``), not once per distinct inputs (amounts differ case by case)."""
    key = (version, path_signature(decision, values))
    if key not in chosen:
        try:
            chosen[key] = tuple(s.id for s in path_for(decision, values))
        except TimelineError as err:
            chosen[key] = err
    return chosen[key]


def _inputs(decision: Decision, text: str | None) -> dict[str, object]:
    """The received row's inputs: a JSON object or ``name=value;name=value``."""
    if text is None or not text.strip():
        return {}
    raw: dict[str, object]
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            loaded = json.loads(stripped)
        except json.JSONDecodeError as err:
            raise ValueError(f"inputs are not valid JSON ({err.msg} at character {err.pos + 1})") from None
        if not isinstance(loaded, dict):
            raise ValueError('inputs must be a JSON object, e.g. {"amount": 5000}')
        raw = loaded
    else:
        raw = {}
        for part in stripped.split(";"):
            if not part.strip():
                continue
            name, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"'{part.strip()}' is not name=value, e.g. amount=5000;first_request=true")
            raw[name.strip()] = value.strip()
    values: dict[str, object] = {}
    for name, given in raw.items():
        if given is None:  # JSON null: not given ('None' is no value of any input)
            continue
        item = decision.inputs.get(name)
        if item is None:
            known = ", ".join(decision.inputs) or "it has none"
            raise ValueError(f"'{name}' is not an input of {decision.id} ({known})")
        text = ("yes" if given else "no") if isinstance(given, bool) else str(given)
        if item.type is InputType.YES_NO and text.lower() in ("true", "false"):
            text = "yes" if text.lower() == "true" else "no"
        values[name] = parse_value(item, text)
    return values


# ------------------------------------------------------------------ promised


def _promised(
    con: duckdb.DuckDBPyConnection, versions: list[Version], as_of: dt.datetime, *, keep_steps: bool = False
) -> None:
    """``answer_due(key, stage, due_us)``: the promised answer of each case, its path walked
    stage by stage from receipt, each due instant moved by the time paused on a pausable
    stage (``pauses``). Each step needs only the step before it, so only the answer's rows are kept;
    ``keep_steps``: and every step of the cases in ``tracking_keys`` (``tracked_steps``)."""
    con.execute("CREATE OR REPLACE TABLE answer_due(key BIGINT, stage VARCHAR, due_us BIGINT)")
    if keep_steps:
        con.execute("CREATE OR REPLACE TABLE tracked_steps(key BIGINT, pos INTEGER, stage VARCHAR, due_us BIGINT)")
    longest = con.execute("SELECT coalesce(max(pos), 0) FROM path_steps").fetchone()
    for position in range(1, int(longest[0] if longest else 0) + 1):
        start = "c.received_us" if position == 1 else "(SELECT p.due_us FROM prev_step p WHERE p.key = c.key)"
        con.execute(
            f"""
            CREATE OR REPLACE TABLE q AS
            SELECT c.key, c.cal, s.kind, s.amount, {start} AS rec_us, s.stage, s.pos, s.pausable
            FROM cases c JOIN path_steps s ON s.path = c.path AND s.pos = {position}
            """
        )
        _due_with_pauses(con, "q", "prom_step")
        if keep_steps:
            con.execute(
                "INSERT INTO tracked_steps SELECT p.key, p.pos, p.stage, p.due_us FROM prom_step p "
                "SEMI JOIN tracking_keys t ON t.key = p.key"
            )
        con.execute(
            """
            INSERT INTO answer_due
            SELECT p.key, p.stage, p.due_us FROM prom_step p JOIN cases c USING (key)
            JOIN path_steps s ON s.path = c.path AND s.pos = p.pos AND s.is_answer;
            CREATE OR REPLACE TABLE prev_step AS SELECT key, due_us FROM prom_step;
            """
        )
    tables = ("q", "prev_step", "prom_step", "prom_step_raw", "prom_step_moved")
    con.execute(" ".join(f"DROP TABLE IF EXISTS {t};" for t in tables))


def _pauses(con: duckdb.DuckDBPyConnection, as_of: dt.datetime) -> None:
    """``pauses(ck, stage, paused_us, paused_w_us)``: time each stage of a case waited on
    the client; a pause not yet resumed lasts until the stage is done, else until ``as_of``
    (the request still waits on the client now: its clock is stopped, so it is not overdue;
    the record's last event, of any case, said nothing about this one)."""
    con.execute(
        f"""
        CREATE OR REPLACE TABLE pause_spans AS
        SELECT p.* EXCLUDE (next_us), greatest(p.from_us, coalesce(p.next_us, d.done_us, {micros(as_of)})) AS to_us
        -- counted in the calendar of the rules in force: the due date a pause moves is counted in it
        FROM (SELECT e.ck, e.stage, c.cal, e.at_us AS from_us, lead(e.at_us) OVER w AS next_us, e.event
              FROM ev e JOIN cases c ON c.key = e.ck WHERE e.event IN ('paused', 'resumed')
              WINDOW w AS (PARTITION BY e.ck, e.stage ORDER BY e.at_us, e.file, e.row)) p
        -- the first done of the stages paused or resumed only (not of every stage of every case)
        LEFT JOIN (SELECT e.ck, e.stage, min(e.at_us) AS done_us FROM ev e
                   SEMI JOIN (SELECT ck, stage FROM ev WHERE event IN ('paused', 'resumed')) m
                       ON m.ck = e.ck AND m.stage = e.stage
                   WHERE e.event = 'done' GROUP BY ALL) d USING (ck, stage)
        """
    )
    j_from, w_from = dues.working_at("p", "from_us", "w1")
    j_to, w_to = dues.working_at("p", "to_us", "w2")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE pauses AS
        SELECT ck, stage, sum(p.to_us - p.from_us)::BIGINT AS paused_us, sum({w_to} - {w_from})::BIGINT AS paused_w_us
        FROM (SELECT * FROM pause_spans WHERE event = 'paused') p {j_from} {j_to}
        GROUP BY ALL
        """
    )


def _draw_out_events(con: duckdb.DuckDBPyConnection, as_of: dt.datetime) -> None:
    """What the steps after the cases read of the events (``pauses``, ``first_done``,
    ``withdrawn``), drawn out before the events go, and the cases' inputs (their paths are
    chosen): a million cases spill past the memory limit, and every column kept costs I/O."""
    unread = ("case", "decision", "inputs", "reason", "client_note", "until_us")
    con.execute(" ".join(f'ALTER TABLE ev DROP COLUMN "{column}";' for column in unread))
    _pauses(con, as_of)
    _first_done(con)
    con.execute(
        """
        CREATE OR REPLACE TABLE withdrawn AS
        SELECT ck, min(at_us) AS withdrawn_us FROM ev WHERE event = 'withdrawn' GROUP BY ALL;
        DROP TABLE ev; ALTER TABLE cases DROP COLUMN inputs;
        """
    )


def _first_done(con: duckdb.DuckDBPyConnection) -> None:
    """``first_done(ck, stage, at_us, by, file, row)``: the first done of each stage of a case,
    the record's order breaking ties."""
    con.execute(
        """
        CREATE OR REPLACE TABLE first_done AS
        SELECT ck, stage, at_us, "by", file, row FROM ev WHERE event = 'done'
        QUALIFY row_number() OVER (PARTITION BY ck, stage ORDER BY at_us, file, row) = 1
        """
    )


def _due_with_pauses(con: duckdb.DuckDBPyConnection, table: str, out: str) -> None:
    """``out``: ``table``'s rows with ``due_us``, moved by pauses when the stage is pausable."""
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {out}_raw AS
        SELECT t.*, d.due_us FROM {table} t JOIN ({dues.due_sql(table)}) d USING (key)
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {out}_moved AS
        SELECT r.key, r.cal, r.kind, r.due_us, coalesce(p.paused_us, 0) AS paused_us,
               coalesce(p.paused_w_us, 0) AS paused_w_us
        FROM {out}_raw r JOIN pauses p ON p.ck = r.key AND p.stage = r.stage
        WHERE r.pausable AND p.paused_us > 0
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {out} AS
        SELECT r.* EXCLUDE (due_us), coalesce(m.due_us, r.due_us) AS due_us
        FROM {out}_raw r LEFT JOIN ({dues.shifted_sql(f"{out}_moved")}) m USING (key)
        """
    )


# ------------------------------------------------------------------ actual


def _actual(con: duckdb.DuckDBPyConnection, versions: list[Version], as_of: dt.datetime) -> None:
    """``done``: each stage done, from when it really started, judged by its own within;
    ``verdict``: one row per case against its promised answer."""
    now = micros(as_of)
    # Each stage's first done (the record's order breaks ties), its start (the stage done
    # before it, else receipt), and a key of its own: its row id (row_number() OVER () gave
    # it on one thread, 1.4 s of a million cases).
    con.execute(
        """
        CREATE OR REPLACE TABLE dq AS
        WITH ordered AS (
            SELECT c.key AS case_key, c.cal, c.version, f.stage, f.at_us AS done_us, f."by",
                   coalesce(lag(f.at_us) OVER w, c.received_us) AS rec_us, row_number() OVER w AS seq
            FROM cases c JOIN first_done f ON f.ck = c.key
            WINDOW w AS (PARTITION BY c.key ORDER BY f.at_us, f.file, f.row)
        )
        SELECT d.*, s.kind, s.amount, s.pausable
        FROM ordered d JOIN version_stages s ON s.version = d.version AND s.stage = d.stage;
        DROP TABLE first_done;
        CREATE OR REPLACE VIEW dq_keyed AS SELECT rowid AS key, * FROM dq;
        """
    )
    # Each stage done against its own within, moved by its pauses.
    carried = ("case_key", "cal", "version", "stage", "done_us", '"by"', "rec_us", "seq", "kind", "pausable")
    con.execute(
        f"CREATE OR REPLACE TABLE dq_due AS {dues.due_sql('dq_keyed', carried)}; DROP VIEW dq_keyed; DROP TABLE dq"
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE dq_moved AS
        SELECT q.key, q.cal, q.kind, q.due_us, p.paused_us, p.paused_w_us
        FROM dq_due q JOIN pauses p ON p.ck = q.case_key AND p.stage = q.stage
        WHERE q.pausable AND p.paused_us > 0
        """
    )
    j_done, w_done = dues.working_at("b", "done_us", "w1")
    j_start, w_start = dues.working_at("b", "start_us", "w2")
    j_due, w_due = dues.working_at("b", "due_us", "w3")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE done AS
        WITH base AS (
            SELECT q.case_key AS key, q.cal, q.version, q.stage, q.done_us, q."by", q.rec_us AS start_us, q.seq,
                   coalesce(m.due_us, q.due_us) AS due_us
            FROM dq_due q LEFT JOIN ({dues.shifted_sql("dq_moved")}) m USING (key)
        )
        SELECT b.*, b.due_us >= b.done_us AS on_time,
               ({w_done} - {w_start}) / {_HOUR_US}.0 AS working_hours,
               -- microseconds: a sum of integers is exact, one of doubles varied with the threads
               greatest(0, {w_done} - {w_due}) AS over_us
        FROM base b {j_done} {j_start} {j_due};
        DROP TABLE dq_due; DROP TABLE dq_moved;
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE verdict0 AS
        SELECT c.key, c."case", c.decision, c.cal, c.received_us, c.version, c.path,
               a.due_us AS promised_us, a.stage AS answer_stage, d.done_us AS answered_us,
               w.withdrawn_us,
               EXISTS (SELECT 1 FROM pauses p JOIN path_steps s ON s.path = c.path AND s.stage = p.stage AND s.pausable
                       WHERE p.ck = c.key AND p.paused_us > 0) AS paused
        FROM cases c
        JOIN answer_due a USING (key)
        LEFT JOIN done d ON d.key = c.key AND d.stage = a.stage
        LEFT JOIN withdrawn w ON w.ck = c.key
        """
    )
    j_answered, w_answered = dues.working_at("v", "answered_us", "w1")
    j_received, w_received = dues.working_at("v", "received_us", "w2")
    j_promised, promised_day = dues.local_day_at("v", "promised_us", "o")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE verdict AS
        WITH v AS (
            SELECT *, CASE
                WHEN answered_us IS NOT NULL AND (withdrawn_us IS NULL OR answered_us <= withdrawn_us)
                    THEN CASE WHEN answered_us <= promised_us
                              THEN '{Status.ON_TIME.value}' ELSE '{Status.LATE.value}' END
                WHEN withdrawn_us IS NOT NULL THEN '{Status.WITHDRAWN.value}'
                WHEN promised_us < {now} THEN '{Status.OPEN_LATE.value}'
                ELSE '{Status.OPEN.value}' END AS status
            FROM verdict0
        )
        SELECT v.*, ({w_answered} - {w_received}) / {_HOUR_US}.0 AS working_hours,
               {promised_day} AS promised_day
        FROM v {j_answered} {j_received} {j_promised}
        """
    )
    con.execute("DROP TABLE verdict0")


# ------------------------------------------------------------------ figures


def _figures(
    con: duckdb.DuckDBPyConnection, periods: Sequence[Period], left_out: Mapping[str, int]
) -> tuple[DecisionFigures, ...]:
    """Per decision and period (its cases: those whose promised answer falls in it)."""
    if not periods:
        return ()
    bulk_insert(
        con,
        "periods",
        [("label", "VARCHAR"), ("first", "DATE"), ("last", "DATE")],
        [(p.label, p.first.isoformat(), p.last.isoformat()) for p in periods],
    )
    stage_rows = con.execute(
        f"""
        WITH first_late AS (SELECT key, arg_min(stage, seq) AS stage FROM done WHERE NOT on_time GROUP BY key)
        SELECT v.decision, p.label, d.stage, count(*), count(*) FILTER (WHERE d.on_time),
               list_sort(list(d.working_hours)), sum(d.over_us) / {_HOUR_US}.0,
               count(*) FILTER (WHERE f.stage = d.stage)
        FROM verdict v JOIN periods p ON v.promised_day BETWEEN p.first AND p.last
        JOIN done d ON d.key = v.key LEFT JOIN first_late f ON f.key = v.key
        JOIN version_stages s ON s.version = d.version AND s.stage = d.stage
        WHERE v.status <> 'withdrawn'
        -- stages in the decision's own order (display order, SPEC 3), not by name
        GROUP BY ALL ORDER BY v.decision, p.label, min(s.place), d.stage
        """
    ).fetchall()
    stages: dict[tuple[str, str], list[StageFigures]] = {}
    for decision, label, stage, count, on_time, hours, over, first_late in stage_rows:
        stages.setdefault((decision, label), []).append(
            StageFigures(
                stage=stage,
                done=int(count),
                on_time=int(on_time),
                on_time_rate=_rate(int(on_time), int(count)),
                working_hours=percentiles(hours),
                over_within_hours=round(float(over or 0.0), 2),
                first_late=int(first_late),
            )
        )
    rows = con.execute(
        """
        SELECT v.decision, p.label,
            -- every case, withdrawn ones too: SPEC 11's example has cases 120 = 104 + 9 + 2 + 3 + 2
            count(*),
            count(*) FILTER (WHERE status = 'on_time'), count(*) FILTER (WHERE status = 'late'),
            count(*) FILTER (WHERE status = 'open_late'), count(*) FILTER (WHERE status = 'open'),
            count(*) FILTER (WHERE status = 'withdrawn'),
            list_sort(list(working_hours) FILTER (WHERE status IN ('on_time', 'late'))),
            count(*) FILTER (WHERE paused AND status <> 'withdrawn')
        FROM verdict v JOIN periods p ON v.promised_day BETWEEN p.first AND p.last
        GROUP BY ALL ORDER BY ALL
        """
    ).fetchall()
    found: list[DecisionFigures] = []
    for decision, label, cases, on_time, late, open_late, open_, withdrawn, hours, paused in rows:
        counted = int(on_time) + int(late) + int(open_late)
        found.append(
            DecisionFigures(
                decision=decision,
                period=label,
                cases=int(cases),
                on_time=int(on_time),
                late=int(late),
                open_late=int(open_late),
                open=int(open_),
                withdrawn=int(withdrawn),
                left_out=int(left_out.get(decision, 0)),
                on_time_rate=_rate(int(on_time), counted),
                working_hours=percentiles(hours),
                stages=tuple(stages.get((decision, label), ())),
                paused=int(paused),
            )
        )
    return tuple(found)


def _rate(on_time: int, counted: int, minimum: int = MIN_CASES_INTERNAL) -> float | None:
    """on_time / counted, None below ``minimum`` cases (SPEC 11: too few to say)."""
    return round(on_time / counted, 4) if counted >= minimum else None


def percentiles(sorted_hours: Sequence[float] | None, minimum: int = MIN_CASES_INTERNAL) -> Percentiles:
    """Nearest rank: the p-th percentile of n values is the ceil(p/100 * n)-th smallest."""
    values = list(sorted_hours or ())
    if len(values) < minimum:
        return NO_PERCENTILES

    def rank(p: int) -> float:
        return round(float(values[max(1, math.ceil(p / 100 * len(values))) - 1]), 2)

    return Percentiles(rank(50), rank(80), rank(95))


# ------------------------------------------------------------------ overdue now


def _overdue(
    con: duckdb.DuckDBPyConnection,
    rules: RecordRules,
    versions: list[Version],
    calendars: Mapping[str, BusinessCalendar],
    as_of: dt.datetime,
) -> tuple[OverdueItem, ...]:
    """Open cases whose current stage, or whose answer, is past due at ``as_of``: the stage
    after the last one done on the path, due from when it started (its pauses counted)."""
    now = micros(as_of)
    con.execute(
        """
        CREATE OR REPLACE TABLE current_stage AS
        WITH last_done AS (
            SELECT v.key, max(s.pos) AS pos, max(d.done_us) AS done_us
            FROM verdict v JOIN done d ON d.key = v.key JOIN path_steps s ON s.path = v.path AND s.stage = d.stage
            GROUP BY v.key
        )
        SELECT v.key, v."case", v.decision, v.cal, v.version, v.promised_us, v.answered_us,
               s.stage, s.kind, s.amount, s.pausable, coalesce(l.done_us, v.received_us) AS rec_us
        FROM verdict v LEFT JOIN last_done l USING (key)
        JOIN path_steps s ON s.path = v.path AND s.pos = coalesce(l.pos, 0) + 1
        -- an answered case can still have a stage open after its answer (a follow-up call,
        -- SPEC 3 `answer`): that stage is overdue by its own due instant
        WHERE v.status <> 'withdrawn'
        """
    )
    _due_with_pauses(con, "current_stage", "current_due")
    j_late, w_late = dues.working_at("d", "late_from", "w1")
    j_now, w_now = dues.working_at("d", "now_us", "w2")
    rows = con.execute(
        f"""
        WITH due AS (
            SELECT c.*, CASE WHEN c.due_us <= {now} THEN c.due_us ELSE c.promised_us END AS late_from
            FROM current_due c WHERE c.due_us <= {now} OR (c.promised_us <= {now} AND c.answered_us IS NULL)
        )
        SELECT d."case", d.decision, d.version, d.stage, d.cal, d.late_from,
               ({w_now} - {w_late}) / {_HOUR_US}.0 AS late_hours
        FROM (SELECT *, {now}::BIGINT AS now_us FROM due) d {j_late} {j_now}
        -- the longest overdue first: the top of a reminder is what waits most
        ORDER BY d.late_from, d."case"
        """
    ).fetchall()
    items = []
    for case, decision_id, version, stage_id, calendar_id, late_from, late_hours in rows:
        # today where this case is handled (was the first row's calendar for every row)
        today = as_of.astimezone(calendars[calendar_id].zone).date() if calendar_id in calendars else as_of.date()
        decision = versions[version].decision
        stage = decision.stages.get(stage_id)
        can_act: dict[str, None] = {}
        if stage is not None:
            for member in stage.who.members:
                can_act.update(dict.fromkeys(queries.acting_people(rules.org, member.id, today)))
        business = calendars.get(calendar_id)
        due = from_micros(int(late_from), business) if business else dt.datetime.fromtimestamp(late_from / _US, dt.UTC)
        items.append(
            OverdueItem(
                case=case,
                decision=decision_id,
                stage=stage_id,
                due=due,
                late_working_hours=round(float(late_hours), 2),
                can_act=tuple(can_act),
                escalate_to=stage.escalate_to.id if stage is not None and stage.escalate_to else None,
            )
        )
    return tuple(items)


# ------------------------------------------------------------------ conformance


def _deviations(
    con: duckdb.DuckDBPyConnection, rules: RecordRules, versions: list[Version]
) -> tuple[DeviationCount, ...]:
    """Where what happened is not what is written, worst first (most cases)."""
    _done_on_path(con)
    _allowed_actors(con, rules, versions)
    rows = con.execute(
        f"""
        -- the cases with a stage of the path missing before their last one done (positions
        -- count from 1): only they are looked at stage by stage
        WITH gaps AS (
            SELECT key, max(pos) AS last_pos FROM done_on_path GROUP BY key HAVING count(pos) < max(pos)
        ),
        -- the window sorts only the columns it needs; the few rows found get their names after
        out_of_order AS (
            SELECT key, pos FROM (
                SELECT key, pos, done_us, max(done_us) OVER (PARTITION BY key ORDER BY pos ROWS BETWEEN
                                                             UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_us
                FROM done_on_path WHERE pos IS NOT NULL) WHERE before_us > done_us
        ),
        found AS (
            SELECT '{Deviation.NOT_ON_PATH.value}' AS kind, key, stage FROM done_on_path WHERE pos IS NULL
            UNION ALL
            SELECT '{Deviation.SKIPPED.value}', g.key, s.stage
            FROM gaps g JOIN verdict v USING (key) JOIN path_steps s ON s.path = v.path AND s.pos < g.last_pos
            ANTI JOIN done_on_path x ON x.key = g.key AND x.pos = s.pos
            UNION ALL
            SELECT '{Deviation.OUT_OF_ORDER.value}', key, d.stage
            FROM out_of_order o JOIN done_on_path d USING (key, pos)
            UNION ALL
            SELECT '{Deviation.WRONG_ACTOR.value}', d.key, d.stage
            FROM done_on_path d
            ANTI JOIN allowed a ON a.version = d.version AND a.stage = d.stage AND a.person = d."by" AND a.day = d.day
            WHERE coalesce(d."by", '') <> '' AND d.day IS NOT NULL
        )
        SELECT kind, v.decision, stage, count(DISTINCT v."case") AS n, list(DISTINCT v."case" ORDER BY v."case")[1:3]
        FROM found JOIN verdict v USING (key) GROUP BY ALL ORDER BY n DESC, v.decision, kind, stage
        """
    ).fetchall()
    return tuple(
        DeviationCount(decision=decision, kind=Deviation(kind), stage=stage, count=int(n), examples=tuple(examples))
        for kind, decision, stage, n, examples in rows
    )


def _done_on_path(con: duckdb.DuckDBPyConnection) -> None:
    """``done_on_path``: each judged case's done stages with their place on its path (NULL: not
    on it) and the local day they were done (NULL without a calendar). Made once: the four
    checks read it, and a CTE read four times was computed four times. Keys only: the few
    rows found get their case's names at the end."""
    # the local day by an equality join on the quarter hour (as dues.working_at), not an ASOF join
    j_day, day = dues.local_day_at("d", "done_us", "q")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE done_on_path AS
        SELECT d.key, d.stage, d.done_us, d."by", d.version, s.pos, {day} AS day
        FROM done d JOIN (SELECT key, path FROM verdict) v USING (key)
        LEFT JOIN path_steps s ON s.path = v.path AND s.stage = d.stage {j_day}
        """
    )


def _allowed_actors(con: duckdb.DuckDBPyConnection, rules: RecordRules, versions: list[Version]) -> None:
    """``allowed(version, stage, person, day)``: who could act at a stage on each day the
    record has a done event, by the stand-in rule (people as they are now)."""
    used = con.execute("SELECT DISTINCT version, stage, day FROM done_on_path WHERE day IS NOT NULL").fetchall()
    rows: list[tuple[int, str, str, str]] = []
    for version, stage_id, day in used:
        stage = versions[version].decision.stages.get(stage_id)
        if stage is None:
            continue
        people: dict[str, None] = {}
        for member in stage.who.members:
            people.update(dict.fromkeys(queries.acting_people(rules.org, member.id, day)))
        rows.extend((version, stage_id, person, day.isoformat()) for person in people)
    bulk_insert(
        con, "allowed", [("version", "INTEGER"), ("stage", "VARCHAR"), ("person", "VARCHAR"), ("day", "DATE")], rows
    )


def measure_folder(
    folder: str,
    rules: RecordRules,
    as_of: dt.datetime,
    periods: Sequence[Period],
    shown: str | None = None,
    *,
    findings_only: bool = False,
    figures_only: bool = False,
    tracking: bool = False,
    tables_for: TablesFor | None = None,
) -> tuple[Measured, list[Finding]]:
    """Read a cases folder and measure it, in a DuckDB of its own (in memory, spilling to a
    temporary folder past ``MEMORY_LIMIT``, so a million cases fit a small CI machine)."""
    with tempfile.TemporaryDirectory(prefix="decision-paths-record-") as spill:
        con = duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT, "temp_directory": spill})
        try:
            loaded = load_record(con, folder, shown, {d: [v.decision for v in vs] for d, vs in rules.versions.items()})
            # Row numbers are read; from here on no step depends on the order rows arrive in.
            con.execute("SET preserve_insertion_order = false")
            return measure(
                con,
                loaded,
                rules,
                as_of,
                periods,
                findings_only=findings_only,
                figures_only=figures_only,
                tracking=tracking,
                tables_for=tables_for,
            )
        finally:
            con.close()
