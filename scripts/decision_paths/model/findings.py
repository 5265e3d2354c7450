"""Findings: what a check reports, where, and how it is printed.

Every rule has a stable code and a short name (``DP201 unknown-role``) so that
people can search for it and tools can filter on it. Codes never change
meaning; retired codes are not reused. This module holds only the types; the
rules themselves are declared where they are reported.
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
    """One rule a finding can break. Each rule is declared once, in the module that
    reports it (``load/rules.py`` for the format, each ``checks/`` module for its own),
    and the registry (``decision_paths.checks.ALL_RULES``) lists them all by code.
    Code ranges: 0xx files and YAML, 1xx structure, 2xx references, 3xx paths and
    branches, 4xx upkeep warnings, 5xx the built site."""

    code: str  # DP201
    name: str  # unknown-role
    severity: Severity
    summary: str  # one line for the reference page

    def at(self, loc: Loc, message: str) -> Finding:
        """A finding of this rule at ``loc``. Every message passes here: whatever it quotes
        in '...' is cut to an excerpt, and control characters are escaped."""
        message = _QUOTED.sub(lambda m: f"'{excerpt(m[1])}'", _CONTROL.sub(lambda m: excerpt(m[0]), message))
        return Finding(loc, self, message)


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
