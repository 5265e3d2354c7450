"""Four eyes (SPEC section 4): nobody approves what they checked, even while standing in.

Each folder here is written from YAML and checked by `decision-paths validate`, so the
findings are what an editor sees: exact places, who, which stages, and the way out."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from site_helpers import REPO, TODAY, run_cli, write_org

DAY = dt.date.fromisoformat(TODAY)

PEOPLE = """\
people:
  li-na: {name: 李娜}
  wang-wei: {name: 王伟}
  zhao-lei: {name: 赵磊}
calendars:
  shanghai: {country: CN, timezone: Asia/Shanghai}
"""


def shared(*, approver_backup: str = "checker", away: str = "") -> str:
    wang = f"  wang-wei: {{name: 王伟, away: {away}}}\n" if away else "  wang-wei: {name: 王伟}\n"
    return (
        PEOPLE.replace("  wang-wei: {name: 王伟}\n", wang)
        + f"""roles:
  checker: {{title: Checker, held_by: [li-na]}}
  approver: {{title: Approver, held_by: [wang-wei], backup: [{approver_backup}]}}
  director: {{title: Director, held_by: [zhao-lei]}}
"""
    )


def decision(*, independent: str = "", escalate: str = "director") -> str:
    line = f"    independent_of: [{independent}]\n" if independent else ""
    return f"""\
title: Refund
summary: Money back.
owner: director
reviewed: 2026-10-01
start: check
stages:
  check:
    title: Check
    who: checker
    within: 2 business days
    next: approve
  approve:
    title: Approve
    who: approver
{line}    within: 2 business days
    escalate_to: {escalate}
"""


def validate(root: Path) -> list[str]:
    done = run_cli("validate", "--today", TODAY, cwd=root)
    return [line for line in done.out.splitlines() if ": error: " in line or ": warning: " in line]


def test_a_backup_who_also_checks_breaks_independent_of(tmp_path: Path) -> None:
    write_org(tmp_path, {"_shared.yaml": shared(), "refund.yaml": decision(independent="check")})
    (found,) = validate(tmp_path)
    # at the stage id inside independent_of: line 15, column 22
    assert found.startswith("decisions/refund.yaml:15:22: error: four eyes: 李娜 ('li-na') could act at stage ")
    assert "'approve' (stands in for 'approver' through its backup 'checker')" in found
    assert "and at 'check' (holds 'checker')" in found
    assert found.endswith("[DP210 four-eyes]")


def test_independent_of_holds_when_the_backup_is_someone_else(tmp_path: Path) -> None:
    write_org(
        tmp_path, {"_shared.yaml": shared(approver_backup="director"), "refund.yaml": decision(independent="check")}
    )
    assert validate(tmp_path) == []


def test_independent_of_an_unknown_stage_suggests_the_right_one(tmp_path: Path) -> None:
    write_org(
        tmp_path, {"_shared.yaml": shared(approver_backup="director"), "refund.yaml": decision(independent="chek")}
    )
    assert validate(tmp_path) == [
        "decisions/refund.yaml:15:22: error: stage 'approve' independent_of 'chek' is not a stage of this "
        "decision; did you mean 'check'? [DP202 unknown-stage]"
    ]


def test_a_stand_in_acting_twice_in_the_next_30_days_is_a_warning(tmp_path: Path) -> None:
    first = DAY + dt.timedelta(days=12)
    away = f"{{from: {first}, until: {first + dt.timedelta(days=5)}}}"
    write_org(tmp_path, {"_shared.yaml": shared(away=away), "refund.yaml": decision()})
    (found,) = validate(tmp_path)
    assert found.startswith(f"decisions/refund.yaml:14:10: warning: on {first} 李娜 ('li-na') would act at stage ")
    assert "add independent_of: [check] to 'approve'" in found
    assert found.endswith("[DP408 stand-in-twice]")


def test_an_absence_beyond_30_days_is_not_warned_about_yet(tmp_path: Path) -> None:
    first = DAY + dt.timedelta(days=31)
    away = f"{{from: {first}, until: {first + dt.timedelta(days=5)}}}"
    write_org(tmp_path, {"_shared.yaml": shared(away=away), "refund.yaml": decision()})
    assert validate(tmp_path) == []


def test_one_person_for_two_approvers_of_one_stage_is_a_warning(tmp_path: Path) -> None:
    away = f"{{from: {DAY}, until: {DAY + dt.timedelta(days=3)}}}"
    text = decision().replace("    who: approver\n", "    who: {all: [approver, checker]}\n")
    write_org(tmp_path, {"_shared.yaml": shared(away=away), "refund.yaml": text})
    (both,) = [f for f in validate(tmp_path) if "would act for both" in f]
    assert both.startswith(f"decisions/refund.yaml:14:10: warning: on {DAY} 李娜 ('li-na') would act for both ")
    assert "'approver' and 'checker' at stage 'approve', which needs them as different people" in both


def test_escalating_to_the_stage_s_own_approver_is_a_warning(tmp_path: Path) -> None:
    write_org(
        tmp_path,
        {"_shared.yaml": shared(approver_backup="director"), "refund.yaml": decision(escalate="approver")},
    )
    assert validate(tmp_path) == [
        "decisions/refund.yaml:16:18: warning: stage 'approve' escalates to 'approver', who approves it: when it "
        "is late nobody else hears of it; escalate to the approver's manager [DP409 escalates-to-approver]"
    ]


def test_backups_in_a_loop_are_a_warning(tmp_path: Path) -> None:
    text = shared(approver_backup="director").replace(
        "  director: {title: Director, held_by: [zhao-lei]}\n",
        "  director: {title: Director, held_by: [zhao-lei], backup: [approver]}\n",
    )
    write_org(tmp_path, {"_shared.yaml": text, "refund.yaml": decision(escalate="checker")})
    (found,) = validate(tmp_path)
    assert found.startswith("decisions/_shared.yaml:9:61: warning: backups go round in a loop: approver -> director")
    assert found.endswith("[DP211 backup-loop]")


def test_only_hours_may_have_a_fraction_even_a_zero_one(tmp_path: Path) -> None:
    text = decision().replace(
        "    within: 2 business days\n    next: approve", "    within: 1.0 business days\n    next: approve"
    )
    write_org(tmp_path, {"_shared.yaml": shared(approver_backup="director"), "refund.yaml": text})
    (found,) = validate(tmp_path)
    assert found.startswith("decisions/refund.yaml:10:13: error: stage 'check' within: '1.0 business days': only")


@pytest.mark.slow
def test_the_sample_keeps_its_own_four_eyes_notes_and_the_old_backup_is_caught(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    shutil.copytree(REPO / "decisions", sample / "decisions")
    assert validate(sample) == []
    roles = sample / "decisions" / "_roles.yaml"
    text = roles.read_text(encoding="utf-8")
    roles.write_text(text.replace("backup: [deputy-finance-controller]", "backup: [finance-manager]"), "utf-8")
    found = validate(sample)
    four_eyes = [f for f in found if "[DP210 four-eyes]" in f]
    places = {f.split(": error:")[0] for f in four_eyes}
    assert {p.rsplit(":", 2)[0] for p in places} == {
        "decisions/finance/refund-request.yaml",
        "decisions/finance/expense-approval.yaml",
        "decisions/sales/discount-exception.yaml",
    }
    assert all("林雪 ('lin-xue')" in f for f in four_eyes)
    assert len(four_eyes) == 5, four_eyes
