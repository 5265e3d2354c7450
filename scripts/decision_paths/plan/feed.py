"""An Atom feed of changes (RFC 4287), so people can subscribe to what changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from xml.sax.saxutils import escape


def atom_feed(
    title: str,
    site_url: str | None,
    items: Iterable[tuple[str, str, dt.datetime, str, str, tuple[str, ...], str | None]],
) -> str:
    """items: (commit sha, subject id, when, title, page path, change lines, author or None)."""
    base = (site_url or "").rstrip("/")
    entries = []
    updated = None
    for sha, subject, when, entry_title, path, changes, author in items:
        stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        updated = updated or stamp
        href = f"{base}/{path.strip('./')}/" if path not in (".", "") else f"{base}/"
        body = "".join(f"<li>{escape(c)}</li>" for c in changes)
        who = f"<author><name>{escape(author)}</name></author>" if author else ""
        entries.append(
            f"<entry><id>urn:decision-paths:{escape(sha)}:{escape(subject)}</id><title>{escape(entry_title)}</title>"
            f'<updated>{stamp}</updated><link href="{escape(href)}"/>{who}'
            f'<content type="html">{escape("<ul>" + body + "</ul>")}</content></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>urn:decision-paths:{escape(base or 'site')}:changes</id><title>{escape(title)}</title>"
        f"<updated>{updated or '1970-01-01T00:00:00Z'}</updated>"
        f"<author><name>{escape(title)}</name></author>"
        f"{''.join(entries)}</feed>\n"
    )
