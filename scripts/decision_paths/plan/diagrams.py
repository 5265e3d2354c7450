"""Diagrams as DOT source: a decision -> its graph, pure (``render.graphviz`` lays it out)."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import graphviz

from decision_paths.model.organisation import (
    Decision,
    Organisation,
    Ref,
    Stage,
    Visibility,
)
from decision_paths.model.phrasing import condition_text, duration_text, how_many

# Installed by the set-up (fonts-wqy-microhei); Chinese labels are measured
# with it, so boxes fit. Browsers fall back to their own CJK font (see CSS).
FONT = "WenQuanYi Micro Hei"


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
    phrase = how_many(stage, words)
    if phrase:
        rows.append(f'<tr><td><font point-size="10">{_html(phrase)}</font></td></tr>')
    for member in stage.who.members:
        url = party_url(member.id)
        link = f' href="{html.escape(url, quote=True)}" target="_top"' if url else ""
        rows.append(f"<tr><td{link}>{_html(_party_title(org, member.id))}</td></tr>")
    within = f"{words['within']}: {duration_text(stage.within, words)}"
    rows.append(f'<tr><td><font point-size="10">{_html(within)}</font></td></tr>')
    return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{"".join(rows)}</table>>'


def _edges(graph: graphviz.Digraph, stage: Stage, decision: Decision, words: Mapping[str, str]) -> None:
    if stage.next_stage is not None:
        graph.edge(_node_id(stage.id), _node_id(stage.next_stage.id))
    for branch in stage.branches:
        text = condition_text(branch, decision, words)
        graph.edge(_node_id(stage.id), _node_id(branch.go.id), label=_attr(text), tooltip=_tooltip(text))
