"""The record from the tools people have: ``cases/_sources.yaml`` maps spreadsheets and
ticket-system exports into the record's events (SPEC 11), one event a row.

Two shapes:

- ``wide``: a spreadsheet with one row per case, a column with the date (or date
  and time) it was received, one column per stage with the date it was done, and
  columns with the inputs; as CSV or .xlsx.
- ``transitions``: a status log as ticket systems export it (a Jira issue
  history, a GitHub project's status changes): one row per change of an issue,
  with the status it left and the one it entered, when and by whom. A stage is
  ``done`` when the issue leaves the stage's status for any status but a pause or
  a withdrawal (the next stage starts then, SPEC 11); entering a ``paused``
  status pauses the stage it left, leaving it resumes that stage; entering a
  ``withdrawn`` status withdraws the case; the row with an empty "from" status
  (the issue's creation) is ``received``, unless a ``received`` column holds it.

Every mapped event keeps its source file, row and, for each of the record's
columns, the column of the source cell it came from (``MappedFile.positions``),
so the measuring step's findings about a mapped event (an unknown person, a
``done`` before ``received``, a malformed instant) point at the source cell:
``cases/退款登记表.xlsx:5:3``. Rows are numbered as the file counts them: in CSV
the header is row 1 (or ``header_row``), in a sheet the sheet's own row number.
A problem in ``_sources.yaml`` itself is a finding at its key or value; a row
that cannot be mapped is a finding at its cell, and its case is left out.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from decision_paths.load.yamlsource import Map, Node, Scalar, Seq, parse_bytes, read_bytes
from decision_paths.model.cases import BAD_ROW, BAD_SOURCE
from decision_paths.model.findings import Finding, Loc, excerpt
from decision_paths.model.organisation import Decision
from decision_paths.model.suggest import did_you_mean

SOURCES_FILE = "_sources.yaml"
SHAPES = ("wide", "transitions")
KINDS = {".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
# What a status may stand for besides a stage id; null (~) means it is no stage.
PAUSED, WITHDRAWN = "paused", "withdrawn"

_COMMON = ("file", "shape", "sheet", "header_row", "encoding", "decision", "decision_column", "decisions", "case")
KEYS = {
    "wide": (*_COMMON, "received", "inputs", "stages", "by", "withdrawn", "date_format"),
    "transitions": (
        *_COMMON,
        "field",
        "status_field",
        "from",
        "to",
        "at",
        "by",
        "received",
        "inputs",
        "statuses",
        "date_format",
    ),
}
REQUIRED = {
    "wide": ("file", "shape", "case", "received", "stages"),
    "transitions": ("file", "shape", "case", "from", "to", "at", "statuses"),
}
TOP_KEYS = ("sources", "people")

# Dates as spreadsheets write them, year first (never day/month, which cannot be told apart).
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s+|\s*T\s*)(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


@dataclass(frozen=True, slots=True)
class MappedFile:
    """One place events come from: a source file, and for each of the record's columns
    its events have, the column number of the source cell (1-based)."""

    path: str  # as findings show it
    kind: str  # csv | xlsx
    columns: tuple[str, ...]
    positions: tuple[int, ...]


@dataclass
class Mapped:
    """Every source of a cases folder as the record's events."""

    files: list[MappedFile] = field(default_factory=list)
    # (index in files, row, case, decision, event, stage, at, by, inputs)
    rows: list[tuple[int, int, str, str, str, str | None, str, str | None, str | None]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    left_out: set[tuple[str, str]] = field(default_factory=set)  # (case, decision): a row of it could not be mapped


EVENT_COLUMNS = ("file", "row", "case", "decision", "event", "stage", "at", "by", "inputs")


# ------------------------------------------------------------------ the mapping file


@dataclass
class _Source:
    """One entry of ``sources``, read: column headers as written, each with where it is in _sources.yaml."""

    node: Map
    path: str  # the file, on disk
    shown: str  # as findings show it
    shape: str
    kind: str
    columns: dict[str, Scalar]  # role -> the header it names (case, received, from, ...)
    stages: dict[str, tuple[Scalar, Scalar]]  # wide: stage id -> (key, header)
    by: dict[str, tuple[Scalar, Scalar]]  # wide: stage id -> (key, header of the person column)
    inputs: dict[str, tuple[Scalar, Scalar]]  # input id -> (key, header)
    statuses: dict[
        str, tuple[Scalar, str | None]
    ]  # transitions: status -> (its key, stage id | paused | withdrawn | None)
    decision: str | None  # a fixed decision id
    decisions: dict[str, str]  # decision column: the cell's text -> decision id
    sheet: Scalar | None = None
    header_row: int = 1
    encoding: str = "utf-8-sig"
    date_format: str | None = None
    status_field: str = "status"


def sources_path(folder: str) -> str:
    return os.path.join(folder, SOURCES_FILE)


def mapped_paths(folder: str) -> list[str]:
    """The files ``_sources.yaml`` names that exist, as absolute paths (they are not event files)."""
    path = sources_path(folder)
    if not os.path.isfile(path):
        return []
    try:
        root = parse_bytes(path, read_bytes(path)).root
    except OSError:
        return []
    found = []
    entries = root.get("sources") if isinstance(root, Map) else None
    for item in entries.items if isinstance(entries, Seq) else ():
        named = item.get("file") if isinstance(item, Map) else None
        if isinstance(named, Scalar) and named.text and _inside(folder, named.text):
            full = os.path.abspath(os.path.join(folder, named.text))
            if os.path.isfile(full):
                found.append(full)
    return sorted(set(found))


def _inside(folder: str, name: str) -> bool:
    if os.path.isabs(name):
        return False
    full = os.path.abspath(os.path.join(folder, name))
    return os.path.commonpath([full, os.path.abspath(folder)]) == os.path.abspath(folder)


def read_sources(folder: str, shown: str | None, decisions: Mapping[str, Sequence[Decision]] | None = None) -> Mapped:
    """Map every source of ``folder/_sources.yaml`` (nothing when there is none).

    ``decisions``: each decision id's versions, to check the decision, stage and input
    ids the mapping names; None checks none of them (the measuring step still does)."""
    mapped = Mapped()
    path = sources_path(folder)
    if not os.path.isfile(path):
        return mapped
    name = _shown(path, shown)
    try:
        parsed = parse_bytes(name, read_bytes(path))
    except OSError as err:
        mapped.findings.append(BAD_SOURCE.at(Loc(name), f"cannot read the file: {err.strerror}"))
        return mapped
    # The YAML reader's own findings (syntax, duplicate keys) are the record's: warnings here.
    mapped.findings.extend(BAD_SOURCE.at(f.loc, f.message) for f in parsed.findings)
    root = parsed.root
    if root is None:
        return mapped
    reading = _Reading(mapped, decisions)
    if not isinstance(root, Map):
        reading.bad(
            root.loc,
            "_sources.yaml must be a mapping with a 'sources' list, "
            "e.g. sources: [{file: 登记表.xlsx, shape: wide, ...}]",
        )
        return mapped
    reading.unknown_keys(root, TOP_KEYS, "_sources.yaml")
    people = root.get("people")
    if people is not None:
        reading.people = {k: v.text for k, (_, v) in reading.text_map(people, "people").items()}
    entries = root.get("sources")
    if not isinstance(entries, Seq):
        reading.bad(
            root.key_loc("sources") if entries is not None else root.loc,
            "'sources' must be a list of files to map, one '- file: ...' each",
        )
        return mapped
    for item in entries.items:
        source = reading.source(folder, shown, item)
        if source is not None:
            reading.map_source(source)
    return mapped


def _shown(path: str, shown: str | None) -> str:
    return os.path.relpath(path, shown) if shown is not None else os.path.relpath(path)


class _Reading:
    def __init__(self, mapped: Mapped, decisions: Mapping[str, Sequence[Decision]] | None) -> None:
        self.mapped = mapped
        self.decisions = decisions
        self.people: dict[str, str] = {}

    def bad(self, loc: Loc, message: str) -> None:
        self.mapped.findings.append(BAD_SOURCE.at(loc, message))

    def row_finding(self, loc: Loc, message: str) -> None:
        self.mapped.findings.append(BAD_ROW.at(loc, message))

    def unknown_keys(self, node: Map, allowed: Sequence[str], what: str) -> None:
        for key, (key_node, _) in node.entries.items():
            if key not in allowed:
                hint = did_you_mean(key, allowed) or f"; the keys are {', '.join(allowed)}"
                self.bad(key_node.loc, f"unknown key '{excerpt(key)}' in {what}{hint}")

    def text(self, node: Node | None, what: str) -> Scalar | None:
        if isinstance(node, Scalar) and node.value is not None and node.text.strip():
            return node
        loc = node.loc if node is not None else Loc("")
        self.bad(loc, f"{what} must be text (a column header or a name), not {_described(node)}")
        return None

    def text_map(self, node: Node, what: str) -> dict[str, tuple[Scalar, Scalar]]:
        """A mapping of text to text (``{amount: 金额}``); entries of another type are findings."""
        if not isinstance(node, Map):
            self.bad(node.loc, f"{what} must be a mapping, e.g. {{amount: 金额}}, not {_described(node)}")
            return {}
        found = {}
        for key, (key_node, value) in node.entries.items():
            text = self.text(value, f"the value of '{excerpt(key)}' in {what}")
            if text is not None:
                found[key] = (key_node, text)
        return found

    # -- one source

    def source(self, folder: str, shown: str | None, item: Node) -> _Source | None:
        if not isinstance(item, Map):
            self.bad(item.loc, f"each source is a mapping with file, shape, case, ...; not {_described(item)}")
            return None
        shape_node = item.get("shape")
        if not isinstance(shape_node, Scalar) or shape_node.text not in SHAPES:
            where = shape_node.loc if shape_node is not None else item.loc
            given = f"'{excerpt(shape_node.text)}'" if isinstance(shape_node, Scalar) else "missing"
            hint = did_you_mean(shape_node.text, SHAPES) if isinstance(shape_node, Scalar) else ""
            self.bad(
                where,
                f"shape is {given}: it must be wide (one row per case, a date column per stage) or "
                f"transitions (one row per status change){hint}",
            )
            return None
        shape = shape_node.text
        self.unknown_keys(item, KEYS[shape], f"a {shape} source")
        missing = [k for k in REQUIRED[shape] if k not in item.entries]
        if missing:
            self.bad(item.loc, f"a {shape} source needs {', '.join(missing)}")
            return None
        if "decision" in item.entries and "decision_column" in item.entries:
            self.bad(
                item.key_loc("decision_column"),
                "give decision (one decision for every row) or decision_column, not both",
            )
            return None
        if "decision" not in item.entries and "decision_column" not in item.entries:
            self.bad(
                item.loc,
                f"a {shape} source needs decision (the decision id) or decision_column (the column holding it)",
            )
            return None
        file_node = self.text(item.get("file"), "file")
        if file_node is None:
            return None
        name = file_node.text.strip()
        kind = KINDS.get(os.path.splitext(name)[1].lower())
        if kind is None:
            self.bad(file_node.loc, f"'{excerpt(name)}' is neither .csv nor .xlsx; save the sheet as one of them")
            return None
        if not _inside(folder, name):
            self.bad(
                file_node.loc, f"'{excerpt(name)}' is not in the cases folder; name it from there, e.g. 登记表.xlsx"
            )
            return None
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            here = [n for n in os.listdir(folder) if os.path.splitext(n)[1].lower() in KINDS]
            self.bad(file_node.loc, f"there is no file '{excerpt(name)}' in the cases folder{did_you_mean(name, here)}")
            return None
        source = _Source(item, path, _shown(path, shown), shape, kind, {}, {}, {}, {}, {}, None, {})
        if not self._options(source, item):
            return None
        roles = (
            ("case", "received", "withdrawn") if shape == "wide" else ("case", "from", "to", "at", "received", "field")
        )
        if shape == "transitions" and isinstance(item.get("by"), Scalar):
            roles = (*roles, "by")
        for role in (*roles, "decision_column"):
            if role in item.entries:
                text = self.text(item.get(role), role)
                if text is None:
                    return None
                source.columns[role] = text
        if not self._decision(source, item):
            return None
        if "inputs" in item.entries:
            source.inputs = self.text_map(item.entries["inputs"][1], "inputs")
            self._known_inputs(source)
        if shape == "wide":
            source.stages = self.text_map(item.entries["stages"][1], "stages")
            self._known_stages(source, source.stages)
            if "by" in item.entries:
                source.by = self.text_map(item.entries["by"][1], "by")
                for stage, (key, _) in list(source.by.items()):
                    if stage not in source.stages:
                        self.bad(
                            key.loc, f"'{excerpt(stage)}' is no stage in stages{did_you_mean(stage, source.stages)}"
                        )
                        del source.by[stage]
            if not source.stages:
                return None
        else:
            if not self._statuses(source, item.entries["statuses"][1]):
                return None
            if "by" in item.entries and "by" not in source.columns:
                self.bad(item.key_loc("by"), "by is the column of the person who changed the status, e.g. by: Author")
        return source

    def _options(self, source: _Source, item: Map) -> bool:
        sheet = item.get("sheet")
        if sheet is not None:
            if source.kind != "xlsx":
                self.bad(item.key_loc("sheet"), "sheet is for .xlsx files; a CSV file has one table")
                return False
            source.sheet = self.text(sheet, "sheet")
        header = item.get("header_row")
        if header is not None:
            if (
                not isinstance(header, Scalar)
                or isinstance(header.value, bool)
                or not isinstance(header.value, int)
                or header.value < 1
            ):
                self.bad(header.loc, "header_row is the number of the row holding the column headers: 1, 2, ...")
                return False
            source.header_row = header.value
        encoding = item.get("encoding")
        if encoding is not None:
            text = self.text(encoding, "encoding")
            import_ok = text is not None and _codec(text.text)
            if text is None or not import_ok:
                self.bad(
                    encoding.loc,
                    "encoding is a text encoding such as utf-8 or gb18030 (Excel's 'CSV' on Chinese Windows)",
                )
                return False
            if source.kind != "csv":
                self.bad(item.key_loc("encoding"), "encoding is for CSV files; .xlsx files say their own")
                return False
            source.encoding = text.text
        date_format = item.get("date_format")
        if date_format is not None:
            text = self.text(date_format, "date_format")
            if text is None or "%" not in text.text:
                self.bad(
                    date_format.loc,
                    "date_format is a strptime pattern, e.g. '%d/%b/%y %I:%M %p' for Jira's 02/Mar/26 2:30 PM",
                )
                return False
            source.date_format = text.text
        status_field = item.get("status_field")
        if status_field is not None:
            text = self.text(status_field, "status_field")
            if text is None:
                return False
            source.status_field = text.text.strip()
        return True

    def _decision(self, source: _Source, item: Map) -> bool:
        known = self.decisions
        if "decision" in item.entries:
            node = self.text(item.get("decision"), "decision")
            if node is None:
                return False
            if known is not None and node.text not in known:
                self.bad(
                    node.loc,
                    f"decision '{excerpt(node.text)}' does not exist{did_you_mean(node.text, known)}; "
                    "the file is not read",
                )
                return False
            source.decision = node.text
            return True
        if "decisions" in item.entries:
            for text, (_, value) in self.text_map(item.entries["decisions"][1], "decisions").items():
                if known is not None and value.text not in known:
                    self.bad(
                        value.loc, f"decision '{excerpt(value.text)}' does not exist{did_you_mean(value.text, known)}"
                    )
                    continue
                source.decisions[text] = value.text
        return True

    def _versions(self, source: _Source) -> list[Decision] | None:
        """The decisions a source's rows may follow (every version), None when unknown."""
        if self.decisions is None:
            return None
        if source.decision is not None:
            return list(self.decisions.get(source.decision, ()))
        ids = set(source.decisions.values()) or set(self.decisions)
        return [d for i in sorted(ids) for d in self.decisions.get(i, ())]

    def _known_stages(self, source: _Source, named: dict[str, tuple[Scalar, Scalar]]) -> None:
        versions = self._versions(source)
        if versions is None:
            return
        stages = list(dict.fromkeys(s for d in versions for s in d.stages))
        for stage, (key, _) in list(named.items()):
            if stage not in stages:
                self.bad(
                    key.loc,
                    f"'{excerpt(stage)}' is no stage of {_which(source)}{did_you_mean(stage, stages)}; "
                    "its column is not read",
                )
                del named[stage]

    def _known_inputs(self, source: _Source) -> None:
        versions = self._versions(source)
        if versions is None:
            return
        inputs = list(dict.fromkeys(i for d in versions for i in d.inputs))
        for name, (key, _) in list(source.inputs.items()):
            if name not in inputs:
                known = did_you_mean(name, inputs) or f" (its inputs: {', '.join(inputs) or 'none'})"
                self.bad(key.loc, f"'{excerpt(name)}' is no input of {_which(source)}{known}; its column is not read")
                del source.inputs[name]

    def _statuses(self, source: _Source, node: Node) -> bool:
        if not isinstance(node, Map) or not node.entries:
            self.bad(
                node.loc,
                "statuses maps each status name to a stage id, paused, withdrawn or ~ (no stage), "
                "e.g. {审核中: assess, Done: ~}",
            )
            return False
        versions = self._versions(source)
        stages = list(dict.fromkeys(s for d in versions for s in d.stages)) if versions is not None else None
        for status, (key, value) in node.entries.items():
            if not isinstance(value, Scalar) or (value.value is not None and not value.text.strip()):
                self.bad(
                    value.loc,
                    f"the status '{excerpt(status)}' maps to a stage id, paused, withdrawn or ~, "
                    f"not {_described(value)}",
                )
                continue
            target = None if value.value is None else value.text.strip()
            if target is not None and target not in (PAUSED, WITHDRAWN) and stages is not None and target not in stages:
                self.bad(
                    value.loc,
                    f"'{excerpt(target)}' is no stage of {_which(source)}, nor paused or withdrawn"
                    f"{did_you_mean(target, [*stages, PAUSED, WITHDRAWN])}; the status is read as no stage",
                )
                target = None
            source.statuses[status.strip()] = (key, target)
        return True

    # -- the file's rows

    def map_source(self, source: _Source) -> None:
        try:
            header, rows = _table(source)
        except _Unreadable as err:
            self.bad(source.node.entries["file"][1].loc, str(err))
            return
        place = self._headers(source, header)
        if place is None:
            return
        if source.shape == "wide":
            self._wide(source, place, rows)
        else:
            self._transitions(source, place, rows)

    def _headers(self, source: _Source, header: list[str]) -> dict[str, int] | None:
        """Each header _sources.yaml names -> its column number; None when a needed one is not there."""
        index: dict[str, int] = {}
        for number, text in enumerate(header, 1):
            index.setdefault(text.strip(), number)
        headers = [h for h in index if h]
        where = f"row {source.header_row} of {source.shown}"

        def find(node: Scalar, what: str) -> int | None:
            found = index.get(node.text.strip())
            if found is None:
                self.bad(
                    node.loc,
                    f"there is no column '{excerpt(node.text)}' in {where}"
                    f"{did_you_mean(node.text.strip(), headers) or '; its columns: ' + ', '.join(headers)}; {what}",
                )
            return found

        place: dict[str, int] = {}
        for role, node in source.columns.items():
            needed = role in ("case", "received", "from", "to", "at", "decision_column") and not (
                role == "received" and source.shape == "transitions"
            )
            found = find(node, "the file is not read" if needed else "the column is not read")
            if found is None:
                if needed:
                    return None
                continue
            place[role] = found
        for group, prefix in ((source.stages, "stage:"), (source.by, "by:"), (source.inputs, "input:")):
            for name, (_, node) in group.items():
                found = find(node, "the column is not read")
                if found is not None:
                    place[prefix + name] = found
        if source.shape == "wide" and not any(k.startswith("stage:") for k in place):
            return None
        return place

    def _file(self, source: _Source, columns: dict[str, int]) -> int:
        self.mapped.files.append(MappedFile(source.shown, source.kind, tuple(columns), tuple(columns.values())))
        return len(self.mapped.files) - 1

    def _common(self, place: dict[str, int]) -> dict[str, int]:
        common = {"case": place["case"]}
        if "decision_column" in place:
            common["decision"] = place["decision_column"]
        return common

    def _inputs_at(self, place: dict[str, int], fallback: int) -> int:
        return min((v for k, v in place.items() if k.startswith("input:")), default=fallback)

    def _row_decision(self, source: _Source, place: dict[str, int], row: int, cells: list[str]) -> str | None:
        """The row's decision id; None (with a finding) when the row names none we know."""
        if source.decision is not None:
            return source.decision
        column = place["decision_column"]
        text = _cell(cells, column)
        if not text:
            self.row_finding(
                Loc(source.shown, row, column),
                "this cell is empty: the row's decision is not known, so the row is not read",
            )
            return None
        decision = source.decisions.get(text, text)
        if self.decisions is not None and decision not in self.decisions:
            named = [*source.decisions, *self.decisions]
            self.row_finding(
                Loc(source.shown, row, column),
                f"'{excerpt(text)}' is no decision, nor a name in decisions of _sources.yaml"
                f"{did_you_mean(text, named)}; "
                "the row is not read",
            )
            return None
        return decision

    def _inputs(self, source: _Source, place: dict[str, int], cells: list[str]) -> str | None:
        given = {name: _cell(cells, place["input:" + name]) for name in source.inputs if "input:" + name in place}
        kept = {k: v for k, v in given.items() if v}
        return json.dumps(kept, ensure_ascii=False) if kept else None

    def _person(self, text: str) -> str | None:
        return self.people.get(text, text) if text else None

    def _wide(self, source: _Source, place: dict[str, int], rows: Iterator[tuple[int, list[str]]]) -> None:
        common = self._common(place)
        received_at = place["received"]
        received = self._file(
            source, {**common, "event": received_at, "at": received_at, "inputs": self._inputs_at(place, received_at)}
        )
        stage_files = {}
        for name in source.stages:
            if "stage:" + name in place:
                column = place["stage:" + name]
                stage_files[name] = self._file(
                    source,
                    {**common, "event": column, "stage": column, "at": column, "by": place.get("by:" + name, column)},
                )
        withdrawn = None
        if "withdrawn" in place:
            column = place["withdrawn"]
            withdrawn = self._file(source, {**common, "event": column, "at": column})
        dated = (
            [place[k] for k in place if k.startswith("stage:")]
            + [received_at]
            + ([place["withdrawn"]] if withdrawn is not None else [])
        )
        for row, cells in rows:
            if not any(c for c in cells):
                continue
            case = _cell(cells, place["case"])
            if not case:
                if any(_cell(cells, c) for c in dated):
                    self.row_finding(
                        Loc(source.shown, row, place["case"]), "this row has dates but no case id, so it is not read"
                    )
                continue
            decision = self._row_decision(source, place, row, cells)
            if decision is None:
                continue
            got = _cell(cells, received_at)
            if not got:
                if any(_cell(cells, c) for c in dated):
                    self.row_finding(
                        Loc(source.shown, row, received_at),
                        f"case '{excerpt(case)}' has dates but no received date here, "
                        "so nothing can be measured from it",
                    )
                    self.mapped.left_out.add((case, decision))
                continue
            add = self.mapped.rows.append
            add(
                (
                    received,
                    row,
                    case,
                    decision,
                    "received",
                    None,
                    _instant(got, source.date_format),
                    None,
                    self._inputs(source, place, cells),
                )
            )
            for name, number in stage_files.items():
                done = _cell(cells, place["stage:" + name])
                if done:
                    person = _cell(cells, place["by:" + name]) if "by:" + name in place else ""
                    add(
                        (
                            number,
                            row,
                            case,
                            decision,
                            "done",
                            name,
                            _instant(done, source.date_format),
                            self._person(person),
                            None,
                        )
                    )
            if withdrawn is not None and _cell(cells, place["withdrawn"]):
                add(
                    (
                        withdrawn,
                        row,
                        case,
                        decision,
                        "withdrawn",
                        None,
                        _instant(_cell(cells, place["withdrawn"]), source.date_format),
                        None,
                        None,
                    )
                )

    def _transitions(self, source: _Source, place: dict[str, int], rows: Iterator[tuple[int, list[str]]]) -> None:
        common = self._common(place)
        at, left, entered = place["at"], place["from"], place["to"]
        by = place.get("by", at)
        inputs = self._inputs_at(place, entered)
        # Leaving a status (done, resumed) is at the "from" cell; entering one at the "to" cell.
        leaving = self._file(source, {**common, "event": left, "stage": left, "at": at, "by": by})
        entering = self._file(source, {**common, "event": entered, "stage": left, "at": at, "by": by, "inputs": inputs})
        received_file = None
        if "received" in place:
            column = place["received"]
            received_file = self._file(
                source, {**common, "event": column, "at": column, "inputs": self._inputs_at(place, column)}
            )
        statuses = {k: v for k, (_, v) in source.statuses.items()}
        by_case: dict[tuple[str, str], list[tuple[str, int, list[str]]]] = {}
        wanted = source.status_field.casefold()
        for row, cells in rows:
            if not any(c for c in cells):
                continue
            if "field" in place and _cell(cells, place["field"]).casefold() != wanted:
                continue  # an assignee, a label, a comment: not a status change
            case = _cell(cells, place["case"])
            if not case:
                self.row_finding(
                    Loc(source.shown, row, place["case"]), "this status change names no issue, so it is not read"
                )
                continue
            decision = self._row_decision(source, place, row, cells)
            if decision is None:
                continue
            unknown = [
                (column, _cell(cells, column))
                for column in (left, entered)
                if _cell(cells, column) and _cell(cells, column) not in statuses
            ]
            if unknown:
                for column, status in unknown:
                    self.row_finding(
                        Loc(source.shown, row, column),
                        f"status '{excerpt(status)}' is not in statuses of _sources.yaml"
                        f"{did_you_mean(status, statuses)}; "
                        f"map it to a stage id, paused, withdrawn or ~; case '{excerpt(case)}' is left out",
                    )
                self.mapped.left_out.add((case, decision))
                continue
            by_case.setdefault((case, decision), []).append(
                (_instant(_cell(cells, at), source.date_format), row, cells)
            )
        add = self.mapped.rows.append
        for (case, decision), changes in by_case.items():
            changes.sort(key=lambda c: c[0])  # exports list the newest first as often as the oldest
            paused_on: str | None = None
            if received_file is not None:
                first = next(((r, c) for _, r, c in changes if _cell(c, place["received"])), None)
                if first is not None:
                    row, cells = first
                    text = _instant(_cell(cells, place["received"]), source.date_format)
                    add(
                        (
                            received_file,
                            row,
                            case,
                            decision,
                            "received",
                            None,
                            text,
                            None,
                            self._inputs(source, place, cells),
                        )
                    )
            for instant, row, cells in changes:
                was, now = _cell(cells, left), _cell(cells, entered)
                stage_was, stage_now = statuses.get(was), statuses.get(now)
                person = self._person(_cell(cells, by)) if "by" in place else None
                if not was:
                    if received_file is None:  # the creation
                        add(
                            (
                                entering,
                                row,
                                case,
                                decision,
                                "received",
                                None,
                                instant,
                                None,
                                self._inputs(source, place, cells),
                            )
                        )
                elif stage_now == WITHDRAWN:
                    add((entering, row, case, decision, "withdrawn", None, instant, person, None))
                elif stage_now == PAUSED and stage_was not in (None, PAUSED, WITHDRAWN):
                    paused_on = stage_was
                    add((entering, row, case, decision, "paused", stage_was, instant, person, None))
                elif stage_was == PAUSED:
                    stage = paused_on or (stage_now if stage_now not in (None, PAUSED, WITHDRAWN) else None)
                    if stage is not None:
                        add((leaving, row, case, decision, "resumed", stage, instant, person, None))
                    paused_on = None
                elif stage_was not in (None, PAUSED, WITHDRAWN):
                    add((leaving, row, case, decision, "done", stage_was, instant, person, None))


def _which(source: _Source) -> str:
    return f"decision '{source.decision}'" if source.decision else "the decisions this file names"


def _described(node: Node | None) -> str:
    if node is None:
        return "nothing"
    if isinstance(node, Scalar):
        return "an empty value" if node.value is None else f"{node.kind} '{excerpt(node.text)}'"
    return f"a {node.kind}"


def _codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _cell(cells: list[str], column: int) -> str:
    return cells[column - 1].strip() if 0 < column <= len(cells) else ""


def _instant(text: str, date_format: str | None) -> str:
    """A date cell as the record's ISO text: ``date_format`` when it fits, else the dates
    spreadsheets write year first (2026/3/2 14:30, 2026年3月2日); anything else as it is,
    for the measuring step to report at its cell. No offset is added: the decision
    calendar's time zone applies (SPEC 11), and a bare date stays a bare date."""
    text = text.strip()
    if date_format:
        try:
            parsed = dt.datetime.strptime(text, date_format)
        except ValueError:
            return text
        has_time = any(code in date_format for code in ("%H", "%I", "%M", "%X", "%c", "%T"))
        return _iso(parsed) if has_time else parsed.date().isoformat()
    found = _DATE.fullmatch(text)
    if found is None:
        return text
    year, month, day, hour, minute, second = found.groups()
    try:
        day_of = dt.date(int(year), int(month), int(day))
    except ValueError:
        return text
    if hour is None:
        return day_of.isoformat()
    try:
        moment = dt.datetime.combine(day_of, dt.time(int(hour), int(minute), int(second or 0)))
    except ValueError:
        return text
    return _iso(moment)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")


# ------------------------------------------------------------------ reading a table


class _Unreadable(Exception):
    pass


def _table(source: _Source) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row and every row below it, numbered as the file counts them, each cell as text."""
    if source.kind == "csv":
        try:
            with open(source.path, encoding=source.encoding, newline="") as handle:
                records = list(csv.reader(handle))
        except UnicodeDecodeError as err:
            raise _Unreadable(
                f"'{source.shown}' is not {source.encoding} text (byte {err.start + 1}); save it as 'CSV UTF-8' "
                "or say its encoding, e.g. encoding: gb18030"
            ) from None
        except (OSError, csv.Error) as err:
            raise _Unreadable(f"'{source.shown}' cannot be read as CSV: {err}") from None
        numbered = list(enumerate(records, 1))
    else:
        numbered = _sheet_rows(source)
    header = next((cells for number, cells in numbered if number == source.header_row), None)
    if header is None:
        raise _Unreadable(f"'{source.shown}' has no row {source.header_row} to read the column headers from")
    return header, iter([(n, c) for n, c in numbered if n > source.header_row])


def _sheet_rows(source: _Source) -> list[tuple[int, list[str]]]:
    import openpyxl  # here, not at the top: only a workbook needs it (0.1 s of every record command)

    try:
        book = openpyxl.load_workbook(source.path, read_only=True, data_only=True)
    except Exception as err:  # a zip that is no workbook, a damaged file: openpyxl raises many kinds
        raise _Unreadable(f"'{source.shown}' cannot be read as an .xlsx workbook: {err}") from None
    try:
        if source.sheet is not None:
            wanted = source.sheet.text.strip()
            if wanted not in book.sheetnames:
                raise _Unreadable(
                    f"'{source.shown}' has no sheet '{excerpt(wanted)}'{did_you_mean(wanted, book.sheetnames)} "
                    f"(its sheets: {', '.join(book.sheetnames)})"
                )
            sheet = book[wanted]
        else:
            sheet = book.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(min_row=1), 1):
            cells = [_sheet_cell(cell) for cell in row]
            rows.append((number, cells))
        return rows
    finally:
        book.close()


def _sheet_cell(cell: object) -> str:
    """A cell as text: a date-time as ISO without offset (the decision calendar's zone
    applies), a date-only cell (a date format, 00:00) as a bare date, a whole number
    without '.0'."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        date_only = value.time() == dt.time(0) and not _has_time(str(getattr(cell, "number_format", "")))
        return value.date().isoformat() if date_only else _iso(value.replace(tzinfo=None, microsecond=0))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _has_time(number_format: str) -> bool:
    """Whether an Excel number format shows hours or seconds (text in quotes and [colours] aside)."""
    plain = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", number_format).lower()
    return "h" in plain or "s" in plain
