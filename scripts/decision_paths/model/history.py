"""The change history as data: what each commit changed, and the notes one site shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    author: str
    when: dt.datetime
    message: str  # the subject line


@dataclass(frozen=True, slots=True)
class Entry:
    """What one commit changed in one decision (or in the shared data: subject 'shared')."""

    commit: Commit
    subject: str  # decision id, or "shared"
    title: str
    internal: tuple[str, ...]
    client: tuple[str, ...]  # empty when clients see nothing of it


@dataclass(frozen=True, slots=True)
class VersionRef:
    """One committed version of a decision file: the rules in force from ``when`` on."""

    decision: str
    when: dt.datetime
    path: str  # in the repository
    blob: str  # git blob id ('' when the commit deleted the file)


@dataclass(frozen=True, slots=True)
class History:
    entries: tuple[Entry, ...] = ()  # newest first
    warning: str | None = None
    last_change: dt.datetime | None = None  # the newest commit touching the decisions
    versions: tuple[VersionRef, ...] = ()  # oldest first: what the case record is judged by

    def for_decision(self, decision_id: str) -> list[Entry]:
        return [e for e in self.entries if e.subject == decision_id]


@dataclass(frozen=True, slots=True)
class ChangeNote:
    """One entry as one site shows it: for clients, only what they may see and no author."""

    sha: str
    when: dt.datetime
    subject: str  # decision id, or "shared"
    title: str
    lines: tuple[str, ...]
    author: str | None = None  # None on the client site
    message: str | None = None  # None on the client site
