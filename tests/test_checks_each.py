"""Each check on its own: a tiny folder is loaded into the model, then ONE check
module's ``check`` runs on it (not the pipeline), and its findings are compared
with their exact places. The loader must find nothing in these folders, so every
finding here is the check's own; and a check reports only the rules its module
declares in ``RULES``.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from decision_paths.checks import (
    CHECK_MODULES,
    CheckContext,
    branches,
    calendars,
    four_eyes,
    graph,
    people,
    references,
    review,
)
from decision_paths.load.decisions import LoadResult, load_folder

TODAY = dt.date(2026, 11, 23)

SHARED = """\
people:
  li-na: {name: 李娜}
  wang-wei: {name: 王伟}
roles:
  manager: {title: Manager, held_by: [li-na]}
  lead: {title: Lead, held_by: [wang-wei]}
calendars:
  shanghai: {country: CN, timezone: Asia/Shanghai}
"""

DECISION = """\
title: Quote
summary: A price for a client.
owner: lead
reviewed: 2026-10-01
review_every: 180 days
start: intake
stages:
  intake:
    title: Log it
    who: manager
    within: 1 business day
    next: answer
  answer:
    title: Answer
    who: lead
    within: 2 business days
"""

# A decision that branches on one number input; line 13 holds the first condition.
BRANCHING = """\
title: Discount
summary: A lower price.
owner: lead
reviewed: 2026-10-01
start: ask
inputs:
  amount: {label: Amount, type: number}
stages:
  ask:
    title: Ask
    who: manager
    within: 1 business day
    next:
      - when: {amount: "<10000"}
        go: small
      - when: {amount: ">=10000"}
        go: large
  small:
    title: Small
    who: manager
    within: 1 business day
  large:
    title: Large
    who: lead
    within: 2 business days
"""

Found = tuple[str, str, int, int]


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def load(tmp_path: Path, files: dict[str, str]) -> tuple[LoadResult, Path]:
    folder = tmp_path / "decisions"
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    result = load_folder(str(folder))
    assert [f.to_text() for f in result.findings] == []  # the format is fine: what follows is the check's
    return result, folder


def run(
    module: ModuleType,
    tmp_path: Path,
    files: dict[str, str],
    today: dt.date = TODAY,
    *,
    incomplete: bool = False,
    shared_incomplete: bool = False,
) -> list[Found]:
    """(rule name, file in the folder, line, column) of each finding of ``module.check`` alone."""
    result, folder = load(tmp_path, files)
    found = list(module.check(result.org, CheckContext(today, incomplete, shared_incomplete)))
    assert {f.rule for f in found} <= set(module.RULES), "a check reports only the rules its module declares"
    return [(f.rule.name, str(Path(f.loc.file).relative_to(folder)), f.loc.line, f.loc.column) for f in found]


def messages(module: ModuleType, tmp_path: Path, files: dict[str, str]) -> list[str]:
    result, _ = load(tmp_path, files)
    return [f.message for f in module.check(result.org, CheckContext(TODAY))]


@pytest.mark.parametrize("module", CHECK_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_a_clean_folder_gives_no_finding(module: ModuleType, tmp_path: Path) -> None:
    assert run(module, tmp_path, {"_org.yaml": SHARED, "quote.yaml": DECISION, "discount.yaml": BRANCHING}) == []


# ------------------------------------------------------------------ references


def test_references_unknown_role_at_the_id_with_a_suggestion(tmp_path: Path) -> None:
    files = {"_org.yaml": SHARED, "quote.yaml": changed(DECISION, "who: manager", "who: manger")}
    assert run(references, tmp_path, files) == [("unknown-role", "quote.yaml", 10, 10)]
    assert messages(references, tmp_path / "again", files) == [
        "stage 'intake' who names 'manger', which is neither a role nor a person; did you mean 'manager'?"
    ]


def test_references_unknown_stage_and_calendar(tmp_path: Path) -> None:
    decision = changed(DECISION, "next: answer", "next: anwser")
    decision = changed(decision, "owner: lead\n", "owner: lead\ncalendar: beijing\n")
    assert run(references, tmp_path, {"_org.yaml": SHARED, "quote.yaml": decision}) == [
        ("unknown-calendar", "quote.yaml", 4, 11),
        ("unknown-stage", "quote.yaml", 13, 11),
    ]


def test_references_people_who_left_roles_nobody_holds_and_self_backup(tmp_path: Path) -> None:
    shared = changed(SHARED, "li-na: {name: 李娜}", "li-na: {name: 李娜, active: false}")
    shared = changed(
        shared, "lead: {title: Lead, held_by: [wang-wei]}", "lead: {title: Lead, held_by: [], backup: [lead]}"
    )
    assert run(references, tmp_path, {"_org.yaml": shared, "quote.yaml": DECISION}) == [
        ("inactive-person", "_org.yaml", 5, 39),
        ("self-backup", "_org.yaml", 6, 45),
        ("role-without-holder", "quote.yaml", 15, 10),
    ]


def test_references_reserved_id_and_a_second_calendar_without_default(tmp_path: Path) -> None:
    shared = changed(SHARED, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n  index: {name: Index}\n")
    shared += "  hongkong: {country: HK, timezone: Asia/Hong_Kong}\n"
    assert run(references, tmp_path, {"_org.yaml": shared, "quote.yaml": DECISION}) == [
        ("reserved-id", "_org.yaml", 4, 3),
        ("missing-key", "_org.yaml", 10, 3),
    ]


def test_references_hold_back_unknown_ids_when_shared_data_is_incomplete(tmp_path: Path) -> None:
    files = {"_org.yaml": SHARED, "quote.yaml": changed(DECISION, "who: manager", "who: manger")}
    assert run(references, tmp_path, files, shared_incomplete=True) == []


def test_references_unknown_input_in_a_branch(tmp_path: Path) -> None:
    decision = changed(BRANCHING, 'when: {amount: "<10000"}', 'when: {amont: "<10000"}')
    assert run(references, tmp_path, {"_org.yaml": SHARED, "discount.yaml": decision}) == [
        ("unknown-input", "discount.yaml", 14, 16)
    ]


# ----------------------------------------------------------------------- graph


def test_graph_a_loop_at_the_edge_that_closes_it(tmp_path: Path) -> None:
    decision = DECISION + "    next: intake\n"
    assert run(graph, tmp_path, {"_org.yaml": SHARED, "quote.yaml": decision}) == [("cycle", "quote.yaml", 17, 11)]


def test_graph_a_stage_nothing_leads_to(tmp_path: Path) -> None:
    decision = DECISION + "  orphan:\n    title: Orphan\n    who: lead\n    within: 1 business day\n"
    assert run(graph, tmp_path, {"_org.yaml": SHARED, "quote.yaml": decision}) == [
        ("unreachable-stage", "quote.yaml", 17, 3)
    ]


def test_graph_a_stage_reached_only_through_a_branch_is_reachable(tmp_path: Path) -> None:
    assert run(graph, tmp_path, {"_org.yaml": SHARED, "discount.yaml": BRANCHING}) == []


# -------------------------------------------------------------------- branches


def test_branches_gap_at_the_next_key(tmp_path: Path) -> None:
    decision = changed(BRANCHING, '">=10000"', '">10000"')  # 10000 itself matches neither
    assert run(branches, tmp_path, {"_org.yaml": SHARED, "discount.yaml": decision}) == [
        ("branch-gap", "discount.yaml", 13, 5)
    ]


def test_branches_overlap_at_the_second_branch(tmp_path: Path) -> None:
    decision = changed(BRANCHING, '"<10000"', '"<=10000"')  # 10000 matches both
    assert run(branches, tmp_path, {"_org.yaml": SHARED, "discount.yaml": decision}) == [
        ("branch-overlap", "discount.yaml", 16, 9)
    ]


def test_branches_unused_input_and_a_condition_of_the_wrong_kind(tmp_path: Path) -> None:
    decision = changed(
        BRANCHING,
        "  amount: {label: Amount, type: number}\n",
        "  amount: {label: Amount, type: number}\n  rush: {label: Rush, type: yes-no}\n",
    )
    decision = changed(decision, 'when: {amount: ">=10000"}', "when: {amount: large}")
    assert run(branches, tmp_path, {"_org.yaml": SHARED, "discount.yaml": decision}) == [
        ("condition-type", "discount.yaml", 17, 24),
        ("unused-input", "discount.yaml", 8, 3),
    ]


def test_branches_unknown_option_with_a_suggestion(tmp_path: Path) -> None:
    decision = changed(
        BRANCHING, "amount: {label: Amount, type: number}", "tier: {label: Tier, type: choice, options: [gold, silver]}"
    )
    decision = changed(decision, 'when: {amount: "<10000"}', "when: {tier: gold}")
    decision = changed(decision, 'when: {amount: ">=10000"}', "when: {tier: silvr}")
    files = {"_org.yaml": SHARED, "discount.yaml": decision}
    assert run(branches, tmp_path, files) == [("unknown-option", "discount.yaml", 16, 22)]
    assert messages(branches, tmp_path / "again", files) == [
        "'silvr' is not an option of 'tier' (gold, silver); did you mean 'silver'?"
    ]


def test_branches_an_otherwise_closes_the_gap(tmp_path: Path) -> None:
    decision = changed(BRANCHING, '- when: {amount: ">=10000"}\n        go: large', "- otherwise: large")
    assert run(branches, tmp_path, {"_org.yaml": SHARED, "discount.yaml": decision}) == []


# ---------------------------------------------------------------------- people


def test_people_idle_person_and_empty_role(tmp_path: Path) -> None:
    shared = changed(SHARED, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n  zhao-lei: {name: 赵磊}\n")
    shared = changed(shared, "calendars:\n", "  auditor: {title: Auditor, held_by: []}\ncalendars:\n")
    assert run(people, tmp_path, {"_org.yaml": shared, "quote.yaml": DECISION}) == [
        ("idle-person", "_org.yaml", 4, 3),
        ("empty-role", "_org.yaml", 8, 3),
    ]


def test_people_hold_back_idle_and_empty_when_a_file_is_missing(tmp_path: Path) -> None:
    shared = changed(SHARED, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n  zhao-lei: {name: 赵磊}\n")
    assert run(people, tmp_path, {"_org.yaml": shared, "quote.yaml": DECISION}, incomplete=True) == []


def test_people_approvers_away_today_only(tmp_path: Path) -> None:
    shared = changed(SHARED, "li-na: {name: 李娜}", "li-na: {name: 李娜, away: {from: 2026-11-20, until: 2026-11-27}}")
    files = {"_org.yaml": shared, "quote.yaml": DECISION}
    assert run(people, tmp_path, files) == [("approvers-away", "quote.yaml", 10, 10)]
    assert run(people, tmp_path / "later", files, today=dt.date(2026, 11, 30)) == []


def test_people_a_backup_who_is_in_stands_in(tmp_path: Path) -> None:
    shared = changed(SHARED, "li-na: {name: 李娜}", "li-na: {name: 李娜, away: {from: 2026-11-20, until: 2026-11-27}}")
    shared = changed(shared, "held_by: [li-na]}", "held_by: [li-na], backup: [wang-wei]}")
    assert run(people, tmp_path, {"_org.yaml": shared, "quote.yaml": DECISION}) == []


# ------------------------------------------------------------------- four eyes


def test_four_eyes_independent_of_broken_through_a_backup(tmp_path: Path) -> None:
    shared = changed(
        SHARED,
        "lead: {title: Lead, held_by: [wang-wei]}",
        "lead: {title: Lead, held_by: [wang-wei], backup: [manager]}",
    )
    decision = changed(DECISION, "    who: lead\n", "    who: lead\n    independent_of: [intake]\n")
    assert run(four_eyes, tmp_path, {"_org.yaml": shared, "quote.yaml": decision}) == [
        ("four-eyes", "quote.yaml", 16, 22)
    ]


def test_four_eyes_a_stand_in_twice_only_while_someone_is_away(tmp_path: Path) -> None:
    shared = changed(
        SHARED,
        "lead: {title: Lead, held_by: [wang-wei]}",
        "lead: {title: Lead, held_by: [wang-wei], backup: [manager]}",
    )
    assert run(four_eyes, tmp_path / "in", {"_org.yaml": shared, "quote.yaml": DECISION}) == []
    away = changed(
        shared, "wang-wei: {name: 王伟}", "wang-wei: {name: 王伟, away: {from: 2026-12-01, until: 2026-12-02}}"
    )
    assert run(four_eyes, tmp_path / "away", {"_org.yaml": away, "quote.yaml": DECISION}) == [
        ("stand-in-twice", "quote.yaml", 15, 10)
    ]


def test_four_eyes_escalation_to_the_approver(tmp_path: Path) -> None:
    decision = changed(DECISION, "    who: lead\n", "    who: lead\n    escalate_to: lead\n")
    assert run(four_eyes, tmp_path, {"_org.yaml": SHARED, "quote.yaml": decision}) == [
        ("escalates-to-approver", "quote.yaml", 16, 18)
    ]


# ------------------------------------------------------------------- calendars


def test_calendars_country_with_a_suggestion_and_timezone(tmp_path: Path) -> None:
    shared = changed(SHARED, "{country: CN, timezone: Asia/Shanghai}", "{country: cn, timezone: Asia/Shanghia}")
    files = {"_org.yaml": shared, "quote.yaml": DECISION}
    assert run(calendars, tmp_path, files) == [
        ("invalid-value", "_org.yaml", 8, 23),
        ("invalid-value", "_org.yaml", 8, 37),
    ]
    assert "did you mean 'CN'?" in messages(calendars, tmp_path / "again", files)[0]


def test_calendars_subdivision_of_the_country(tmp_path: Path) -> None:
    shared = changed(
        SHARED, "{country: CN, timezone: Asia/Shanghai}", "{country: CN, subdivision: XX, timezone: Asia/Shanghai}"
    )
    assert run(calendars, tmp_path, {"_org.yaml": shared, "quote.yaml": DECISION}) == [
        ("invalid-value", "_org.yaml", 8, 40)
    ]


def test_calendars_a_real_region_is_fine(tmp_path: Path) -> None:
    shared = changed(
        SHARED,
        "{country: CN, timezone: Asia/Shanghai}",
        "{country: US, subdivision: CA, timezone: America/Los_Angeles}",
    )
    assert run(calendars, tmp_path, {"_org.yaml": shared, "quote.yaml": DECISION}) == []


# ---------------------------------------------------------------------- review


def test_review_never_reviewed_at_the_decision(tmp_path: Path) -> None:
    decision = changed(DECISION, "reviewed: 2026-10-01\nreview_every: 180 days\n", "")
    assert run(review, tmp_path, {"_org.yaml": SHARED, "quote.yaml": decision}) == [
        ("never-reviewed", "quote.yaml", 1, 1)
    ]


def test_review_overdue_at_the_reviewed_key(tmp_path: Path) -> None:
    decision = changed(DECISION, "reviewed: 2026-10-01", "reviewed: 2026-01-01")  # + 180 days = 2026-06-30
    files = {"_org.yaml": SHARED, "quote.yaml": decision}
    assert run(review, tmp_path, files) == [("review-overdue", "quote.yaml", 4, 1)]
    assert run(review, tmp_path / "earlier", files, today=dt.date(2026, 6, 30)) == []


def test_review_in_the_future(tmp_path: Path) -> None:
    decision = changed(DECISION, "reviewed: 2026-10-01", "reviewed: 2027-01-01")
    assert run(review, tmp_path, {"_org.yaml": SHARED, "quote.yaml": decision}) == [
        ("reviewed-in-future", "quote.yaml", 4, 1)
    ]
