"""Diagrams: a decision -> DOT (pure), and DOT -> SVG with Graphviz ``dot``.

Many graphs are laid out by one ``dot`` process (one process per graph costs
about 30x more), and each SVG is cached under a hash of its DOT source and
the Graphviz version, so an unchanged diagram is never laid out twice.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import os
import re
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import graphviz

from decision_paths.model.organisation import (
    Branch,
    ChoiceTest,
    Decision,
    NumberTest,
    Organisation,
    Ref,
    Stage,
    Visibility,
    YesNoTest,
)
from decision_paths.model.phrasing import who_phrase
from decision_paths.store import cache as buildcache

# Installed by the set-up (fonts-wqy-microhei); Chinese labels are measured
# with it, so boxes fit. Browsers fall back to their own CJK font (see CSS).
FONT = "WenQuanYi Micro Hei"


class DiagramError(Exception):
    """Graphviz is missing or failed; the message says what to do."""


# Graphviz reads text in three ways, each needing its own escaping so that
# what people wrote shows literally (checked against dot's SVG output):
# - HTML-like labels: entities are decoded, then \N and friends expanded;
# - plain labels: the same, after the DOT parser;
# - tooltips and other escStrings: the DOT parser halves backslashes first.


def _html(text: str) -> str:
    """Text for a Graphviz HTML-like label: shows literally, adds no markup."""
    return html.escape(" ".join(text.split()), quote=True).replace("\\", "\\\\")


def _attr(text: str) -> str:
    """Text for a plain (quoted) label: no \\N expansion, no entity decoding."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("&", "&amp;")


def _tooltip(text: str) -> str:
    """Text for a tooltip, which Graphviz unescapes twice."""
    return " ".join(text.split()).replace("\\", "\\" * 4).replace("&", "&amp;")


def decision_dot(
    decision: Decision,
    org: Organisation,
    words: Mapping[str, str],
    party_url: Callable[[str], str | None],
) -> str:
    """The DOT source of one decision's diagram.

    ``party_url(id)`` gives the URL of a role or person page (relative to the
    decision page), or None when there is none to link to.
    """
    graph = graphviz.Digraph(
        name=f"decision-{decision.id}",
        graph_attr={
            "rankdir": "TB",
            "bgcolor": "transparent",
            "fontname": FONT,
            "nodesep": "0.35",
            "ranksep": "0.45",
            "id": f"dp-graph-{decision.id}",
            "class": "dp-graph",
        },
        node_attr={
            "shape": "box",
            "style": "rounded",
            "fontname": FONT,
            "fontsize": "12",
            "margin": "0.14,0.06",
            "color": "#5c6b7a",
            "fontcolor": "#1f2933",
        },
        edge_attr={"fontname": FONT, "fontsize": "10", "color": "#5c6b7a", "fontcolor": "#3e4c59", "arrowsize": "0.7"},
    )
    graph.node(
        "dp-start",
        label=_attr(words["start"]),
        shape="circle",
        fontsize="10",
        width="0.5",
        fixedsize="true",
        **{"class": "dp-start"},
    )
    graph.edge("dp-start", _node_id(decision.start.id))
    for stage in decision.stages.values():
        graph.node(
            _node_id(stage.id),
            label=_stage_label(stage, org, words, party_url),
            href=f"#stage-{stage.id}",
            target="_top",
            tooltip=_tooltip(stage.title),
            **_stage_style(stage),
        )
        _edges(graph, stage, decision, words)
    for stage in decision.stages.values():
        if stage.escalate_to is not None:
            _escalation(graph, stage, stage.escalate_to, org, words, party_url)
    return str(graph.source)


def _node_id(stage_id: str) -> str:
    return f"stage-{stage_id}"


def _escalation(
    graph: graphviz.Digraph,
    stage: Stage,
    escalate_to: Ref,
    org: Organisation,
    words: Mapping[str, str],
    party_url: Callable[[str], str | None],
) -> None:
    """A dashed box beside the stage, same rank, so escalations never cross the path."""
    party = escalate_to.id
    node = f"escalation-{stage.id}"
    url = party_url(party)
    label = f"{words['escalate_to']}:\n{_attr(_party_title(org, party))}"
    graph.node(
        node,
        label=label,
        shape="box",
        style="dashed",
        fontsize="9",
        **{"class": "dp-escalation"},
        tooltip=f"{_tooltip(words['escalate_to'])}:\n{_tooltip(_party_title(org, party))}",
        **({"href": url, "target": "_top"} if url else {}),
    )
    graph.edge(_node_id(stage.id), node, style="dashed", arrowhead="vee", **{"class": "dp-escalation-edge"})
    with graph.subgraph() as same_rank:
        same_rank.attr(rank="same")
        same_rank.node(_node_id(stage.id))
        same_rank.node(node)


def _party_title(org: Organisation, party: str) -> str:
    if party in org.roles:
        return org.roles[party].title
    if party in org.people:
        return org.people[party].name
    return party


def _stage_style(stage: Stage) -> dict[str, str]:
    classes = ["dp-stage"]
    style = {"style": "rounded"}
    if stage.visibility is Visibility.INTERNAL:
        classes.append("dp-internal")
        style = {"style": "rounded,dashed"}
    if stage.is_final:
        classes.append("dp-final")
        style["peripheries"] = "2"
    return {**style, "class": " ".join(classes)}


def _stage_label(
    stage: Stage, org: Organisation, words: Mapping[str, str], party_url: Callable[[str], str | None]
) -> str:
    rows = [f"<tr><td><b>{_html(stage.title)}</b></td></tr>"]
    phrase = who_phrase(stage)
    if phrase:
        key = {"all of": "all_of", "any of": "any_of"}.get(phrase, "at_least_of")
        rows.append(f'<tr><td><font point-size="10">{_html(words[key].format(n=stage.who.needed))}</font></td></tr>')
    for member in stage.who.members:
        url = party_url(member.id)
        link = f' href="{html.escape(url, quote=True)}" target="_top"' if url else ""
        rows.append(f"<tr><td{link}>{_html(_party_title(org, member.id))}</td></tr>")
    within = f"{words['within']}: {stage.within.text}"
    rows.append(f'<tr><td><font point-size="10">{_html(within)}</font></td></tr>')
    return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{"".join(rows)}</table>>'


def _edges(graph: graphviz.Digraph, stage: Stage, decision: Decision, words: Mapping[str, str]) -> None:
    if stage.next_stage is not None:
        graph.edge(_node_id(stage.id), _node_id(stage.next_stage.id))
    for branch in stage.branches:
        text = condition_text(branch, decision, words)
        graph.edge(_node_id(stage.id), _node_id(branch.go.id), label=_attr(text), tooltip=_tooltip(text))


def condition_text(branch: Branch, decision: Decision, words: Mapping[str, str]) -> str:
    """A branch's conditions in plain words: 'amount >= 10000 and urgent = yes'."""
    if branch.otherwise:
        return words["otherwise"]
    parts = []
    for condition in branch.conditions:
        item = decision.inputs.get(condition.input.id)
        name = item.label if item else condition.input.id
        test = condition.test
        if isinstance(test, NumberTest):
            parts.append(", ".join(f"{name} {c}" for c in test.comparisons))
        elif isinstance(test, ChoiceTest):
            parts.append(f"{name} = {' / '.join(o.id for o in test.options)}")
        elif isinstance(test, YesNoTest):
            parts.append(f"{name} = {words['yes'] if test.value else words['no']}")
    return "; ".join(parts)


# ---------------------------------------------------------------- rendering


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
                buildcache.write_atomically(self.cache / f"{self.keys[name]}.svg", svg)
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
