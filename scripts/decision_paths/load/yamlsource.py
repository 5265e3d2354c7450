"""Read one YAML file into a tree of nodes that remember where they came from.

We drive libyaml's event parser ourselves instead of ``yaml.safe_load`` so that
every key and value keeps its line and column, duplicate keys are caught
(PyYAML silently keeps the last), nesting and alias expansion are bounded
before they cost time or memory, and no tag can ever construct a Python
object: only the plain YAML types (text, numbers, booleans, null, dates) exist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from decision_paths.load.rules import (
    ALIAS_BOMB,
    DUPLICATE_KEY,
    EMPTY_FILE,
    FILE_TOO_LARGE,
    NOT_UTF8,
    TOO_DEEP,
    UNSUPPORTED_TAG,
    WRONG_TYPE,
    YAML_SYNTAX,
)
from decision_paths.model.findings import Finding, Loc

try:  # libyaml is much faster; the pure-Python parser gives the same events
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64
# Nodes that aliases may add on top of the text itself; generous for "<<:"
# reuse of a few stage blocks, far below what a "billion laughs" file needs.
MAX_ALIAS_NODES = 10_000

STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"
_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap"}

_IMPLICIT: dict[str, list[tuple[str, re.Pattern[str]]]] = Resolver.yaml_implicit_resolvers  # first char -> rules
_constructor = SafeConstructor()


def _resolve_plain(value: str) -> str:
    """The tag of a plain scalar, as PyYAML's Resolver decides it, without its per-call overhead."""
    for tag, regexp in _IMPLICIT.get(value[:1] or "", ()):
        if regexp.match(value):
            return tag
    return STR_TAG


# The tree's nodes are named tuples: immutable like dataclasses, and cheap to
# build, which matters because every key and value of every file becomes one.


class Scalar(NamedTuple):
    value: object  # str, int, float, bool, None, date or datetime
    text: str  # the characters as written, for ids and labels
    loc: Loc

    @property
    def kind(self) -> str:
        return type_name(self.value)


class Seq(NamedTuple):
    items: tuple[Node, ...]
    loc: Loc

    @property
    def kind(self) -> str:
        return "list"


class Map(NamedTuple):
    # key text -> (key scalar, value); insertion order is the file's order
    entries: dict[str, tuple[Scalar, Node]]
    loc: Loc

    @property
    def kind(self) -> str:
        return "mapping"

    def get(self, key: str) -> Node | None:
        entry = self.entries.get(key)
        return entry[1] if entry else None

    def key_loc(self, key: str) -> Loc:
        entry = self.entries.get(key)
        return entry[0].loc if entry else self.loc


Node = Scalar | Seq | Map


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (dt.date, dt.datetime)):
        return "date"
    return "text"


class _Abort(Exception):
    def __init__(self, found: Finding):
        self.found = found


@dataclass(frozen=True, slots=True)
class ParsedFile:
    path: str
    root: Node | None
    findings: tuple[Finding, ...]


def read_bytes(path: str) -> bytes:
    """A file's bytes, as far as one past the size limit (more never changes the outcome)."""
    with open(path, "rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)


def read_file(path: str) -> ParsedFile:
    """Read and parse one file; problems come back as findings, never exceptions."""
    try:
        data = read_bytes(path)
    except OSError as err:
        return ParsedFile(path, None, (YAML_SYNTAX.at(Loc(path), f"cannot read the file: {err.strerror}"),))
    return parse_bytes(path, data)


def parse_bytes(path: str, data: bytes) -> ParsedFile:
    """Parse a file's bytes (read from disk or from git): every limit applies here."""
    if len(data) > MAX_FILE_BYTES:
        message = f"the file is larger than {MAX_FILE_BYTES // 1024} KiB; split it into smaller files"
        return ParsedFile(path, None, (FILE_TOO_LARGE.at(Loc(path), message),))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return ParsedFile(path, None, (_not_utf8(path, data, err),))
    return parse_text(path, text)


def _not_utf8(path: str, data: bytes, err: UnicodeDecodeError) -> Finding:
    before = data[: err.start]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
    message = (
        f"the file is not UTF-8 text (byte 0x{data[err.start]:02x} cannot start a character); "
        "save it as UTF-8 in your editor"
    )
    return NOT_UTF8.at(Loc(path, line, column), message)


def parse_text(path: str, text: str) -> ParsedFile:
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return ParsedFile(path, None, (NOT_UTF8.at(Loc(path, line), "the file contains NUL bytes: it is not text"),))
    builder = _TreeBuilder(path)
    try:
        root = builder.build(text)
    except _Abort as abort:
        return ParsedFile(path, None, (abort.found,))
    except yaml.MarkedYAMLError as err:
        if _LIBYAML_TOO_DEEP in (err.problem or ""):
            # libyaml's scanner looks ahead and may reach its own depth limit
            # before our reader sees level MAX_DEPTH + 1: the same problem.
            return ParsedFile(path, None, (_too_deep(_mark_loc(path, err.problem_mark)),))
        return ParsedFile(path, None, (_syntax_finding(path, err, text),))
    except yaml.YAMLError as err:  # e.g. a reader error for control characters
        first_line = str(err).splitlines()[0] if str(err) else type(err).__name__  # the rest names no file of ours
        return ParsedFile(path, None, (YAML_SYNTAX.at(Loc(path), f"not valid YAML: {first_line}"),))
    if root is None:
        return ParsedFile(path, None, (EMPTY_FILE.at(Loc(path), "the file is empty: it holds no YAML document"),))
    return ParsedFile(path, root, tuple(builder.findings))


_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"


def _too_deep(loc: Loc) -> Finding:
    return TOO_DEEP.at(loc, f"the YAML nests more than {MAX_DEPTH} levels deep; flatten it")


def _mark_loc(path: str, mark: yaml.Mark | None) -> Loc:
    return Loc(path, mark.line + 1, mark.column + 1) if mark else Loc(path)


def _tab_in_indentation(text: str, line_index: int) -> bool:
    lines = text.splitlines()
    if not 0 <= line_index < len(lines):
        return False
    line = lines[line_index]
    return "\t" in line[: len(line) - len(line.lstrip(" \t"))]


def _syntax_finding(path: str, err: yaml.MarkedYAMLError, text: str) -> Finding:
    mark = err.problem_mark or err.context_mark
    loc = _mark_loc(path, mark)
    parts = [p for p in (err.context, err.problem) if p]
    message = "not valid YAML: " + ", ".join(parts)
    if err.context_mark and err.problem_mark and err.context_mark.line != err.problem_mark.line:
        message += f" (the construct starts at line {err.context_mark.line + 1})"
    if mark is not None and _tab_in_indentation(text, mark.line):
        message += f"; line {mark.line + 1} is indented with a tab: YAML needs spaces, so replace the tab with spaces"
    return YAML_SYNTAX.at(loc, message)


class _Frame:
    """A mapping or sequence whose end event has not come yet."""

    __slots__ = ("anchor", "entries", "is_map", "items", "loc", "merges", "pending_key")

    def __init__(self, is_map: bool, loc: Loc, anchor: str | None):
        self.is_map = is_map
        self.loc = loc
        self.anchor = anchor
        self.items: list[Node] = []
        self.entries: dict[str, tuple[Scalar, Node]] = {}
        self.merges: list[tuple[Loc, Node]] = []
        self.pending_key: Scalar | None = None


_ScalarEvent, _AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
_StartEvents = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_EndEvents = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _TreeBuilder:
    """Turns libyaml events into Map/Seq/Scalar nodes without recursion.

    This loop runs once per key and value of every file, so it is written for
    speed: one type test per event, locals instead of attribute lookups.
    """

    def __init__(self, path: str):
        self.path = path
        self.findings: list[Finding] = []
        self.anchors: dict[str, Node] = {}
        self.open_anchors: set[str] = set()
        self.alias_nodes = 0
        self.sizes: dict[int, int] = {}

    def loc(self, mark: Any) -> Loc:  # libyaml's events carry a Mark type of their own
        return Loc(self.path, mark.line + 1, mark.column + 1)

    def build(self, text: str) -> Node | None:
        parser = _Parser(text)
        try:
            return self._run(parser)
        finally:
            dispose = getattr(parser, "dispose", None)
            if dispose:
                dispose()

    def _run(self, parser: Any) -> Node | None:  # libyaml's parser has no type information
        path = self.path
        stack: list[_Frame] = []
        root: Node | None = None
        node: Node
        documents = 0
        get_event = parser.get_event
        while True:
            event = get_event()
            kind = type(event)
            if kind is _ScalarEvent:
                mark = event.start_mark
                if event.tag is None and event.implicit[0]:
                    value = event.value
                    tag = _resolve_plain(value)
                    node = (
                        Scalar(value, value, Loc(path, mark.line + 1, mark.column + 1))
                        if tag == STR_TAG
                        else self._scalar(event)
                    )
                elif event.tag is None:
                    node = Scalar(event.value, event.value, Loc(path, mark.line + 1, mark.column + 1))
                else:
                    node = self._scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = node
            elif kind in _StartEvents:
                if len(stack) >= MAX_DEPTH:
                    raise _Abort(_too_deep(self.loc(event.start_mark)))
                if event.tag is not None:
                    self._check_tag(event.tag, event.start_mark, _COLLECTION_TAGS)
                stack.append(_Frame(kind is yaml.MappingStartEvent, self.loc(event.start_mark), event.anchor))
                if event.anchor:
                    self.open_anchors.add(event.anchor)
                continue
            elif kind in _EndEvents:
                frame = stack.pop()
                node = self._close(frame)
                if frame.anchor:
                    self.open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = node
            elif kind is _AliasEvent:
                node = self._alias(event)
            elif kind is yaml.StreamEndEvent:
                return root
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Abort(
                        YAML_SYNTAX.at(
                            self.loc(event.start_mark),
                            "a second YAML document ('---'): put one decision in each file",
                        )
                    )
                continue
            else:  # stream start, document end
                continue
            if not stack:
                root = node
                continue
            frame = stack[-1]
            if not frame.is_map:
                frame.items.append(node)
            elif frame.pending_key is None:
                if type(node) is not Scalar:
                    raise _Abort(WRONG_TYPE.at(node.loc, "a key must be plain text, not a list or mapping"))
                frame.pending_key = node
            else:
                self._add_entry(frame, frame.pending_key, node)
                frame.pending_key = None

    def _check_tag(self, tag: str | None, mark: Any, allowed: set[str]) -> None:
        if tag and tag != "!" and tag not in allowed:
            raise _Abort(
                UNSUPPORTED_TAG.at(
                    self.loc(mark),
                    f"the tag {tag.replace('tag:yaml.org,2002:', '!!')} is not allowed: "
                    "write plain text, numbers, true/false, dates, lists and mappings",
                )
            )

    def _scalar(self, event: Any) -> Scalar:
        """A scalar that is not plain text: a number, boolean, null, date, merge key or explicit tag."""
        loc = self.loc(event.start_mark)
        value = event.value
        if event.tag and event.tag != "!":
            self._check_tag(event.tag, event.start_mark, _SAFE_TAGS | {MERGE_TAG})
            tag = event.tag
        elif event.implicit[0]:
            tag = _resolve_plain(value)
        else:
            tag = STR_TAG
        if tag == STR_TAG:
            return Scalar(value, value, loc)
        if tag == MERGE_TAG:
            return Scalar(_MergeKey, value, loc)
        node = ScalarNode(tag, value, event.start_mark, event.end_mark)
        try:
            constructed = _constructor.yaml_constructors[tag](_constructor, node)
        except Exception:
            # Looks like a date or number but is none (2026-13-01): keep the text,
            # so the key that expects a date reports it where it stands.
            constructed = value
        return Scalar(constructed, value, loc)

    def _alias(self, event: Any) -> Node:
        loc = self.loc(event.start_mark)
        if event.anchor in self.open_anchors:
            raise _Abort(ALIAS_BOMB.at(loc, f"the alias *{event.anchor} refers to a block that contains it"))
        node = self.anchors.get(event.anchor)
        if node is None:
            raise _Abort(YAML_SYNTAX.at(loc, f"the alias *{event.anchor} has no anchor &{event.anchor} before it"))
        self.alias_nodes += self._size(node)
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise _Abort(
                ALIAS_BOMB.at(
                    loc,
                    f"aliases expand to more than {MAX_ALIAS_NODES} values; "
                    "write the repeated parts out or reuse fewer of them",
                )
            )
        return node

    def _size(self, node: Node) -> int:
        """How many values a node stands for with its aliases expanded; memoised, so shared parts count fast."""
        known = self.sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, Seq):
            size = 1 + sum(self._size(item) for item in node.items)
        elif isinstance(node, Map):
            size = 1 + sum(1 + self._size(value) for _, value in node.entries.values())
        else:
            size = 1
        self.sizes[id(node)] = size
        return size

    def _add_entry(self, frame: _Frame, key: Scalar, node: Node) -> None:
        if key.value is _MergeKey:
            frame.merges.append((key.loc, node))
            return
        first = frame.entries.get(key.text)
        if first is not None:
            self.findings.append(
                DUPLICATE_KEY.at(
                    key.loc,
                    f"duplicate key '{key.text}': it is already defined at line {first[0].loc.line}; "
                    "remove one of them (YAML would silently keep only the last)",
                )
            )
            return
        frame.entries[key.text] = (key, node)

    def _close(self, frame: _Frame) -> Node:
        if not frame.is_map:
            return Seq(tuple(frame.items), frame.loc)
        for loc, source in frame.merges:  # explicit keys win over merged ones
            for merged in source.items if isinstance(source, Seq) else (source,):
                if not isinstance(merged, Map):
                    raise _Abort(WRONG_TYPE.at(loc, "'<<' must merge a mapping or a list of mappings"))
                for text, entry in merged.entries.items():
                    frame.entries.setdefault(text, entry)
        return Map(frame.entries, frame.loc)


class _MergeKeyType:
    def __repr__(self) -> str:
        return "<<"


_MergeKey = _MergeKeyType()
