"""An Atom feed of changes (RFC 4287), so people can subscribe to what changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urljoin
from xml.sax.saxutils import escape, quoteattr


def feed_href(site_url: str | None, href: str) -> str:
    """A link in the feed: ``href`` is relative to the site's root folder, where the feed is.
    With site_url it is made absolute under it (a sub-path such as /rules/ included); without,
    it stays relative, which a reader resolves against the feed's own address, so the feed
    works wherever the site is served (a link starting with / would leave a sub-path)."""
    if not site_url:
        return href
    return urljoin(site_url if site_url.endswith("/") else site_url + "/", "" if href == "." else href)


def atom_feed(
    title: str,
    site_url: str | None,
    items: Iterable[tuple[str, str, dt.datetime, str, str, tuple[str, ...], str | None]],
    *,
    self_href: str = "feed.xml",
    page_href: str | None = None,
) -> str:
    """items: (commit sha, subject id, when, title, link relative to the site root, change lines,
    author or None); ``self_href``/``page_href``: the feed's own address and the page it mirrors."""
    base = (site_url or "").rstrip("/")
    entries = []
    updated = None
    for sha, subject, when, entry_title, href, changes, author in items:
        stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        updated = updated or stamp
        body = "".join(f"<li>{escape(c)}</li>" for c in changes)
        who = f"<author><name>{escape(author)}</name></author>" if author else ""
        entries.append(
            f"<entry><id>urn:decision-paths:{escape(sha)}:{escape(subject)}</id><title>{escape(entry_title)}</title>"
            f"<updated>{stamp}</updated><link href={quoteattr(feed_href(site_url, href))}/>{who}"
            f'<content type="html">{escape("<ul>" + body + "</ul>")}</content></entry>'
        )
    links = f'<link rel="self" href={quoteattr(feed_href(site_url, self_href))}/>'
    if page_href is not None:
        links += f'<link rel="alternate" type="text/html" href={quoteattr(feed_href(site_url, page_href))}/>'
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>urn:decision-paths:{escape(base or 'site')}:changes</id><title>{escape(title)}</title>"
        f"{links}"
        f"<updated>{updated or '1970-01-01T00:00:00Z'}</updated>"
        f"<author><name>{escape(title)}</name></author>"
        f"{''.join(entries)}</feed>\n"
    )
