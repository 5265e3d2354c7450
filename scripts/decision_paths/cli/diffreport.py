"""`decision-paths diff`: what changed between two versions, as text, Markdown or JSON."""

from __future__ import annotations

import json

from decision_paths.model.changes import Change, organisation_changes
from decision_paths.model.organisation import Organisation


def changes_between(old: Organisation, new: Organisation) -> list[Change]:
    return organisation_changes(_pair_renames(old, new), new)


def _pair_renames(old: Organisation, new: Organisation) -> Organisation:
    """A decision whose file was renamed is the same decision under a new id when it
    keeps its title, or its stages and summary; report it as renamed, not removed and added."""
    removed = [d for d in old.decisions.values() if d.id not in new.decisions]
    added = [d for d in new.decisions.values() if d.id not in old.decisions]
    renamed = dict(old.decisions)
    for before in removed:
        match = next(
            (
                a
                for a in added
                if a.title == before.title or (set(a.stages) == set(before.stages) and a.summary == before.summary)
            ),
            None,
        )
        if match is not None:
            added.remove(match)
            del renamed[before.id]
            renamed[match.id] = before  # compared with the new one, it shows "renamed: old -> new"
    return Organisation(old.people, old.roles, old.calendars, old.defaults, renamed, old.files)


def render(changes: list[Change], titles: dict[str, str], form: str) -> str:
    if form == "json":
        return json.dumps([{"subject": c.subject, "change": c.text} for c in changes], ensure_ascii=False, indent=2)
    grouped: dict[str, list[str]] = {}
    for change in changes:
        grouped.setdefault(change.subject, []).append(change.text)
    if form == "markdown":
        if not changes:
            return "### Decision paths\n\nNo change to any decision path.\n"
        lines = ["### Decision paths changed", ""]
        for subject, texts in grouped.items():
            lines += [f"**{_md(titles.get(subject, subject))}** (`{subject}`)", "", *(f"- {_md(t)}" for t in texts), ""]
        return "\n".join(lines)
    if not changes:
        return "no change to any decision path"
    lines = []
    for subject, texts in grouped.items():
        lines += [f"{titles.get(subject, subject)} ({subject})", *(f"  - {t}" for t in texts)]
    return "\n".join(lines)


def _md(text: str) -> str:
    return "".join(f"\\{c}" if c in "\\`*_[]<>|#" else c for c in text)
