"""One run of validate reports every independent problem (issue 12, point 8), as
Ruff or yamllint do: a part of a decision that cannot be read does not hide the
mistakes in the parts that can, in the same stage, another stage or another
file. Each test breaks several things of the minimal organisation of
conftest.py at once and asserts every finding, with its exact place.

A decision read in part is kept apart (``Organisation.partial_decisions``): the
checks that judge one part at a time see it, those that need the decision whole
(paths, coverage) and everything after the checks (pages, queries) do not.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from conftest import DECISION, REPO, TODAY

from decision_paths.cli.commands import UsageError, _decision
from decision_paths.load.decisions import load_folder

DEC = "sales/scope-change.yaml"
OTHER = "delivery/late.yaml"
COMMAND = REPO / ".venv" / "bin" / "decision-paths"

# The places in DECISION (conftest.py) that the tests break.
INTAKE_WHO = "    who: account-manager\n"  # line 12, the id at column 10
INTAKE_WITHIN = "    within: 1 business day\n"  # line 13, the value at column 13
ANSWER_WHO = "    who: delivery-lead\n"  # line 20, the id at column 10
ANSWER_WITHIN = "    within: 4个工作小时\n"  # line 21, the value at column 13


def changed(text: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} must occur exactly once"
        text = text.replace(old, new)
    return text


# A duration that is not one in 'intake', a mistyped role in 'answer'.
BOTH = changed(DECISION, (INTAKE_WITHIN, "    within: 2 fortnights\n"), (ANSWER_WHO, "    who: delivery-led\n"))


def messages(org, code: str) -> list[str]:
    return [f.message for f in org.findings() if f.rule.code == code]


def test_a_bad_duration_does_not_hide_an_unknown_role_in_another_stage(org):
    org.write(DEC, BOTH)
    assert org.codes() == [("DP105", DEC, 13, 13), ("DP201", DEC, 20, 10)]
    assert "stage 'intake' within: '2 fortnights' is not a duration" in messages(org, "DP105")[0]
    (unknown,) = messages(org, "DP201")
    assert "stage 'answer' who names 'delivery-led'" in unknown
    assert unknown.endswith("did you mean 'delivery-lead'?")


def test_a_bad_duration_does_not_hide_an_unknown_role_in_the_same_stage(org):
    org.write(DEC, changed(DECISION, (ANSWER_WHO, "    who: delivery-led\n"), (ANSWER_WITHIN, "    within: soon\n")))
    assert org.codes() == [("DP201", DEC, 20, 10), ("DP105", DEC, 21, 13)]
    assert messages(org, "DP201")[0].endswith("did you mean 'delivery-lead'?")


def test_two_bad_stages_and_a_bad_other_file_all_show_in_one_run(org):
    org.write(
        DEC,
        changed(
            DECISION,
            (INTAKE_WHO, "    who: account-managr\n"),
            (INTAKE_WITHIN, "    within: 2 fortnights\n"),
            (ANSWER_WHO, "    who: delivery-led\n"),
            (ANSWER_WITHIN, "    within: soon\n"),
        ),
    )
    # the other file: no title (its key is missing), an owner who is not there, a role typo
    org.write(
        OTHER,
        changed(
            DECISION,
            ("title: Scope change\n", ""),
            ("owner: delivery-lead\n", "owner: boss\n"),
            (INTAKE_WHO, "    who: acount-manager\n"),
        ),
    )
    assert org.codes() == [
        ("DP103", OTHER, 1, 1),  # the missing title, at the file
        ("DP201", OTHER, 2, 8),  # owner: boss (a line up: no title line)
        ("DP201", OTHER, 11, 10),
        ("DP201", DEC, 12, 10),
        ("DP105", DEC, 13, 13),
        ("DP201", DEC, 20, 10),
        ("DP105", DEC, 21, 13),
    ]
    unknown = messages(org, "DP201")
    assert any(m.endswith("did you mean 'account-manager'?") and "'acount-manager'" in m for m in unknown)
    assert any(m.endswith("did you mean 'account-manager'?") and "'account-managr'" in m for m in unknown)
    assert any(m.endswith("did you mean 'delivery-lead'?") for m in unknown)


def test_validate_prints_both_problems_of_one_file_in_one_run(org):
    org.write(DEC, BOTH)
    done = subprocess.run(
        [str(COMMAND), "validate", "--today", "2026-11-23"], capture_output=True, encoding="utf-8", timeout=120
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert re.match(r"^decisions/sales/scope-change\.yaml:13:13: error: stage 'intake' within: .*\[DP105 ", lines[0])
    assert lines[1:] == [
        "decisions/sales/scope-change.yaml:20:10: error: stage 'answer' who names 'delivery-led', which is neither "
        "a role nor a person; did you mean 'delivery-lead'? [DP201 unknown-role]",
        "2 files checked: 2 errors, 0 warnings",
    ]


# ----------------------------------------------------- what a part that was not read hides


def test_a_stage_that_could_not_be_read_is_still_a_stage_to_point_at(org):
    text = changed(DECISION, (ANSWER_WHO, ""), (ANSWER_WITHIN, ""), ("    title: Answer\n", ""))
    text = changed(text, ("  answer:\n", "  answer: to be written\n"))
    org.write(DEC, text)
    # the stage is text, not a mapping: that is the one finding; 'go: answer' is not unknown
    assert org.codes() == [("DP102", DEC, 18, 11)]


def test_an_input_that_could_not_be_read_is_not_called_unknown(org):
    org.write(DEC, changed(DECISION, ("{label: Effort, type: number}", "{label: Effort, type: amount}")))
    # the type is not one of the three: that is the one finding; the condition on it is not unknown
    assert org.codes() == [("DP107", DEC, 7, 38)]


def test_a_decision_with_only_its_optional_parts_is_still_checked(org):
    org.write(OTHER, "calendar: shangai\nanswer: done\n")
    codes = org.codes()
    # each required key is missing, at the file; what was written is checked (the calendar,
    # with its suggestion), and no id is called unknown that may be in a part not written
    assert codes == [("DP103", OTHER, 1, 1)] * 5 + [("DP402", OTHER, 1, 1), ("DP203", OTHER, 1, 11)]
    assert messages(org, "DP203")[0].endswith("did you mean 'shanghai'?")


def test_checks_that_need_the_whole_decision_wait_for_it(org):
    # a branch gap and a stage nothing reaches, but a duration that cannot be read:
    # only the duration and the unknown role show; the gap and the orphan wait until it is fixed
    text = changed(
        DECISION,
        ("      - otherwise: answer\n", '      - when: {effort-days: ">30"}\n        go: answer\n'),
        (INTAKE_WITHIN, "    within: 2 fortnights\n"),
    )
    text += "  orphan:\n    title: Orphan\n    who: delivery-leed\n    within: 1 business day\n"
    org.write(DEC, text)
    assert org.codes() == [("DP105", DEC, 13, 13), ("DP201", DEC, 25, 10)]
    org.write(DEC, changed(text, ("    within: 2 fortnights\n", INTAKE_WITHIN)))
    assert org.codes() == [("DP303", DEC, 14, 5), ("DP302", DEC, 23, 3), ("DP201", DEC, 25, 10)]


# ----------------------------------------------------- nothing after the checks sees it


def test_a_decision_read_in_part_is_kept_apart_from_the_complete_ones(org):
    org.write(DEC, changed(DECISION, (INTAKE_WITHIN, "    within: 2 fortnights\n")))
    loaded = load_folder(str(org.folder))
    assert loaded.incomplete
    assert "scope-change" not in loaded.org.decisions
    partial = loaded.org.partial_decisions["scope-change"]
    assert not partial.complete and partial.stages["intake"].unread == {"within"}
    assert partial.stages["intake"].who.members[0].id == "account-manager"  # what was read is there
    with pytest.raises(UsageError, match=r"^decision 'scope-change' has errors: run decision-paths validate"):
        _decision(loaded.org, "scope-change")


@pytest.mark.parametrize(
    "query",
    [
        ("timeline", "scope-change", "--start", "2026-11-20", "--set", "effort-days=3"),
        ("who", "scope-change", "--today", TODAY.isoformat()),
    ],
)
def test_queries_on_a_decision_read_in_part_list_its_findings(org, query):
    # as for any errors (test_query_cli): exit 1 and the findings, both of them, never a traceback
    org.write(DEC, BOTH)
    done = subprocess.run([str(COMMAND), *query], capture_output=True, encoding="utf-8", timeout=120)
    assert "Traceback" not in done.stderr
    assert done.returncode == 1 and done.stdout == "", (done.returncode, done.stdout, done.stderr)
    assert re.findall(r"^decisions/sales/scope-change\.yaml:(\d+:\d+): error: .*\[(DP\d+) ", done.stderr, re.M) == [
        ("13:13", "DP105"),
        ("20:10", "DP201"),
    ]
