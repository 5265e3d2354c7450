"""Reading YAML nodes into values, with a finding at the exact key or value for every problem."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

from decision_paths.load.files import is_shared
from decision_paths.load.rules import (
    EMPTY_FILE,
    INVALID_DURATION,
    INVALID_ID,
    INVALID_VALUE,
    MISSING_KEY,
    NOT_A_MAPPING,
    UNKNOWN_KEY,
    WRONG_TYPE,
)
from decision_paths.load.yamlsource import Map, Node, Scalar, Seq, parse_bytes, read_file
from decision_paths.model import fields as F
from decision_paths.model.findings import Finding, Loc, Rule, excerpt
from decision_paths.model.organisation import Ref
from decision_paths.model.suggest import did_you_mean
from decision_paths.model.units import Duration, DurationError, parse_duration

ID_RE = re.compile(F.ID_PATTERN)

T = TypeVar("T")


class Broken(Exception):
    """A required part could not be read; its finding is already recorded."""


class Reader:
    """Reads nodes into values, recording a finding for every problem."""

    def __init__(self, sources: Mapping[str, bytes] | None = None) -> None:
        self.findings: list[Finding] = []
        self.incomplete = False
        self.sources = sources

    def add(self, rule: Rule, loc: Loc, message: str) -> None:
        self.findings.append(rule.at(loc, message))

    def parse(self, path: str) -> Map | None:
        result = read_file(path) if self.sources is None else parse_bytes(path, self.sources[path])
        self.findings.extend(result.findings)
        root = result.root
        if isinstance(root, Scalar) and root.value is None and not root.text:
            self.add(EMPTY_FILE, root.loc, "the file holds an empty YAML document: nothing to read")
            root = None
        if root is None:
            self.incomplete = True
            return None
        if not isinstance(root, Map):
            what = "shared data (people, roles, calendars, defaults)" if is_shared(path) else "a decision"
            self.add(NOT_A_MAPPING, root.loc, f"the file must be a mapping of keys for {what}, not {described(root)}")
            self.incomplete = True
            return None
        return root

    # -- shapes

    def mapping(self, node: Node | None, what: str) -> Map:
        if isinstance(node, Map):
            return node
        self._wrong(node, what, "a mapping of keys")
        raise Broken

    def keys(self, node: Map, table: dict[str, F.Field], what: str, where: Loc | None = None) -> None:
        for key, (key_node, _) in node.entries.items():
            if key not in table:
                hint = did_you_mean(key, table) or f"; allowed keys: {', '.join(table)}"
                self.add(UNKNOWN_KEY, key_node.loc, f"unknown key '{excerpt(key)}' in {what}{hint}")
        missing = [f.key for f in table.values() if f.required and f.key not in node.entries]
        for key in missing:
            self.add(MISSING_KEY, where or node.loc, f"{what} is missing the required key '{key}'")
        if missing:
            raise Broken

    def _wrong(self, node: Node | None, what: str, expected: str) -> None:
        if node is None:
            return
        self.add(WRONG_TYPE, node.loc, f"{what} must be {expected}, not {described(node)}")

    def text(self, node: Node | None, what: str) -> str:
        return self._text_at(node, what)[0]

    def _text_at(self, node: Node | None, what: str) -> tuple[str, Scalar]:
        # A title "Yes" or "2026" is text as written, whatever YAML would make of it.
        if isinstance(node, Scalar) and node.value is not None:
            return (node.value if isinstance(node.value, str) else node.text), node
        self._wrong(node, what, "text")
        raise Broken

    def ident(self, node: Node | None, what: str) -> Ref:
        text, node = self._text_at(node, what)
        if not ID_RE.match(text):
            self.add(
                INVALID_ID,
                node.loc,
                f"{what} '{excerpt(text)}' is not a valid id: use lower-case letters, digits "
                f"'-' and '_' (at most 64), starting with a letter or digit, e.g. '{slug(text)}'",
            )
            raise Broken
        return Ref(text, node.loc)

    def key_ident(self, key: Scalar, what: str) -> str:
        return self.ident(key, what).id

    def idents(self, node: Node | None, what: str) -> tuple[Ref, ...]:
        if not isinstance(node, Seq):
            self._wrong(node, what, "a list of ids, e.g. [li-na]")
            raise Broken
        return self._all(node.items, lambda item: self.ident(item, f"{what} item"))

    def _all(self, items: tuple[Node, ...], read: Callable[[Node], T]) -> tuple[T, ...]:
        out: list[T] = []
        broken = False
        for item in items:
            try:
                out.append(read(item))
            except Broken:
                broken = True
        if broken:
            raise Broken
        return tuple(out)

    def texts(self, node: Node | None, what: str) -> tuple[str, ...]:
        if not isinstance(node, Seq):
            self._wrong(node, what, "a list")
            raise Broken
        return self._all(node.items, lambda item: self.text(item, f"{what} item"))

    def labelled(self, node: Node | None, what: str) -> dict[str, str]:
        """A list of names, or a mapping of ids to the labels people read: name -> label
        (a listed name is its own label). A name written twice is an error at the second."""
        if isinstance(node, Map):
            labels: dict[str, str] = {}
            broken = False
            for key_node, value in node.entries.values():
                try:
                    labels[self.ident(key_node, f"{what} id").id] = self.text(value, f"{what} label")
                except Broken:
                    broken = True
            if broken:
                raise Broken
            return labels
        names = self.texts(node, what) if isinstance(node, Seq) else None
        if names is None:
            self._wrong(node, what, "a list, or ids with labels, e.g. {approved: 同意}")
            raise Broken
        seen: dict[str, str] = {}
        for name, item in zip(names, node.items, strict=True):  # type: ignore[union-attr]
            if name in seen:
                self.add(INVALID_VALUE, item.loc, f"{what}: '{excerpt(name)}' is listed twice")
            seen[name] = name
        return seen

    def boolean(self, node: Node | None, what: str) -> bool:
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        self._wrong(node, what, "true or false")
        raise Broken

    def date(self, node: Node | None, what: str) -> dt.date:
        if isinstance(node, Scalar):
            if isinstance(node.value, dt.date) and not isinstance(node.value, dt.datetime):
                return node.value
            if isinstance(node.value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", node.value.strip()):
                with contextlib.suppress(ValueError):  # a quoted "2026-10-01" means the same date
                    return dt.date.fromisoformat(node.value.strip())
            self.add(
                INVALID_VALUE,
                node.loc,
                f"{what} '{excerpt(node.text)}' is not a date: write it as YYYY-MM-DD, e.g. 2026-10-01",
            )
            raise Broken
        self._wrong(node, what, "a date (YYYY-MM-DD)")
        raise Broken

    def duration(self, node: Node | None, what: str) -> Duration:
        if isinstance(node, Scalar) and node.value is not None:
            try:
                return parse_duration(node.text, node.loc)
            except DurationError as err:
                self.add(INVALID_DURATION, node.loc, f"{what}: {err}")
                raise Broken from None
        self._wrong(node, what, "a duration such as '3 business days'")
        raise Broken

    def choice(self, node: Node | None, what: str, choices: tuple[str, ...]) -> str:
        value, node = self._text_at(node, what)
        if value not in choices:
            self.add(INVALID_VALUE, node.loc, f"{what} '{excerpt(value)}' is not one of: {', '.join(choices)}")
            raise Broken
        return value

    def optional(self, read: Callable[[], T]) -> T | None:
        """Read an optional value; on a problem the finding stays and the value is left out."""
        try:
            return read()
        except Broken:
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
            except Broken:
                self.incomplete = True


def described(node: Node) -> str:
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return f"{node.kind} ('{excerpt(node.text)}')" if node.value is not None else "empty"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-_")[:64] or "my-id"
