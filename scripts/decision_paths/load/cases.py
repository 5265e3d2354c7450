"""Load step for the case record: every CSV, JSONL and Parquet file of a cases folder
into one DuckDB table, each row keeping its file, row and the columns it has.

DuckDB reads all three formats natively (no extension is downloaded). Every
value arrives as text, so a bad cell is a finding at its own row and column,
never a failed read; each row's ``at`` and ``until`` are also typed as it arrives
(``TYPED_COLUMNS``: NULL where the text is not an instant), with its case key.
Rows are numbered as an editor counts them: in CSV the header is row 1, in JSONL
a line is a row (blank lines too), in Parquet the first record is row 1. A row
with more cells than the header, a JSONL line that is not a JSON object and a
column that is not one of the record's are findings at their own place; the rest
of the file is read.

Spreadsheets and ticket-system exports that ``_sources.yaml`` maps (``load.sources``)
join the same table; each of their events keeps the source cell of each column.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import duckdb

from decision_paths.load import sources
from decision_paths.model.cases import ALWAYS, BAD_ROW, COLUMNS
from decision_paths.model.findings import Finding, Loc
from decision_paths.model.organisation import Decision
from decision_paths.model.suggest import did_you_mean
from decision_paths.model.tracking import EPOCHS_FILE

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}

# An offset after a time; a bare date's own "-20" (2026-11-20) is not one, so it needs the time.
_OFFSET = r"[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"
# Each row's `at` and `until` typed as the row arrives (its text stays, for findings at the cell):
# ``*_us`` the instant of a time with an offset, ``*_wall`` the wall-clock reading of any time
# (the measure step reads one without an offset in the decision's calendar), ``at_year`` its
# year, ``at_bare`` a date without a time. Typed here, a million cases are not copied to type them.
# ``ck``: the row's case key, one integer for its (case, decision) (joins of a million cases on
# two strings took most of the time): the pair's hash, which the measure step checks is unique.
CASE_KEY = '(hash(s."case", s.decision) >> 1)::BIGINT'
TYPED_COLUMNS = (
    ("ck", "BIGINT"),
    ("at_bare", "BOOLEAN"),
    ("at_us", "BIGINT"),
    ("at_year", "BIGINT"),
    ("at_wall", "BIGINT"),
    ("until_us", "BIGINT"),
    ("until_wall", "BIGINT"),
)


@dataclass(frozen=True, slots=True)
class RecordFile:
    path: str  # as findings show it
    kind: str  # csv | jsonl | parquet
    columns: tuple[str, ...]  # in the file's own order
    source: str = ""  # where it is read from (a JSONL cell's column is found in its line)
    # A mapped source (``_sources.yaml``): the source file's column number of each of ``columns``
    positions: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class LoadedRecord:
    files: tuple[RecordFile, ...]
    findings: tuple[Finding, ...]
    rows: int
    folder: str = ""  # the cases folder read, for its settings files (``_tracking.yaml``)
    shown: str | None = None  # how its paths appear in findings


def record_files(folder: str) -> list[str]:
    """The event files of a cases folder, in a stable order; ``_*`` files are settings, and
    the files ``_sources.yaml`` maps are sources, not event files."""
    mapped = set(sources.mapped_paths(folder))
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(names):
            path = os.path.join(root, name)
            if (
                not name.startswith(("_", "."))
                and os.path.splitext(name)[1].lower() in FORMATS
                and os.path.abspath(path) not in mapped
            ):
                found.append(path)
    return found


def record_inputs(folder: str) -> list[str]:
    """Every file the record is read from: the event files, ``_sources.yaml`` and the files it
    maps, and ``_tracking.yaml`` (the links' epochs)."""
    mapping = sources.sources_path(folder)
    extra = [mapping, *sources.mapped_paths(folder)] if os.path.isfile(mapping) else []
    epochs = os.path.join(folder, EPOCHS_FILE)
    return record_files(folder) + sorted(extra) + ([epochs] if os.path.isfile(epochs) else [])


def create_events(con: duckdb.DuckDBPyConnection) -> None:
    columns = ", ".join([*(f'"{c}" VARCHAR' for c in COLUMNS), *(f"{n} {t}" for n, t in TYPED_COLUMNS)])
    con.execute(f"CREATE OR REPLACE TABLE events(file INTEGER, row BIGINT, {columns})")
    # Cases of a mapped source with a row that could not be mapped: left out, as a bad row's are
    con.execute('CREATE OR REPLACE TABLE source_left_out("case" VARCHAR, decision VARCHAR)')


def load_record(
    con: duckdb.DuckDBPyConnection,
    folder: str,
    shown: str | None = None,
    decisions: Mapping[str, Sequence[Decision]] | None = None,
) -> LoadedRecord:
    """Read every event file of ``folder``, and the sources ``_sources.yaml`` maps, into the
    ``events`` table.

    ``shown``: how paths appear in findings (default: relative to the current folder).
    ``decisions``: each decision's versions, to check the ids ``_sources.yaml`` names."""
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
            files.append(RecordFile(name, kind, (), path))
            continue
        missing = [c for c in ALWAYS if c not in columns]
        files.append(RecordFile(name, kind, columns, path))
        findings.extend(_unknown_columns(con, files[-1], path))
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
            select = _select(path, kind, number, columns)
            con.execute(f"INSERT INTO events BY NAME ({_typed(select, 'until' in columns)})")
            findings.extend(_unreadable_rows(con, files[-1], path))
        except duckdb.Error as err:
            findings.append(BAD_ROW.at(Loc(name, 1, 1), f"the file cannot be read as {kind}: {_first_line(err)}"))
    findings.extend(_load_sources(con, folder, shown, decisions, files))
    rows = con.execute("SELECT count(*) FROM events").fetchone()
    return LoadedRecord(tuple(files), tuple(findings), int(rows[0]) if rows else 0, folder, shown)


def case_events(folder: str, case: str) -> list[tuple[str, str]]:
    """(decision, at) of every row of one case, as written (for saying why it has no page)."""
    con = duckdb.connect(":memory:")
    try:
        load_record(con, folder)
        rows = con.execute('SELECT decision, "at" FROM events WHERE "case" = ? ORDER BY "at"', [case]).fetchall()
    finally:
        con.close()
    return [(str(d), str(a)) for d, a in rows if d is not None and a is not None]


def _load_sources(
    con: duckdb.DuckDBPyConnection,
    folder: str,
    shown: str | None,
    decisions: Mapping[str, Sequence[Decision]] | None,
    files: list[RecordFile],
) -> list[Finding]:
    """The events of the mapped sources, numbered after the event files (``files`` grows)."""
    mapped = sources.read_sources(folder, shown, decisions)
    first = len(files)
    files.extend(RecordFile(m.path, m.kind, m.columns, "", m.positions) for m in mapped.files)
    if mapped.rows:
        types = {"file": "INTEGER", "row": "BIGINT"}
        bulk_insert(
            con,
            "source_events",
            [(c, types.get(c, "VARCHAR")) for c in sources.EVENT_COLUMNS],
            ((first + r[0], *r[1:]) for r in mapped.rows),
        )
        typed = _typed("SELECT * FROM source_events", "until" in sources.EVENT_COLUMNS)
        con.execute(f"INSERT INTO events BY NAME ({typed})")
        con.execute("DROP TABLE source_events")
    if mapped.left_out:
        bulk_insert(con, "source_left_out", [("case", "VARCHAR"), ("decision", "VARCHAR")], sorted(mapped.left_out))
    return mapped.findings


def shown_path(path: str, shown: str | None) -> str:
    return os.path.relpath(path, shown) if shown is not None else os.path.relpath(path)


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _quote(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _csv_source(path: str) -> str:
    """CSV as RFC 4180 says, never sniffed: a sniffer that meets one ragged row (or many
    ';' in the inputs) takes the whole file for one column, and every row is lost. Rows
    with fewer cells are padded with empty ones; with more, they get extra columns
    (``_extra_cells`` reports them). One thread keeps the rows in file order."""
    return (
        f"read_csv({_quote(path)}, delim = ',', quote = '\"', escape = '\"', header = true, all_varchar = true, "
        "null_padding = true, parallel = false)"
    )


def _jsonl_lines(path: str) -> str:
    """Every line of a JSONL file with its number (read_json_objects skips blank lines, so
    the rows after one would be counted wrong; a malformed line would fail the file)."""
    return f"""(
        SELECT row, rtrim(text, chr(13)) AS text,
               CASE WHEN json_valid(rtrim(text, chr(13))) AND json_type(rtrim(text, chr(13))) = 'OBJECT'
                    THEN rtrim(text, chr(13))::JSON END AS json
        FROM (SELECT unnest(range(1, len(parts) + 1)) AS row, unnest(parts) AS text
              FROM (SELECT string_split(content, chr(10)) AS parts FROM read_text({_quote(path)})))
    )"""


def _csv_header(path: str) -> list[str]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        return next(csv.reader(handle), [])


def _columns(con: duckdb.DuckDBPyConnection, path: str, kind: str) -> tuple[str, ...]:
    if kind == "csv":
        described = con.execute(f"DESCRIBE SELECT * FROM {_csv_source(path)}")
        return tuple(str(r[0]) for r in described.fetchall())[: len(_csv_header(path))]
    if kind == "parquet":
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_quote(path)})")
        return tuple(str(r[0]) for r in described.fetchall())
    keys = con.execute(f"SELECT DISTINCT unnest(json_keys(json)) FROM {_jsonl_lines(path)}").fetchall()
    present = {str(k[0]) for k in keys}
    return tuple(c for c in COLUMNS if c in present) + tuple(sorted(present - set(COLUMNS)))


def _unknown_columns(con: duckdb.DuckDBPyConnection, record: RecordFile, path: str) -> list[Finding]:
    """A column the record does not have (``stgae``) would be ignored in silence, and its
    values with it: a finding at its header cell (JSONL: its first line)."""
    found = []
    for column in record.columns:
        if column in COLUMNS:
            continue
        row = 1
        if record.kind == "jsonl":
            first = con.execute(
                f"SELECT min(row) FROM {_jsonl_lines(path)} WHERE list_contains(json_keys(json), ?)", [column]
            ).fetchone()
            row = int(first[0]) if first and first[0] is not None else 1
        found.append(
            BAD_ROW.at(
                cell_loc(record, row, column, path),
                f"column '{column}' is not one of the record's ({', '.join(COLUMNS)}), so it is not read"
                f"{did_you_mean(column, COLUMNS)}",
            )
        )
    return found


def _unreadable_rows(con: duckdb.DuckDBPyConnection, record: RecordFile, path: str) -> list[Finding]:
    """CSV rows with more cells than the header; JSONL lines that are not a JSON object."""
    if record.kind == "jsonl":
        rows = con.execute(
            f"SELECT row FROM {_jsonl_lines(path)} WHERE json IS NULL AND trim(text) <> '' ORDER BY row"
        ).fetchall()
        return [
            BAD_ROW.at(
                Loc(record.path, int(r[0]), 1),
                "this line is not a JSON object, e.g. "
                '{"case": "R-1", "decision": "refund", "event": "received", "at": "2026-11-20T10:00"}',
            )
            for r in rows
        ]
    if record.kind != "csv":
        return []
    described = [str(r[0]) for r in con.execute(f"DESCRIBE SELECT * FROM {_csv_source(path)}").fetchall()]
    extra = described[len(record.columns) :]
    if not extra:
        return []
    filled = " OR ".join(f'"{c}" IS NOT NULL' for c in extra)
    rows = con.execute(
        f"SELECT row FROM (SELECT row_number() OVER () + 1 AS row, * FROM {_csv_source(path)}) "
        f"WHERE {filled} ORDER BY row"
    ).fetchall()
    return [
        BAD_ROW.at(
            Loc(record.path, int(r[0]), len(record.columns) + 1),
            f"this row has more cells than the header has columns ({len(record.columns)}); "
            "the extra cells are not read (a comma in a value needs the value in double quotes)",
        )
        for r in rows
    ]


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
        return f"SELECT {number} AS file, row, {parts} FROM {_jsonl_lines(path)} WHERE json IS NOT NULL"
    parts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in known)
    if kind == "csv":  # read in order by one thread (``_csv_source``): the header is row 1
        return f"SELECT {number} AS file, row_number() OVER () + 1 AS row, {parts} FROM {_csv_source(path)}"
    # Parquet: each record's own position, whatever order threads read the row groups in
    source = f"read_parquet({_quote(path)}, file_row_number = true)"
    return f"SELECT {number} AS file, file_row_number + 1 AS row, {parts} FROM {source}"


def _typed(select: str, until: bool) -> str:
    """``select``'s rows with their ``TYPED_COLUMNS`` (``until``: it has that column)."""
    at = 'trim(s."at")'
    instants = [
        f"{CASE_KEY} AS ck",
        # a bare date has ten characters: the length spares most rows the regex
        f"length({at}) = 10 AND regexp_full_match({at}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') AS at_bare",
        f"CASE WHEN regexp_matches({at}, '{_OFFSET}') THEN epoch_us(TRY_CAST({at} AS TIMESTAMPTZ)) END AS at_us",
        f"year(TRY_CAST({at} AS TIMESTAMP)) AS at_year",
        f"epoch_us(TRY_CAST({at} AS TIMESTAMP)) AS at_wall",
    ]
    if until:
        until_text = 'trim(s."until")'
        instants += [
            f"CASE WHEN regexp_matches({until_text}, '{_OFFSET}') "
            f"THEN epoch_us(TRY_CAST({until_text} AS TIMESTAMPTZ)) END AS until_us",
            f"epoch_us(TRY_CAST({until_text} AS TIMESTAMP)) AS until_wall",
        ]
    return f"SELECT s.*, {', '.join(instants)} FROM ({select}) s"


def cell_loc(record: RecordFile, row: int, column: str | None, folder_path: str | None = None) -> Loc:
    """Where a cell is: its row, and its column as the file counts them (1-based). For a
    JSONL line the column is the character where the key starts, when the line can be read."""
    if column is None or column not in record.columns:
        return Loc(record.path, row, 1)
    if record.positions:
        return Loc(record.path, row, record.positions[record.columns.index(column)])
    if record.kind == "jsonl" and folder_path is not None:
        position = _json_key_column(folder_path, row, column)
        return Loc(record.path, row, position)
    return Loc(record.path, row, record.columns.index(column) + 1)


def _json_key_column(path: str, row: int, column: str) -> int:
    """The character where ``"column":`` starts on line ``row`` (lines split at \\n only,
    as the reader splits them); 1 when the line has no such key."""
    # A key is followed by a colon: {"case": "by", "by": ...} has the key "by" second.
    key = re.compile(re.escape(json.dumps(column, ensure_ascii=False)) + r"\s*:")
    try:
        with open(path, "rb") as handle:
            for number, line in enumerate(handle, 1):
                if number == row:
                    found = key.search(line.decode("utf-8", "replace"))
                    return found.start() + 1 if found else 1
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
