"""The loader (DP101-DP107, DP308): everything the format itself rules out is
reported at the exact key or value, with a message that says how to fix it;
and what is valid ends up in the typed model, positions included.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import DECISION, SHARED

from decision_paths.model.organisation import ChoiceTest, NumberTest, Visibility, WhoMode, YesNoTest
from decision_paths.model.units import Unit

FILE = "sales/scope-change.yaml"


def edit(text: str, old: str, new: str) -> str:
    assert old in text, f"test setup: {old!r} not in the text"
    return text.replace(old, new, 1)


def messages(org, code: str) -> list[str]:
    return [f.message for f in org.findings() if f.rule.code == code]


# ------------------------------------------------------------- DP101 unknown-key


def test_misspelt_within_suggests_the_right_key(org):
    org.write(FILE, edit(DECISION, "    within: 1 business day", "    withn: 1 business day"))
    # the typo itself, and the key that is now missing, at the stage's id
    assert org.codes() == [("DP103", FILE, 10, 3), ("DP101", FILE, 13, 5)]
    assert messages(org, "DP101") == ["unknown key 'withn' in stage 'intake'; did you mean 'within'?"]
    assert "'within'" in messages(org, "DP103")[0]


def test_unknown_key_is_never_silently_ignored(org):
    org.write(FILE, edit(DECISION, "    who: account-manager\n", "    who: account-manager\n    aprovers: [li-na]\n"))
    assert org.codes() == [("DP101", FILE, 13, 5)]
    message = messages(org, "DP101")[0]
    assert "'aprovers'" in message and "stage 'intake'" in message
    assert "allowed keys: title, who, does, within" in message


@pytest.mark.parametrize(
    "relative, text, old, new, where, hint",
    [
        (FILE, DECISION, "summary:", "sumary:", (2, 1), "did you mean 'summary'?"),
        (
            FILE,
            DECISION,
            "{label: Effort, type: number}",
            "{label: Effort, typ: number}",
            (7, 32),
            "did you mean 'type'?",
        ),
        (
            FILE,
            DECISION,
            "      - otherwise: answer",
            "      - otherwize: answer",
            (17, 9),
            "did you mean 'otherwise'?",
        ),
        ("_org.yaml", SHARED, "roles:", "rolls:", (4, 1), "did you mean 'roles'?"),
        ("_org.yaml", SHARED, "{name: 王伟}", "{name: 王伟, emial: w@example.com}", (3, 24), "did you mean 'email'?"),
        (
            "_org.yaml",
            SHARED,
            "timezone: Asia/Shanghai",
            "timezone: Asia/Shanghai, workday: [mon]",
            (8, 52),
            "did you mean 'workdays'?",
        ),
    ],
    ids=["decision", "input", "branch", "shared-file", "person", "calendar"],
)
def test_unknown_key_everywhere(org, relative, text, old, new, where, hint):
    org.write(relative, edit(text, old, new))
    assert ("DP101", relative, *where) in org.codes()
    assert any(hint in m for m in messages(org, "DP101")), messages(org, "DP101")


# -------------------------------------------------------------- DP102 wrong-type


def test_title_as_a_list_is_the_wrong_type(org):
    org.write(FILE, edit(DECISION, "title: Scope change", "title: [a]"))
    assert org.codes() == [("DP102", FILE, 1, 8)]
    assert messages(org, "DP102") == ["title must be text, not a list"]


def test_stages_as_a_list_is_the_wrong_type(org):
    head = DECISION.split("stages:")[0]
    org.write(FILE, head + "stages: [a, b]\n")
    assert org.codes() == [("DP102", FILE, 9, 9)]
    assert messages(org, "DP102") == ["stages must be a mapping of keys, not a list"]


def test_who_as_a_list_names_the_accepted_forms(org):
    org.write(FILE, edit(DECISION, "who: account-manager", "who: [account-manager]"))
    assert org.codes() == [("DP102", FILE, 12, 10)]
    assert "{all: [ids]}" in messages(org, "DP102")[0]


def test_active_as_text_is_the_wrong_type(org):
    org.write("_org.yaml", edit(SHARED, "{name: 王伟}", '{name: 王伟, active: "no"}'))
    assert ("DP102", "_org.yaml", 3, 32) in org.codes()
    assert "true or false" in messages(org, "DP102")[0]


# ------------------------------------------------------------ DP103 missing-key


def test_stage_without_within_is_reported_at_the_stage(org):
    org.write(FILE, edit(DECISION, "    within: 4个工作小时\n", ""))
    assert org.codes() == [("DP103", FILE, 18, 3)]
    assert messages(org, "DP103") == ["stage 'answer' is missing the required key 'within'"]


def test_decision_without_owner_is_reported_at_the_top_of_the_file(org):
    org.write(FILE, edit(DECISION, "owner: delivery-lead\n", ""))
    assert org.codes() == [("DP103", FILE, 1, 1)]
    assert "'owner'" in messages(org, "DP103")[0]


def test_person_without_name_is_reported_at_the_person(org):
    org.write("_org.yaml", edit(SHARED, "wang-wei: {name: 王伟}", "wang-wei: {email: w@example.com}"))
    assert ("DP103", "_org.yaml", 3, 3) in org.codes()
    assert messages(org, "DP103") == ["person 'wang-wei' is missing the required key 'name'"]


def test_choice_input_without_options(org):
    org.write(FILE, edit(DECISION, "{label: Effort, type: number}", "{label: Effort, type: choice}"))
    assert org.codes() == [("DP103", FILE, 7, 3)]
    assert "options" in messages(org, "DP103")[0]


# --------------------------------------------------------------- DP104 invalid-id


def test_capitalised_stage_id(org):
    org.write(FILE, edit(DECISION, "  intake:", "  Intake:"))
    assert org.codes() == [("DP104", FILE, 10, 3)]
    message = messages(org, "DP104")[0]
    assert "stage id 'Intake' is not a valid id" in message and "e.g. 'intake'" in message


def test_input_id_with_underscore_is_valid(org):
    # SPEC v2, section 1: `effort_days` and `effort-days` are both valid ids
    org.write(FILE, DECISION.replace("effort-days", "effort_days"))
    assert org.codes() == []
    assert "effort_days" in org.validate().org.decisions["scope-change"].inputs


def test_input_id_with_a_space_is_reported_where_declared_and_used(org):
    org.write(FILE, DECISION.replace("effort-days", "effort days"))
    assert org.codes() == [("DP104", FILE, 7, 3), ("DP104", FILE, 15, 16)]
    assert all("'effort days'" in m and "e.g. 'effort-days'" in m for m in messages(org, "DP104"))


def test_file_name_that_is_not_an_id_suggests_a_rename(org):
    org.write("finance/Refund Request.yaml", DECISION)
    assert org.codes() == [("DP104", "finance/Refund Request.yaml", 1, 1)]
    message = messages(org, "DP104")[0]
    assert "'Refund Request.yaml'" in message
    assert "rename it to 'refund-request.yaml'" in message


@pytest.mark.parametrize("bad", ["报价", "a" * 65, "-intake", "in take", "intake!"])
def test_ids_that_break_the_id_rule(org, bad):
    org.write(FILE, edit(DECISION, "who: account-manager", f'who: "{bad}"'))
    assert org.codes() == [("DP104", FILE, 12, 10)]


def test_longest_valid_id_is_accepted(org):
    long_id = "a" * 64
    org.write(FILE, DECISION.replace("answer", long_id))
    assert org.codes() == []
    assert long_id in org.validate().org.decisions["scope-change"].stages


# --------------------------------------------------------- DP105 invalid-duration


@pytest.mark.parametrize("text", ["3 workdays", "三个工作日", "1.5 business days", "0 days"])
def test_bad_duration_quotes_the_text(org, text):
    org.write(FILE, edit(DECISION, "within: 1 business day", f"within: {text}"))
    assert org.codes() == [("DP105", FILE, 13, 13)]
    message = messages(org, "DP105")[0]
    assert message.startswith("stage 'intake' within: ")
    assert f"'{text}'" in message


def test_unknown_unit_lists_the_accepted_forms(org):
    org.write(FILE, edit(DECISION, "within: 1 business day", "within: 3 workdays"))
    message = messages(org, "DP105")[0]
    for form in (
        "business days",
        "个工作日",
        "business hours",
        "工作小时",
        "calendar days",
        "天",
        "自然日",
        "hours",
        "小时",
        "weeks",
        "周",
        "个星期",
    ):
        assert form in message


def test_review_every_must_be_days_or_weeks(org):
    org.write(FILE, edit(DECISION, "review_every: 180 days", "review_every: 20 business days"))
    assert org.codes() == [("DP105", FILE, 5, 15)]
    assert "days or weeks" in messages(org, "DP105")[0]


# ------------------------------------------------------------- DP106 duplicate-id


def test_person_defined_in_two_shared_files_names_both_places(org):
    org.write("_zz-more.yaml", "people:\n  li-na: {name: Li Na}\n")
    assert org.codes() == [("DP106", "_zz-more.yaml", 2, 3)]
    message = messages(org, "DP106")[0]
    assert "person 'li-na' is already defined at decisions/_org.yaml:2:3" in message


def test_two_decisions_with_the_same_file_name_in_two_folders(org):
    org.write("finance/scope-change.yaml", DECISION)
    # folders are read in name order: finance/ comes first and keeps the id
    assert org.codes() == [("DP106", FILE, 1, 1)]
    message = messages(org, "DP106")[0]
    assert "'scope-change'" in message and "decisions/finance/scope-change.yaml" in message
    assert org.validate().org.decisions["scope-change"].file.endswith("finance/scope-change.yaml")


def test_person_id_equal_to_a_role_id(org):
    org.write("_zz-more.yaml", "people:\n  delivery-lead: {name: Someone}\n")
    assert org.codes() == [("DP106", "_zz-more.yaml", 2, 3)]
    message = messages(org, "DP106")[0]
    assert "'delivery-lead' is already defined as a role at decisions/_org.yaml:6:3" in message


def test_defaults_calendar_set_twice(org):
    org.write("_zz-more.yaml", "defaults:\n  calendar: shanghai\n")
    org.write("_org.yaml", SHARED + "defaults:\n  calendar: shanghai\n")
    assert org.codes() == [("DP106", "_zz-more.yaml", 2, 13)]
    assert "decisions/_org.yaml:10:13" in messages(org, "DP106")[0]


# ----------------------------------------------------------- DP107 invalid-value


def test_impossible_review_date_is_an_invalid_value(org):
    org.write(FILE, edit(DECISION, "reviewed: 2026-10-01", "reviewed: 2026-13-01"))
    codes = org.codes()
    assert ("DP107", FILE, 4, 11) in codes, codes
    assert not [c for c in codes if c[0] == "DP001"], "the YAML is fine: only the date is wrong"
    assert any("'2026-13-01'" in m and "YYYY-MM-DD" in m for m in messages(org, "DP107"))


def test_invalid_review_date_is_not_also_reported_as_missing(org):
    # "has no reviewed date: add reviewed: ..." would contradict the file, which has one.
    org.write(FILE, edit(DECISION, "reviewed: 2026-10-01", "reviewed: 2026-13-01"))
    assert org.codes() == [("DP107", FILE, 4, 11)]


def test_impossible_away_date_does_not_drop_the_whole_people_file(org):
    org.write("_org.yaml", edit(SHARED, "{name: 王伟}", "{name: 王伟, away: {from: 2026-11-31, until: 2026-12-04}}"))
    # one mistake, one finding: not a cascade of "unknown person" errors
    assert org.codes() == [("DP107", "_org.yaml", 3, 37)]


def test_quoted_date_is_read_as_the_date_it_spells(org):
    # The editor's schema accepts "2026-10-01" (JSON has no dates); the loader must
    # not answer "write it as YYYY-MM-DD" to someone who did exactly that.
    org.write(FILE, edit(DECISION, "reviewed: 2026-10-01", 'reviewed: "2026-10-01"'))
    assert org.codes() == []
    assert org.validate().org.decisions["scope-change"].reviewed == dt.date(2026, 10, 1)


def test_review_date_that_is_not_a_date(org):
    org.write(FILE, edit(DECISION, "reviewed: 2026-10-01", "reviewed: last week"))
    assert ("DP107", FILE, 4, 11) in org.codes()
    assert any("'last week' is not a date" in m and "YYYY-MM-DD" in m for m in messages(org, "DP107"))


def test_unknown_audience(org):
    org.write(FILE, edit(DECISION, "owner: delivery-lead", "owner: delivery-lead\naudience: public"))
    assert org.codes() == [("DP107", FILE, 4, 11)]
    assert messages(org, "DP107") == ["audience 'public' is not one of: internal, client"]


def test_at_least_larger_than_of(org):
    org.write(FILE, edit(DECISION, "who: account-manager", "who: {at_least: 3, of: [account-manager, delivery-lead]}"))
    assert org.codes() == [("DP107", FILE, 12, 21)]
    assert "3 must be between 1 and the 2" in messages(org, "DP107")[0]


@pytest.mark.parametrize("hours", ["18:00-09:00", "09:00-09:00", "25:00-26:00", "9-18", "09:60-18:00"])
def test_business_hours_must_be_one_day(org, hours):
    org.write("_org.yaml", edit(SHARED, "timezone: Asia/Shanghai", f'timezone: Asia/Shanghai, hours: "{hours}"'))
    assert org.codes() == [("DP107", "_org.yaml", 8, 59)]
    assert f"hours '{hours}'" in messages(org, "DP107")[0]


def test_away_until_before_from(org):
    org.write("_org.yaml", edit(SHARED, "{name: 王伟}", "{name: 王伟, away: {from: 2026-12-04, until: 2026-12-01}}"))
    assert org.codes() == [("DP107", "_org.yaml", 3, 49)]


def test_unknown_weekday(org):
    org.write("_org.yaml", edit(SHARED, "timezone: Asia/Shanghai", "timezone: Asia/Shanghai, workdays: [mon, funday]"))
    assert org.codes() == [("DP107", "_org.yaml", 8, 68)]
    assert "'funday' is not a weekday" in messages(org, "DP107")[0]


# ------------------------------------------------------- DP308 misplaced-otherwise


def test_otherwise_before_another_branch(org):
    org.write(
        FILE,
        edit(
            DECISION,
            '      - when: {effort-days: "<=20"}\n        go: answer\n      - otherwise: answer\n',
            '      - otherwise: answer\n      - when: {effort-days: "<=20"}\n        go: answer\n',
        ),
    )
    assert org.codes() == [("DP308", FILE, 15, 9)]
    assert "'otherwise' must be the last branch" in messages(org, "DP308")[0]


# ------------------------------------------------------------ what loads, and how


def test_merge_keys_reuse_a_stage_and_explicit_keys_win(org):
    org.write(
        FILE,
        edit(
            DECISION,
            "  answer:\n    title: Answer\n    who: delivery-lead\n    within: 4个工作小时\n",
            "  answer: &base\n    title: Answer\n    who: delivery-lead\n    within: 4个工作小时\n"
            "  answer-again:\n    <<: *base\n    title: Answer again\n",
        ),
    )
    org.write(
        FILE,
        edit(
            (org.folder / FILE).read_text(encoding="utf-8"),
            "      - otherwise: answer",
            "      - otherwise: answer-again",
        ),
    )
    assert org.codes() == []
    stages = org.validate().org.decisions["scope-change"].stages
    again = stages["answer-again"]
    assert again.title == "Answer again"  # explicit key wins
    assert [m.id for m in again.who.members] == ["delivery-lead"]  # merged
    assert again.within.amount == 4 and again.within.unit is Unit.BUSINESS_HOURS
    assert list(stages) == ["intake", "answer", "answer-again"]


def test_merge_of_a_list_of_mappings(org):
    org.write(
        FILE,
        edit(
            DECISION,
            "  answer:\n    title: Answer\n",
            "  answer:\n    <<: [{title: From merge, visibility: internal}, {does: Write it}]\n    title: Answer\n",
        ),
    )
    assert org.codes() == []
    answer = org.validate().org.decisions["scope-change"].stages["answer"]
    assert (answer.title, answer.visibility, answer.does) == ("Answer", Visibility.INTERNAL, "Write it")


YES_NO = """\
title: Urgent requests
summary: s
owner: delivery-lead
reviewed: 2026-10-01
review_every: 180 days
inputs:
  urgent: {label: Urgent, type: yes-no}
start: intake
stages:
  intake:
    title: Log it
    who: account-manager
    within: 1 business day
    next:
      - when: {urgent: YES}
        go: answer
      - when: {urgent: NO}
        go: answer
  answer:
    title: Answer
    who: delivery-lead
    within: 2 hours
"""


@pytest.mark.parametrize("yes, no", [("yes", "no"), ("Yes", "No"), ("on", "off"), ("true", "false"), ("True", "False")])
def test_yaml_1_1_booleans_in_yes_no_conditions(org, yes, no):
    org.write("sales/urgent.yaml", YES_NO.replace("YES", yes).replace("NO", no))
    assert org.codes() == []
    branches = org.validate().org.decisions["urgent"].stages["intake"].branches
    assert [b.conditions[0].test for b in branches] == [YesNoTest(True), YesNoTest(False)]


def test_bom_prefixed_files_load(org):
    org.write_bytes("_org.yaml", b"\xef\xbb\xbf" + SHARED.encode())
    org.write_bytes(FILE, b"\xef\xbb\xbf" + DECISION.encode())
    assert org.codes() == []
    decision = org.validate().org.decisions["scope-change"]
    assert decision.title == "Scope change"
    assert (decision.owner.loc.line, decision.owner.loc.column) == (3, 8)


def test_yml_files_load(org):
    org.write("sales/discount.yml", DECISION.replace("Scope change", "Discount"))
    assert org.codes() == []
    assert org.validate().org.decisions["discount"].title == "Discount"


def test_hidden_folders_and_files_are_skipped(org):
    org.write(".drafts/broken.yaml", "title: [unclosed\n")
    org.write("sales/.scratch.yaml", "title: [unclosed\n")
    org.write("sales/.git/x.yaml", "- not a decision\n")
    assert org.codes() == []
    files = org.validate().org.files
    assert not any("/." in f for f in files)


def test_non_yaml_files_are_ignored(org):
    org.write("sales/README.md", "# not YAML: [\n")
    org.write("sales/notes.txt", "title: [\n")
    assert org.codes() == []


def test_shared_files_in_subfolders_are_merged(org):
    org.write(
        "people/_more.yaml", "people:\n  zhou-jie: {name: 周杰}\nroles:\n  coo: {title: COO, held_by: [zhou-jie]}\n"
    )
    org.write(FILE, edit(DECISION, "who: delivery-lead", "who: coo"))
    assert org.codes() == []
    loaded = org.validate().org
    assert "zhou-jie" in loaded.people and "coo" in loaded.roles
    assert set(loaded.decisions) == {"scope-change"}


def test_category_comes_from_the_folder_and_category_key_overrides(org):
    org.write("top-level.yaml", DECISION)
    org.write("finance/billing/nested.yaml", DECISION)
    org.write("finance/own.yaml", "category: 客户服务\n" + DECISION)
    assert org.codes() == []
    decisions = org.validate().org.decisions
    assert decisions["scope-change"].category == "sales"
    assert decisions["top-level"].category == ""
    assert decisions["nested"].category == "finance/billing"
    assert decisions["own"].category == "客户服务"


def test_defaults_of_optional_keys(org):
    decision = org.validate().org.decisions["scope-change"]
    assert decision.audience.value == "internal"
    intake = decision.stages["intake"]
    assert intake.visibility is Visibility.CLIENT
    assert (intake.does, intake.escalate_to, intake.outcomes) == (None, None, ())
    person = org.validate().org.people["wang-wei"]
    assert (person.active, person.email, person.away) == (True, None, None)
    calendar = org.validate().org.calendars["shanghai"]
    assert str(calendar.hours) == "09:00-18:00" and calendar.workdays == frozenset(range(5))


def test_model_keeps_the_values(org):
    decision = org.validate().org.decisions["scope-change"]
    assert decision.reviewed == dt.date(2026, 10, 1)
    assert decision.review_every.amount == 180 and decision.review_every.unit is Unit.CALENDAR_DAYS
    assert decision.inputs["effort-days"].type.value == "number"
    first, last = decision.stages["intake"].branches
    assert isinstance(first.conditions[0].test, NumberTest)
    assert [str(c) for c in first.conditions[0].test.comparisons] == ["<= 20"]
    assert first.conditions[0].test.matches(Decimal(20)) and not first.conditions[0].test.matches(Decimal(21))
    assert (last.otherwise, last.go.id) == (True, "answer")


def test_choice_and_who_forms(org):
    text = edit(
        DECISION,
        "  effort-days: {label: Effort, type: number}",
        "  effort-days: {label: Effort, type: number}\n"
        "  kind: {label: Kind, type: choice, options: [fixed-price, time-and-materials]}",
    )
    text = edit(text, '{effort-days: "<=20"}', '{effort-days: ["<=20", ">0"], kind: [fixed-price]}')
    text = edit(text, "who: account-manager", "who: {any: [account-manager, li-na]}")
    text = edit(text, "who: delivery-lead", "who: {at_least: 1, of: [delivery-lead, account-manager]}")
    org.write(FILE, text)
    assert org.codes() == []
    decision = org.validate().org.decisions["scope-change"]
    intake, answer = decision.stages["intake"], decision.stages["answer"]
    assert (intake.who.mode, intake.who.needed) == (WhoMode.ANY, 1)
    assert (answer.who.mode, answer.who.needed, len(answer.who.members)) == (WhoMode.AT_LEAST, 1, 2)
    tests = [c.test for c in intake.branches[0].conditions]
    assert isinstance(tests[0], NumberTest) and len(tests[0].comparisons) == 2
    assert isinstance(tests[1], ChoiceTest) and [o.id for o in tests[1].options] == ["fixed-price"]


def test_every_object_keeps_its_line_and_column(org):
    loaded = org.validate().org
    decision = loaded.decisions["scope-change"]

    def at(loc):
        assert loc.file.endswith(FILE)
        return (loc.line, loc.column)

    assert at(decision.owner.loc) == (3, 8)
    assert at(decision.start.loc) == (8, 8)
    assert at(decision.reviewed_loc) == (4, 1)
    assert at(decision.review_every.loc) == (5, 15)
    assert at(decision.inputs["effort-days"].loc) == (7, 3)
    intake, answer = decision.stages["intake"], decision.stages["answer"]
    assert at(intake.loc) == (10, 3) and at(answer.loc) == (18, 3)
    assert at(intake.who.loc) == (12, 10) and at(intake.who.members[0].loc) == (12, 10)
    assert at(intake.within.loc) == (13, 13) and at(answer.within.loc) == (21, 13)
    assert at(intake.next_loc) == (14, 5)
    when, otherwise = intake.branches
    assert at(when.loc) == (15, 9) and at(otherwise.loc) == (17, 9)
    assert at(when.conditions[0].input.loc) == (15, 16) and at(when.conditions[0].loc) == (15, 29)
    assert at(when.go.loc) == (16, 13) and at(otherwise.go.loc) == (17, 20)
    person, role = loaded.people["li-na"], loaded.roles["account-manager"]
    assert (person.loc.line, person.loc.column) == (2, 3)
    assert (role.loc.line, role.loc.column) == (5, 3)
    assert (role.held_by[0].loc.line, role.held_by[0].loc.column) == (5, 44)
    calendar = loaded.calendars["shanghai"]
    assert (calendar.country.loc.line, calendar.country.loc.column) == (8, 23)
    assert (calendar.timezone.loc.line, calendar.timezone.loc.column) == (8, 37)


def test_a_document_with_only_the_start_marker_is_an_empty_file(org):
    org.write("sales/blank.yaml", "---\n")
    assert [c for c in org.codes() if c[1] == "sales/blank.yaml"] == [("DP004", "sales/blank.yaml", 2, 1)]


def test_text_that_yaml_would_read_as_true_stays_text(org):
    org.write("sales/scope-change.yaml", DECISION.replace("title: Scope change", "title: Yes"))
    result = org.validate()
    assert result.findings == ()
    assert result.org.decisions["scope-change"].title == "Yes"


def test_upper_case_yaml_suffix_is_read(org):
    org.write("sales/Other.YAML", "title: [x]\n")
    assert ("DP104", "sales/Other.YAML", 1, 1) in org.codes()
