"""Parse ``within`` durations in the English and Chinese forms of SPEC section 5."""

from __future__ import annotations

import re
from decimal import Decimal

from decision_paths.model.findings import Loc, excerpt
from decision_paths.model.organisation import Duration, Unit

# Every accepted spelling, longest first so "个工作小时" wins over "小时".
UNIT_WORDS: dict[str, Unit] = {
    "business days": Unit.BUSINESS_DAYS,
    "business day": Unit.BUSINESS_DAYS,
    "个工作日": Unit.BUSINESS_DAYS,
    "工作日": Unit.BUSINESS_DAYS,
    "business hours": Unit.BUSINESS_HOURS,
    "business hour": Unit.BUSINESS_HOURS,
    "个工作小时": Unit.BUSINESS_HOURS,
    "工作小时": Unit.BUSINESS_HOURS,
    "calendar days": Unit.CALENDAR_DAYS,
    "calendar day": Unit.CALENDAR_DAYS,
    "days": Unit.CALENDAR_DAYS,
    "day": Unit.CALENDAR_DAYS,
    "个自然日": Unit.CALENDAR_DAYS,
    "自然日": Unit.CALENDAR_DAYS,
    "天": Unit.CALENDAR_DAYS,
    "hours": Unit.HOURS,
    "hour": Unit.HOURS,
    "个小时": Unit.HOURS,
    "小时": Unit.HOURS,
    "weeks": Unit.WEEKS,
    "week": Unit.WEEKS,
    "个星期": Unit.WEEKS,
    "周": Unit.WEEKS,
}

_FRACTIONAL_UNITS = {Unit.BUSINESS_HOURS, Unit.HOURS}
# Also the JSON Schema's pattern for ``within``, so editors accept exactly what we do.
PATTERN = r"^\s*(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(UNIT_WORDS, key=len, reverse=True)) + r")\s*$"
_PATTERN = re.compile(PATTERN)

ACCEPTED_FORMS = (
    "N business days (个工作日, 工作日), N business hours (个工作小时, 工作小时), "
    "N calendar days or N days (天, 个自然日, 自然日), N hours (小时, 个小时), N weeks (周, 个星期)"
)


# The longest promise a stage may make, per unit: ten years. Anything longer is a
# typing mistake, and would take the calendar arithmetic past what it can count.
MAX_YEARS = 10
MAX_AMOUNT: dict[Unit, int] = {
    Unit.CALENDAR_DAYS: 365 * MAX_YEARS,
    Unit.WEEKS: 52 * MAX_YEARS,
    Unit.HOURS: 24 * 365 * MAX_YEARS,
    Unit.BUSINESS_DAYS: 260 * MAX_YEARS,
    Unit.BUSINESS_HOURS: 8 * 260 * MAX_YEARS,  # ten years of eight-hour working days
}


class DurationError(ValueError):
    pass


def parse_duration(text: str, loc: Loc) -> Duration:
    """``"3 business days"`` -> Duration(3, BUSINESS_DAYS); raises DurationError with a message for people."""
    match = _PATTERN.match(text)
    if not match:
        raise DurationError(f"'{excerpt(text)}' is not a duration; write a whole number and a unit: {ACCEPTED_FORMS}")
    number, word = match.groups()
    unit = UNIT_WORDS[word]
    amount = Decimal(number)
    if amount <= 0:
        raise DurationError(f"'{excerpt(text)}': the number must be greater than 0")
    if amount != amount.to_integral_value() and unit not in _FRACTIONAL_UNITS:
        raise DurationError(
            f"'{excerpt(text)}': only hours may have a fraction (like 1.5 hours); {unit.value} must be whole"
        )
    if amount > MAX_AMOUNT[unit]:
        raise DurationError(
            f"'{excerpt(text)}' is longer than {MAX_YEARS} years (at most {MAX_AMOUNT[unit]} {unit.value}); "
            "check the number"
        )
    return Duration(amount, unit, text.strip(), loc)
