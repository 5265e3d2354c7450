"""Diagrams people can read (issue 12, point 4): short answers on the edges, numbers with
thousands separators, branch points as decision nodes asking one question each,
escalation as a line in its stage's box, lines wrapped so graphs stay narrow.

Read from the DOT the planner writes (no Graphviz run) and from the phrasing functions.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from conftest import REPO, Org
from hypothesis import given
from hypothesis import strategies as st

from decision_paths.model.organisation import (
    Branch,
    ChoiceTest,
    Comparison,
    Condition,
    Decision,
    Input,
    InputType,
    NumberTest,
    Ref,
    YesNoTest,
)
from decision_paths.model.phrasing import answer_text, number_text, range_text, short_branch
from decision_paths.model.words import words
from decision_paths.pipeline import validate_folder
from decision_paths.plan import diagrams
from decision_paths.render.mkdocs_plugin import _diagram_box

TODAY = dt.date(2026, 11, 23)
ZH, EN = words("zh"), words("en")
D = Decimal

# ---------------------------------------------------------------- numbers and ranges


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("0", "0"),
        ("999", "999"),
        ("1000", "1,000"),
        ("10000", "10,000"),
        ("49999", "49,999"),
        ("1234567", "1,234,567"),
        ("1234567.125", "1,234,567.125"),
        ("-1234.50", "-1,234.5"),
        ("0.5", "0.5"),
        ("1E+4", "10,000"),
        ("1.0000000000000000000000000001", "1.0000000000000000000000000001"),  # every digit written kept
    ],
)
def test_numbers_have_thousands_separators(written: str, shown: str) -> None:
    assert number_text(D(written)) == shown


@pytest.mark.parametrize(
    ("low", "high", "shown"),
    [
        ((D(10000), True), None, "\u2265 10,000"),
        ((D(20), False), None, "> 20"),
        (None, (D(2000), False), "< 2,000"),
        (None, (D(20), True), "\u2264 20"),
        ((D(10000), True), (D(50000), False), "10,000\u201349,999"),  # >= 10000 and < 50000
        ((D(5), False), (D(10), True), "6\u201310"),
        ((D(5), True), (D(5), True), "= 5"),
        ((D(5), True), (D(6), False), "= 5"),
        ((D("0.5"), True), (D(2), False), "\u2265 0.5, < 2"),  # not whole numbers: both comparisons
    ],
)
def test_ranges_are_short(low, high, shown: str) -> None:  # type: ignore[no-untyped-def]
    assert range_text(low, high) == shown


def test_exact_ranges_keep_both_comparisons_for_tooltips() -> None:
    assert range_text((D(10000), True), (D(50000), False), exact=True) == "\u2265 10,000, < 50,000"
    assert range_text((D(10000), True), None, "CNY") == "\u2265 10,000 CNY"


def _number(*comparisons: tuple[str, str]) -> NumberTest:
    return NumberTest(tuple(Comparison(op, D(value)) for op, value in comparisons))


def test_answers_in_words() -> None:
    amount = Input("amount", None, "Amount", InputType.NUMBER, unit="CNY")  # type: ignore[arg-type]
    kind = Input(
        "kind",
        None,  # type: ignore[arg-type]
        "Contract",
        InputType.CHOICE,
        options=("fixed-price", "time-and-materials"),
        option_labels={"fixed-price": "固定总价", "time-and-materials": "按人天计费"},
    )
    assert answer_text(amount, _number((">=", "10000"), ("<", "50000")), ZH) == "10,000\u201349,999 CNY"
    assert answer_text(amount, _number(("<", "50000"), (">=", "10000")), ZH) == "10,000\u201349,999 CNY"
    assert answer_text(amount, _number((">", "1"), ("<", "1")), ZH) == "> 1, < 1"  # contradictory: as written
    assert answer_text(kind, ChoiceTest((Ref("fixed-price", None),)), ZH) == "固定总价"  # type: ignore[arg-type]
    both = ChoiceTest((Ref("fixed-price", None), Ref("time-and-materials", None)))  # type: ignore[arg-type]
    assert answer_text(kind, both, ZH) == "固定总价 / 按人天计费"
    assert answer_text(None, YesNoTest(True), ZH) == "是"
    assert answer_text(None, YesNoTest(False), EN) == "no"


def test_a_branch_short_names_each_question_when_it_asks_several() -> None:
    sample = validate_folder(str(REPO / "decisions"), TODAY).org.decisions["refund-request"]
    check = sample.stages["finance-check"]
    assert short_branch(check.branches[0], sample, ZH) == "是"
    assert short_branch(check.branches[1], sample, ZH) == (
        "是否已交付部分工作 / Has any of the work been delivered?: 否; 退款金额(港币)/ Refund amount (HKD): < 20,000"
    )
    assert short_branch(Branch((), Ref("x", None), None, otherwise=True), sample, EN) == "otherwise"  # type: ignore[arg-type]


# ---------------------------------------------------------------- the DOT

_EDGE = re.compile(r'^\s*"?([^"\s]+)"? -> "?([^"\s]+)"?(?: \[(.*)\])?$', re.M)
_NODE = re.compile(r'^\s*"?([^"\s]+)"? \[(.*)\]$', re.M)
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<.*>|[^ \]]+)')


def _attrs(text: str | None) -> dict[str, str]:
    found = {}
    for name, value in _ATTR.findall(text or ""):
        found[name] = value[1:-1].replace('\\"', '"').replace("\\n", "\n") if value.startswith('"') else value
    return found


def edges(dot: str) -> dict[tuple[str, str], dict[str, str]]:
    return {(a, b): _attrs(rest) for a, b, rest in _EDGE.findall(dot)}


def nodes(dot: str) -> dict[str, dict[str, str]]:
    return {name: _attrs(rest) for name, rest in _NODE.findall(dot) if name not in ("graph", "node", "edge", "->")}


def sample_dot(decision_id: str, language: str = "zh") -> str:
    org = validate_folder(str(REPO / "decisions"), TODAY).org
    return diagrams.decision_dot(org.decisions[decision_id], org, words(language), lambda party: f"../{party}/")


def test_number_ranges_on_the_edges_of_the_sample_discount() -> None:
    found = edges(sample_dot("discount-exception"))
    assert {(a, b): e.get("label") for (a, b), e in found.items() if a == "branch-margin-check"} == {
        ("branch-margin-check", "stage-sales-approval"): "< 10,000",
        ("branch-margin-check", "stage-joint-approval"): "10,000\u201349,999",
        ("branch-margin-check", "stage-executive-approval"): "\u2265 50,000",
    }
    joint = found[("branch-margin-check", "stage-joint-approval")]
    assert joint["tooltip"] == "折扣金额(元)/ Discount amount (CNY): \u2265 10,000, < 50,000"  # exact, in full
    assert found[("stage-margin-check", "branch-margin-check")].get("label") is None
    question = nodes(sample_dot("discount-exception"))["branch-margin-check"]
    assert question["shape"] == "diamond" and question["class"] == "dp-branch"
    assert question["label"] == "折扣金额(元)/\nDiscount amount (CNY)"


def test_yes_no_then_an_amount_are_two_questions_in_the_sample_refund() -> None:
    dot = sample_dot("refund-request")
    found = {(a, b): e.get("label") for (a, b), e in edges(dot).items() if a.startswith("branch-finance-check")}
    assert found == {
        ("branch-finance-check", "stage-delivery-assessment"): "是",
        ("branch-finance-check", "branch-finance-check-2"): "否",
        ("branch-finance-check-2", "stage-finance-approval"): "< 20,000",
        ("branch-finance-check-2", "stage-senior-approval"): "\u2265 20,000",
    }
    english = sample_dot("refund-request", "en")
    assert edges(english)[("branch-finance-check", "stage-delivery-assessment")]["label"] == "yes"


def test_no_edge_repeats_the_question_or_a_raw_comparison() -> None:
    for decision_id in ("discount-exception", "refund-request", "out-of-scope-request", "expense-approval"):
        for found in edges(sample_dot(decision_id)).values():
            label = found.get("label", "")
            assert ">=" not in label and "<=" not in label and "/ " not in label, (decision_id, label)
            assert not re.search(r"\d{4}", label), (decision_id, label)  # 10,000, not 10000
            assert len(label) <= 24 or "\n" in label, (decision_id, label)


OPTIONS_DECISION = """\
title: Scope change
summary: Work outside the contract.
owner: delivery-lead
inputs:
  effort: {label: Effort, type: number, unit: person-days}
  contract:
    label: Contract type
    type: choice
    options:
      fixed-price: Fixed price
      time-and-materials: Time and materials
      retainer: Retainer
  repeat: {label: Repeat client, type: yes-no}
start: intake
stages:
  intake:
    title: Log it
    who: account-manager
    within: 1 business day
    escalate_to: delivery-lead
    next:
      - when: {effort: ">20"}
        go: director
      - when: {effort: "<=20", contract: fixed-price}
        go: review
      - when: {effort: "<=20", contract: [time-and-materials], repeat: true}
        go: answer
      - otherwise: review
  review:
    title: Commercial review
    who: delivery-lead
    within: 2 business days
    next: answer
  director:
    title: Director approval
    who: delivery-lead
    within: 2 business days
    next: answer
  answer:
    title: Answer
    who: account-manager
    within: 1 business day
"""


def test_option_labels_yes_no_and_otherwise(org: Org) -> None:
    org.write("sales/scope-change.yaml", OPTIONS_DECISION)
    checked = org.validate()
    assert [f for f in checked.findings if f.is_error] == []
    decision = checked.org.decisions["scope-change"]
    dot = diagrams.decision_dot(decision, checked.org, EN, lambda party: None)
    found = {(a, b): e.get("label") for (a, b), e in edges(dot).items() if a.startswith("branch-")}
    assert found == {
        ("branch-intake", "branch-intake-1"): "\u2264 20 person-days",
        ("branch-intake-1", "stage-review"): "Fixed price\nRetainer",  # the otherwise, by the options it takes
        ("branch-intake-1", "branch-intake-1-2"): "Time and materials",
        ("branch-intake-1-2", "stage-answer"): "yes",
        ("branch-intake-1-2", "stage-review"): "no",
        ("branch-intake", "stage-director"): "> 20 person-days",
    }


def test_options_no_branch_names_read_otherwise(org: Org) -> None:
    org.write(
        "sales/scope-change.yaml",
        OPTIONS_DECISION.replace(
            """      - when: {effort: ">20"}
        go: director
      - when: {effort: "<=20", contract: fixed-price}
        go: review
      - when: {effort: "<=20", contract: [time-and-materials], repeat: true}
        go: answer
      - otherwise: review""",
            """      - when: {contract: fixed-price}
        go: director
      - when: {effort: "<=20", repeat: true}
        go: answer
      - otherwise: review""",
        ),
    )
    checked = org.validate()
    decision = checked.org.decisions["scope-change"]
    found = {
        (a, b): e.get("label")
        for (a, b), e in edges(diagrams.decision_dot(decision, checked.org, ZH, lambda p: None)).items()
    }
    assert found[("branch-intake", "stage-director")] == "Fixed price"
    assert found[("branch-intake", "branch-intake-2")] == "其他情况"
    tooltip = edges(diagrams.decision_dot(decision, checked.org, ZH, lambda p: None))[
        ("branch-intake", "branch-intake-2")
    ]["tooltip"]
    assert tooltip == "Contract type: Time and materials / Retainer"


def test_escalation_is_a_line_in_its_stage_not_a_box() -> None:
    dot = sample_dot("discount-exception")
    assert "escalation-" not in dot
    request = nodes(dot)["stage-request"]["label"]
    assert "超时上报: 销售总监 /<br/>Sales Director" in request  # wrapped after the bilingual slash
    assert 'href="../sales-director/"' in request and 'title="超时上报: 销售总监 / Sales Director"' in request
    assert "超时上报" not in nodes(dot)["stage-executive-approval"]["label"]  # it has no escalate_to
    english = nodes(sample_dot("discount-exception", "en"))["stage-request"]["label"]
    assert "If late: 销售总监 /<br/>Sales Director" in english


def test_the_smallest_text_is_10_points() -> None:
    """10 pt shows 13.3 px at the SVG's natural size, which pages keep (the browser tests measure it)."""
    for decision_id in ("discount-exception", "refund-request", "client-complaint"):
        dot = sample_dot(decision_id)
        sizes = [float(s) for s in re.findall(r'(?:fontsize|point-size)="?([\d.]+)', dot)]
        assert sizes and min(sizes) >= 10, decision_id


# ---------------------------------------------------------------- wrapping


def test_bilingual_labels_break_after_the_slash() -> None:
    assert diagrams.wrap("销售与财务联合审批 / Sales and Finance approval") == [
        "销售与财务联合审批 /",
        "Sales and Finance approval",
    ]
    assert diagrams.wrap("客户经理 / Account Manager") == ["客户经理 / Account Manager"]  # short enough


@pytest.mark.parametrize(
    "text",
    [
        "Assessment of delivered work and its value in person-days at contract rates",
        "对照合同工作说明书判断是否确属范围外并拆分任务估算人天列出对现有里程碑的影响",
        "超时上报: 首席运营官 / Chief Operating Officer of the whole company group",
    ],
)
def test_long_labels_wrap_between_words_or_characters(text: str) -> None:
    lines = diagrams.wrap(text)
    assert len(lines) > 1
    assert all(diagrams.text_width(line) <= diagrams.WRAP for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


# ---------------------------------------------------------------- the tree is exact

_INPUTS = {
    "n": Input("n", None, "N", InputType.NUMBER),  # type: ignore[arg-type]
    "c": Input("c", None, "C", InputType.CHOICE, options=("a", "b", "c")),  # type: ignore[arg-type]
    "y": Input("y", None, "Y", InputType.YES_NO),  # type: ignore[arg-type]
}
_VALUES = {
    "n": [D(v) for v in ("-1", "0", "0.5", "1", "1.5", "2", "3", "10")],
    "c": ["a", "b", "c"],
    "y": [True, False],
}

_tests = {
    "n": st.lists(
        st.tuples(st.sampled_from([">", ">=", "<", "<=", "="]), st.sampled_from(["0", "1", "2"])),
        min_size=1,
        max_size=2,
    ).map(lambda cs: NumberTest(tuple(Comparison(op, D(v)) for op, v in cs))),
    "c": st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=2, unique=True).map(
        lambda os: ChoiceTest(tuple(Ref(o, None) for o in os))  # type: ignore[arg-type]
    ),
    "y": st.booleans().map(YesNoTest),
}


@st.composite
def _branches(draw):  # type: ignore[no-untyped-def]
    found = []
    for number in range(draw(st.integers(1, 4))):
        asked = draw(st.lists(st.sampled_from(["n", "c", "y"]), min_size=1, max_size=3, unique=True))
        found.append(
            Branch(tuple(Condition(Ref(i, None), draw(_tests[i]), None) for i in asked), Ref(f"s{number}", None), None)
        )  # type: ignore[arg-type]
    if draw(st.booleans()):
        found.append(Branch((), Ref("other", None), None, otherwise=True))  # type: ignore[arg-type]
    return found


def _walk(node, values):  # type: ignore[no-untyped-def]
    while isinstance(node, diagrams._Split):
        value = values[node.input]
        for arm in node.arms:
            if _INPUTS[node.input].type is InputType.NUMBER:
                low_ok = arm.low is None or value > arm.low[0] or (arm.low[1] and value == arm.low[0])
                high_ok = arm.high is None or value < arm.high[0] or (arm.high[1] and value == arm.high[0])
                if low_ok and high_ok:
                    break
            elif _INPUTS[node.input].type is InputType.CHOICE:
                if value in arm.options:
                    break
            elif arm.value is value:
                break
        else:
            return None
        node = arm.goes
    return node.stage if node is not None else None


@given(_branches())
def test_the_decision_tree_sends_every_answer_where_the_first_matching_branch_does(branches) -> None:  # type: ignore[no-untyped-def]
    decision = Decision("d", "f", None, "", "t", "", Ref("o", None), Ref("s", None), {}, inputs=_INPUTS)  # type: ignore[arg-type]
    rows = tuple((tuple((c.input.id, c.test) for c in b.conditions), b.go.id) for b in branches)
    tree = diagrams._Tree(decision).build(rows)
    for n in _VALUES["n"]:
        for c in _VALUES["c"]:
            for y in _VALUES["y"]:
                values = {"n": n, "c": c, "y": y}
                expected = next((b.go.id for b in branches if b.matches(values)), None)
                assert _walk(tree, values) == expected, values


# ---------------------------------------------------------------- the box on the page


def test_the_enlarge_button_speaks_the_page_language() -> None:
    english = _diagram_box("<svg></svg>\n", EN)
    assert '<button type="button" class="dp-diagram-enlarge" hidden aria-label="Enlarge the diagram"' in english
    assert 'data-dp-close="Close"' in english and ">Enlarge</button>" in english
    chinese = _diagram_box("<svg></svg>\n", ZH)
    assert 'aria-label="放大查看流程图"' in chinese and 'data-dp-close="关闭"' in chinese
    assert '<div class="dp-diagram-scroll">\n<svg></svg>\n</div>' in chinese


def test_shared_fixture_still_draws(org: Org) -> None:
    """The minimal organisation of the other tests: one question, two answers."""
    checked = org.validate()
    decision = checked.org.decisions["scope-change"]
    found = edges(diagrams.decision_dot(decision, checked.org, EN, lambda p: None))
    # both answers lead to the same stage: no question to draw
    assert ("stage-intake", "stage-answer") in found and not any(a.startswith("branch-") for a, _ in found)
