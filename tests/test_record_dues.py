"""The record's due instants and working time (measure.dues, SQL over working-time tables)
equal the timeline's (model.timeline, SPEC 8) for every kind of unit, across Chinese
holidays and make-up days, and across clock changes (Europe/Berlin, and London open all
day), including wall-clock times the clocks skip or repeat."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pytest
from test_calendar_timeline import make_calendar

from decision_paths.load.cases import bulk_insert
from decision_paths.measure import dues
from decision_paths.measure.tables import calendar_tables, from_micros, micros
from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.findings import Loc
from decision_paths.model.timeline import due_instant
from decision_paths.model.units import parse_duration

NOWHERE = Loc("")
WITHIN = [
    "1 business day",
    "3 business days",
    "1 business hour",
    "1.5 business hours",
    "20 business hours",
    "2 calendar days",
    "1 week",
    "5 hours",
    "24 hours",
]


CALENDARS = {
    "shanghai": make_calendar("CN", "Asia/Shanghai", closed=("2026-12-31",)),  # a company closure too
    "hong-kong": make_calendar("HK", "Asia/Hong_Kong"),
    "berlin": make_calendar("DE", "Europe/Berlin", "08:30-17:15"),
    "london-all-day": make_calendar("GB", "Europe/London", "00:00-24:00", range(7)),
}


def receipts(business: BusinessCalendar) -> list[dt.datetime]:
    """Instants around the hard places (holidays, make-up days, clock changes, the desk's
    opening and closing) and a spread over the year, seeded."""
    chosen = [
        "2026-09-30T17:59:59",
        "2026-09-30T18:00",
        "2026-10-01T10:00",
        "2026-10-09T18:00",
        "2026-10-10T08:00",
        "2026-03-29T01:30",
        "2026-03-29T02:30",
        "2026-10-25T01:30",
        "2026-10-25T02:59",
        "2026-12-24T17:00",
        "2026-12-31T23:59:59",
    ]
    found = [business.at_wall(dt.datetime.fromisoformat(t)) for t in chosen]
    pick = random.Random(13)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    found += [start + dt.timedelta(seconds=pick.randrange(365 * 86_400)) for _ in range(150)]
    return found


@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_due_instants_and_working_time_equal_the_timeline(name: str) -> None:
    business = CALENDARS[name]
    tables = calendar_tables(name, business, dt.date(2025, 12, 1), dt.date(2027, 12, 31))
    con = duckdb.connect()
    dues.load_tables(con, [tables])
    rows, expected = [], {}
    for received in receipts(business):
        for within in WITHIN:
            duration = parse_duration(within, NOWHERE)
            spec = duration.unit.spec
            key = len(rows)
            rows.append((key, name, spec.kind.value, float(duration.amount * spec.factor), micros(received)))
            expected[key] = (received, within, due_instant(duration, received, business))
    columns = [("key", "BIGINT"), ("cal", "VARCHAR"), ("kind", "VARCHAR"), ("amount", "DOUBLE"), ("rec_us", "BIGINT")]
    bulk_insert(con, "q", columns, rows)
    found = dict(con.execute(dues.due_sql("q")).fetchall())
    wrong = [
        (received.isoformat(), within, from_micros(found.get(key, 0), business).isoformat(), due.isoformat())
        for key, (received, within, due) in expected.items()
        if found.get(key) != micros(due)
    ]
    assert wrong == []
    # working time between two instants: the SQL's against the desk's hours counted in Python
    pairs = [(key, name, micros(received)) for key, (received, _, _) in expected.items() if key % len(WITHIN) == 0]
    bulk_insert(con, "w", [("key", "BIGINT"), ("cal", "VARCHAR"), ("at_us", "BIGINT")], pairs)
    worked = dict(con.execute(f"SELECT key, w_us FROM ({dues.working_us_sql('w', 'at_us', 'w_us')})").fetchall())
    # the same by the equality joins the engine uses for most instants (dues.working_at)
    join, value = dues.working_at("w", "at_us", "x")
    joined = dict(con.execute(f"SELECT w.key, {value} FROM w {join}").fetchall())
    origin = micros(business.local(dt.date(2025, 12, 1)))
    for key, _, at_us in pairs[:40]:
        assert worked[key] == joined[key] == _working(business, origin, at_us)  # counted from the tables' first day


def _working(business: BusinessCalendar, start_us: int, end_us: int) -> int:
    """Working microseconds in [start, end), day by day from the calendar's own answers."""
    total = 0
    day = from_micros(start_us, business).date()
    last = from_micros(end_us, business).date()
    while day <= last:
        if business.is_working_day(day):
            opens = micros(business.boundary(day, business.opens))
            closes = micros(business.boundary(day, business.closes))
            total += max(0, min(closes, end_us) - max(opens, start_us))
        day += dt.timedelta(days=1)
    return total
