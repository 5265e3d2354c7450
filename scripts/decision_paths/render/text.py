"""Text as it goes onto pages: plain fields escaped, Markdown fields sanitised.

Plain-text fields (titles, names, labels, options) must show literally: no
character in them may start Markdown, HTML or attribute syntax. Markdown
fields (summary, notes, client_notes) are rendered as Markdown, then cleaned
with nh3 (the Ammonia sanitiser) so scripts, event handlers and
``javascript:`` links can never reach a page.
"""

from __future__ import annotations

import functools
import html

import markdown
import nh3

# Characters that start HTML, Markdown or attr_list syntax, written as
# character references in one pass: they display the same but are never
# parsed as markup.
_REFERENCES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-.!|~:=$"}


def plain(text: str) -> str:
    """A plain-text field for Markdown or HTML: shows exactly as written, one line."""
    return " ".join(text.split()).translate(_REFERENCES)


@functools.lru_cache(maxsize=65536)
def html_text(text: str) -> str:
    """A plain-text field written straight into HTML: escaped, one line (cached:
    names and titles repeat on page after page)."""
    return html.escape(" ".join(text.split()), quote=True)


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
