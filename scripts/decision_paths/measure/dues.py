"""Due instants and working time for many requests at once, by joining the working-time tables.

The arithmetic per kind of unit is SPEC section 8's, as ``model.timeline`` counts
it; the calendar facts come only from the tables (``measure.tables``), and a test
compares every kind with ``timeline.due_instant`` across holidays and clock changes.
All instants are UTC microseconds (BIGINT).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from decision_paths.load.cases import bulk_insert
from decision_paths.measure.tables import CalendarTables
from decision_paths.model.units import Kind

_HOUR_US = 3_600_000_000
_DAY_US = 86_400_000_000


# The working-time tables' columns (``measure.tables`` says what each holds).
_TABLES: dict[str, list[tuple[str, str]]] = {
    "cal_days": [
        ("cal", "VARCHAR"),
        ("day", "DATE"),
        ("idx", "BIGINT"),
        ("working", "BOOLEAN"),
        ("opens_us", "BIGINT"),
        ("closes_us", "BIGINT"),
        ("eod_us", "BIGINT"),
    ],
    "cal_work": [("cal", "VARCHAR"), ("at_us", "BIGINT"), ("cum_us", "BIGINT"), ("open", "BOOLEAN")],
    "cal_offsets": [("cal", "VARCHAR"), ("from_us", "BIGINT"), ("offset_s", "BIGINT")],
    "cal_wall": [("cal", "VARCHAR"), ("wall_from_us", "BIGINT"), ("offset_s", "BIGINT")],
}


def load_tables(con: duckdb.DuckDBPyConnection, tables: list[CalendarTables]) -> None:
    """Fill the working-time tables of every calendar the record needs, each table in one
    bulk insert (executemany goes row by row, a second for a few years of one calendar)."""
    rows: dict[str, list[Sequence[object]]] = {
        "cal_days": [row for found in tables for row in found.days],
        "cal_work": [row for found in tables for row in found.work],
        "cal_offsets": [row for found in tables for row in found.offsets],
        "cal_wall": [row for found in tables for row in found.wall],
    }
    for table, columns in _TABLES.items():
        bulk_insert(con, table, columns, rows[table])
    index_tables(con)


def _first_quarter(instant: str) -> str:
    """SQL: the first quarter hour at or after ``instant`` (whichever way division rounds)."""
    return f"({instant} // 900000000 + CASE WHEN {instant} % 900000000 > 0 THEN 1 ELSE 0 END)"


def index_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Views the joins read, made once the tables are filled."""
    con.execute(
        f"""
        CREATE OR REPLACE TABLE cal_working AS
            SELECT cal, idx, closes_us FROM cal_days WHERE working;
        CREATE OR REPLACE TABLE cal_open AS
            SELECT cal, cum_us, at_us FROM cal_work WHERE open;
        -- Each day with the working time before it, for cal_quarter below: W(t) by an equality
        -- join, no ASOF (the bulk of the record's instants). The same numbers as cal_work, summed.
        CREATE OR REPLACE TABLE cal_daywork AS
            SELECT cal, day, idx, working, opens_us, closes_us,
                   coalesce(sum(closes_us - opens_us) OVER (PARTITION BY cal ORDER BY day
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before_us
            FROM cal_days;
        -- Every quarter hour of the span with its UTC offset (zones change on quarter hours),
        -- so its local date, and that date's row of cal_daywork: one equality join gives an
        -- instant's date and the working time before it (offsets are whole quarter hours, so
        -- local midnight falls on one and a quarter hour lies in one date). Each offset covers
        -- the quarter hours from its change to the next (ranges, no ASOF join: half the time).
        CREATE OR REPLACE TABLE cal_quarter AS
            SELECT q.*, w.idx, w.working, w.opens_us, w.closes_us, w.before_us
            FROM (SELECT s.cal, CAST(s.q AS BIGINT) AS q, s.offset_s,
                         CAST(make_timestamp(CAST(s.q * 900000000 + s.offset_s * 1000000 AS BIGINT)) AS DATE) AS day
                  FROM (SELECT o.cal, o.offset_s, unnest(range(greatest(o.first_q, b.lo), least(o.next_q, b.hi))) AS q
                        FROM (SELECT cal, offset_s, {_first_quarter("from_us")} AS first_q,
                                     coalesce({_first_quarter("next_us")}, 9000000000000000000) AS next_q
                              FROM (SELECT *, lead(from_us) OVER (PARTITION BY cal ORDER BY from_us) AS next_us
                                    FROM cal_offsets)) o
                        -- the span: its offsets and its days
                        JOIN (SELECT cal, min(lo) AS lo, max(hi) AS hi
                              FROM (SELECT cal, min(from_us) // 900000000 AS lo, max(from_us) // 900000000 + 1 AS hi
                                    FROM cal_offsets GROUP BY cal
                                    UNION ALL
                                    SELECT cal, min(eod_us) // 900000000 - 200, max(eod_us) // 900000000 + 200
                                    FROM cal_days GROUP BY cal)
                              GROUP BY cal) b USING (cal)) s) q
            LEFT JOIN cal_daywork w ON w.cal = q.cal AND w.day = q.day;
        """
    )


def local_day_at(table_alias: str, instant: str, alias: str) -> tuple[str, str]:
    """(join clause, the expression of the instant's calendar date) to add to a query over
    ``table_alias``: an equality join on the instant's quarter hour gives its date (NULL
    outside the tables or without a calendar)."""
    at = f"{table_alias}.{instant}"
    clause = f"LEFT JOIN cal_quarter {alias} ON {alias}.cal = {table_alias}.cal AND {alias}.q = {at} // 900000000"
    return clause, f"{alias}.day"


def working_at(table_alias: str, instant: str, alias: str) -> tuple[str, str]:
    """(join clause, the expression of W(instant)) to add to a query over ``table_alias``:
    the instant's quarter hour gives its date and the working time before that date;
    inside that day's hours the time since opening counts, clamped."""
    at = f"{table_alias}.{instant}"
    clause, _day = local_day_at(table_alias, instant, alias)
    value = (
        f"({alias}.before_us + CASE WHEN {alias}.working "
        f"THEN least(greatest({at} - {alias}.opens_us, 0), {alias}.closes_us - {alias}.opens_us) ELSE 0 END)"
    )
    return clause, value


def working_us_sql(table: str, instant_column: str, out: str) -> str:
    """``SELECT *, W(instant) AS out FROM table``: working microseconds before an instant."""
    return f"""
        SELECT t.*, w.cum_us + CASE WHEN w.open THEN t.{instant_column} - w.at_us ELSE 0 END AS {out}
        FROM {table} t ASOF JOIN cal_work w ON t.cal = w.cal AND t.{instant_column} >= w.at_us
    """


def due_sql(table: str, carry: Sequence[str] = ()) -> str:
    """For ``table(key, cal, kind, amount, rec_us)``: ``(key, *carry, due_us)``, one row per input
    row whose due instant the tables cover (a key missing from the result is out of range).
    ``carry``: more of the table's columns to keep, so the caller need not join back on key."""
    kept = "".join(f", t.{column}" for column in carry)
    j_day, day = local_day_at("t", "rec_us", "o")
    clock = f"""
        SELECT t.key{kept}, t.rec_us + CAST(round(t.amount * {_HOUR_US}) AS BIGINT) AS due_us
        FROM {table} t WHERE t.kind = '{Kind.CLOCK_HOURS.value}'
    """
    calendar_days = f"""
        SELECT t.key{kept}, d.eod_us AS due_us
        FROM (SELECT t.*, {day} AS rec_day FROM {table} t {j_day} WHERE t.kind = '{Kind.CALENDAR_DAYS.value}') t
        JOIN cal_days d ON d.cal = t.cal AND d.day = t.rec_day + CAST(t.amount AS INTEGER)
    """
    # the quarter hour's row (alias o) has its date's count of working days
    business_days = f"""
        SELECT t.key{kept}, w.closes_us AS due_us
        FROM {table} t {j_day}
        JOIN cal_working w ON w.cal = t.cal AND w.idx = o.idx + CAST(t.amount AS BIGINT)
        WHERE t.kind = '{Kind.BUSINESS_DAYS.value}'
    """
    hours = f"(SELECT * FROM {table} WHERE kind = '{Kind.BUSINESS_HOURS.value}')"
    business_hours = f"""
        SELECT t.key{kept}, o.at_us + (t.target_us - o.cum_us) AS due_us
        FROM (SELECT *, w_us + CAST(round(amount * {_HOUR_US}) AS BIGINT) AS target_us
              FROM ({working_us_sql(hours, "rec_us", "w_us")})) t
        ASOF JOIN cal_open o ON t.cal = o.cal AND t.target_us > o.cum_us
    """
    return f"{clock}\nUNION ALL {calendar_days}\nUNION ALL {business_days}\nUNION ALL {business_hours}"


def shifted_sql(table: str) -> str:
    """For ``table(key, cal, kind, due_us, paused_us, paused_w_us)``: ``(key, due_us)`` moved by
    the time paused: working time for business units, elapsed time for the others."""
    business = (Kind.BUSINESS_DAYS.value, Kind.BUSINESS_HOURS.value)
    moved = f"(SELECT * FROM {table} WHERE kind IN {business} AND paused_w_us > 0)"
    return f"""
        SELECT key, CASE WHEN kind IN {business} THEN due_us ELSE due_us + paused_us END AS due_us
        FROM {table}
        WHERE kind NOT IN {business} OR paused_w_us = 0
        UNION ALL
        SELECT q.key, o.at_us + (q.target_us - o.cum_us) AS due_us
        FROM (SELECT key, cal, w_us + paused_w_us AS target_us
              FROM ({working_us_sql(moved, "due_us", "w_us")})) q
        ASOF JOIN cal_open o ON q.cal = o.cal AND q.target_us > o.cum_us
    """
