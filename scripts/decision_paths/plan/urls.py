"""Where each generated page lives, and the links between them as MkDocs writes them."""

from __future__ import annotations

import functools
import posixpath


def decision_uri(decision_id: str) -> str:
    return f"decisions/{decision_id}.md"


def role_uri(role_id: str) -> str:
    return f"roles/{role_id}.md"


def person_uri(person_id: str) -> str:
    return f"people/{person_id}.md"


HOME_URI = "index.md"
CHANGES_URI = "changes.md"
REVIEW_URI = "review.md"
FEED_PATH = "feed.xml"
MATRIX_URI = "matrix.md"
ROLES_URI = "roles/index.md"
PEOPLE_URI = "people/index.md"
CALENDARS_URI = "calendars.md"
PROMISES_URI = "promises-kept.md"
OVERDUE_URI = "overdue.md"
HIDDEN_RULES_URI = "hidden-rules.md"


def calendar_anchor(calendar_id: str) -> str:
    return f"calendar-{calendar_id}"


@functools.lru_cache(maxsize=65536)
def href(from_uri: str, to_uri: str, directory_urls: bool) -> str:
    """The URL of generated page ``to_uri`` as written in page ``from_uri`` (both .md paths),
    exactly as MkDocs would write a Markdown link between them."""
    here = page_url(from_uri, directory_urls)
    base = here if directory_urls else posixpath.dirname(here)
    target = page_url(to_uri, directory_urls)
    return _relative(base, target) + ("/" if directory_urls else "")


def file_href(from_uri: str, path: str, directory_urls: bool) -> str:
    """The URL of a plain site file (say, the feed) from page ``from_uri``."""
    here = page_url(from_uri, directory_urls)
    return _relative(here if directory_urls else posixpath.dirname(here), path)


def _relative(base: str, target: str) -> str:
    """posixpath.relpath for the site's own normalised relative paths, without its
    file-system work (it runs for every one of the tens of thousands of links)."""
    base_parts = [p for p in base.split("/") if p not in ("", ".")]
    target_parts = [p for p in target.split("/") if p not in ("", ".")]
    common = 0
    while common < min(len(base_parts), len(target_parts)) and base_parts[common] == target_parts[common]:
        common += 1
    return "/".join([".."] * (len(base_parts) - common) + target_parts[common:]) or "."


def page_url(uri: str, directory_urls: bool) -> str:
    """The URL MkDocs gives a page, as a path: 'roles/x.md' -> 'roles/x' (or 'roles/x.html')."""
    stem = uri[:-3]
    if directory_urls:
        if stem == "index" or stem.endswith("/index"):  # not 'price-index'
            return stem[: -len("index")].rstrip("/") or "."
        return stem
    return stem + ".html"
