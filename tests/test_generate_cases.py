"""scripts/generate_cases.py: a seeded case record (SPEC section 11) made with the model.

The generator runs in-process on the sample decisions with a small --cases; the
rows must be what SPEC section 11 allows, and the same seed must give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from decision_paths.model.organisation import Organisation
from decision_paths.model.people import acting_people
from decision_paths.model.timeline import answer_id, path_for
from decision_paths.pipeline import validate_folder

REPO = Path(__file__).resolve().parent.parent
END = "2026-11-22"
COLUMNS = ("case", "decision", "event", "stage", "at", "by", "inputs", "until", "reason", "client_note")
EVENTS = {"received", "done", "paused", "resumed", "delayed", "withdrawn"}
NEEDS_STAGE = {"done", "paused", "resumed", "delayed"}
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")

Row = dict[str, str | None]


@functools.cache
def _generator() -> ModuleType:
    """The script as a module (it is not part of the package)."""
    spec = importlib.util.spec_from_file_location("generate_cases", REPO / "scripts" / "generate_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _run(out: Path, *extra: str) -> None:
    arguments = ["--decisions", str(REPO / "decisions"), "--out", str(out), "--cases", "120", "--seed", "7"]
    assert _generator().main([*arguments, "--end", END, "--quiet", *extra]) == 0


def _rows(path: Path) -> list[Row]:
    reader = "read_csv" if path.suffix == ".csv" else "read_parquet"
    options = ", all_varchar = true" if reader == "read_csv" else ""
    relation = duckdb.sql(f"SELECT * FROM {reader}('{path}'{options})")
    assert relation is not None and tuple(relation.columns) == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in relation.fetchall()]


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same record made twice: once in this process, once by two worker processes."""
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    _run(first, "--jobs", "1")
    _run(second, "--jobs", "2")
    return first / "sample.parquet", second / "sample.parquet"


@pytest.fixture(scope="module")
def rows(record: tuple[Path, Path]) -> list[Row]:
    return _rows(record[0])


@pytest.fixture(scope="module")
def org() -> Organisation:
    return validate_folder(str(REPO / "decisions"), dt.date.fromisoformat(END)).org


def _cases(rows: list[Row]) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {}
    for row in rows:
        assert row["case"] is not None
        found.setdefault(row["case"], []).append(row)
    return found


def _values(raw: str) -> dict[str, object]:
    values = json.loads(raw)
    assert isinstance(values, dict)
    return {
        k: Decimal(str(v)) if isinstance(v, int | float) and not isinstance(v, bool) else v for k, v in values.items()
    }


def test_the_same_seed_gives_the_same_bytes(record: tuple[Path, Path]) -> None:
    first, second = record
    assert first.read_bytes() == second.read_bytes()


def test_csv_holds_the_same_rows(tmp_path: Path, rows: list[Row]) -> None:
    _run(tmp_path, "--format", "csv")
    assert _rows(tmp_path / "sample.csv") == rows


def test_every_row_is_what_the_spec_allows(rows: list[Row], org: Organisation) -> None:
    cases = _cases(rows)
    assert len(cases) == 120
    assert {row["decision"] for row in rows} == set(org.decisions)
    assert re.fullmatch(r"[A-Z]{2}-20\d\d-\d{4}", next(iter(cases)))
    for row in rows:
        decision = org.decisions[str(row["decision"])]
        assert row["event"] in EVENTS, row
        if row["event"] in NEEDS_STAGE:
            assert row["stage"] in decision.stages, row
        assert row["at"] is not None and INSTANT.match(row["at"]), row
        assert (row["inputs"] is not None) == (row["event"] == "received"), row
        if row["event"] == "received":
            assert isinstance(json.loads(str(row["inputs"])), dict)
        assert (row["until"] is not None) == (row["event"] == "delayed"), row
        if row["until"] is not None:
            assert INSTANT.match(row["until"]) and row["until"] > row["at"], row
        assert row["by"] is None or row["event"] == "done", row
    for case, events in cases.items():
        assert [e["event"] for e in events].count("received") == 1
        assert events[0]["event"] == "received", case
        assert all(e["decision"] == events[0]["decision"] for e in events)
        instants = [dt.datetime.fromisoformat(str(e["at"])) for e in events]
        assert instants == sorted(instants), case
        assert max(instants).date() <= dt.date.fromisoformat(END)


def test_every_stage_on_the_path_is_done_by_a_person(rows: list[Row], org: Organisation) -> None:
    for events in _cases(rows).values():
        decision = org.decisions[str(events[0]["decision"])]
        path = {s.id for s in path_for(decision, _values(str(events[0]["inputs"])))}
        for event in events:
            if event["event"] == "done":
                assert event["stage"] in path, event
                assert event["by"] in org.people and org.people[str(event["by"])].active, event


def test_the_record_shows_pauses_delays_withdrawals_and_open_cases(rows: list[Row], org: Organisation) -> None:
    def pausable(row: Row) -> bool:
        return org.decisions[str(row["decision"])].stages[str(row["stage"])].pausable

    paused = [row for row in rows if row["event"] == "paused"]
    assert any(pausable(row) for row in paused), "a pause on the pausable stage"
    assert any(not pausable(row) for row in paused), "a pause on a stage that is not pausable (it moves nothing)"
    assert all(row["reason"] for row in paused)
    resumed = {(row["case"], row["stage"]) for row in rows if row["event"] == "resumed"}
    assert {(row["case"], row["stage"]) for row in paused} >= resumed

    assert any(row["event"] == "withdrawn" and row["reason"] for row in rows)
    delayed = [row for row in rows if row["event"] == "delayed"]
    assert delayed and all(row["until"] and row["client_note"] and row["reason"] for row in delayed)
    assert any(re.search(r"[\u4e00-\u9fff]", str(row["client_note"])) for row in delayed), "told in Chinese"

    open_cases = []
    for case, events in _cases(rows).items():
        decision = org.decisions[str(events[0]["decision"])]
        answer = answer_id(decision) or path_for(decision, _values(str(events[0]["inputs"])))[-1].id
        finished = any(e["event"] == "withdrawn" or (e["event"] == "done" and e["stage"] == answer) for e in events)
        if not finished:
            open_cases.append(case)
    assert open_cases, "some requests are still open when the record ends"


def test_the_conformance_page_has_something_true_to_say(rows: list[Row], org: Organisation) -> None:
    """A stage skipped, and a stage done by someone who could not act there that day."""
    skipped = outsiders = 0
    for events in _cases(rows).values():
        decision = org.decisions[str(events[0]["decision"])]
        path = [s.id for s in path_for(decision, _values(str(events[0]["inputs"])))]
        done = [e for e in events if e["event"] == "done"]
        if done:
            reached = path[: path.index(str(done[-1]["stage"])) + 1]
            skipped += len(reached) > len(done)
        for event in done:
            stage = decision.stages[str(event["stage"])]
            day = dt.datetime.fromisoformat(str(event["at"])).date()
            outsiders += not any(event["by"] in acting_people(org, m.id, day) for m in stage.who.members)
    assert skipped >= 1
    assert outsiders >= 1
