"""Paths: the stage graph (DP301, DP302), conditions (DP305-DP307) and the
coverage rule of SPEC section 6 (DP303, DP304), decided exactly.
"""

from __future__ import annotations

import itertools
import random
import re
import textwrap
from decimal import Decimal

import pytest
from conftest import DECISION, time_limit

DEC = "sales/scope-change.yaml"

HEAD = """\
title: Scope change
summary: Work outside the contract.
owner: delivery-lead
reviewed: 2026-10-01
review_every: 180 days
"""


def stage(name: str, who: str = "account-manager", next_: str | None = None) -> str:
    text = f"  {name}:\n    title: {name.title()}\n    who: {who}\n    within: 1 business day\n"
    if next_ is not None:
        text += f"    next:{next_}\n" if next_.startswith("\n") else f"    next: {next_}\n"
    return text


def decision(inputs: dict[str, str], branches: str, targets: str = "abc") -> str:
    """A decision whose stage 'intake' (line 9 + len(inputs)) branches with ``branches``
    (a YAML list, written as 6-space indented items; its first item is on line
    14 + len(inputs)) to the final stages named by ``targets``."""
    text = HEAD
    if inputs:
        text += "inputs:\n" + "".join(f"  {key}: {value}\n" for key, value in inputs.items())
    text += "start: intake\nstages:\n"
    text += "  intake:\n    title: Intake\n    who: account-manager\n    within: 1 business day\n    next:\n"
    text += textwrap.indent(textwrap.dedent(branches), "      ")
    for name in targets:
        text += stage(name)
    return text


def line_of(text: str, part: str) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if part in line]
    assert len(lines) == 1, f"{part!r} must be on exactly one line"
    return lines[0]


def findings(org, code: str):
    return [f for f in org.findings() if f.rule.code == code]


def example_number(message: str, input_id: str) -> Decimal:
    match = re.search(rf"{re.escape(input_id)} = (-?\d+(?:\.\d+)?)(?:,| matches)", message)
    assert match, message
    return Decimal(match.group(1))


NUMBER = {"effort-days": "{label: Effort, type: number}"}
AMOUNT = {"amount": "{label: Amount, type: number}"}
CONTRACT = {"contract": "{label: Contract, type: choice, options: [fixed-price, time-and-materials, retainer]}"}
REPEAT = {"repeat-client": "{label: Repeat client, type: yes-no}"}


# ===================================================================== graph


def test_two_stage_cycle_is_reported_at_the_edge_closing_the_loop(org):
    text = (
        HEAD
        + """\
start: intake
stages:
  intake:
    title: Intake
    who: account-manager
    within: 1 business day
    next: answer
  answer:
    title: Answer
    who: delivery-lead
    within: 1 business day
    next: intake
"""
    )
    org.write(DEC, text)
    assert org.codes() == [("DP301", DEC, 17, 11)]
    message = findings(org, "DP301")[0].message
    assert "the path loops back: intake -> answer -> intake" in message


def test_stage_pointing_at_itself_is_a_cycle(org):
    org.write(DEC, DECISION + "    next: answer\n")
    assert org.codes() == [("DP301", DEC, 22, 11)]
    assert "answer -> answer" in findings(org, "DP301")[0].message


def test_cycle_through_a_branch_list(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<=20"}
          go: a
        - otherwise: b
        """,
    )
    text = text.replace(
        "  b:\n    title: B\n    who: account-manager\n    within: 1 business day\n",
        "  b:\n    title: B\n    who: account-manager\n    within: 1 business day\n"
        '    next:\n      - when: {effort-days: ">5"}\n        go: intake\n      - otherwise: c\n',
    )
    org.write(DEC, text)
    line = line_of(text, "go: intake")
    assert org.codes() == [("DP301", DEC, line, 13)]
    assert "intake -> b -> intake" in findings(org, "DP301")[0].message


def test_diamond_is_not_a_cycle(org):
    # intake branches to a or b; both continue to c: two paths join, nothing loops.
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<=20"}
          go: a
        - otherwise: b
        """,
    )
    text = text.replace(
        "  a:\n    title: A\n    who: account-manager\n    within: 1 business day\n",
        "  a:\n    title: A\n    who: account-manager\n    within: 1 business day\n    next: c\n",
    )
    text = text.replace(
        "  b:\n    title: B\n    who: account-manager\n    within: 1 business day\n",
        "  b:\n    title: B\n    who: account-manager\n    within: 1 business day\n    next: c\n",
    )
    org.write(DEC, text)
    assert text.count("next: c") == 2
    assert org.codes() == []


def test_two_branches_to_the_same_stage_are_not_a_cycle(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<=20"}
          go: a
        - when: {effort-days: ">20"}
          go: a
        """,
        "a",
    )
    org.write(DEC, text)
    assert org.codes() == []


def test_unreachable_stage_is_reported_at_its_key(org):
    text = DECISION + stage("orphan", next_="answer")
    org.write(DEC, text)
    assert org.codes() == [("DP302", DEC, 22, 3)]
    message = findings(org, "DP302")[0].message
    assert "stage 'orphan' is never reached from start 'intake'" in message


def test_stage_reached_only_from_an_unreachable_stage_is_unreachable_too(org):
    text = DECISION + stage("orphan", next_="island") + stage("island")
    org.write(DEC, text)
    assert org.codes() == [("DP302", DEC, 22, 3), ("DP302", DEC, 27, 3)]


# A mistyped stage id is the cause: the stages behind it are not reported as never reached.
CHAIN = HEAD + "start: intake\nstages:\n" + stage("intake", next_="review") + stage("review", next_="approve")
CHAIN += stage("approve", next_="answer") + stage("answer")  # intake 8, review 13, approve 18, answer 23


def test_a_mistyped_next_is_one_finding_not_one_for_every_stage_behind_it(org):
    org.write(DEC, CHAIN.replace("next: review", "next: reveiw"))
    assert org.codes() == [("DP202", DEC, 12, 11)]
    assert findings(org, "DP202")[0].message.endswith("did you mean 'review'?")


def test_a_next_with_no_close_stage_reports_no_stage_unreachable(org):
    org.write(DEC, CHAIN.replace("next: review", "next: legal"))
    assert org.codes() == [("DP202", DEC, 12, 11)]


def test_a_stage_unreachable_even_with_the_typo_read_as_its_suggestion_is_still_reported(org):
    org.write(DEC, CHAIN.replace("next: review", "next: reveiw") + stage("orphan", next_="answer"))
    assert org.codes() == [("DP202", DEC, 12, 11), ("DP302", DEC, 27, 3)]
    assert "stage 'orphan' is never reached from start 'intake'" in findings(org, "DP302")[0].message


def test_a_mistyped_start_is_read_as_its_suggestion_too(org):
    org.write(DEC, CHAIN.replace("start: intake", "start: intke") + stage("orphan"))
    assert org.codes() == [("DP202", DEC, 6, 8), ("DP302", DEC, 27, 3)]
    assert "never reached from start 'intake'" in findings(org, "DP302")[0].message


def test_start_can_be_any_stage_not_only_the_first(org):
    text = (
        HEAD
        + """\
start: intake
stages:
  answer:
    title: Answer
    who: delivery-lead
    within: 1 business day
  intake:
    title: Intake
    who: account-manager
    within: 1 business day
    next: answer
"""
    )
    org.write(DEC, text)
    assert org.codes() == []


# ============================================================ condition types


def test_number_input_with_choice_text(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: big}
          go: a
        - otherwise: b
        """,
        "ab",
    )
    org.write(DEC, text)
    line = line_of(text, "effort-days: big")
    assert org.codes() == [("DP305", DEC, line, 29)]
    message = findings(org, "DP305")[0].message
    assert "'effort-days' is a number" in message
    assert '">=10000"' in message


def test_yes_no_input_with_a_comparison(org):
    text = decision(
        REPEAT,
        """\
        - when: {repeat-client: ">1"}
          go: a
        - otherwise: b
        """,
        "ab",
    )
    org.write(DEC, text)
    line = line_of(text, 'repeat-client: ">1"')
    assert org.codes() == [("DP305", DEC, line, 31)]
    assert "'repeat-client' is a yes-no input: write true or false" in findings(org, "DP305")[0].message


def test_choice_input_with_a_number_comparison(org):
    text = decision(
        CONTRACT,
        """\
        - when: {contract: ">5"}
          go: a
        - otherwise: b
        """,
        "ab",
    )
    org.write(DEC, text)
    line = line_of(text, 'contract: ">5"')
    assert org.codes() == [("DP305", DEC, line, 26)]
    message = findings(org, "DP305")[0].message
    assert "'contract' is a choice" in message
    assert "fixed-price, time-and-materials, retainer" in message


def test_unknown_option_suggests_the_close_option(org):
    text = decision(
        CONTRACT,
        """\
        - when: {contract: fixd-price}
          go: a
        - otherwise: b
        """,
        "ab",
    )
    org.write(DEC, text)
    line = line_of(text, "fixd-price")
    assert org.codes() == [("DP306", DEC, line, 26)]
    message = findings(org, "DP306")[0].message
    assert "'fixd-price' is not an option of 'contract'" in message
    assert message.endswith("did you mean 'fixed-price'?")


def test_unknown_option_inside_a_list_is_pointed_at(org):
    text = decision(
        CONTRACT,
        """\
        - when: {contract: [fixed-price, retainr]}
          go: a
        - otherwise: b
        """,
        "ab",
    )
    org.write(DEC, text)
    line = line_of(text, "retainr")
    assert org.codes() == [("DP306", DEC, line, 40)]
    assert findings(org, "DP306")[0].message.endswith("did you mean 'retainer'?")


def test_unused_input(org):
    text = DECISION.replace("inputs:\n", "inputs:\n  repeat-client: {label: Repeat, type: yes-no}\n")
    org.write(DEC, text)
    assert org.codes() == [("DP307", DEC, 7, 3)]
    message = findings(org, "DP307")[0].message
    assert "input 'repeat-client' is declared but no branch uses it" in message


# =================================================================== coverage


def test_gap_at_the_shared_threshold_is_named_exactly(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: ">20"}
          go: a
        - when: {effort-days: "<20"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    # at the 'next' key of the branching stage
    assert org.codes() == [("DP303", DEC, line_of(text, "    next:"), 5)]
    message = findings(org, "DP303")[0].message
    assert "stage 'intake': effort-days = 20 matches no branch" in message
    assert "'otherwise'" in message


def test_gap_between_two_ranges_gives_a_value_inside_it(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<=10"}
          go: a
        - when: {effort-days: ">=20"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    [gap] = findings(org, "DP303")
    value = example_number(gap.message, "effort-days")
    assert Decimal(10) < value < Decimal(20)


def test_gap_with_open_ends_gives_a_value_that_really_matches_nothing(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<10"}
          go: a
        - when: {effort-days: ">20"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    [gap] = findings(org, "DP303")
    value = example_number(gap.message, "effort-days")
    assert Decimal(10) <= value <= Decimal(20)
    assert [f.rule.code for f in org.findings()] == ["DP303"]


def test_gap_below_every_branch(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: [">=0", "<=20"]}
          go: a
        - when: {effort-days: ">20"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    [gap] = findings(org, "DP303")
    assert example_number(gap.message, "effort-days") < 0


def test_overlap_at_one_value_names_the_value_and_both_lines(org):
    text = decision(
        AMOUNT,
        """\
        - when: {amount: "<=100"}
          go: a
        - when: {amount: ">=100"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    first, second = line_of(text, '"<=100"'), line_of(text, '">=100"')
    assert (first, second) == (15, 17)
    # reported at the second of the two branches, on its first key
    assert org.codes() == [("DP304", DEC, 17, 9)]
    message = findings(org, "DP304")[0].message
    assert "amount = 100 matches two branches (lines 15 and 17)" in message


def test_overlap_is_an_error_even_with_otherwise(org):
    text = decision(
        AMOUNT,
        """\
        - when: {amount: "<=100"}
          go: a
        - when: {amount: ">=100"}
          go: b
        - otherwise: c
        """,
    )
    org.write(DEC, text)
    assert [c[0] for c in org.codes()] == ["DP304"]


def test_choice_option_not_covered_is_named(org):
    text = decision(
        CONTRACT,
        """\
        - when: {contract: fixed-price}
          go: a
        - when: {contract: time-and-materials}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    assert [c[0] for c in org.codes()] == ["DP303"]
    assert "contract = retainer matches no branch" in findings(org, "DP303")[0].message


def test_choice_list_covers_several_options(org):
    text = decision(
        CONTRACT,
        """\
        - when: {contract: fixed-price}
          go: a
        - when: {contract: [time-and-materials, retainer]}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    assert org.codes() == []


def test_choice_option_in_two_branches_overlaps(org):
    text = decision(
        CONTRACT,
        """\
        - when: {contract: [fixed-price, retainer]}
          go: a
        - when: {contract: [time-and-materials, retainer]}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    assert [c[0] for c in org.codes()] == ["DP304"]
    assert "contract = retainer matches two branches (lines 15 and 17)" in findings(org, "DP304")[0].message


def test_yes_no_with_only_true_names_false(org):
    text = decision(
        REPEAT,
        """\
        - when: {repeat-client: true}
          go: a
        """,
        "a",
    )
    org.write(DEC, text)
    assert org.codes() == [("DP303", DEC, 14, 5)]
    assert "repeat-client = false matches no branch" in findings(org, "DP303")[0].message


def test_yes_no_true_and_false_is_clean(org):
    text = decision(
        REPEAT,
        """\
        - when: {repeat-client: true}
          go: a
        - when: {repeat-client: false}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    assert org.codes() == []


def test_number_by_choice_gap_in_one_cell_only(org):
    text = decision(
        {**AMOUNT, **CONTRACT},
        """\
        - when: {amount: "<100", contract: fixed-price}
          go: a
        - when: {amount: "<100", contract: time-and-materials}
          go: b
        - when: {amount: ">=100"}
          go: c
        """,
    )
    org.write(DEC, text)
    assert [c[0] for c in org.codes()] == ["DP303"]
    message = findings(org, "DP303")[0].message
    assert "contract = retainer matches no branch" in message
    assert example_number(message, "amount") < 100


def test_number_by_choice_fully_covered_is_clean(org):
    text = decision(
        {**AMOUNT, **CONTRACT},
        """\
        - when: {amount: "<100", contract: fixed-price}
          go: a
        - when: {amount: "<100", contract: [time-and-materials, retainer]}
          go: b
        - when: {amount: ">=100"}
          go: c
        """,
    )
    org.write(DEC, text)
    assert org.codes() == []


def test_branches_on_different_inputs_overlap_where_both_hold(org):
    text = decision(
        {**AMOUNT, **CONTRACT},
        """\
        - when: {amount: ">=100"}
          go: a
        - when: {contract: fixed-price}
          go: b
        - otherwise: c
        """,
    )
    org.write(DEC, text)
    [overlap] = findings(org, "DP304")
    assert "contract = fixed-price" in overlap.message
    assert example_number(overlap.message, "amount") >= 100
    assert "(lines 16 and 18)" in overlap.message


def test_otherwise_closes_every_gap(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: ">20"}
          go: a
        - when: {effort-days: "<20"}
          go: b
        - otherwise: c
        """,
    )
    org.write(DEC, text)
    assert org.codes() == []


def test_list_of_comparisons_is_a_band(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<10"}
          go: a
        - when: {effort-days: [">=10", "<20"]}
          go: b
        - when: {effort-days: ">=20"}
          go: c
        """,
    )
    org.write(DEC, text)
    assert org.codes() == []


def test_band_with_a_gap_at_its_upper_end(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<10"}
          go: a
        - when: {effort-days: [">=10", "<20"]}
          go: b
        - when: {effort-days: ">20"}
          go: c
        """,
    )
    org.write(DEC, text)
    assert [c[0] for c in org.codes()] == ["DP303"]
    assert "effort-days = 20 matches no branch" in findings(org, "DP303")[0].message


def test_band_overlapping_its_neighbour(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<=10"}
          go: a
        - when: {effort-days: [">=10", "<20"]}
          go: b
        - when: {effort-days: ">=20"}
          go: c
        """,
    )
    org.write(DEC, text)
    assert [c[0] for c in org.codes()] == ["DP304"]
    assert "effort-days = 10 matches two branches (lines 15 and 17)" in findings(org, "DP304")[0].message


def test_decimal_thresholds_complementary_are_clean(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<0.5"}
          go: a
        - when: {effort-days: ">=0.5"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    assert org.codes() == []


def test_decimal_threshold_gap_is_named(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<0.5"}
          go: a
        - when: {effort-days: ">0.5"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    assert [c[0] for c in org.codes()] == ["DP303"]
    assert "effort-days = 0.5 matches no branch" in findings(org, "DP303")[0].message


def test_narrow_decimal_gap_between_thresholds_is_found(org):
    # Between 0.1 and 0.2 there is no whole number: the example must still lie inside the gap.
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<=0.1"}
          go: a
        - when: {effort-days: ">=0.2"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    [gap] = findings(org, "DP303")
    assert Decimal("0.1") < example_number(gap.message, "effort-days") < Decimal("0.2")


def test_gap_at_a_single_large_threshold_is_found_without_sampling(org):
    # Only 1000000 exactly is uncovered; a sampler would almost never hit it.
    text = decision(
        AMOUNT,
        """\
        - when: {amount: "<1000000"}
          go: a
        - when: {amount: ">1000000"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    assert [c[0] for c in org.codes()] == ["DP303"]
    assert "amount = 1000000 matches no branch" in findings(org, "DP303")[0].message


def test_gap_at_a_single_decimal_value_inside_a_band_is_found(org):
    # "<2.25", then the band (2.25, 10], then ">10": only 2.25 itself is missing.
    text = decision(
        AMOUNT,
        """\
        - when: {amount: ["<2.25"]}
          go: a
        - when: {amount: [">2.25", "<=10"]}
          go: b
        - when: {amount: ">10"}
          go: c
        """,
    )
    org.write(DEC, text)
    assert [c[0] for c in org.codes()] == ["DP303"]
    assert "amount = 2.25 matches no branch" in findings(org, "DP303")[0].message


def test_equal_comparison_leaves_the_neighbours_uncovered(org):
    text = decision(
        AMOUNT,
        """\
        - when: {amount: "=5"}
          go: a
        - when: {amount: "<5"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    [gap] = findings(org, "DP303")
    assert example_number(gap.message, "amount") > 5


def test_every_branch_point_is_checked(org):
    # A clean first branch point does not hide a gap at a later one.
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<=20"}
          go: a
        - otherwise: b
        """,
    )
    text = text.replace(
        "  b:\n    title: B\n    who: account-manager\n    within: 1 business day\n",
        "  b:\n    title: B\n    who: account-manager\n    within: 1 business day\n"
        '    next:\n      - when: {effort-days: ">30"}\n        go: c\n',
    )
    org.write(DEC, text)
    [gap] = findings(org, "DP303")
    assert "stage 'b':" in gap.message
    assert example_number(gap.message, "effort-days") <= 30
    assert (gap.loc.line, gap.loc.column) == (line_of(text, "  b:") + 4, 5)


# ===================================================================== coverage, exactly and at scale


def test_thresholds_are_compared_exactly_however_many_digits(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<=1"}
          go: a
        - when: {effort-days: ">=1.0000000000000000000000000001"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    [gap] = findings(org, "DP303")
    value = example_number(gap.message, "effort-days")
    assert Decimal(1) < value < Decimal("1.0000000000000000000000000001"), gap.message
    assert "1.00000000000000000000000000005" in gap.message


def test_large_thresholds_keep_their_neighbours_apart(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: "<100000000000000000000000000000000"}
          go: a
        - when: {effort-days: ">100000000000000000000000000000000"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    [gap] = findings(org, "DP303")
    assert example_number(gap.message, "effort-days") == Decimal("100000000000000000000000000000000")


def choice_inputs(count: int, options: int) -> dict[str, str]:
    listed = ", ".join(f"o{n}" for n in range(options))
    return {f"i{k}": f"{{label: I{k}, type: choice, options: [{listed}]}}" for k in range(count)}


def decision_list(count: int, options: int) -> str:
    """Covered with no 'otherwise': branch k takes i_k = o0 when every earlier input is
    not o0; the last takes what is left. No two branches overlap."""
    rest = "[" + ", ".join(f"o{n}" for n in range(1, options)) + "]"
    items = []
    for k in range(count):
        conditions = ", ".join([*(f"i{j}: {rest}" for j in range(k)), f"i{k}: o0"])
        items.append(f"- when: {{{conditions}}}\n  go: a\n")
    items.append("- when: {" + ", ".join(f"i{j}: {rest}" for j in range(count)) + "}\n  go: b\n")
    return "".join(items)


@pytest.mark.parametrize("count, options", [(12, 6), (6, 10)])
def test_many_inputs_that_cover_every_case_validate(org, count: int, options: int):
    org.write(DEC, decision(choice_inputs(count, options), decision_list(count, options), "ab"))
    with time_limit(30):  # 6**12 combinations would take hours one by one
        assert org.codes() == []


def test_many_inputs_with_one_uncovered_case_name_it(org):
    branches = decision_list(12, 6).replace("i11: o0}", "i11: [o0, o1]}", 1)  # overlaps the last branch
    branches = branches.replace("- when: {i0: o0}\n  go: a\n", "- when: {i0: o0, i1: o0}\n  go: a\n", 1)
    org.write(DEC, decision(choice_inputs(12, 6), branches, "ab"))
    with time_limit(30):
        [gap] = findings(org, "DP303")
        [overlap] = findings(org, "DP304")
    assert "i0 = o0, i1 = o1, i2 = o0" in gap.message, gap.message
    assert "i11 = o1" in overlap.message, overlap.message


@pytest.mark.parametrize("seed", range(40))
def test_gaps_and_overlaps_agree_with_trying_every_combination(org, seed: int):
    rng = random.Random(seed)
    count, options = rng.randint(1, 3), rng.randint(2, 4)
    names = [f"o{n}" for n in range(options)]
    branches, tests = [], []
    for _ in range(rng.randint(1, 5)):
        chosen = {
            f"i{k}": sorted(rng.sample(names, rng.randint(1, options))) for k in range(count) if rng.random() < 0.7
        }
        chosen = chosen or {"i0": [names[0]]}
        branches.append("- when: {" + ", ".join(f"{k}: [{', '.join(v)}]" for k, v in chosen.items()) + "}\n  go: a\n")
        tests.append(chosen)
    otherwise = rng.random() < 0.3
    text = decision(choice_inputs(count, options), "".join(branches) + ("- otherwise: b\n" if otherwise else ""), "ab")
    org.write(DEC, text)
    first_line = line_of(text, "    next:") + 1
    lines = [first_line + 2 * n for n in range(len(tests))]
    used = list(dict.fromkeys(k for t in tests for k in t))  # the stage's inputs, in order of first use
    cells = [dict(zip(used, values, strict=True)) for values in itertools.product(names, repeat=len(used))]
    matching = [[n for n, t in enumerate(tests) if all(c[k] in v for k, v in t.items())] for c in cells]
    gaps = [c for c, m in zip(cells, matching, strict=True) if not m]
    pairs = {(lines[a], lines[b]) for m in matching for a, b in itertools.combinations(m, 2)}
    found_gaps = findings(org, "DP303")
    if gaps and not otherwise:
        expected = ", ".join(f"{k} = {v}" for k, v in gaps[0].items())
        assert len(found_gaps) == 1 and f"stage 'intake': {expected} matches no branch" in found_gaps[0].message
    else:
        assert found_gaps == []
    reported = {
        tuple(int(n) for n in re.findall(r"lines (\d+) and (\d+)", f.message)[0]) for f in findings(org, "DP304")
    }
    assert reported == pairs


def test_tiny_thresholds_with_many_decimal_places_are_exact_too(org):
    text = decision(
        NUMBER,
        """\
        - when: {effort-days: ">=0.00000000000000000000000000000001"}
          go: a
        - when: {effort-days: "<0.00000000000000000000000000000001"}
          go: b
        """,
        "ab",
    )
    org.write(DEC, text)
    assert org.codes() == []
