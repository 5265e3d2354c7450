"""Diagrams as DOT source: a decision -> its graph, pure (``render.graphviz`` lays it out)."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import graphviz

from decision_paths.model.organisation import (
    ChoiceTest,
    Comparison,
    Decision,
    Input,
    InputType,
    NumberTest,
    Organisation,
    Stage,
    Test,
    Visibility,
    YesNoTest,
)
from decision_paths.model.phrasing import (
    Bound,
    condition_text,
    duration_text,
    how_many,
    range_text,
    short_branch,
)

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


# Sizes in points (1 pt is 4/3 CSS px at the SVG's natural size, which pages keep):
# the smallest text, 10 pt, shows 13.3 px high; lines wrap at about 15 Chinese or
# 28 Latin characters, so that three stages side by side still fit a wide page.
TITLE_SIZE = "11"
SMALL_SIZE = "10"
WRAP = 28  # display width of a line: a Chinese character counts 2
MAX_TREE_STEPS = 200  # beyond this a stage's branches are drawn as one decision node, one edge per branch


def decision_dot(
    decision: Decision,
    org: Organisation,
    words: Mapping[str, str],
    party_url: Callable[[str], str | None],
    usually_late: frozenset[str] = frozenset(),
) -> str:
    """The DOT source of one decision's diagram.

    Top to bottom: each stage a box naming who acts, how long they have and whom
    a late stage goes to; where a stage branches, diamonds ask one question each,
    their edges giving the answers in a few words ("≥ 10,000", "yes", an option).
    ``party_url(id)`` gives the URL of a role or person page (relative to the
    decision page), or None when there is none to link to. A stage in ``usually_late``
    (from the case record) gets a red border and a line saying so.
    """
    graph = graphviz.Digraph(
        name=f"decision-{decision.id}",
        graph_attr={
            "rankdir": "TB",
            "bgcolor": "transparent",
            "fontname": FONT,
            "nodesep": "0.3",
            "ranksep": "0.35",
            "id": f"dp-graph-{decision.id}",
            "class": "dp-graph",
        },
        node_attr={
            "shape": "box",
            "style": "rounded",
            "fontname": FONT,
            "fontsize": TITLE_SIZE,
            "margin": "0.12,0.05",
            "color": "#5c6b7a",
            "fontcolor": "#1f2933",
        },
        edge_attr={
            "fontname": FONT,
            "fontsize": SMALL_SIZE,
            "color": "#5c6b7a",
            "fontcolor": "#3e4c59",
            "arrowsize": "0.7",
        },
    )
    graph.node(
        "dp-start",
        label=_attr(words["start"]),
        shape="circle",
        fontsize=SMALL_SIZE,
        width="0.55",
        fixedsize="true",
        **{"class": "dp-start"},
    )
    graph.edge("dp-start", _node_id(decision.start.id))
    for stage in decision.stages.values():
        graph.node(
            _node_id(stage.id),
            label=_stage_label(stage, org, words, party_url, stage.id in usually_late),
            href=f"#stage-{stage.id}",
            target="_top",
            tooltip=_tooltip(stage.title),
            **_stage_style(stage, stage.id in usually_late),
        )
        _edges(graph, stage, decision, words)
    return str(graph.source)


def _node_id(stage_id: str) -> str:
    return f"stage-{stage_id}"


def _party_title(org: Organisation, party: str) -> str:
    if party in org.roles:
        return org.roles[party].title
    if party in org.people:
        return org.people[party].name
    return party


# A stage usually late: drawn in this colour (the page's CSS keeps it in dark mode too).
LATE_COLOR = "#c62828"


def _stage_style(stage: Stage, late: bool = False) -> dict[str, str]:
    classes = ["dp-stage"]
    style = {"style": "rounded"}
    if stage.visibility is Visibility.INTERNAL:
        classes.append("dp-internal")
        style = {"style": "rounded,dashed"}
    if stage.is_final:
        classes.append("dp-final")
        style["peripheries"] = "2"
    if late:
        classes.append("dp-late")
        style.update(color=LATE_COLOR, penwidth="2")
    return {**style, "class": " ".join(classes)}


def _stage_label(
    stage: Stage,
    org: Organisation,
    words: Mapping[str, str],
    party_url: Callable[[str], str | None],
    late: bool = False,
) -> str:
    title = "<br/>".join(f"<b>{_html(line)}</b>" for line in wrap(stage.title))
    rows = [f"<tr><td>{title}</td></tr>"]
    phrase = how_many(stage, words)
    if phrase:
        rows.append(f"<tr><td>{_small(phrase)}</td></tr>")
    for member in stage.who.members:
        rows.append(_linked_row(_lines_html(_party_title(org, member.id)), party_url(member.id), None))
    within = f"{words['within']}: {duration_text(stage.within, words)}"
    rows.append(f"<tr><td>{_small(within)}</td></tr>")
    if stage.escalate_to is not None:
        party = stage.escalate_to.id
        line = words["diagram_escalation"].format(party=" ".join(_party_title(org, party).split()))
        rows.append(_linked_row(_small(line), party_url(party), line))
    if late:
        rows.append(f'<tr><td><font color="{LATE_COLOR}">{_small(words["usually_late"])}</font></td></tr>')
    return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{"".join(rows)}</table>>'


def _linked_row(content: str, url: str | None, tooltip: str | None) -> str:
    link = f' href="{html.escape(url, quote=True)}" target="_top"' if url else ""
    title = f' title="{_html(tooltip)}"' if tooltip and url else ""
    return f"<tr><td{link}{title}>{content}</td></tr>"


def _lines_html(text: str) -> str:
    return "<br/>".join(_html(line) for line in wrap(text))


def _small(text: str) -> str:
    return f'<font point-size="{SMALL_SIZE}">{_lines_html(text)}</font>'


# ---------------------------------------------------------------- line wrapping

_PREFERRED_BREAK = re.compile(r"(?<=/)\s+")  # after the slash of "中文 / English"
_TOKEN = re.compile(r"\s+|[^\s\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+|\S")
_NO_BREAK_BEFORE = set(")]}\uff09\u3001\u3002\uff0c\uff1a\uff1b\uff01\uff1f\u300b\u300d\u3011")


def text_width(text: str) -> int:
    """Display width: a wide (Chinese, Japanese, Korean) character counts 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int = WRAP) -> list[str]:
    """A label's lines: breaks after the slash of a bilingual "中文 / English" first, then
    between words or Chinese characters, so that no line is much wider than ``width``."""
    text = " ".join(text.split())
    if text_width(text) <= width:
        return [text]
    lines: list[str] = []
    for part in _PREFERRED_BREAK.split(text):
        lines.extend(_greedy(part, width))
    return lines or [text]


def _greedy(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            line += " " if line else ""
            continue
        glued = token[0] in _NO_BREAK_BEFORE
        if line.strip() and not glued and text_width(line.rstrip() + token) > width:
            lines.append(line.rstrip())
            line = ""
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


# ---------------------------------------------------------------- branches as decision nodes


@dataclass(frozen=True, slots=True)
class _Leaf:
    stage: str


@dataclass(frozen=True, slots=True)
class _Arm:
    """One answer to a decision node's question, and where it leads."""

    low: Bound | None = None  # a number input: the range
    high: Bound | None = None
    options: tuple[str, ...] = ()  # a choice input: the options
    named: bool = True  # whether a condition names these options (else: "otherwise")
    value: bool | None = None  # a yes-no input
    goes: _Node | None = None


@dataclass(frozen=True, slots=True)
class _Split:
    """A decision node: one input's question, one arm per answer that leads somewhere."""

    input: str
    arms: tuple[_Arm, ...]


_Node = _Leaf | _Split
_Row = tuple[tuple[tuple[str, Test], ...], str]  # a branch's remaining conditions (input, test), and its target


class _TooTangled(Exception):
    """Branches that do not make a small tree (or that refer to unknown inputs)."""


class _Tree:
    """The branches of one stage as a decision tree, one question per node, asked in the
    order the branches ask them. Exact: every answer keeps the first branch that matches
    (so ``otherwise`` and overlapping branches mean what they mean in the file), and
    answers leading to the same place are one arm."""

    def __init__(self, decision: Decision):
        self.decision = decision
        self.steps = 0

    def build(self, rows: tuple[_Row, ...]) -> _Node | None:
        self.steps += 1
        if self.steps > MAX_TREE_STEPS:
            raise _TooTangled
        if not rows:
            return None  # no branch applies: the checks report the gap
        conditions, target = rows[0]
        if not conditions:
            return _Leaf(target)
        asked = conditions[0][0]
        item = self.decision.inputs.get(asked)
        if item is None:
            raise _TooTangled
        tests = [dict(c)[asked] for c, _ in rows if asked in dict(c)]
        if item.type is InputType.NUMBER:
            arms = self._number_arms(asked, rows, tests)
        elif item.type is InputType.CHOICE:
            arms = self._choice_arms(asked, item, rows, tests)
        else:
            arms = self._yes_no_arms(asked, rows, tests)
        places = {arm.goes for arm in arms}
        if len(places) == 1 and None not in places:
            return arms[0].goes  # every answer leads to the same place: no question to draw
        return _Split(asked, tuple(arm for arm in arms if arm.goes is not None))

    def _rest(self, asked: str, rows: tuple[_Row, ...], holds: Callable[[Test], bool]) -> _Node | None:
        kept = []
        for conditions, target in rows:
            tests = dict(conditions)
            if asked not in tests or holds(tests[asked]):
                kept.append((tuple(c for c in conditions if c[0] != asked), target))
        return self.build(tuple(kept))

    def _number_arms(self, asked: str, rows: tuple[_Row, ...], tests: list[Test]) -> list[_Arm]:
        if not all(isinstance(t, NumberTest) for t in tests):
            raise _TooTangled
        points = sorted({c.value for t in tests if isinstance(t, NumberTest) for c in t.comparisons})
        # The ranges between the numbers written, and the numbers themselves: every
        # comparison is all true or all false on each.
        pieces: list[tuple[Bound | None, Bound | None]] = []
        below: Bound | None = None
        for point in points:
            pieces.append((below, (point, False)))
            pieces.append(((point, True), (point, True)))
            below = (point, False)
        pieces.append((below, None))
        arms: list[_Arm] = []
        for low, high in pieces:
            if low is not None and high is not None and not low[1] and low[0] == high[0]:
                continue  # the empty range between a number and itself
            goes = self._rest(asked, rows, functools.partial(_all_hold, low=low, high=high))
            if arms and goes is not None and arms[-1].goes == goes:
                arms[-1] = _Arm(low=arms[-1].low, high=high, goes=goes)  # one range, one arm
            else:
                arms.append(_Arm(low=low, high=high, goes=goes))
        return arms

    def _choice_arms(self, asked: str, item: Input, rows: tuple[_Row, ...], tests: list[Test]) -> list[_Arm]:
        if not all(isinstance(t, ChoiceTest) for t in tests):
            raise _TooTangled
        named = {o.id for t in tests if isinstance(t, ChoiceTest) for o in t.options}
        options = list(item.options) + sorted(named - set(item.options))
        groups: dict[_Node | None, list[str]] = {}
        for option in options:
            goes = self._rest(asked, rows, functools.partial(_chooses, option=option))
            groups.setdefault(goes, []).append(option)
        arms = [
            _Arm(options=tuple(chosen), named=any(o in named for o in chosen), goes=goes)
            for goes, chosen in groups.items()
        ]
        if len(arms) > 1:  # options no branch names: "otherwise", drawn last
            arms.sort(key=lambda arm: not arm.named)
        return arms

    def _yes_no_arms(self, asked: str, rows: tuple[_Row, ...], tests: list[Test]) -> list[_Arm]:
        if not all(isinstance(t, YesNoTest) for t in tests):
            raise _TooTangled
        arms = []
        for value in (True, False):
            goes = self._rest(asked, rows, functools.partial(_says, value=value))
            arms.append(_Arm(value=value, goes=goes))
        return arms


def _all_hold(test: Test, low: Bound | None, high: Bound | None) -> bool:
    """Whether a number test holds on a whole piece (a number written, or a range between
    two neighbouring numbers written): decided exactly, with no number picked inside."""
    if not isinstance(test, NumberTest):
        return False
    if low is not None and high is not None and low == high:
        return test.matches(low[0])
    return all(_holds_between(c, low, high) for c in test.comparisons)


def _chooses(test: Test, option: str) -> bool:
    return isinstance(test, ChoiceTest) and test.matches(option)


def _says(test: Test, value: bool) -> bool:
    return isinstance(test, YesNoTest) and test.value is value


def _holds_between(comparison: Comparison, low: Bound | None, high: Bound | None) -> bool:
    # The comparison's number is one of those written, so it is at or below the piece's
    # lower end, or at or above its upper end.
    value = comparison.value
    if comparison.operator in (">", ">="):
        return low is not None and value <= low[0]
    if comparison.operator in ("<", "<="):
        return high is not None and value >= high[0]
    return False  # "=" holds at a number, not on a range


def _edges(graph: graphviz.Digraph, stage: Stage, decision: Decision, words: Mapping[str, str]) -> None:
    if stage.next_stage is not None:
        graph.edge(_node_id(stage.id), _node_id(stage.next_stage.id))
    if not stage.branches:
        return
    if any(len({c.input.id for c in b.conditions}) != len(b.conditions) for b in stage.branches):
        _one_decision_node(graph, stage, decision, words)  # one input asked twice in a branch
        return
    try:
        tree = _Tree(decision).build(_rows(stage))
    except _TooTangled:
        _one_decision_node(graph, stage, decision, words)
        return
    if tree is not None:
        graph.edge(_node_id(stage.id), _draw(graph, tree, f"branch-{stage.id}", decision, words))


def _rows(stage: Stage) -> tuple[_Row, ...]:
    """The branches in the order written (an ``otherwise``, with no conditions, is last)."""
    return tuple((tuple((c.input.id, c.test) for c in branch.conditions), branch.go.id) for branch in stage.branches)


def _draw(graph: graphviz.Digraph, node: _Node, name: str, decision: Decision, words: Mapping[str, str]) -> str:
    """Add a tree's nodes and edges; the DOT id of its top."""
    if isinstance(node, _Leaf):
        return _node_id(node.stage)
    item = decision.inputs[node.input]
    question = " ".join(item.label.split())
    graph.node(
        name,
        label="\\n".join(_attr(line) for line in wrap(question, WRAP - 6)),
        shape="diamond",
        fontsize=SMALL_SIZE,
        margin="0.02,0.02",
        tooltip=_tooltip(question),
        **{"class": "dp-branch"},
    )
    for number, arm in enumerate(node.arms):
        if arm.goes is None:
            continue
        target = _draw(graph, arm.goes, f"{name}-{number + 1}", decision, words)
        short, full = _answer(item, arm, words)
        graph.edge(
            name,
            target,
            label="\\n".join(_attr(line) for line in short),
            tooltip=_tooltip(f"{question}: {full}"),
            **{"class": "dp-answer"},
        )
    return name


def _answer(item: Input, arm: _Arm, words: Mapping[str, str]) -> tuple[list[str], str]:
    """An arm's answer: its label's lines, and in full (for the tooltip)."""
    if item.type is InputType.NUMBER:
        return [range_text(arm.low, arm.high, item.unit)], range_text(arm.low, arm.high, item.unit, exact=True)
    if item.type is InputType.CHOICE:
        labels = [" ".join(item.option_label(o).split()) for o in arm.options]
        full = " / ".join(labels)
        if not arm.named:
            return [words["otherwise"]], full
        return [line for label in labels for line in wrap(label, WRAP - 8)], full
    answer = words["yes"] if arm.value else words["no"]
    return [answer], answer


def _one_decision_node(graph: graphviz.Digraph, stage: Stage, decision: Decision, words: Mapping[str, str]) -> None:
    """Branches that make no small tree: one decision node, one edge per branch, each
    saying its conditions short (the full words in its tooltip)."""
    name = f"branch-{stage.id}"
    graph.node(name, label="?", shape="diamond", fontsize=SMALL_SIZE, **{"class": "dp-branch"})
    graph.edge(_node_id(stage.id), name)
    for branch in stage.branches:
        short = short_branch(branch, decision, words)
        graph.edge(
            name,
            _node_id(branch.go.id),
            label="\\n".join(_attr(line) for part in short.split("; ") for line in wrap(part, WRAP - 4)),
            tooltip=_tooltip(condition_text(branch, decision, words)),
            **{"class": "dp-answer"},
        )
