"""Markdown fields as they go onto pages: rendered, then sanitised.

Markdown fields (summary, notes, client_notes) are rendered as Markdown, then
cleaned with nh3 (the Ammonia sanitiser) so scripts, event handlers and
``javascript:`` links can never reach a page. Plain-text fields are escaped
by the templates (autoescape).
"""

from __future__ import annotations

import functools

import markdown
import nh3

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}


@functools.lru_cache(maxsize=4096)
def markdown_html(text: str) -> str:
    """A Markdown field rendered to safe HTML (cached: summaries repeat across pages)."""
    rendered = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def markdown_block(text: str) -> str:
    """A Markdown field as a block of safe HTML."""
    return f'<div class="dp-prose">\n{markdown_html(text)}\n</div>'
