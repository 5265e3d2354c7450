"""`decision-paths new`: a starter decision file, or a person or role added to the shared data.

Shared files are edited round-trip with ruamel.yaml so their comments, order
and quoting stay exactly as people wrote them; only the new entry is added.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from decision_paths.fields import ID_PATTERN
from decision_paths.load import find_files, is_shared

ID_RE = re.compile(ID_PATTERN)


class ScaffoldError(Exception):
    """The entry cannot be added; the message says why."""


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
        raise ScaffoldError(f"'{new_id}' is not a valid {kind} id: use lower-case letters, digits and '-' "
                            "(at most 64), starting with a letter or digit")


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
    """Add ``new_id: entry`` under ``section`` (people or roles) of the shared file that has it."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    _check_id("person" if section == "people" else "role", new_id)
    yaml = YAML()  # round-trip: comments, order and quotes survive
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    shared = [Path(p) for p in find_files(folder) if is_shared(p)]
    target = None
    for path in shared:
        data = yaml.load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            continue
        for other in ("people", "roles"):
            if isinstance(data.get(other), dict) and new_id in data[other]:
                raise ScaffoldError(f"'{new_id}' is already defined in {path} under {other}")
        if target is None and isinstance(data.get(section), dict):
            target = path
    target = target or Path(folder, f"_{section}.yaml")
    if target.exists():
        document = yaml.load(target.read_text(encoding="utf-8"))
    else:
        document = CommentedMap()
    if document.get(section) is None:
        document[section] = CommentedMap()
    item = CommentedMap(entry)
    item.fa.set_flow_style()
    document[section][new_id] = item
    temporary = target.with_name(f".{target.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        if not target.exists():
            schema = os.path.relpath(Path("schema", "shared.schema.json"), target.parent).replace(os.sep, "/")
            out.write(f"# yaml-language-server: $schema={schema}\n")
        yaml.dump(document, out)
    os.replace(temporary, target)
    return target
