"""Durations (SPEC section 5): every English and Chinese form, and nothing else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from decision_paths.model.findings import Loc
from decision_paths.model.units import DurationError, Unit, parse_duration

LOC = Loc("decisions/x.yaml", 7, 13)

BD, BH, CD, H, W = Unit.BUSINESS_DAYS, Unit.BUSINESS_HOURS, Unit.CALENDAR_DAYS, Unit.HOURS, Unit.WEEKS

ENGLISH = [
    ("1 business day", 1, BD),
    ("3 business days", 3, BD),
    ("1 business days", 1, BD),
    ("2 business day", 2, BD),
    ("1 business hour", 1, BH),
    ("4 business hours", 4, BH),
    ("1.5 business hours", Decimal("1.5"), BH),
    ("1 calendar day", 1, CD),
    ("2 calendar days", 2, CD),
    ("1 day", 1, CD),
    ("180 days", 180, CD),
    ("1 hour", 1, H),
    ("24 hours", 24, H),
    ("1.5 hours", Decimal("1.5"), H),
    ("0.5 hours", Decimal("0.5"), H),
    ("1 week", 1, W),
    ("26 weeks", 26, W),
]

CHINESE_UNITS = [
    ("个工作日", BD),
    ("工作日", BD),
    ("个工作小时", BH),
    ("工作小时", BH),
    ("天", CD),
    ("个自然日", CD),
    ("自然日", CD),
    ("小时", H),
    ("个小时", H),
    ("周", W),
    ("个星期", W),
]
CHINESE = [(f"{n}{sep}{unit}", n, u) for unit, u in CHINESE_UNITS for n, sep in ((3, ""), (2, " "))]


@pytest.mark.parametrize("text, amount, unit", ENGLISH + CHINESE, ids=[t for t, _, _ in ENGLISH + CHINESE])
def test_accepted_forms(text, amount, unit):
    duration = parse_duration(text, LOC)
    assert duration.amount == Decimal(amount)
    assert duration.unit is unit
    assert duration.text == text
    assert duration.loc == LOC


@pytest.mark.parametrize("text", ["1.5小时", "1.5 个工作小时", "2.5 工作小时", "0.5 个小时"])
def test_chinese_hours_may_have_a_fraction(text):
    assert parse_duration(text, LOC).amount == Decimal(text.split()[0].rstrip("个工作小时"))


def test_surrounding_spaces_are_ignored_but_not_kept():
    duration = parse_duration("  3 business days ", LOC)
    assert (duration.amount, duration.unit, duration.text) == (3, BD, "3 business days")


@pytest.mark.parametrize(
    "text, shown",
    [
        ("1 business day", "1 business day"),
        ("3个工作日", "3 business days"),
        ("1.5 hours", "1.5 hours"),
        ("2周", "2 weeks"),
        ("1 calendar day", "1 calendar day"),
        ("4 个工作小时", "4 business hours"),
    ],
)
def test_durations_print_in_english_with_singular_and_plural(text, shown):
    assert str(parse_duration(text, LOC)) == shown


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "3 months",
        "3 month",
        "three days",
        "三个工作日",
        "3 workdays",
        "3 working days",
        "days",
        "3",
        "-1 days",
        "+3 days",
        "3 business",
        "1,5 hours",
        "3 days and 2 hours",
        "3 个月",
        "3 分钟",
    ],
)
def test_other_forms_are_refused_with_the_text_and_the_accepted_forms(text):
    with pytest.raises(DurationError) as raised:
        parse_duration(text, LOC)
    message = str(raised.value)
    assert f"'{text}'" in message
    for form in (
        "business days",
        "个工作日",
        "工作日",
        "business hours",
        "个工作小时",
        "工作小时",
        "calendar days",
        "days",
        "天",
        "个自然日",
        "自然日",
        "hours",
        "小时",
        "个小时",
        "weeks",
        "周",
        "个星期",
    ):
        assert form in message


@pytest.mark.parametrize(
    "text", ["1.5 days", "1.5 business days", "0.5 calendar days", "1.5 weeks", "1.5天", "1.5 个工作日", "2.5周"]
)
def test_only_hours_may_have_a_fraction(text):
    with pytest.raises(DurationError) as raised:
        parse_duration(text, LOC)
    message = str(raised.value)
    assert f"'{text}'" in message and "only hours may have a fraction" in message


@pytest.mark.parametrize("text", ["0 days", "0 business days", "0 hours", "0.0 hours", "0个工作日", "00 weeks"])
def test_zero_is_refused(text):
    with pytest.raises(DurationError) as raised:
        parse_duration(text, LOC)
    message = str(raised.value)
    assert f"'{text}'" in message and "greater than 0" in message


def test_duration_error_is_a_value_error():
    assert issubclass(DurationError, ValueError)
