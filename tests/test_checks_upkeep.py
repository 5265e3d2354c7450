"""Upkeep warnings (SPEC section 10): reviews (DP401, DP402), people and roles
(DP403, DP405) and approvers away today (DP404). Warnings never make a folder fail.
"""

from __future__ import annotations

import datetime as dt

from conftest import DECISION, SHARED, TODAY

DEC = "sales/scope-change.yaml"
ORG = "_org.yaml"


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def only(org, code: str, today: dt.date = TODAY):
    found = [f for f in org.findings(today) if f.rule.code == code]
    assert len(found) == 1, [f.to_text() for f in org.findings(today)]
    return found[0]


def codes_of(org, today: dt.date = TODAY) -> list[str]:
    return [c[0] for c in org.codes(today)]


# ------------------------------------------------------------ DP401 review-overdue

OLD_REVIEW = changed(DECISION, "reviewed: 2026-10-01\n", "reviewed: 2026-01-01\n")  # + 180 days = 2026-06-30


def test_review_overdue_is_a_warning_at_the_reviewed_key(org):
    org.write(DEC, OLD_REVIEW)
    assert org.codes() == [("DP401", DEC, 4, 1)]
    found = only(org, "DP401")
    assert not found.is_error
    assert not org.validate().has_errors
    assert "review was due on 2026-06-30 (reviewed 2026-01-01 + 180 days)" in found.message
    assert "ask 'delivery-lead'" in found.message


def test_review_overdue_depends_on_today(org):
    org.write(DEC, OLD_REVIEW)
    assert org.codes(dt.date(2026, 6, 1)) == []
    assert org.codes(dt.date(2026, 6, 30)) == []  # due today: not yet overdue
    assert org.codes(dt.date(2026, 7, 1)) == [("DP401", DEC, 4, 1)]


def test_review_every_in_weeks(org):
    org.write(DEC, changed(OLD_REVIEW, "review_every: 180 days\n", "review_every: 26 weeks\n"))
    # 2026-01-01 + 182 days = 2026-07-02
    assert org.codes(dt.date(2026, 7, 2)) == []
    assert org.codes(dt.date(2026, 7, 3)) == [("DP401", DEC, 4, 1)]
    assert "review was due on 2026-07-02" in only(org, "DP401", dt.date(2026, 7, 3)).message


def test_recent_review_is_clean(org):
    assert org.codes() == []  # reviewed 2026-10-01, due 2027-03-30


# ------------------------------------------------------------ DP402 never-reviewed


def test_never_reviewed(org):
    org.write(DEC, changed(DECISION, "reviewed: 2026-10-01\nreview_every: 180 days\n", ""))
    assert org.codes() == [("DP402", DEC, 1, 1)]
    found = only(org, "DP402")
    assert not found.is_error
    assert "decision 'scope-change' has no reviewed date" in found.message
    assert "reviewed: 2026-11-23" in found.message  # today, ready to paste


# ------------------------------------------------------------ DP403 idle-person


def test_idle_person(org):
    org.write(
        ORG, changed(SHARED, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n  zhang-san: {name: 张三}\n")
    )
    assert org.codes() == [("DP403", ORG, 4, 3)]
    found = only(org, "DP403")
    assert not found.is_error
    assert "张三 ('zhang-san') holds no role and approves nothing" in found.message


def test_person_named_directly_by_a_stage_is_not_idle(org):
    org.write(
        ORG, changed(SHARED, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n  zhang-san: {name: 张三}\n")
    )
    org.write(DEC, changed(DECISION, "    who: delivery-lead\n", "    who: {any: [delivery-lead, zhang-san]}\n"))
    assert org.codes() == []


def test_person_who_is_only_a_backup_is_not_idle(org):
    shared = changed(SHARED, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n  zhang-san: {name: 张三}\n")
    org.write(ORG, changed(shared, "held_by: [li-na]}", "held_by: [li-na], backup: [zhang-san]}"))
    assert org.codes() == []


def test_idle_person_is_not_claimed_while_a_decision_cannot_be_read(org):
    # zhang-san may well approve in the broken file: do not tell the user otherwise.
    org.write(
        ORG, changed(SHARED, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n  zhang-san: {name: 张三}\n")
    )
    org.write("sales/broken.yaml", "title: [unclosed\n")
    assert "DP001" in codes_of(org)
    assert "DP403" not in codes_of(org)


# ------------------------------------------------------------ DP404 approvers-away


def away(start: str, until: str) -> str:
    """SHARED with li-na away between the two dates (inclusive)."""
    return changed(
        SHARED,
        "  li-na: {name: 李娜, email: li.na@example.com}\n",
        f"  li-na: {{name: 李娜, email: li.na@example.com, away: {{from: {start}, until: {until}}}}}\n",
    )


def test_only_holder_away_today_with_no_backup_is_a_warning_at_who(org):
    org.write(ORG, away("2026-11-20", "2026-11-23"))
    assert org.codes() == [("DP404", DEC, 12, 10)]
    found = only(org, "DP404")
    assert not found.is_error
    assert not org.validate().has_errors
    assert (
        "on 2026-11-23 stage 'intake' cannot be approved: 'account-manager' is away and nobody stands in"
        in found.message
    )


def test_away_dates_are_inclusive_and_follow_today(org):
    org.write(ORG, away("2026-12-20", "2027-01-03"))
    assert org.codes() == []  # TODAY is 2026-11-23
    assert org.codes(dt.date(2026, 12, 19)) == []
    assert org.codes(dt.date(2026, 12, 20)) == [("DP404", DEC, 12, 10)]
    assert org.codes(dt.date(2027, 1, 3)) == [("DP404", DEC, 12, 10)]
    assert org.codes(dt.date(2027, 1, 4)) == []


def test_role_backup_available_means_no_warning(org):
    shared = away("2026-11-20", "2026-11-23")
    org.write(ORG, changed(shared, "held_by: [li-na]}", "held_by: [li-na], backup: [delivery-lead]}"))
    # Nobody is left without an approver. (wang-wei, the backup, then acts at two stages of
    # one request: four eyes warns about that, see test_four_eyes.py.)
    assert [c for c in org.codes() if c[0] != "DP408"] == []
    assert [c[0] for c in org.codes()] == ["DP408"]


def test_role_backup_away_too_is_a_warning(org):
    shared = away("2026-11-20", "2026-11-23")
    shared = changed(
        shared, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟, away: {from: 2026-11-01, until: 2026-11-30}}\n"
    )
    org.write(ORG, changed(shared, "held_by: [li-na]}", "held_by: [li-na], backup: [wang-wei]}"))
    # wang-wei also holds delivery-lead, so stage 'answer' (line 20) has nobody either
    assert org.codes() == [("DP404", DEC, 12, 10), ("DP404", DEC, 20, 10)]


def test_one_holder_of_two_away_is_enough(org):
    org.write(ORG, changed(away("2026-11-20", "2026-11-23"), "held_by: [li-na]}", "held_by: [li-na, wang-wei]}"))
    assert org.codes() == []


PANEL = "    who: {at_least: 2, of: [li-na, wang-wei, zhang-san]}\n"


def panel_org(org, *away_people: str) -> None:
    shared = changed(SHARED, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n  zhang-san: {name: 张三}\n")
    for person in away_people:
        old = next(line for line in shared.splitlines(keepends=True) if line.startswith(f"  {person}:"))
        shared = changed(shared, old, old.replace("}\n", ", away: {from: 2026-11-01, until: 2026-11-30}}\n"))
    org.write(ORG, shared)
    org.write(DEC, changed(DECISION, "    who: delivery-lead\n", PANEL))


def test_at_least_two_of_three_with_one_away_is_clean(org):
    panel_org(org, "zhang-san")
    assert org.codes() == []


def test_at_least_two_of_three_with_two_away_is_a_warning(org):
    panel_org(org, "li-na", "zhang-san")
    # stage 'answer' who is on line 20; the mapping starts at column 10
    assert ("DP404", DEC, 20, 10) in org.codes()
    found = [f for f in org.findings() if f.rule.code == "DP404" and "stage 'answer'" in f.message]
    assert len(found) == 1
    assert "'li-na', 'zhang-san' are away" in found[0].message


def test_no_away_warning_for_a_person_who_has_left(org):
    # An inactive approver is an error (DP205); they are not "away", and one
    # problem should not be reported twice with a wrong reason.
    org.write(
        ORG,
        changed(
            SHARED, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n  zhao-lei: {name: 赵磊, active: false}\n"
        ),
    )
    org.write(DEC, changed(DECISION, "    who: delivery-lead\n", "    who: zhao-lei\n"))
    assert "DP205" in codes_of(org)
    assert "DP404" not in codes_of(org), [f.to_text() for f in org.findings()]


def test_no_away_warning_for_a_role_that_nobody_holds(org):
    # role-without-holder (DP206) is the error; nobody is away.
    org.write(ORG, changed(SHARED, "calendars:\n", "  legal: {title: Legal, held_by: []}\ncalendars:\n"))
    org.write(DEC, changed(DECISION, "    who: delivery-lead\n", "    who: legal\n"))
    assert "DP206" in codes_of(org)
    assert "DP404" not in codes_of(org), [f.to_text() for f in org.findings()]


# ------------------------------------------------------------ DP405 empty-role


def test_empty_role_not_named_by_any_stage_is_a_warning(org):
    org.write(ORG, changed(SHARED, "calendars:\n", "  legal: {title: Legal, held_by: []}\ncalendars:\n"))
    assert org.codes() == [("DP405", ORG, 7, 3)]
    found = only(org, "DP405")
    assert not found.is_error
    assert "role 'legal' has no holder" in found.message
