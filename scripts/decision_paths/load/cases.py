"""Load step for the case record: every CSV, JSONL and Parquet file of a cases folder
into one DuckDB table, each row keeping its file, row and the columns it has.

DuckDB reads all three formats natively (no extension is downloaded). Every
value arrives as text, so a bad cell is a finding at its own row and column,
never a failed read. Rows are numbered as an editor counts them: in CSV the
header is row 1, in JSONL a line is a row, in Parquet the first record is row 1.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from decision_paths.model.cases import ALWAYS, BAD_ROW, COLUMNS
from decision_paths.model.findings import Finding, Loc

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}


@dataclass(frozen=True, slots=True)
class RecordFile:
    path: str  # as findings show it
    kind: str  # csv | jsonl | parquet
    columns: tuple[str, ...]  # in the file's own order


@dataclass(frozen=True, slots=True)
class LoadedRecord:
    files: tuple[RecordFile, ...]
    findings: tuple[Finding, ...]
    rows: int


def record_files(folder: str) -> list[str]:
    """The event files of a cases folder, in a stable order; ``_*`` files are settings."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(names):
            if not name.startswith(("_", ".")) and os.path.splitext(name)[1].lower() in FORMATS:
                found.append(os.path.join(root, name))
    return found


def create_events(con: duckdb.DuckDBPyConnection) -> None:
    columns = ", ".join(f'"{c}" VARCHAR' for c in COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE events(file INTEGER, row BIGINT, {columns})")


def load_record(con: duckdb.DuckDBPyConnection, folder: str, shown: str | None = None) -> LoadedRecord:
    """Read every event file of ``folder`` into the ``events`` table.

    ``shown``: how paths appear in findings (default: relative to the current folder)."""
    create_events(con)
    files: list[RecordFile] = []
    findings: list[Finding] = []
    for number, path in enumerate(record_files(folder)):
        name = shown_path(path, shown)
        kind = FORMATS[os.path.splitext(path)[1].lower()]
        try:
            columns = _columns(con, path, kind)
        except duckdb.Error as err:
            findings.append(BAD_ROW.at(Loc(name, 1, 1), f"the file cannot be read as {kind}: {_first_line(err)}"))
            files.append(RecordFile(name, kind, ()))
            continue
        missing = [c for c in ALWAYS if c not in columns]
        files.append(RecordFile(name, kind, columns))
        if missing:
            findings.append(
                BAD_ROW.at(
                    Loc(name, 1, 1),
                    f"the file has no column {', '.join(repr(c) for c in missing)}; every event file needs "
                    f"{', '.join(ALWAYS)} (columns: {', '.join(COLUMNS)})",
                )
            )
            continue
        try:
            con.execute(f"INSERT INTO events BY NAME ({_select(path, kind, number, columns)})")
        except duckdb.Error as err:
            findings.append(BAD_ROW.at(Loc(name, 1, 1), f"the file cannot be read as {kind}: {_first_line(err)}"))
    rows = con.execute("SELECT count(*) FROM events").fetchone()
    return LoadedRecord(tuple(files), tuple(findings), int(rows[0]) if rows else 0)


def shown_path(path: str, shown: str | None) -> str:
    return os.path.relpath(path, shown) if shown is not None else os.path.relpath(path)


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _quote(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _columns(con: duckdb.DuckDBPyConnection, path: str, kind: str) -> tuple[str, ...]:
    if kind == "csv":
        described = con.execute(f"DESCRIBE SELECT * FROM read_csv({_quote(path)}, all_varchar = true, header = true)")
        return tuple(str(r[0]) for r in described.fetchall())
    if kind == "parquet":
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_quote(path)})")
        return tuple(str(r[0]) for r in described.fetchall())
    keys = con.execute(
        f"SELECT DISTINCT unnest(json_keys(json)) FROM read_json_objects({_quote(path)}, format = 'newline_delimited')"
    ).fetchall()
    present = {str(k[0]) for k in keys}
    return tuple(c for c in COLUMNS if c in present) + tuple(sorted(present - set(COLUMNS)))


def _select(path: str, kind: str, number: int, columns: Sequence[str]) -> str:
    """A SELECT giving ``events``' columns (those the file lacks are left NULL by INSERT BY NAME)."""
    known = [c for c in COLUMNS if c in columns]
    if kind == "jsonl":
        # A JSON object (inputs) stays JSON text; a string is its own text.
        parts = ", ".join(
            f"CASE WHEN json_type(json, '$.{c}') IN ('OBJECT', 'ARRAY') THEN json_extract(json, '$.{c}')::VARCHAR "
            f"ELSE json_extract_string(json, '$.{c}') END AS \"{c}\""
            for c in known
        )
        source = f"read_json_objects({_quote(path)}, format = 'newline_delimited')"
        first_row = 1
    else:
        parts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in known)
        if kind == "csv":
            source = f"read_csv({_quote(path)}, all_varchar = true, header = true)"
            first_row = 2
        else:
            source = f"read_parquet({_quote(path)})"
            first_row = 1
    return f"SELECT {number} AS file, row_number() OVER () + {first_row - 1} AS row, {parts} FROM {source}"


def cell_loc(record: RecordFile, row: int, column: str | None, folder_path: str | None = None) -> Loc:
    """Where a cell is: its row, and its column as the file counts them (1-based). For a
    JSONL line the column is the character where the key starts, when the line can be read."""
    if column is None or column not in record.columns:
        return Loc(record.path, row, 1)
    if record.kind == "jsonl" and folder_path is not None:
        position = _json_key_column(folder_path, row, column)
        return Loc(record.path, row, position)
    return Loc(record.path, row, record.columns.index(column) + 1)


def _json_key_column(path: str, row: int, column: str) -> int:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if number == row:
                    found = line.find(json.dumps(column))
                    return found + 1 if found >= 0 else 1
    except OSError:
        pass
    return 1


def bulk_insert(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[object]]
) -> None:
    """Insert many Python rows at once (executemany is row by row): through a temporary
    CSV file that DuckDB reads in one go. ``columns``: (name, DuckDB type) in order."""
    names = ", ".join(f'"{n}" {t}' for n, t in columns)
    con.execute(f"CREATE OR REPLACE TABLE {table}({names})")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", encoding="utf-8", delete=False) as handle:
        writer = csv.writer(handle)
        count = 0
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
        path = handle.name
    try:
        if count:
            spec = ", ".join(f"'{n}': '{t}'" for n, t in columns)
            con.execute(
                f"INSERT INTO {table} SELECT * FROM read_csv({_quote(path)}, header = false, columns = {{{spec}}}, "
                "nullstr = '', quote = '\"', escape = '\"')"
            )
    finally:
        os.unlink(path)
