"""Findings: what a check reports, where, and how it is printed.

Every rule has a stable code and a short name (``DP201 unknown-role``) so that
people can search for it and tools can filter on it. Codes never change
meaning; retired codes are not reused.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Loc(NamedTuple):
    """A place in a source file; line and column are 1-based.

    A named tuple rather than a dataclass: the reader makes one per YAML node,
    and tuples are built several times faster.
    """

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str


def _rules(*rows: tuple[str, str, Severity, str]) -> dict[str, Rule]:
    return {name: Rule(code, name, severity, summary) for code, name, severity, summary in rows}


E, W = Severity.ERROR, Severity.WARNING

# name -> Rule. Grouped by hundreds: 0xx files and YAML, 1xx structure,
# 2xx references, 3xx paths and branches, 4xx upkeep warnings.
RULES: dict[str, Rule] = _rules(
    ("DP001", "yaml-syntax", E, "the file is not valid YAML"),
    ("DP002", "duplicate-key", E, "a key appears twice in the same mapping"),
    ("DP003", "not-utf8", E, "the file is not UTF-8 text"),
    ("DP004", "empty-file", E, "the file holds no YAML document"),
    ("DP005", "not-a-mapping", E, "the top level of the file is not a mapping of keys"),
    ("DP006", "alias-bomb", E, "anchors and aliases expand beyond the allowed size"),
    ("DP007", "file-too-large", E, "the file is larger than the allowed size"),
    ("DP008", "unsupported-tag", E, "a YAML tag such as !!python/object is not allowed"),
    ("DP009", "too-deep", E, "the YAML nests deeper than the allowed depth"),
    ("DP010", "link-outside", E, "a symbolic link that leads outside the decisions folder (never read)"),
    ("DP011", "link-loop", E, "a symbolic link that leads back into itself or a folder above it"),
    ("DP101", "unknown-key", E, "a key that the format does not know"),
    ("DP102", "wrong-type", E, "a value of the wrong type"),
    ("DP103", "missing-key", E, "a required key is missing"),
    ("DP104", "invalid-id", E, "an id that breaks the id rule ^[a-z0-9][a-z0-9_-]{0,63}$"),
    ("DP105", "invalid-duration", E, "a duration that is not one of the accepted forms"),
    ("DP106", "duplicate-id", E, "the same id is defined twice"),
    ("DP107", "invalid-value", E, "a value outside the allowed set or format"),
    ("DP201", "unknown-role", E, "a role or person id that does not exist"),
    ("DP202", "unknown-stage", E, "a stage id that does not exist in this decision"),
    ("DP203", "unknown-calendar", E, "a calendar id that does not exist"),
    ("DP204", "unknown-person", E, "a person id that does not exist"),
    ("DP205", "inactive-person", E, "a person marked active: false is still named"),
    ("DP206", "role-without-holder", E, "a role with no holder is named by a stage"),
    ("DP207", "unknown-input", E, "a condition names an input the decision does not declare"),
    ("DP208", "self-backup", E, "a role named as its own backup"),
    ("DP209", "reserved-id", E, "an id that the site uses for a page of its own, such as index"),
    ("DP301", "cycle", E, "the stages form a loop"),
    ("DP302", "unreachable-stage", E, "a stage that no path from start reaches"),
    ("DP303", "branch-gap", E, "some combination of inputs matches no branch"),
    ("DP304", "branch-overlap", E, "some combination of inputs matches two branches"),
    ("DP305", "condition-type", E, "a condition that does not fit its input's type"),
    ("DP306", "unknown-option", E, "a condition names an option its choice input does not have"),
    ("DP307", "unused-input", E, "an input that no branch uses"),
    ("DP308", "misplaced-otherwise", E, "otherwise is not the last branch"),
    ("DP401", "review-overdue", W, "the path is overdue for review"),
    ("DP402", "never-reviewed", W, "the decision has no reviewed date"),
    ("DP403", "idle-person", W, "a person who holds no role and approves nothing"),
    ("DP404", "approvers-away", W, "every approver of a stage is away today and nobody stands in"),
    ("DP405", "empty-role", W, "a role with no holder (not yet named by any stage)"),
    ("DP406", "no-holiday-data", W, "a timeline reaches a year with no official holiday data"),
    ("DP407", "reviewed-in-future", W, "a reviewed date after today"),
    ("DP501", "broken-link", E, "a page links to a page or anchor that does not exist (build --strict)"),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES.values()}


@dataclass(frozen=True, slots=True)
class Finding:
    loc: Loc
    rule: Rule
    message: str

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def is_error(self) -> bool:
        return self.rule.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (display_path(self.loc.file), self.loc.line, self.loc.column, self.rule.code, self.message)

    def to_text(self) -> str:
        message = self.message.replace("\r", "\\r").replace("\n", "\\n")  # one finding, one line
        return f"{self.loc}: {self.severity.value}: {message} [{self.rule.code} {self.rule.name}]"

    def to_github(self) -> str:
        """A GitHub Actions workflow command: the finding shows on the changed line of a pull request."""
        properties = {
            "file": display_path(self.loc.file),
            "line": str(self.loc.line),
            "col": str(self.loc.column),
            "title": f"{self.rule.code} {self.rule.name}",
        }
        joined = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
        return f"::{self.severity.value} {joined}::{_escape_data(self.message)}"

    def to_json(self) -> dict[str, object]:
        return {
            "file": display_path(self.loc.file),
            "line": self.loc.line,
            "column": self.loc.column,
            "severity": self.severity.value,
            "code": self.rule.code,
            "name": self.rule.name,
            "message": self.message,
        }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


EXCERPT_CHARS = 60
# control characters, line separators and the bidirectional overrides that can disguise text
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# a value in quotes, as messages quote them: the quote marks stand apart from words
_QUOTED = re.compile(r"(?<!\w)'([^'\n]{" + str(EXCERPT_CHARS + 1) + r",})'(?!\w)")


def excerpt(text: str) -> str:
    """Text from a file as a message may quote it: control characters escaped, at most
    EXCERPT_CHARS characters, so a long or hostile value (or a whole linked file) never
    floods a terminal or a CI log."""
    safe = _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)
    return safe if len(safe) <= EXCERPT_CHARS else safe[: EXCERPT_CHARS - 1] + "…"


def finding(rule_name: str, loc: Loc, message: str) -> Finding:
    # Every message passes here: whatever a check quotes in '...' is cut to an excerpt.
    message = _QUOTED.sub(lambda m: f"'{excerpt(m[1])}'", _CONTROL.sub(lambda m: excerpt(m[0]), message))
    return Finding(loc, RULES[rule_name], message)


def display_path(path: str) -> str:
    """FILE as the SPEC prints it: relative to the current folder."""
    if not os.path.isabs(path):
        return path
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(set(findings), key=Finding.sort_key)


def summary_line(findings: list[Finding], file_count: int) -> str:
    errors = sum(1 for f in findings if f.is_error)
    warnings = len(findings) - errors
    files = f"{file_count} file" + ("" if file_count == 1 else "s")
    if not findings:
        return f"{files} checked: no problems found"
    return f"{files} checked: {_count(errors, 'error')}, {_count(warnings, 'warning')}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def to_json(findings: list[Finding]) -> str:
    return json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2)
