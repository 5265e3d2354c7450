"""Reference pages generated from the code itself, so they cannot drift:
the format (from the same key tables the loader and the JSON Schema use),
the commands (from the command line's own help), and the finding codes.
"""

from __future__ import annotations

import argparse
import functools

from decision_paths.checks import ALL_RULES
from decision_paths.model import fields as F
from decision_paths.model.units import UNIT_WORDS

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

# Characters that start HTML, Markdown or attr_list syntax, written as
# character references in one pass: they display the same but are never
# parsed as markup.
_REFERENCES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-.!|~:=$"}


def plain(text: str) -> str:
    """A plain-text field for Markdown or HTML: shows exactly as written, one line."""
    return " ".join(text.split()).translate(_REFERENCES)


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
    return _commands(parser)


def _help(parser: argparse.ArgumentParser) -> str:
    """``--help`` at a fixed width: argparse would wrap to the terminal, and the page must not depend on it."""
    parser.formatter_class = functools.partial(argparse.HelpFormatter, width=100)
    return parser.format_help().rstrip()


def _commands(parser: argparse.ArgumentParser) -> str:
    lines = [
        "# Command reference",
        "",
        "The `decision-paths` command, as its own `--help` describes it.",
        "",
        "```text",
        _help(parser),
        "```",
        "",
    ]
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for name, sub in action.choices.items():  # type: ignore[union-attr]
            lines += [f"## {name}", "", "```text", _help(sub), "```", ""]
    return "\n".join(lines)
