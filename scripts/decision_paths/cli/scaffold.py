"""`decision-paths new`: a starter decision file, or a person or role added to the shared data.

Shared files are edited round-trip with ruamel.yaml so their comments, order
and quoting stay exactly as people wrote them; only the new entry is added.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from decision_paths.load.files import find_files, is_shared
from decision_paths.load.reader import ID_RE
from decision_paths.load.yamlsource import read_file
from decision_paths.model.findings import Finding
from decision_paths.store.files import write_atomically


class ScaffoldError(Exception):
    """The entry cannot be added; the message says why."""


class SharedFileError(Exception):
    """A shared data file that cannot be read; its findings say where and why."""

    def __init__(self, findings: tuple[Finding, ...]):
        super().__init__(f"{len(findings)} problem(s) in the shared data files")
        self.findings = findings


STARTER = """\
# yaml-language-server: $schema={schema}
# A new decision path. Replace every CHANGE-ME, then run `decision-paths validate`.
# The format, the durations in English and Chinese, and the coverage rule are
# explained in docs/how-to-edit.md.
title: CHANGE-ME title of the request, as people name it
summary: CHANGE-ME one or two sentences; every audience sees this.
owner: CHANGE-ME                # role or person accountable for this path being right
audience: internal              # or client, to publish it on the client site too
review_every: 180 days          # add `reviewed: YYYY-MM-DD` once the owner has confirmed the path
inputs:                         # the facts that choose the path; remove if there is one path
  amount: {{label: CHANGE-ME amount, type: number}}
start: intake
stages:
  intake:
    title: CHANGE-ME log the request
    who: CHANGE-ME              # a role or person id, or {{all: [...]}}, {{any: [...]}}, {{at_least: 2, of: [...]}}
    within: 1 business day      # or 1个工作日, 4 business hours, 2 days, 1 week ...
    next:
      - when: {{amount: "<10000"}}
        go: answer
      - otherwise: approve
  approve:
    title: CHANGE-ME approve larger requests
    who: CHANGE-ME
    within: 2 business days
    escalate_to: CHANGE-ME      # who is told when `within` is missed; remove if nobody
    next: answer
  answer:
    title: CHANGE-ME answer the requester
    who: CHANGE-ME
    within: 1 business day
    outcomes: [approved, declined]
"""


def _check_id(kind: str, new_id: str) -> None:
    if not ID_RE.match(new_id):
        raise ScaffoldError(
            f"'{new_id}' is not a valid {kind} id: use lower-case letters, digits, '-' and '_' "
            "(at most 64), starting with a letter or digit"
        )


def new_decision(folder: str, decision_id: str, category: str | None, schema_dir: str = "schema") -> Path:
    _check_id("decision", decision_id)
    if category is not None:
        _check_id("category", category)
    existing = [p for p in find_files(folder) if Path(p).stem == decision_id and not is_shared(p)]
    if existing:
        raise ScaffoldError(f"decision '{decision_id}' already exists: {existing[0]}")
    target = Path(folder, category or "", f"{decision_id}.yaml")
    schema = os.path.relpath(Path(schema_dir, "decision.schema.json"), target.parent).replace(os.sep, "/")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as out:
        out.write(STARTER.format(schema=schema))
    return target


def add_shared_entry(folder: str, section: str, new_id: str, entry: dict[str, object]) -> Path:
    """Add ``new_id: entry`` under ``section`` (people or roles) of the shared file that has it.

    ruamel.yaml reads the file round-trip to find where the section's last entry
    ends; the new entry is inserted there as one line in the same indentation
    and line endings, so every other byte of the file stays as it was.
    """

    _check_id("person" if section == "people" else "role", new_id)
    shared = [Path(p) for p in find_files(folder) if is_shared(p)]
    # Our own reader first: a file it refuses is reported where the problem is,
    # and left untouched, before ruamel.yaml (which would raise) ever sees it.
    problems = tuple(f for path in shared for f in read_file(str(path)).findings if f.is_error)
    if problems:
        raise SharedFileError(problems)
    yaml = YAML()
    target, document = None, None
    for path in shared:
        data = yaml.load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            continue
        for other in ("people", "roles"):
            if isinstance(data.get(other), dict) and new_id in data[other]:
                raise ScaffoldError(f"'{new_id}' is already defined in {path} under {other}")
        if target is None and isinstance(data.get(section), dict) and data[section]:
            target, document = path, data
    line = f"{new_id}: {_flow(entry)}"
    if target is None or document is None:
        target = Path(folder, f"_{section}.yaml")
        if target.exists():
            raise ScaffoldError(f"{target} has no {section}: entries to add to; add the first one by hand")
        schema = os.path.relpath(Path("schema", "shared.schema.json"), target.parent).replace(os.sep, "/")
        _write(target, f"# yaml-language-server: $schema={schema}\n{section}:\n  {line}\n")
        return target
    raw = target.read_bytes().decode("utf-8")
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.splitlines(keepends=True)
    mapping = document[section]
    last_line, column = mapping.lc.key(list(mapping)[-1])
    end = _entry_end(lines, last_line, column)
    if end > 0 and not lines[end - 1].endswith(("\n", "\r")):
        lines[end - 1] += newline
    lines.insert(end, " " * column + line + newline)
    _write(target, "".join(lines))
    return target


def _entry_end(lines: list[str], first: int, column: int) -> int:
    """The index after the last content line of the entry starting at ``first`` (key at ``column``)."""
    end = first + 1
    for index in range(first + 1, len(lines)):
        text = lines[index].rstrip("\r\n")
        stripped = text.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue  # blank lines and comments belong to whatever follows
        if len(text) - len(stripped) <= column:
            break
        end = index + 1
    return end


def _flow(entry: dict[str, object]) -> str:
    """The entry as a one-line YAML flow mapping, quoted only where YAML needs it."""

    item = CommentedMap(entry)
    item.fa.set_flow_style()
    out = io.StringIO()
    yaml = YAML()
    yaml.width = 4096
    yaml.dump(item, out)
    return out.getvalue().strip()


def _write(path: Path, text: str) -> None:
    write_atomically(path, text)
