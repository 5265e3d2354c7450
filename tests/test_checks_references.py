"""Reference checks (DP2xx) and shared-data checks (DP103 defaults, DP107 calendars).

Each test breaks one thing in the clean minimal organisation of conftest.py and
asserts the exact finding a user would see: code, file, line, column and the
words of the message that tell them what to fix.
"""

from __future__ import annotations

from conftest import DECISION, SHARED

DEC = "sales/scope-change.yaml"
ORG = "_org.yaml"

# The same path as DECISION without branches: intake -> answer.
LINEAR = """\
title: Refund
summary: Money back.
owner: delivery-lead
reviewed: 2026-10-01
review_every: 180 days
start: intake
stages:
  intake:
    title: Log it
    who: account-manager
    within: 1 business day
    next: answer
  answer:
    title: Answer
    who: delivery-lead
    within: 2 business days
"""


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def at(text: str, line_part: str, token: str) -> tuple[int, int]:
    """1-based (line, column) of ``token`` on the only line containing ``line_part``."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line_part in line]
    assert len(lines) == 1, f"{line_part!r} must be on exactly one line"
    line = text.splitlines()[lines[0] - 1]
    assert line.count(token) == 1, f"{token!r} must occur once on {line!r}"
    return lines[0], line.index(token) + 1


def only(org, code: str):
    """The single finding with ``code``; fails when there are none or several."""
    found = [f for f in org.findings() if f.rule.code == code]
    assert len(found) == 1, [f.to_text() for f in org.findings()]
    return found[0]


# ---------------------------------------------------------------- DP201 unknown-role


def test_unknown_role_in_who_suggests_the_close_role(org):
    text = changed(DECISION, "    who: delivery-lead\n", "    who: delivery-led\n")
    org.write(DEC, text)
    assert at(text, "who: delivery-led", "delivery-led") == (20, 10)
    assert org.codes() == [("DP201", DEC, 20, 10)]
    message = only(org, "DP201").message
    assert "stage 'answer' who names 'delivery-led'" in message
    assert "neither a role nor a person" in message
    assert message.endswith("did you mean 'delivery-lead'?")


def test_unknown_member_of_an_all_list_is_pointed_at_exactly(org):
    text = changed(DECISION, "    who: account-manager\n", "    who: {all: [account-manager, finanse]}\n")
    org.write(DEC, text)
    line, column = at(text, "finanse", "finanse")
    assert (line, column) == (12, 34)
    assert org.codes() == [("DP201", DEC, 12, 34)]
    assert "stage 'intake' who names 'finanse'" in only(org, "DP201").message


def test_unknown_owner(org):
    org.write(DEC, changed(DECISION, "owner: delivery-lead\n", "owner: legal-team\n"))
    assert org.codes() == [("DP201", DEC, 3, 8)]
    message = only(org, "DP201").message
    assert "owner names 'legal-team'" in message
    assert "did you mean" not in message  # nothing close: no made-up suggestion


def test_unknown_escalate_to(org):
    text = changed(DECISION, "    within: 1 business day\n", "    within: 1 business day\n    escalate_to: team-lead\n")
    org.write(DEC, text)
    assert at(text, "escalate_to", "team-lead") == (14, 18)
    assert org.codes() == [("DP201", DEC, 14, 18)]
    assert "stage 'intake' escalate_to names 'team-lead'" in only(org, "DP201").message


def test_unknown_role_backup(org):
    text = changed(SHARED, "held_by: [wang-wei]}", "held_by: [wang-wei], backup: [co]}")
    org.write(ORG, text)
    assert at(text, "backup", "co]") == (6, 71)
    assert org.codes() == [("DP201", ORG, 6, 71)]
    assert "role 'delivery-lead' backup names 'co'" in only(org, "DP201").message


def test_known_person_may_be_named_directly_in_who_and_backup(org):
    org.write(ORG, changed(SHARED, "held_by: [wang-wei]}", "held_by: [wang-wei], backup: [li-na]}"))
    org.write(DEC, changed(DECISION, "    who: delivery-lead\n", "    who: wang-wei\n"))
    assert org.codes() == []


# ---------------------------------------------------------------- DP202 unknown-stage


def test_unknown_stage_in_go(org):
    text = changed(DECISION, "        go: answer\n", "        go: answr\n")
    org.write(DEC, text)
    assert org.codes() == [("DP202", DEC, 16, 13)]
    message = only(org, "DP202").message
    assert "stage 'intake' next 'answr' is not a stage of this decision" in message
    assert message.endswith("did you mean 'answer'?")


def test_unknown_stage_in_plain_next(org):
    text = changed(LINEAR, "    next: answer\n", "    next: anwser\n")
    org.write(DEC, text)
    # The typo is the cause: 'answer' behind it is not also reported as never reached (DP302).
    assert org.codes() == [("DP202", DEC, 12, 11)]
    assert "next 'anwser' is not a stage" in only(org, "DP202").message


def test_unknown_stage_in_otherwise(org):
    org.write(DEC, changed(DECISION, "      - otherwise: answer\n", "      - otherwise: answr\n"))
    assert org.codes() == [("DP202", DEC, 17, 20)]
    assert "'answr' is not a stage of this decision" in only(org, "DP202").message


def test_unknown_start_stage(org):
    org.write(DEC, changed(DECISION, "start: intake\n", "start: intak\n"))
    assert org.codes() == [("DP202", DEC, 8, 8)]
    message = only(org, "DP202").message
    assert "start 'intak' is not a stage" in message
    assert message.endswith("did you mean 'intake'?")


# ---------------------------------------------------------------- DP203 unknown-calendar


def test_unknown_decision_calendar(org):
    text = changed(DECISION, "review_every: 180 days\n", "review_every: 180 days\ncalendar: shanghia\n")
    org.write(DEC, text)
    assert org.codes() == [("DP203", DEC, 6, 11)]
    message = only(org, "DP203").message
    assert "calendar 'shanghia' is not a calendar (shanghai)" in message
    assert message.endswith("did you mean 'shanghai'?")


def test_unknown_defaults_calendar(org):
    org.write(ORG, SHARED + "defaults:\n  calendar: beijing\n")
    assert org.codes() == [("DP203", ORG, 10, 13)]
    assert "defaults calendar 'beijing' is not a calendar (shanghai)" in only(org, "DP203").message


def test_existing_decision_and_default_calendars_are_clean(org):
    org.write(ORG, SHARED + "  hong-kong: {country: HK, timezone: Asia/Hong_Kong}\ndefaults:\n  calendar: shanghai\n")
    org.write(DEC, changed(DECISION, "review_every: 180 days\n", "review_every: 180 days\ncalendar: hong-kong\n"))
    assert org.codes() == []


# ---------------------------------------------------------------- DP204 unknown-person


def test_unknown_person_in_held_by(org):
    text = changed(SHARED, "held_by: [li-na]}", "held_by: [li-na, wang-wie]}")
    org.write(ORG, text)
    assert at(text, "wang-wie]", "wang-wie]") == (5, 51)
    assert org.codes() == [("DP204", ORG, 5, 51)]
    message = only(org, "DP204").message
    assert "role 'account-manager' held_by names 'wang-wie', who is not in people" in message
    assert message.endswith("did you mean 'wang-wei'?")


def test_role_id_in_held_by_is_not_a_person(org):
    # held_by lists people only; a role there is a mistake even though the id exists.
    text = changed(SHARED, "held_by: [li-na]}", "held_by: [li-na, delivery-lead]}")
    org.write(ORG, text)
    line, column = at(text, "delivery-lead]", "delivery-lead]")
    assert org.codes() == [("DP204", ORG, line, column)]


# ---------------------------------------------------------------- DP205 inactive-person

LEFT = "  zhao-lei: {name: 赵磊, active: false}\n"


def with_person(line: str) -> str:
    return changed(SHARED, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n" + line)


def test_inactive_person_named_in_who(org):
    org.write(ORG, with_person(LEFT))
    org.write(DEC, changed(DECISION, "    who: delivery-lead\n", "    who: zhao-lei\n"))
    # line 20 of the decision, the value of who
    found = only(org, "DP205")
    assert (found.loc.line, found.loc.column) == (20, 10)
    assert found.loc.file.endswith("decisions/" + DEC)
    assert "stage 'answer' who names 'zhao-lei' (赵磊), who has left (active: false)" in found.message
    assert [c for c in org.codes() if c[0].startswith("DP2")] == [("DP205", DEC, 20, 10)]


def test_inactive_person_in_held_by(org):
    shared = with_person(LEFT)
    text = changed(shared, "held_by: [li-na]}", "held_by: [li-na, zhao-lei]}")
    org.write(ORG, text)
    line, column = at(text, "zhao-lei]", "zhao-lei]")
    assert org.codes() == [("DP205", ORG, line, column)]
    assert line == 6
    assert "role 'account-manager' held_by names 'zhao-lei' (赵磊), who has left" in only(org, "DP205").message


def test_inactive_person_as_role_backup(org):
    shared = with_person(LEFT)
    text = changed(shared, "held_by: [wang-wei]}", "held_by: [wang-wei], backup: [zhao-lei]}")
    org.write(ORG, text)
    line, column = at(text, "backup", "zhao-lei]")
    assert org.codes() == [("DP205", ORG, line, column)]
    assert "role 'delivery-lead' backup names 'zhao-lei'" in only(org, "DP205").message


def test_inactive_person_named_nowhere_is_clean(org):
    # Someone who has left and is no longer named is history, not a problem (and not "idle").
    org.write(ORG, with_person(LEFT))
    assert org.codes() == []


# ---------------------------------------------------------------- DP206 role-without-holder


def test_role_without_holder_named_by_a_stage_is_an_error_at_the_who_value(org):
    org.write(ORG, changed(SHARED, "calendars:\n", "  legal: {title: Legal, held_by: []}\ncalendars:\n"))
    org.write(DEC, changed(DECISION, "    who: delivery-lead\n", "    who: legal\n"))
    found = only(org, "DP206")
    assert (found.loc.line, found.loc.column) == (20, 10)
    assert found.loc.file.endswith("decisions/" + DEC)
    assert found.is_error
    assert "stage 'answer' is decided by role 'legal', but nobody holds that role" in found.message
    # It is named by a stage, so it is an error here and not also the empty-role warning.
    assert [c for c in org.codes() if c[0] in ("DP206", "DP405")] == [("DP206", DEC, 20, 10)]


# ---------------------------------------------------------------- DP207 unknown-input


def test_unknown_input_in_a_condition(org):
    text = changed(DECISION, '{effort-days: "<=20"}', '{effort-dys: "<=20"}')
    org.write(DEC, text)
    assert at(text, "effort-dys", "effort-dys") == (15, 16)
    # the declared input is now used by no branch: that is reported at its key
    assert org.codes() == [("DP307", DEC, 7, 3), ("DP207", DEC, 15, 16)]
    message = only(org, "DP207").message
    assert "stage 'intake' branches on 'effort-dys', which is not one of the decision's inputs (effort-days)" in message
    assert message.endswith("did you mean 'effort-days'?")


# ---------------------------------------------------------------- DP103 defaults, DP107 calendars


def test_two_calendars_without_defaults_is_missing_key(org):
    text = SHARED + "  hong-kong: {country: HK, timezone: Asia/Hong_Kong}\n"
    org.write(ORG, text)
    assert org.codes() == [("DP103", ORG, 9, 3)]
    message = only(org, "DP103").message
    assert "there are 2 calendars but no default" in message
    assert "defaults: {calendar: shanghai}" in message


def test_one_calendar_needs_no_defaults(org):
    assert "defaults" not in SHARED
    assert org.codes() == []


def test_unknown_country(org):
    text = changed(SHARED, "country: CN", "country: XX")
    org.write(ORG, text)
    assert org.codes() == [("DP107", ORG, 8, 23)]
    assert "calendar 'shanghai' country 'XX' has no holiday data" in only(org, "DP107").message


def test_lower_case_country_suggests_the_code(org):
    org.write(ORG, changed(SHARED, "country: CN", "country: cn"))
    assert org.codes() == [("DP107", ORG, 8, 23)]
    assert only(org, "DP107").message.endswith("did you mean 'CN'?")


def test_subdivision_that_the_country_does_not_have(org):
    text = changed(SHARED, "country: CN,", "country: CN, subdivision: SH,")
    org.write(ORG, text)
    line, column = at(text, "subdivision", "SH")
    assert org.codes() == [("DP107", ORG, line, column)]
    assert "calendar 'shanghai' subdivision 'SH' is not a region of CN" in only(org, "DP107").message


def test_subdivision_lists_the_known_regions(org):
    text = changed(
        SHARED, "{country: CN, timezone: Asia/Shanghai}", "{country: US, subdivision: XY, timezone: America/New_York}"
    )
    org.write(ORG, text)
    line, column = at(text, "subdivision", "XY")
    assert org.codes() == [("DP107", ORG, line, column)]
    message = only(org, "DP107").message
    assert "subdivision 'XY' is not a region of US" in message
    assert "NY" in message and "CA" in message


def test_valid_subdivision_is_clean(org):
    org.write(
        ORG,
        changed(
            SHARED,
            "{country: CN, timezone: Asia/Shanghai}",
            "{country: US, subdivision: NY, timezone: America/New_York}",
        ),
    )
    assert org.codes() == []


def test_unknown_timezone(org):
    text = changed(SHARED, "timezone: Asia/Shanghai", "timezone: Asia/Shanghia")
    org.write(ORG, text)
    line, column = at(text, "Asia/Shanghia", "Asia/Shanghia")
    assert (line, column) == (8, 37)
    assert org.codes() == [("DP107", ORG, 8, 37)]
    assert "timezone 'Asia/Shanghia' is not an IANA time zone" in only(org, "DP107").message
