"""DOT -> SVG with Graphviz ``dot``.

Many graphs are laid out by one ``dot`` process (one process per graph costs
about 30x more), and each SVG is cached under a hash of its DOT source and
the Graphviz version, so an unchanged diagram is never laid out twice.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import graphviz

from decision_paths.store import cache as buildcache
from decision_paths.store.files import write_atomically


class DiagramError(Exception):
    """Graphviz is missing or failed; the message says what to do."""


NO_DOT = "Graphviz's 'dot' program is not installed: run `make site`, or install the graphviz package of your system"


@functools.cache
def graphviz_version() -> str:
    try:
        return ".".join(map(str, graphviz.version()))
    except graphviz.ExecutableNotFound:
        raise DiagramError(NO_DOT) from None


def default_cache_dir() -> Path:
    return buildcache.cache_root() / "svg"


def render_svgs(sources: Mapping[str, str], cache_dir: Path | None = None) -> dict[str, str]:
    """SVG for each DOT source (same keys); cached ones from disk, the rest by ``dot``
    in batches, one ``dot`` process per processor core."""
    workers = os.cpu_count() or 1
    # All are wanted at once: one batch per core (each dot process costs a start-up).
    batch = max(SvgDrawing.BATCH, -(-len(sources) // workers))
    return SvgDrawing(sources, cache_dir, workers=workers, batch=batch).all()


class SvgDrawing:
    """The SVGs of many graphs, being drawn: cached ones are ready at once, the rest are
    laid out by ``dot`` in batches of ``BATCH``, in the order given, by ``workers``
    threads that each wait on one ``dot`` process. A build starts this as soon as the
    plan is made and goes on with the pages; a page waits only if its diagram is not
    drawn yet (with one core left to the build, ``dot`` keeps well ahead of it)."""

    BATCH = 50

    def __init__(
        self, sources: Mapping[str, str], cache_dir: Path | None = None, workers: int = 1, batch: int | None = None
    ):
        self.cache = cache_dir or default_cache_dir()
        version = graphviz_version()  # a missing `dot` is reported here, before anything starts
        self.keys = {
            name: hashlib.sha256(f"{version}\0{SVG_FORMAT}\0{dot}".encode()).hexdigest()
            for name, dot in sources.items()
        }
        self.ready: dict[str, str] = {}
        missing: list[str] = []
        for name, key in self.keys.items():
            svg = self._cached(key)
            if svg is None:
                missing.append(name)
            else:
                self.ready[name] = svg
        self.pending: dict[str, Future[dict[str, str]]] = {}
        if missing:
            size = batch or self.BATCH
            batches = [missing[i : i + size] for i in range(0, len(missing), size)]
            pool = ThreadPoolExecutor(
                max_workers=max(1, min(workers, len(batches))), thread_name_prefix="decision-paths-dot"
            )
            for names in batches:
                future = pool.submit(self._draw, {name: sources[name] for name in names})
                self.pending.update(dict.fromkeys(names, future))
            pool.shutdown(wait=False)  # the threads end when the last batch is drawn

    def get(self, name: str) -> str:
        """One graph's SVG, waiting for its batch if need be (raises its DiagramError)."""
        if name not in self.ready:
            self.ready.update(self.pending[name].result())
        return self.ready[name]

    def all(self) -> dict[str, str]:
        return {name: self.get(name) for name in self.keys}

    def cancel(self) -> None:
        """Drop the batches not started yet (the build failed)."""
        for future in self.pending.values():
            future.cancel()

    def _cached(self, key: str) -> str | None:
        try:
            svg = (self.cache / f"{key}.svg").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return svg if svg.startswith("<svg") and svg.endswith("</svg>\n") else None  # else cut short or damaged

    def _draw(self, batch: Mapping[str, str]) -> dict[str, str]:
        drawn = dict(zip(batch, _run_dot_once(list(batch.values())), strict=True))
        with contextlib.suppress(OSError):  # a cache that cannot be written only makes the next build slower
            self.cache.mkdir(parents=True, exist_ok=True)
            for name, svg in drawn.items():
                write_atomically(self.cache / f"{self.keys[name]}.svg", svg)
        return drawn


_SVG_START = re.compile(r"<\?xml[^>]*\?>\s*(?:<!DOCTYPE[^>]*>\s*)?", re.S)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
# In one run of many graphs, dot numbers the pages of every graph after the first
# ('<g id="page0,1_...') and counts label links across all the graphs ('..._node2_6');
# both are undone, so a diagram is the same whatever batch drew it.
_PAGE_PREFIX = re.compile(r'(<g id=")page\d+,\d+_')
_LABEL_LINK_ID = re.compile(r'(id="a_[^"]*_)(\d+)"')
SVG_FORMAT = 2  # the cleaned SVG's version, part of the cache key: bump when the cleaning changes


def _clean_svg(document: str) -> str:
    numbers: dict[str, int] = {}

    def renumber(match: re.Match[str]) -> str:
        return f'{match.group(1)}{numbers.setdefault(match.group(2), len(numbers))}"'

    document = _PAGE_PREFIX.sub(r"\1", _COMMENT.sub("", document), count=1)
    return _LABEL_LINK_ID.sub(renumber, document).strip() + "\n"


def _run_dot_once(sources: list[str]) -> list[str]:
    data = "\n".join(sources).encode("utf-8")
    try:
        output = graphviz.pipe("dot", "svg", data, quiet=True).decode("utf-8")
    except graphviz.ExecutableNotFound:
        raise DiagramError(NO_DOT) from None
    except graphviz.CalledProcessError as err:
        raise DiagramError(f"Graphviz could not lay out a diagram: {err.stderr.decode(errors='replace')}") from None
    except (OSError, UnicodeDecodeError) as err:  # dot removed mid-build, out of memory, bad output
        raise DiagramError(f"Graphviz could not be run: {err}") from None
    documents = [doc for doc in _SVG_START.split(output) if doc.strip()]
    if len(documents) != len(sources):
        raise DiagramError(f"Graphviz returned {len(documents)} diagrams for {len(sources)} graphs")
    return [_clean_svg(doc) for doc in documents]
