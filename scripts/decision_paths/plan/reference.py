"""Reference pages generated from the code itself, so they cannot drift:
the format (from the same key tables the loader and the JSON Schema use),
the commands (from the command line's own help), and the finding codes.

The pages speak the site's language (``words``): titles, headings, table headers and
the sentences around them. What the program itself says, in English, stays as it is
and is tagged ``lang="en"`` on a site in another language: each key's meaning, each
rule's summary, the commands' ``--help``. Keys, kinds, codes and written forms are code.
"""

from __future__ import annotations

import argparse
import functools
import html
import string
from collections.abc import Mapping

from decision_paths.checks import ALL_RULES
from decision_paths.model import fields as F
from decision_paths.model.units import UNIT_WORDS

FORMAT_URI = "reference/format.md"
COMMANDS_URI = "reference/commands.md"

# (its anchor, the heading's word, the key it names, the table)
_SECTIONS = (
    ("decision", "ref_decision", "", F.DECISION),
    ("stage", "ref_stage", "stages", F.STAGE),
    ("input", "ref_input", "inputs", F.INPUT),
    ("branch", "ref_branch", "next", F.BRANCH),
    ("who-all", "ref_who_all", "who", F.WHO_ALL),
    ("who-any", "ref_who_any", "who", F.WHO_ANY),
    ("who-at-least", "ref_who_at_least", "who", F.WHO_AT_LEAST),
    ("shared", "ref_shared", "_*.yaml", F.SHARED),
    ("person", "ref_person", "people", F.PERSON),
    ("away", "ref_away", "away", F.AWAY),
    ("role", "ref_role", "roles", F.ROLE),
    ("calendar", "ref_calendar", "calendars", F.CALENDAR),
    ("defaults", "ref_defaults", "defaults", F.DEFAULTS),
)

# Characters that start HTML, Markdown or attr_list syntax, written as
# character references in one pass: they display the same but are never
# parsed as markup.
_REFERENCES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-.!|~:=$"}


def plain(text: str) -> str:
    """A plain-text field for Markdown or HTML: shows exactly as written, one line."""
    return " ".join(text.split()).translate(_REFERENCES)


def code(text: str) -> str:
    """Text shown as code, exactly as written (a backtick in it would end the span)."""
    return f"`{text}`" if "`" not in text else f"<code>{html.escape(text)}</code>"


def _say(words: Mapping[str, str], word: str, /, **codes: str) -> str:
    """One of our sentences for Markdown: its words escaped, each blank filled with code."""
    parts = []
    for literal, blank, _, _ in string.Formatter().parse(words[word]):
        parts.append(literal.translate(_REFERENCES))
        if blank:
            parts.append(code(codes[blank]))
    return "".join(parts)


class _English:
    """What the program says in English, tagged so on a site in another language."""

    def __init__(self, language: str):
        self.tagged = (language or "en").lower().split("-")[0] != "en"

    def inline(self, text: str) -> str:
        return f'<span lang="en">{plain(text)}</span>' if self.tagged and text else plain(text)

    def block(self, text: str) -> str:
        body = html.escape(text, quote=False)
        lang = ' lang="en"' if self.tagged else ""
        return f'<pre{lang}><code class="language-text">{body}\n</code></pre>'


def format_reference(words: Mapping[str, str], language: str = "en", *, heading_ids: bool = False) -> str:
    """``heading_ids``: give each section an anchor of its own (``{#stage}``, with attr_list), the
    same in every language; without, the site's toc makes them from the heading's words."""
    english = _English(language)

    def heading(text: str, anchor: str) -> str:
        return f"## {text} {{#{anchor}}}" if heading_ids else f"## {text}"

    lines = [
        f"# {_say(words, 'format_reference')}",
        "",
        _say(words, "ref_format_intro", pattern=F.ID_PATTERN),
        "",
    ]
    if english.tagged:
        lines += [_say(words, "ref_in_english"), ""]
    header = [words["ref_key"], words["ref_required"], words["ref_value"], words["ref_meaning"]]
    for anchor, title, key, table in _SECTIONS:
        lines += [heading(_say(words, title, key=key), anchor), "", _row(header), "|---|---|---|---|"]
        for field in table.values():
            value = code(field.kind) + (": " + " &#124; ".join(code(c) for c in field.choices) if field.choices else "")
            required = plain(words["yes"]) if field.required else ""
            lines.append(f"| {code(field.key)} | {required} | {value} | {english.inline(field.description)} |")
        lines.append("")
    lines += [
        heading(_say(words, "ref_durations", keys="within, review_every"), "durations"),
        "",
        _row([words["ref_written"], words["ref_means"]]),
        "|---|---|",
    ]
    for word, unit in UNIT_WORDS.items():
        lines.append(f"| {code(f'N {word}')} | {plain(words[unit.spec.word_keys[1]])} |")
    lines += [
        "",
        heading(_say(words, "ref_findings"), "findings"),
        "",
        _row([words["ref_code"], words["ref_name"], words["ref_severity"], words["ref_meaning"]]),
        "|---|---|---|---|",
    ]
    lines += [
        f"| {code(r.code)} | {code(r.name)} | {code(r.severity.value)} | {english.inline(r.summary)} |"
        for r in ALL_RULES
    ]
    return "\n".join(lines) + "\n"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(plain(c) for c in cells) + " |"


def commands_reference(parser: argparse.ArgumentParser, words: Mapping[str, str], language: str = "en") -> str:
    english = _English(language)
    lines = [
        f"# {_say(words, 'commands_reference')}",
        "",
        _say(words, "ref_commands_intro", command=parser.prog, help="--help"),
        "",
        english.block(_help(parser)),
        "",
    ]
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for name, sub in action.choices.items():  # type: ignore[union-attr]
            lines += [f"## {code(name)}", "", english.block(_help(sub)), ""]
    return "\n".join(lines)


def _help(parser: argparse.ArgumentParser) -> str:
    """``--help`` at a fixed width: argparse would wrap to the terminal, and the page must not depend on it."""
    parser.formatter_class = functools.partial(argparse.HelpFormatter, width=100)
    return parser.format_help().rstrip()
