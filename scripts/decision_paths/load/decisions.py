"""Load step: a decisions folder -> the typed model, plus findings.

Everything the format itself rules out (unknown keys, wrong types, bad ids,
bad durations, ids defined twice) is found here, at the exact key or value.
Cross-references (does this role exist? is every branch covered?) are the
``checks`` step's job and read only the model.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import errno
import functools
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from decision_paths.load.yamlsource import Map, Node, Scalar, Seq, parse_bytes, read_bytes, read_file
from decision_paths.model import fields as F
from decision_paths.model.findings import Finding, Loc, excerpt, finding
from decision_paths.model.organisation import (
    WEEKDAYS,
    Audience,
    Away,
    Branch,
    BusinessHours,
    Calendar,
    ChoiceTest,
    Comparison,
    Condition,
    Decision,
    Defaults,
    Duration,
    Input,
    InputType,
    NumberTest,
    Organisation,
    Person,
    Ref,
    Role,
    Stage,
    Unit,
    Visibility,
    Who,
    WhoMode,
    YesNoTest,
)
from decision_paths.model.units import DurationError, parse_duration

ID_RE = re.compile(F.ID_PATTERN)
_COMPARISON_RE = re.compile(r"^\s*(>=|<=|>|<|=)\s*(-?\d+(?:\.\d+)?)\s*$")
_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
YAML_SUFFIXES = (".yaml", ".yml")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LoadResult:
    org: Organisation
    findings: tuple[Finding, ...]
    # True when some file or decision could not be read at all, so checks
    # that need the whole picture (e.g. "this person approves nothing") hold back.
    incomplete: bool
    # True when some person, role or calendar could not be read: then an id
    # that seems unknown may just be in the broken part, so it is not reported.
    shared_incomplete: bool = False


@dataclass(frozen=True, slots=True)
class FolderScan:
    files: tuple[str, ...]  # the YAML files to read, in a stable order
    refused: tuple[Finding, ...]  # symbolic links that are not followed, and why


def scan_folder(folder: str) -> FolderScan:
    """Every YAML file under ``folder``, recursively: in each folder its files, then its
    subfolders, by name; hidden files and folders skipped.

    The folder is the boundary: a symbolic link (to a file or a folder) is followed
    only when where it leads is inside the folder, and a link that leads outside is
    never opened, so a pull request cannot publish or print a file from elsewhere.
    """
    root = os.path.realpath(folder)
    files: list[str] = []
    refused: list[Finding] = []
    # Real folders walked so far: a link to one of them is not walked again, so links
    # that fan out to the same folders cost one visit each, not one per path.
    walked: set[str] = set()

    def walk(current: str, real: str, above: frozenset[str]) -> None:
        walked.add(real)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            return  # an unreadable or vanished folder holds nothing to read
        subfolders: list[tuple[str, str, bool]] = []  # (path, real path, reached by a link)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = os.path.join(current, entry.name)
            is_yaml = entry.name.lower().endswith(YAML_SUFFIXES)
            if entry.is_symlink():
                try:
                    target = os.path.realpath(path, strict=True)
                except OSError as err:
                    if err.errno == errno.ELOOP:
                        refused.append(_link_finding("link-loop", path))
                    elif is_yaml:
                        files.append(path)  # leads nowhere: reading it reports that
                    continue
                if os.path.commonpath([root, target]) != root:
                    if is_yaml or os.path.isdir(target):
                        refused.append(_link_finding("link-outside", path))
                    continue
                if os.path.isdir(target):
                    if target in above or target == real:
                        refused.append(_link_finding("link-loop", path))
                    else:
                        subfolders.append((path, target, True))
                elif is_yaml and os.path.isfile(target):  # never a pipe or a device
                    files.append(path)
            elif entry.is_dir(follow_symlinks=False):
                subfolders.append((path, os.path.join(real, entry.name), False))
            elif is_yaml and entry.is_file(follow_symlinks=False):
                files.append(path)
        for path, target, by_link in subfolders:
            if not (by_link and target in walked):
                walk(path, target, above | {real})

    walk(folder, root, frozenset())
    return FolderScan(tuple(files), tuple(refused))


def _link_finding(rule: str, path: str) -> Finding:
    name = os.path.basename(path)
    if rule == "link-outside":
        message = (
            f"'{name}' is a symbolic link that points outside the decisions folder, so it is not read; "
            "put the file itself in the folder, or link to a file inside it"
        )
    else:
        message = f"'{name}' is a symbolic link that leads back to itself or to a folder above it; remove it"
    return finding(rule, Loc(path, 1, 1), message)


def find_files(folder: str) -> list[str]:
    """The YAML files ``scan_folder`` finds."""
    return list(scan_folder(folder).files)


def read_sources(folder: str, scan: FolderScan | None = None) -> dict[str, bytes] | None:
    """Every file ``scan_folder`` lists, read once as the loader reads it; None if one
    cannot be read, so the loader reports it."""
    sources: dict[str, bytes] = {}
    for path in (scan or scan_folder(folder)).files:
        try:
            sources[path] = read_bytes(path)
        except OSError:
            return None
    return sources


def walk_order(path: str) -> tuple[tuple[int, str], ...]:
    """Sort key giving the order of ``find_files``: in each folder its files, then its subfolders."""
    *folders, name = path.replace(os.sep, "/").split("/")
    return (*((1, part) for part in folders), (0, name))


def is_yaml_path(path: str, folder: str = "") -> bool:
    """A YAML file the loader reads: .yaml/.yml, not hidden, not inside a hidden folder
    of the decisions ``folder`` (where the folder itself is, say ~/.work/, does not matter)."""
    if folder:
        path = os.path.relpath(path, folder)
    name = os.path.basename(path)
    return (
        name.lower().endswith(YAML_SUFFIXES)
        and not name.startswith(".")
        and not any(
            part.startswith(".") for part in path.replace(os.sep, "/").split("/")[:-1] if part not in (".", "..")
        )
    )


def is_shared(path: str) -> bool:
    return os.path.basename(path).startswith("_")


def load_folder(folder: str, sources: Mapping[str, bytes] | None = None, refused: Sequence[Finding] = ()) -> LoadResult:
    """Load every file of a decisions folder; or, with ``sources`` (path -> content, e.g.
    read from a git revision), those contents as if they were the folder's files.
    ``refused``: what ``scan_folder`` would not read, when ``sources`` came from it."""
    if sources is None:
        scan = scan_folder(folder)
        files: list[str] = list(scan.files)
        refused = scan.refused
    else:
        files = sorted((p for p in sources if is_yaml_path(p, folder)), key=walk_order)
    reader = _Reader(sources)
    reader.findings.extend(refused)
    reader.incomplete = reader.incomplete or bool(refused)
    shared = _SharedData(reader)
    for path in files:
        if is_shared(path):
            root = reader.parse(path)
            if root is not None:
                shared.add_file(root)
    shared_incomplete = reader.incomplete
    decisions: dict[str, Decision] = {}
    first_file: dict[str, str] = {}
    for path in files:
        if is_shared(path):
            continue
        decision_id = _decision_id(reader, path)
        root = reader.parse(path)
        if decision_id is None:
            continue
        if decision_id in first_file:
            reader.add(
                "duplicate-id",
                Loc(path),
                f"decision id '{decision_id}' is already used by "
                f"{Loc(first_file[decision_id])}; decision ids come from file names and must be unique",
            )
            continue
        first_file[decision_id] = path
        if root is None:
            continue
        category = os.path.relpath(os.path.dirname(path), folder).replace(os.sep, "/")
        decision = _DecisionReader(reader, path, decision_id, category if category != "." else "").read(root)
        if decision is not None:
            decisions[decision_id] = decision
    org = Organisation(
        people=shared.people,
        roles=shared.roles,
        calendars=shared.calendars,
        defaults=Defaults(shared.default_calendar),
        decisions=decisions,
        files=tuple(files),
    )
    return LoadResult(org, tuple(reader.findings), reader.incomplete, shared_incomplete)


def _decision_id(reader: _Reader, path: str) -> str | None:
    stem = os.path.splitext(os.path.basename(path))[0]
    if ID_RE.match(stem):
        return stem
    suggestion = re.sub(r"[^a-z0-9_]+", "-", stem.lower()).strip("-_")[:64] or "my-decision"
    reader.add(
        "invalid-id",
        Loc(path),
        f"the file name '{os.path.basename(path)}' is not a valid decision id "
        f"(lower-case letters, digits, '-' and '_'): rename it to '{suggestion}.yaml'",
    )
    reader.incomplete = True
    return None


class _Broken(Exception):
    """A required part could not be read; its finding is already recorded."""


class _Reader:
    """Reads nodes into values, recording a finding for every problem."""

    def __init__(self, sources: Mapping[str, bytes] | None = None) -> None:
        self.findings: list[Finding] = []
        self.incomplete = False
        self.sources = sources

    def add(self, rule: str, loc: Loc, message: str) -> None:
        self.findings.append(finding(rule, loc, message))

    def parse(self, path: str) -> Map | None:
        result = read_file(path) if self.sources is None else parse_bytes(path, self.sources[path])
        self.findings.extend(result.findings)
        root = result.root
        if isinstance(root, Scalar) and root.value is None and not root.text:
            self.add("empty-file", root.loc, "the file holds an empty YAML document: nothing to read")
            root = None
        if root is None:
            self.incomplete = True
            return None
        if not isinstance(root, Map):
            what = "shared data (people, roles, calendars, defaults)" if is_shared(path) else "a decision"
            self.add("not-a-mapping", root.loc, f"the file must be a mapping of keys for {what}, not {_a(root)}")
            self.incomplete = True
            return None
        return root

    # -- shapes

    def mapping(self, node: Node | None, what: str) -> Map:
        if isinstance(node, Map):
            return node
        self._wrong(node, what, "a mapping of keys")
        raise _Broken

    def keys(self, node: Map, table: dict[str, F.Field], what: str, where: Loc | None = None) -> None:
        for key, (key_node, _) in node.entries.items():
            if key not in table:
                close = difflib.get_close_matches(key, table, n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else f"; allowed keys: {', '.join(table)}"
                self.add("unknown-key", key_node.loc, f"unknown key '{excerpt(key)}' in {what}{hint}")
        missing = [f.key for f in table.values() if f.required and f.key not in node.entries]
        for key in missing:
            self.add("missing-key", where or node.loc, f"{what} is missing the required key '{key}'")
        if missing:
            raise _Broken

    def _wrong(self, node: Node | None, what: str, expected: str) -> None:
        if node is None:
            return
        self.add("wrong-type", node.loc, f"{what} must be {expected}, not {_a(node)}")

    def text(self, node: Node | None, what: str) -> str:
        return self._text_at(node, what)[0]

    def _text_at(self, node: Node | None, what: str) -> tuple[str, Scalar]:
        # A title "Yes" or "2026" is text as written, whatever YAML would make of it.
        if isinstance(node, Scalar) and node.value is not None:
            return (node.value if isinstance(node.value, str) else node.text), node
        self._wrong(node, what, "text")
        raise _Broken

    def ident(self, node: Node | None, what: str) -> Ref:
        text, node = self._text_at(node, what)
        if not ID_RE.match(text):
            self.add(
                "invalid-id",
                node.loc,
                f"{what} '{excerpt(text)}' is not a valid id: use lower-case letters, digits "
                f"'-' and '_' (at most 64), starting with a letter or digit, e.g. '{_slug(text)}'",
            )
            raise _Broken
        return Ref(text, node.loc)

    def key_ident(self, key: Scalar, what: str) -> str:
        return self.ident(key, what).id

    def idents(self, node: Node | None, what: str) -> tuple[Ref, ...]:
        if not isinstance(node, Seq):
            self._wrong(node, what, "a list of ids, e.g. [li-na]")
            raise _Broken
        return self._all(node.items, lambda item: self.ident(item, f"{what} item"))

    def _all(self, items: tuple[Node, ...], read: Callable[[Node], T]) -> tuple[T, ...]:
        out: list[T] = []
        broken = False
        for item in items:
            try:
                out.append(read(item))
            except _Broken:
                broken = True
        if broken:
            raise _Broken
        return tuple(out)

    def texts(self, node: Node | None, what: str) -> tuple[str, ...]:
        if not isinstance(node, Seq):
            self._wrong(node, what, "a list")
            raise _Broken
        return self._all(node.items, lambda item: self.text(item, f"{what} item"))

    def boolean(self, node: Node | None, what: str) -> bool:
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        self._wrong(node, what, "true or false")
        raise _Broken

    def date(self, node: Node | None, what: str) -> dt.date:
        if isinstance(node, Scalar):
            if isinstance(node.value, dt.date) and not isinstance(node.value, dt.datetime):
                return node.value
            if isinstance(node.value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", node.value.strip()):
                with contextlib.suppress(ValueError):  # a quoted "2026-10-01" means the same date
                    return dt.date.fromisoformat(node.value.strip())
            self.add(
                "invalid-value",
                node.loc,
                f"{what} '{excerpt(node.text)}' is not a date: write it as YYYY-MM-DD, e.g. 2026-10-01",
            )
            raise _Broken
        self._wrong(node, what, "a date (YYYY-MM-DD)")
        raise _Broken

    def duration(self, node: Node | None, what: str) -> Duration:
        if isinstance(node, Scalar) and node.value is not None:
            try:
                return parse_duration(node.text, node.loc)
            except DurationError as err:
                self.add("invalid-duration", node.loc, f"{what}: {err}")
                raise _Broken from None
        self._wrong(node, what, "a duration such as '3 business days'")
        raise _Broken

    def choice(self, node: Node | None, what: str, choices: tuple[str, ...]) -> str:
        value, node = self._text_at(node, what)
        if value not in choices:
            self.add("invalid-value", node.loc, f"{what} '{excerpt(value)}' is not one of: {', '.join(choices)}")
            raise _Broken
        return value

    def optional(self, read: Callable[[], T]) -> T | None:
        """Read an optional value; on a problem the finding stays and the value is left out."""
        try:
            return read()
        except _Broken:
            return None

    def field(self, body: Map, key: str, read: Callable[[Node], T]) -> T | None:
        """An optional key: absent or empty gives None; a bad value gives its finding and None."""
        node = body.get(key)
        if node is None or (isinstance(node, Scalar) and node.value is None):
            return None
        return self.optional(functools.partial(read, node))

    def field_or(self, body: Map, key: str, read: Callable[[Node], T], default: T) -> T:
        """An optional key with a default for when it is absent, empty or bad."""
        value = self.field(body, key, read)
        return default if value is None else value

    def entries(self, node: Map, what: str) -> Iterator[tuple[str, Scalar, Node]]:
        """(valid id, key node, value) for each entry of an id -> object mapping."""
        for key_node, value in node.entries.values():
            try:
                yield self.key_ident(key_node, what), key_node, value
            except _Broken:
                self.incomplete = True


def _a(node: Node) -> str:
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return f"{node.kind} ('{excerpt(node.text)}')" if node.value is not None else "empty"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-_")[:64] or "my-id"


@dataclass
class _SharedData:
    reader: _Reader
    people: dict[str, Person] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    calendars: dict[str, Calendar] = field(default_factory=dict)
    default_calendar: Ref | None = None

    def add_file(self, root: Map) -> None:
        reader = self.reader
        self._keys_no_required(root)
        # each section: (key, kind, its table, how to read one entry); the tables hold different types
        sections: list[tuple[str, str, dict[str, Any], Callable[[str, Loc, Node], Any]]] = [
            ("people", "person", self.people, self._person),
            ("roles", "role", self.roles, self._role),
            ("calendars", "calendar", self.calendars, self._calendar),
        ]
        for key, kind, table, read in sections:
            node = root.get(key)
            if node is None:
                continue
            try:
                section = reader.mapping(node, f"'{key}'")
            except _Broken:
                reader.incomplete = True
                continue
            for object_id, key_node, value in reader.entries(section, f"{kind} id"):
                self._define(
                    kind, table, object_id, key_node.loc, functools.partial(read, object_id, key_node.loc, value)
                )
        defaults = root.get("defaults")
        if defaults is not None:
            self._defaults(defaults)

    def _keys_no_required(self, root: Map) -> None:
        with contextlib.suppress(_Broken):  # SHARED has no required keys
            self.reader.keys(root, F.SHARED, "a shared data file")

    def _define(self, kind: str, table: dict[str, Any], object_id: str, loc: Loc, read: Callable[[], object]) -> None:
        first = self._first_definition(object_id)
        if first is not None:
            first_kind, first_loc = first
            what = (
                f"{kind} '{object_id}' is already defined"
                if first_kind == kind
                else f"'{object_id}' is already defined as a {first_kind}"
            )
            self.reader.add(
                "duplicate-id",
                loc,
                f"{what} at {first_loc}; ids of people and roles must be unique across all shared files",
            )
            return
        try:
            table[object_id] = read()
        except _Broken:
            self.reader.incomplete = True

    def _first_definition(self, object_id: str) -> tuple[str, Loc] | None:
        for kind, table in (("person", self.people), ("role", self.roles), ("calendar", self.calendars)):
            if object_id in table:
                return kind, table[object_id].loc
        return None

    def _person(self, person_id: str, loc: Loc, node: Node) -> Person:
        r = self.reader
        what = f"person '{person_id}'"
        body = r.mapping(node, what)
        r.keys(body, F.PERSON, what, loc)
        return Person(
            id=person_id,
            loc=loc,
            name=r.text(body.get("name"), f"{what} name"),
            email=r.field(body, "email", lambda n: r.text(n, f"{what} email")),
            active=r.field_or(body, "active", lambda n: r.boolean(n, f"{what} active"), True),
            away=r.field(body, "away", lambda n: self._away(n, what)),
        )

    def _away(self, node: Node | None, what: str) -> Away:
        r = self.reader
        body = r.mapping(node, f"{what} away")
        r.keys(body, F.AWAY, f"{what} away", body.loc)
        start = r.date(body.get("from"), f"{what} away from")
        until = r.date(body.get("until"), f"{what} away until")
        if until < start:
            r.add("invalid-value", body.key_loc("until"), f"{what} away until {until} is before from {start}")
            raise _Broken
        return Away(start, until, body.loc)

    def _role(self, role_id: str, loc: Loc, node: Node) -> Role:
        r = self.reader
        what = f"role '{role_id}'"
        body = r.mapping(node, what)
        r.keys(body, F.ROLE, what, loc)
        visibility = r.field(
            body, "visibility", lambda n: r.choice(n, f"{what} visibility", F.ROLE["visibility"].choices)
        )
        return Role(
            id=role_id,
            loc=loc,
            title=r.text(body.get("title"), f"{what} title"),
            held_by=r.field_or(body, "held_by", lambda n: r.idents(n, f"{what} held_by"), ()),
            backup=r.field_or(body, "backup", lambda n: r.idents(n, f"{what} backup"), ()),
            visibility=Visibility(visibility or "client"),
        )

    def _calendar(self, calendar_id: str, loc: Loc, node: Node) -> Calendar:
        r = self.reader
        what = f"calendar '{calendar_id}'"
        body = r.mapping(node, what)
        r.keys(body, F.CALENDAR, what, loc)
        country_node = body.get("country")
        timezone_node = body.get("timezone")
        return Calendar(
            id=calendar_id,
            loc=loc,
            country=Ref(r.text(country_node, f"{what} country"), country_node.loc),  # type: ignore[union-attr]
            timezone=Ref(r.text(timezone_node, f"{what} timezone"), timezone_node.loc),  # type: ignore[union-attr]
            subdivision=r.field(body, "subdivision", lambda n: Ref(r.text(n, f"{what} subdivision"), n.loc)),
            hours=self._hours(body.get("hours"), what)
            or BusinessHours(dt.timedelta(hours=9), dt.timedelta(hours=18), loc),
            workdays=self._workdays(body.get("workdays"), what),
            closed=frozenset(r.field(body, "closed", lambda n: self._dates(n, f"{what} closed")) or ()),
            open=frozenset(r.field(body, "open", lambda n: self._dates(n, f"{what} open")) or ()),
        )

    def _hours(self, node: Node | None, what: str) -> BusinessHours | None:
        if node is None:
            return None
        r = self.reader
        text = r.optional(lambda: r.text(node, f"{what} hours"))
        match = _HOURS_RE.match(text or "")
        if text is not None and match:
            h1, m1, h2, m2 = map(int, match.groups())
            if h1 < 24 and h2 <= 24 and m1 < 60 and m2 < 60 and (h1, m1) < (h2, m2) and (h2, m2) <= (24, 0):
                return BusinessHours(dt.timedelta(hours=h1, minutes=m1), dt.timedelta(hours=h2, minutes=m2), node.loc)
        if text is not None:
            r.add(
                "invalid-value",
                node.loc,
                f"{what} hours '{excerpt(text)}' must be opening and closing time on one day, like \"09:00-18:00\"",
            )
        return None

    def _workdays(self, node: Node | None, what: str) -> frozenset[int]:
        if node is None:
            return frozenset(range(5))
        r = self.reader
        names = r.optional(lambda: r.texts(node, f"{what} workdays"))
        if names is None:
            return frozenset(range(5))
        days: set[int] = set()
        for name, item in zip(names, node.items, strict=True):  # type: ignore[union-attr]
            if name.lower()[:3] in WEEKDAYS and name.lower() in (name.lower()[:3], _FULL_DAYS.get(name.lower()[:3])):
                days.add(WEEKDAYS.index(name.lower()[:3]))
            else:
                r.add(
                    "invalid-value", item.loc, f"{what} workdays: '{name}' is not a weekday; use {', '.join(WEEKDAYS)}"
                )
        return frozenset(days)

    def _dates(self, node: Node | None, what: str) -> tuple[dt.date, ...]:
        r = self.reader
        if not isinstance(node, Seq):
            r._wrong(node, what, "a list of dates")
            raise _Broken
        return r._all(node.items, lambda item: r.date(item, f"{what} date"))

    def _defaults(self, node: Node) -> None:
        r = self.reader
        try:
            body = r.mapping(node, "defaults")
            r.keys(body, F.DEFAULTS, "defaults")
        except _Broken:
            return
        calendar = body.get("calendar")
        if calendar is None:
            return
        ref = r.optional(lambda: r.ident(calendar, "defaults calendar"))
        if ref is None:
            return
        if self.default_calendar is not None:
            r.add("duplicate-id", ref.loc, f"defaults calendar is already set at {self.default_calendar.loc}")
            return
        self.default_calendar = ref


_FULL_DAYS = {d[:3]: d for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}


class _DecisionReader:
    def __init__(self, reader: _Reader, path: str, decision_id: str, category: str):
        self.r = reader
        self.path = path
        self.id = decision_id
        self.category = category
        self.broken = False

    def must(self, read: Callable[[], T]) -> T | None:
        """Read a required part; on a problem remember the decision cannot be built."""
        try:
            return read()
        except _Broken:
            self.broken = True
            return None

    def read(self, root: Map) -> Decision | None:
        r = self.r
        what = f"decision '{self.id}'"
        try:
            r.keys(root, F.DECISION, what, Loc(self.path))
        except _Broken:
            self.broken = True
        title = self.must(lambda: r.text(root.get("title"), "title"))
        summary = self.must(lambda: r.text(root.get("summary"), "summary"))
        owner = self.must(lambda: r.ident(root.get("owner"), "owner"))
        start = self.must(lambda: r.ident(root.get("start"), "start"))
        inputs = self.must(lambda: self._inputs(root.get("inputs"))) if "inputs" in root.entries else {}
        stages = self.must(lambda: self._stages(root.get("stages"), inputs or {}))
        audience = r.field(root, "audience", lambda n: r.choice(n, "audience", F.DECISION["audience"].choices))
        reviewed = r.field(root, "reviewed", lambda n: r.date(n, "reviewed"))
        review_every = r.field(root, "review_every", self._review_every)
        category = r.field(root, "category", lambda n: r.text(n, "category"))
        calendar = r.field(root, "calendar", lambda n: r.ident(n, "calendar"))
        notes = r.field(root, "notes", lambda n: r.text(n, "notes"))
        client_notes = r.field(root, "client_notes", lambda n: r.text(n, "client_notes"))
        if self.broken or title is None or summary is None or owner is None or start is None:
            r.incomplete = True
            return None
        if stages is None or inputs is None:  # only when broken, so already reported
            r.incomplete = True
            return None
        return Decision(
            id=self.id,
            file=self.path,
            loc=Loc(self.path),
            category=category if category is not None else self.category,
            title=title,
            summary=summary,
            owner=owner,
            start=start,
            stages=stages,
            audience=Audience(audience or "internal"),
            reviewed=reviewed,
            reviewed_loc=root.key_loc("reviewed") if "reviewed" in root.entries else None,
            review_every=review_every,
            calendar=calendar,
            inputs=inputs,
            notes=notes,
            client_notes=client_notes,
        )

    def _review_every(self, node: Node) -> Duration:
        duration = self.r.duration(node, "review_every")
        if duration.unit not in (Unit.CALENDAR_DAYS, Unit.WEEKS):
            self.r.add(
                "invalid-duration",
                node.loc,
                f"review_every '{duration.text}' must be in days or weeks, e.g. 180 days or 26 weeks",
            )
            raise _Broken
        return duration

    def _inputs(self, node: Node | None) -> dict[str, Input]:
        r = self.r
        body = r.mapping(node, "inputs")
        inputs: dict[str, Input] = {}
        for input_id, key_node, value in r.entries(body, "input id"):
            item = self.must(functools.partial(self._input, input_id, key_node.loc, value))
            if item is not None:
                inputs[input_id] = item
        if len(inputs) != len(body.entries):
            raise _Broken
        return inputs

    def _input(self, input_id: str, loc: Loc, node: Node) -> Input:
        r = self.r
        what = f"input '{input_id}'"
        body = r.mapping(node, what)
        r.keys(body, F.INPUT, what, loc)
        label = r.text(body.get("label"), f"{what} label")
        kind = InputType(r.choice(body.get("type"), f"{what} type", F.INPUT["type"].choices))
        options: tuple[str, ...] = ()
        options_node = body.get("options")
        if kind is InputType.CHOICE:
            if options_node is None:
                r.add(
                    "missing-key",
                    loc,
                    f"{what} is a choice: list its options, e.g. options: [fixed-price, time-and-materials]",
                )
                raise _Broken
            options = r.texts(options_node, f"{what} options")
            if not options:
                r.add("invalid-value", options_node.loc, f"{what} options: list at least one option")
                raise _Broken
            seen: set[str] = set()
            for option, item in zip(options, options_node.items, strict=True):  # type: ignore[union-attr]
                if option in seen:
                    r.add("invalid-value", item.loc, f"{what} option '{option}' is listed twice")
                seen.add(option)
        elif options_node is not None:
            r.add(
                "invalid-value",
                body.key_loc("options"),
                f"{what} has options, but only a choice input can have them; set type: choice or remove options",
            )
        return Input(input_id, loc, label, kind, options)

    def _stages(self, node: Node | None, inputs: dict[str, Input]) -> dict[str, Stage]:
        r = self.r
        body = r.mapping(node, "stages")
        if not body.entries:
            r.add("invalid-value", body.loc, "stages is empty: a decision needs at least one stage")
            raise _Broken
        stages: dict[str, Stage] = {}
        for stage_id, key_node, value in r.entries(body, "stage id"):
            stage = self.must(functools.partial(self._stage, stage_id, key_node.loc, value))
            if stage is not None:
                stages[stage_id] = stage
        if len(stages) != len(body.entries):
            raise _Broken
        return stages

    def _stage(self, stage_id: str, loc: Loc, node: Node) -> Stage:
        r = self.r
        what = f"stage '{stage_id}'"
        body = r.mapping(node, what)
        try:
            r.keys(body, F.STAGE, what, loc)
        except _Broken:
            self.broken = True
        title = self.must(lambda: r.text(body.get("title"), f"{what} title"))
        who = self.must(lambda: self._who(body.get("who"), what))
        within = self.must(lambda: r.duration(body.get("within"), f"{what} within"))
        next_node = body.get("next")
        next_stage: Ref | None = None
        branches: tuple[Branch, ...] = ()
        if isinstance(next_node, Seq):
            branches = self.must(lambda: self._branches(next_node, what)) or ()
        elif next_node is not None and not (isinstance(next_node, Scalar) and next_node.value is None):
            next_stage = self.must(lambda: r.ident(next_node, f"{what} next"))
        visibility = r.field(
            body, "visibility", lambda n: r.choice(n, f"{what} visibility", F.STAGE["visibility"].choices)
        )
        if title is None or who is None or within is None:
            raise _Broken
        return Stage(
            id=stage_id,
            loc=loc,
            title=title,
            who=who,
            within=within,
            does=r.field(body, "does", lambda n: r.text(n, f"{what} does")),
            escalate_to=r.field(body, "escalate_to", lambda n: r.ident(n, f"{what} escalate_to")),
            visibility=Visibility(visibility or "client"),
            next_stage=next_stage,
            branches=branches,
            next_loc=body.key_loc("next") if next_node is not None else None,
            outcomes=r.field(body, "outcomes", lambda n: r.texts(n, f"{what} outcomes")) or (),
        )

    def _who(self, node: Node | None, what: str) -> Who:
        r = self.r
        if isinstance(node, Scalar):
            return Who(WhoMode.ONE, (r.ident(node, f"{what} who"),), 1, node.loc)
        forms = "an id, {all: [ids]}, {any: [ids]} or {at_least: N, of: [ids]}"
        if not isinstance(node, Map):
            r._wrong(node, f"{what} who", forms)
            raise _Broken
        if "at_least" in node.entries or "of" in node.entries:
            table, mode = F.WHO_AT_LEAST, WhoMode.AT_LEAST
        elif "any" in node.entries:
            table, mode = F.WHO_ANY, WhoMode.ANY
        elif "all" in node.entries:
            table, mode = F.WHO_ALL, WhoMode.ALL
        else:
            r.add("wrong-type", node.loc, f"{what} who must be {forms}")
            raise _Broken
        r.keys(node, table, f"{what} who", node.loc)
        list_key = "of" if mode is WhoMode.AT_LEAST else mode.value
        members = r.idents(node.get(list_key), f"{what} who {list_key}")
        if not members:
            r.add("invalid-value", node.key_loc(list_key), f"{what} who {list_key}: name at least one role or person")
            raise _Broken
        seen: set[str] = set()
        for member in members:
            if member.id in seen:
                r.add(
                    "invalid-value", member.loc, f"{what} who {list_key}: '{member.id}' is listed twice; name each once"
                )
            seen.add(member.id)
        if len(seen) < len(members):
            raise _Broken
        needed = {WhoMode.ALL: len(members), WhoMode.ANY: 1}.get(mode)
        if needed is None:
            count = node.get("at_least")
            if not (isinstance(count, Scalar) and isinstance(count.value, int) and not isinstance(count.value, bool)):
                r._wrong(count, f"{what} who at_least", "a whole number")
                raise _Broken
            needed = count.value
            if not 1 <= needed <= len(members):
                r.add(
                    "invalid-value",
                    count.loc,
                    f"{what} who at_least: {needed} must be between 1 and the {len(members)} named in 'of'",
                )
                raise _Broken
        return Who(mode, members, needed, node.loc)

    def _branches(self, node: Seq, what: str) -> tuple[Branch, ...]:
        r = self.r
        if not node.items:
            r.add("invalid-value", node.loc, f"{what} next: an empty list; name the next stage or list branches")
            raise _Broken
        branches = self.r._all(node.items, lambda item: self._branch(item, what))
        for branch in branches[:-1]:
            if branch.otherwise:
                r.add(
                    "misplaced-otherwise",
                    branch.loc,
                    f"{what}: 'otherwise' must be the last branch; branches after it could never be taken",
                )
        return branches

    def _branch(self, node: Node, what: str) -> Branch:
        r = self.r
        body = r.mapping(node, f"{what} branch")
        r.keys(body, F.BRANCH, f"{what} branch", body.loc)
        if "otherwise" in body.entries:
            for key in ("when", "go"):
                if key in body.entries:
                    r.add(
                        "invalid-value",
                        body.key_loc(key),
                        f"{what} branch: an 'otherwise' item has no '{key}'; "
                        "write it as its own item: - otherwise: STAGE",
                    )
                    raise _Broken
            return Branch((), r.ident(body.get("otherwise"), f"{what} otherwise"), body.loc, otherwise=True)
        for key in ("when", "go"):
            if key not in body.entries:
                r.add(
                    "missing-key",
                    body.loc,
                    f"{what} branch is missing '{key}': each item is "
                    "{when: {input: condition}, go: stage} or {otherwise: stage}",
                )
                raise _Broken
        when = r.mapping(body.get("when"), f"{what} when")
        if not when.entries:
            r.add("invalid-value", when.loc, f"{what} when: name at least one input and its condition")
            raise _Broken
        conditions = r._all(tuple(when.entries.values()), lambda entry: self._condition(entry, what))  # type: ignore[arg-type]
        return Branch(conditions, r.ident(body.get("go"), f"{what} go"), body.loc)

    def _condition(self, entry: tuple[Scalar, Node], what: str) -> Condition:
        key, value = entry
        input_ref = self.r.ident(key, f"{what} when: input")
        return Condition(input_ref, self._test(value, f"{what} when {input_ref.id}"), value.loc)

    def _test(self, node: Node, what: str) -> NumberTest | ChoiceTest | YesNoTest:
        r = self.r
        items = node.items if isinstance(node, Seq) else (node,)
        if not items or not all(isinstance(item, Scalar) and item.value is not None for item in items):
            r._wrong(node, what, 'a comparison like ">=10000", an option, a list of them, or true/false')
            raise _Broken
        scalars: tuple[Scalar, ...] = items  # type: ignore[assignment]
        if all(isinstance(s.value, bool) for s in scalars):
            if len(scalars) != 1:
                r.add("condition-type", node.loc, f"{what}: a yes-no condition is one value, true or false")
                raise _Broken
            return YesNoTest(bool(scalars[0].value))
        matches = [(_COMPARISON_RE.match(s.text) if isinstance(s.value, str) else None) for s in scalars]
        if all(matches):
            return NumberTest(tuple(Comparison(m.group(1), Decimal(m.group(2))) for m in matches if m))
        if any(matches) or any(isinstance(s.value, bool) for s in scalars):
            r.add(
                "condition-type",
                node.loc,
                f"{what}: mixes comparisons, options and true/false; use one kind of condition per input",
            )
            raise _Broken
        return ChoiceTest(tuple(Ref(s.text, s.loc) for s in scalars))
