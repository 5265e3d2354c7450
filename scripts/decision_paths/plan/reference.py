"""Reference pages generated from the code itself, so they cannot drift:
the format (from the same key tables the loader and the JSON Schema use),
the commands (from the command line's own help), and the finding codes.
"""

from __future__ import annotations

import argparse
import os

from decision_paths.checks import ALL_RULES
from decision_paths.model import fields as F
from decision_paths.model.units import UNIT_WORDS
from decision_paths.render.text import plain

FORMAT_URI = "reference/format.md"
COMMANDS_URI = "reference/commands.md"

_SECTIONS = (
    ("A decision file", F.DECISION),
    ("A stage (under stages)", F.STAGE),
    ("An input (under inputs)", F.INPUT),
    ("A branch (an item of a next list)", F.BRANCH),
    ("who: all of several", F.WHO_ALL),
    ("who: any of several", F.WHO_ANY),
    ("who: N of several", F.WHO_AT_LEAST),
    ("Shared files (_*.yaml)", F.SHARED),
    ("A person (under people)", F.PERSON),
    ("away (under a person)", F.AWAY),
    ("A role (under roles)", F.ROLE),
    ("A calendar (under calendars)", F.CALENDAR),
    ("defaults", F.DEFAULTS),
)


def format_reference() -> str:
    lines = [
        "# Format reference",
        "",
        "Every key the decision files and shared files accept. Any other key is an error "
        "(with a \u201cdid you mean\u201d suggestion). Ids use lower-case letters, digits and "
        f"\u2018-\u2019: `{F.ID_PATTERN}`.",
        "",
    ]
    for heading, table in _SECTIONS:
        lines += [f"## {plain(heading)}", "", "| key | required | value | meaning |", "|---|---|---|---|"]
        for field in table.values():
            value = field.kind + (": " + " | ".join(field.choices) if field.choices else "")
            lines.append(
                f"| `{field.key}` | {'yes' if field.required else ''} | {plain(value)} | {plain(field.description)} |"
            )
        lines.append("")
    lines += ["## Durations (within, review_every)", "", "| written | means |", "|---|---|"]
    lines += [f"| `N {plain(word)}` | {plain(unit.value)} |" for word, unit in UNIT_WORDS.items()]
    lines += ["", "## Finding codes", "", "| code | name | severity | meaning |", "|---|---|---|---|"]
    lines += [f"| {r.code} | `{r.name}` | {r.severity.value} | {plain(r.summary)} |" for r in ALL_RULES]
    return "\n".join(lines) + "\n"


def commands_reference(parser: argparse.ArgumentParser) -> str:
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal; the page must not depend on it
    try:
        return _commands(parser)
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def _commands(parser: argparse.ArgumentParser) -> str:
    lines = [
        "# Command reference",
        "",
        "The `decision-paths` command, as its own `--help` describes it.",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
        "",
    ]
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for name, sub in action.choices.items():  # type: ignore[union-attr]
            lines += [f"## {name}", "", "```text", sub.format_help().rstrip(), "```", ""]
    return "\n".join(lines)
