"""The case record's due instants (SQL over exported tables) equal the timeline's, to the microsecond.

The record needs millions of due instants, so DuckDB looks them up in tables
exported from the one calendar implementation. Any drift from
``timeline.due_instant`` would judge real cases by a different promise than the
pages show, so this compares both on thousands of receipts: China's holidays and
make-up days, Hong Kong, a company closure, and London's clock changes with a
desk open round the clock.
"""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pytest

from decision_paths.load.cases import bulk_insert
from decision_paths.measure import dues
from decision_paths.measure.tables import calendar_tables, from_micros, micros
from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.findings import Loc
from decision_paths.model.organisation import BusinessHours, Calendar, Ref
from decision_paths.model.timeline import due_instant
from decision_paths.model.units import parse_duration

NOWHERE = Loc("")
DURATIONS = [
    "1 business day",
    "3 business days",
    "10 business days",
    "1 business hour",
    "4 business hours",
    "1.5 business hours",
    "30 business hours",
    "1 calendar day",
    "2 calendar days",
    "1 week",
    "2 hours",
    "24 hours",
    "30 hours",
]


def calendar(country: str, zone: str, hours: tuple[int, int], closed: tuple[dt.date, ...] = ()) -> BusinessCalendar:
    return BusinessCalendar(
        Calendar(
            id=f"{country}-{zone}",
            loc=NOWHERE,
            country=Ref(country, NOWHERE),
            timezone=Ref(zone, NOWHERE),
            hours=BusinessHours(dt.timedelta(hours=hours[0]), dt.timedelta(hours=hours[1]), NOWHERE),
            closed=frozenset(closed),
        )
    )


CALENDARS = {
    "shanghai": calendar("CN", "Asia/Shanghai", (9, 18), (dt.date(2026, 12, 31),)),
    "hong-kong": calendar("HK", "Asia/Hong_Kong", (9, 18)),
    "london": calendar("GB", "Europe/London", (0, 24)),
}


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    dues.create_tables(connection)
    for calendar_id, business in CALENDARS.items():
        tables = calendar_tables(calendar_id, business, dt.date(2025, 12, 1), dt.date(2027, 12, 31))
        for name, rows in (("days", tables.days), ("work", tables.work), ("offsets", tables.offsets)):
            columns = [(str(r[0]), str(r[1])) for r in connection.execute(f"DESCRIBE cal_{name}").fetchall()]
            bulk_insert(connection, f"new_{name}", columns, rows)
            connection.execute(f"INSERT INTO cal_{name} SELECT * FROM new_{name}")
        columns = [(str(r[0]), str(r[1])) for r in connection.execute("DESCRIBE cal_wall").fetchall()]
        bulk_insert(connection, "new_wall", columns, tables.wall)
        connection.execute("INSERT INTO cal_wall SELECT * FROM new_wall")
    dues.index_tables(connection)
    return connection


def receipts(seed: int) -> list[dt.datetime]:
    """Random instants in 2026, and every quarter hour of the days that catch mistakes."""
    rng = random.Random(seed)
    found = [
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(365 * 24 * 60)) for _ in range(400)
    ]
    for day in (dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2026, 9, 30), dt.date(2026, 2, 13)):
        start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=8)
        found += [start + dt.timedelta(minutes=15 * k) for k in range(4 * 32)]
    return found


@pytest.mark.parametrize("calendar_id", sorted(CALENDARS))
def test_every_unit_gives_the_timeline_instant(con: duckdb.DuckDBPyConnection, calendar_id: str) -> None:
    business = CALENDARS[calendar_id]
    rows, expected = [], {}
    for key, (received, text) in enumerate(
        (r, d) for r in receipts(len(calendar_id)) for d in random.Random(3).sample(DURATIONS, 4)
    ):
        duration = parse_duration(text, NOWHERE)
        spec = duration.unit.spec
        rows.append((key, calendar_id, spec.kind.value, float(duration.amount * spec.factor), micros(received)))
        expected[key] = (text, received, due_instant(duration, received, business))
    bulk_insert(
        con,
        "q",
        [("key", "BIGINT"), ("cal", "VARCHAR"), ("kind", "VARCHAR"), ("amount", "DOUBLE"), ("rec_us", "BIGINT")],
        rows,
    )
    found = dict(con.execute(dues.due_sql("q")).fetchall())
    wrong = [
        f"{text} from {received.isoformat()}: timeline {due.isoformat()}, SQL "
        f"{from_micros(found[key], business).isoformat() if key in found else 'missing'}"
        for key, (text, received, due) in expected.items()
        if found.get(key) != micros(due)
    ]
    assert len(found) == len(rows) and wrong == [], "\n".join(wrong[:10])
