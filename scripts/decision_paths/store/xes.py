"""An IEEE 1849-2016 (XES) event log, written as it streams in: never a tree in memory.

The rows arrive sorted by trace, each ``(case, decision, activity, timestamp,
lifecycle, resource, *extra)``: a new (case, decision) starts a new trace, whose
attributes are ``concept:name`` (the case) and ``decision``. Each event gets
``concept:name`` (the activity), ``time:timestamp``, ``lifecycle:transition``,
``org:resource`` when there is one, and the ``extra`` attributes that have a value,
typed as the caller names them (``string`` or ``date``).

The header follows the schema the standard publishes (tests/fixtures/xes): its
``xes.version`` is an xs:decimal, so ``1849.2016`` (as Disco and OpenXES write it);
``global`` and ``classifier`` carry their ``scope``. Values are escaped for an XML
attribute, line breaks and tabs included (a parser would turn them into spaces);
the few characters XML 1.0 cannot hold at all (control characters) become U+FFFD.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from decision_paths.store.files import written_atomically

NAMESPACE = "http://www.xes-standard.org/"
EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
)
_FLUSH_EVERY = 20_000  # events per write: a few MB of text at most
_SPECIAL = re.compile('[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
_TABLE = {
    **dict.fromkeys((*range(0x20), 0xFFFE, 0xFFFF), "\ufffd"),
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("\t"): "&#9;",
    ord("\n"): "&#10;",
    ord("\r"): "&#13;",
}


def quoted(value: str) -> str:
    """``value`` as it goes between the double quotes of an XML attribute."""
    return value if _SPECIAL.search(value) is None else value.translate(_TABLE)


def _header(name: str, comment: str) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    if comment:  # two hyphens in a row would end an XML comment
        lines.append("<!-- " + re.sub(r"-(?=-)", "- ", comment).rstrip("-") + " -->")
    lines.append(f'<log xes.version="1849.2016" xes.features="" xmlns="{NAMESPACE}">')
    lines.extend(f'\t<extension name="{n}" prefix="{p}" uri="{u}"/>' for n, p, u in EXTENSIONS)
    lines += [
        '\t<global scope="trace">',
        '\t\t<string key="concept:name" value="UNKNOWN"/>',
        '\t\t<string key="decision" value="UNKNOWN"/>',
        "\t</global>",
        '\t<global scope="event">',
        '\t\t<string key="concept:name" value="UNKNOWN"/>',
        '\t\t<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>',
        '\t\t<string key="lifecycle:transition" value="complete"/>',
        "\t</global>",
        '\t<classifier name="Activity" scope="event" keys="concept:name"/>',
        '\t<classifier name="Activity_and_transition" scope="event" keys="concept:name lifecycle:transition"/>',
        f'\t<string key="concept:name" value="{quoted(name)}"/>',
        '\t<string key="lifecycle:model" value="standard"/>',
    ]
    return "\n".join(lines) + "\n"


def write_log(
    path: Path,
    rows: Iterable[Sequence[str | None]],
    extra: Sequence[tuple[str, str]] = (),
    *,
    name: str = "event log",
    comment: str = "",
) -> None:
    """Write the rows to ``path`` as one XES log, atomically (``path`` is the old file or
    the whole new one). ``extra``: (key, ``string`` or ``date``) of the values after the
    resource, in order. ``comment``: an XML comment under the declaration. Raises OSError."""
    with written_atomically(path) as out:
        out.write(_header(name, comment).encode("utf-8"))
        parts: list[str] = []
        trace: tuple[str | None, str | None] | None = None
        pending = 0
        for row in rows:
            case, decision, activity, timestamp, lifecycle, resource = row[:6]
            if (case, decision) != trace:
                if trace is not None:
                    parts.append("\t</trace>\n")
                trace = (case, decision)
                parts.append(
                    f'\t<trace>\n\t\t<string key="concept:name" value="{quoted(case or "")}"/>\n'
                    f'\t\t<string key="decision" value="{quoted(decision or "")}"/>\n'
                )
            parts.append(
                f'\t\t<event>\n\t\t\t<string key="concept:name" value="{quoted(activity or "")}"/>\n'
                f'\t\t\t<date key="time:timestamp" value="{timestamp}"/>\n'
                f'\t\t\t<string key="lifecycle:transition" value="{lifecycle}"/>\n'
            )
            if resource:
                parts.append(f'\t\t\t<string key="org:resource" value="{quoted(resource)}"/>\n')
            for (key, kind), value in zip(extra, row[6:], strict=True):
                if value is not None:
                    parts.append(f'\t\t\t<{kind} key="{key}" value="{quoted(value)}"/>\n')
            parts.append("\t\t</event>\n")
            pending += 1
            if pending >= _FLUSH_EVERY:
                out.write("".join(parts).encode("utf-8"))
                parts.clear()
                pending = 0
        if trace is not None:
            parts.append("\t</trace>\n")
        parts.append("</log>\n")
        out.write("".join(parts).encode("utf-8"))
