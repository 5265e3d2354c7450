"""Small holes found by trying hostile and odd inputs: each one is a finding at its place."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import DECISION, SHARED, Org

FILE = "sales/scope-change.yaml"


def line_col(text: str, part: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), 1):
        if part in line:
            return number, line.index(part) + 1
    raise AssertionError(part)


@pytest.mark.parametrize(
    "kind, shared",
    [
        ("person", SHARED.replace("  wang-wei: {name: 王伟}", "  wang-wei: {name: 王伟}\n  index: {name: Index}")),
        ("role", SHARED.replace("  delivery-lead:", "  index: {title: Index, held_by: [wang-wei]}\n  delivery-lead:")),
    ],
)
def test_an_id_the_site_needs_for_its_list_page_is_refused(org: Org, kind: str, shared: str) -> None:
    org.write("_org.yaml", shared)
    line, column = line_col(shared, "index:")
    assert ("DP209", "_org.yaml", line, column) in org.codes()
    message = next(f.message for f in org.findings() if f.rule.code == "DP209")
    assert f"'index' cannot be a {kind} id" in message and "list" in message


def test_a_decision_named_index_is_refused(org: Org) -> None:
    org.write("sales/index.yaml", DECISION)
    assert ("DP209", "sales/index.yaml", 1, 1) in org.codes()


def test_a_role_named_as_its_own_backup_is_an_error(org: Org) -> None:
    shared = SHARED.replace("held_by: [wang-wei]}", "held_by: [wang-wei], backup: [delivery-lead]}")
    org.write("_org.yaml", shared)
    line = line_col(shared, "delivery-lead:")[0]
    column = shared.splitlines()[line - 1].index("[delivery-lead]") + 2
    assert ("DP208", "_org.yaml", line, column) in org.codes()
    assert "own backup" in next(f.message for f in org.findings() if f.rule.code == "DP208")


def test_roles_that_stand_in_for_each_other_build_but_are_pointed_out(org: Org) -> None:
    # a stand-in is one level deep, so covering for each other never goes round; but when
    # both are away nobody acts, and the editor is told so (a warning, not an error)
    shared = SHARED.replace("held_by: [wang-wei]}", "held_by: [wang-wei], backup: [account-manager]}").replace(
        "held_by: [li-na]}", "held_by: [li-na], backup: [delivery-lead]}"
    )
    org.write("_org.yaml", shared)
    assert [code for code, *_ in org.codes()] == ["DP211"]
    assert not any(f.is_error for f in org.findings())


def test_a_person_named_twice_in_who_is_an_error_at_the_second(org: Org) -> None:
    text = DECISION.replace("    who: account-manager\n", "    who: {all: [account-manager, account-manager]}\n")
    org.write(FILE, text)
    line, second = line_col(text, "account-manager]")
    assert ("DP107", FILE, line, second) in org.codes()
    assert "'account-manager' is listed twice" in next(f.message for f in org.findings() if f.rule.code == "DP107")


def test_a_reviewed_date_in_the_future_is_a_warning(org: Org) -> None:
    text = DECISION.replace("reviewed: 2026-10-01", "reviewed: 2062-10-01")
    org.write(FILE, text)
    found = [f for f in org.findings(dt.date(2026, 11, 23)) if f.rule.code == "DP407"]
    assert [(f.loc.line, f.loc.column) for f in found] == [line_col(text, "reviewed:")]
    assert not found[0].is_error and "after today (2026-11-23)" in found[0].message


def test_a_tab_in_the_indentation_says_tab(org: Org) -> None:
    org.write(FILE, DECISION.replace("    title: Log it\n", "\ttitle: Log it\n"))
    (found,) = org.findings()
    assert found.rule.code == "DP001" and "indented with a tab" in found.message and "spaces" in found.message


@pytest.mark.parametrize("word, option", [("yes", "yes"), ("on", "on"), ("no", "no")])
def test_an_unquoted_yes_or_on_for_a_choice_explains_what_yaml_did(org: Org, word: str, option: str) -> None:
    text = DECISION.replace(
        "  effort-days: {label: Effort, type: number}",
        "  effort-days: {label: Effort, type: number}\n  answer: {label: Answer, type: choice, options: [yes, no, on]}",
    ).replace('      - when: {effort-days: "<=20"}', f'      - when: {{effort-days: "<=20", answer: {word}}}')
    text = text.replace("options: [yes, no, on]", "options: ['yes', 'no', 'on']")
    org.write(FILE, text)
    found = [f for f in org.findings() if f.rule.code == "DP305"]
    assert len(found) == 1, [f.to_text() for f in org.findings()]
    message = found[0].message
    assert "YAML reads an unquoted" in message and f'{{answer: "{option}"}}' in message
