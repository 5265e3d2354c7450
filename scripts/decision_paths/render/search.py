"""Material's search index, each page indexed once: not again in the next build if the page
is the same, and each distinct run of Chinese segmented by jieba once: the runs segmented
before are kept with the pages' entries, so an edit that brings no new run of Chinese never
starts jieba (loading its dictionary is most of a small rebuild's indexing).

Indexing is Material's own (``SearchIndex``): a page seen before gets the entries Material
made of it then, so the index is the one Material would write. A page is the same when its
address, title, front matter, table of contents and HTML are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backrefs import bre
from material.plugins.search import plugin as material_search
from material.plugins.search.plugin import SearchIndex

# Material's own pattern for a run of Chinese characters (SearchIndex._segment_chinese).
_HAN = bre.compile(r"(\p{script: Han}+)", bre.UNICODE)
_SEPARATOR = "\u200b"  # what Material puts around and between jieba's words

# What the entries also depend on: the search plugin's settings that reach the parser or jieba.
SETTINGS = ("lang", "separator", "pipeline", "jieba_dict", "jieba_dict_user")
LIBRARIES = ("mkdocs-material", "jieba", "backrefs")


@dataclass(frozen=True, slots=True)
class IndexedPages:
    """The entries of each page of a site's last build, by page key, as JSON text; and jieba's
    segmentation of every run of Chinese segmented so far (a run segments alone, whatever
    the page: Material cuts the text into runs before it calls jieba)."""

    pages: dict[str, str]
    runs: dict[str, str]


class PageOnceIndex(SearchIndex):  # type: ignore[misc]  # Material ships no type hints
    """Material's search index, given the entries of the pages it has seen before."""

    def __init__(
        self,
        known: Mapping[str, str],
        unbuilt: Mapping[str, str] | None = None,
        runs: Mapping[str, str] | None = None,
        **config: Any,
    ) -> None:
        """``unbuilt``: the entries of the last build by page address, for a dirty build
        (while serving), which indexes only the pages it builds again. ``runs``: the runs
        of Chinese segmented before (IndexedPages.runs)."""
        super().__init__(**config)
        self.known = known
        self.unbuilt = unbuilt or {}
        self.kept: dict[str, str] = {}  # this build's pages: what the next build is given
        self.by_page: dict[str, str] = {}  # page address -> its entries, as JSON
        self.site_pages: set[str] = set()  # every page's address (set once the site's files are known)
        self.runs: dict[str, str] = dict(runs or {})  # the next build is given them all
        self._runs_given = len(self.runs)

    def add_entry_from_context(self, page: Any) -> None:
        page_key = _page_key(page)
        stored = self.known.get(page_key) or self.kept.get(page_key)
        if stored is None:
            first = len(self.entries)
            super().add_entry_from_context(page)
            stored = json.dumps(self.entries[first:], ensure_ascii=False, default=str)
            del self.entries[first:]
        self.kept[page_key] = stored
        self.by_page[page.url] = stored
        self.entries.extend(json.loads(stored))

    def changed(self) -> bool:
        """Whether the next build should be given other entries or runs than this one was."""
        return self.kept != self.known or len(self.runs) != self._runs_given

    def generate_search_index(self, prev: Any) -> str:
        for url in sorted(self.site_pages & self.unbuilt.keys() - self.by_page.keys()):
            self.by_page[url] = self.unbuilt[url]  # a page the dirty build left as it was
            self.entries.extend(json.loads(self.unbuilt[url]))
        return str(super().generate_search_index(prev))

    def _segment_chinese(self, data: str) -> str:
        return str(_HAN.sub(self._segmented, data)).strip(_SEPARATOR)

    def _segmented(self, match: Any) -> str:
        """Material's segmentation of one run of Chinese (jieba's words between U+200B),
        worked out once per distinct run: the same names and stage titles recur on every page,
        and in every build."""
        run = str(match.group(0))
        found = self.runs.get(run)
        if found is None:  # only called when Material found jieba installed
            words = material_search.jieba.cut(run.encode("utf-8"))
            found = self.runs[run] = _SEPARATOR + _SEPARATOR.join(words) + _SEPARATOR
        return found


def indexes_with_material(index: object) -> bool:
    """Whether a search plugin's index is Material's (MkDocs' own search is left as it is)."""
    return isinstance(index, SearchIndex)


def _page_key(page: Any) -> str:
    meta = page.meta or {}
    described = json.dumps(
        [
            page.url,
            str(page.title),
            {name: meta.get(name) for name in ("title", "tags", "search")},
            _toc(page.toc),
        ],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(described.encode("utf-8"))
    digest.update(b"\0" + (page.content or "").encode("utf-8"))
    return digest.hexdigest()


def _toc(items: Any) -> list[Any]:
    return [[item.id, item.url, _toc(item.children)] for item in items or ()]
