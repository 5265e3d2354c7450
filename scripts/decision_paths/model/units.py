"""Duration units (SPEC section 5): one table says everything a unit is.

Parsing, the JSON Schema, the format reference, the promise's sums and the
calculator data all read ``UNITS``. A new unit is a ``Unit`` member, a row and
its names in each other language (``words``); a new *kind* of counting also
needs its arithmetic in ``timeline`` and in the calculator JS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from decision_paths.model.findings import Loc, excerpt


def plain_number(value: Decimal) -> str:
    """A number as people write it: every digit kept, no exponent, no trailing zeros
    (Decimal.normalize would round to 28 digits)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class Unit(StrEnum):
    BUSINESS_DAYS = "business days"
    BUSINESS_HOURS = "business hours"
    CALENDAR_DAYS = "calendar days"
    HOURS = "hours"
    WEEKS = "weeks"

    @property
    def spec(self) -> UnitSpec:
        return _BY_UNIT[self]


class Kind(StrEnum):
    """How a unit counts (SPEC section 8). The timeline and the calculator JS have one
    arithmetic per kind and refuse a kind they do not know; the calculator data carries it."""

    CLOCK_HOURS = "clock hours"  # elapsed real time
    CALENDAR_DAYS = "calendar days"  # due at the end of a later date
    BUSINESS_DAYS = "business days"  # due at closing time of a later working day
    BUSINESS_HOURS = "business hours"  # working time inside the calendar's hours


@dataclass(frozen=True, slots=True)
class UnitSpec:
    unit: Unit
    english: tuple[tuple[str, str], ...]  # accepted (plural, singular) pairs; the first is the unit's name
    chinese: tuple[str, ...]  # accepted, in the order messages list them
    kind: Kind
    factor: int  # amounts of the kind in one unit: a week is 7 calendar days
    fractional: bool  # whether 1.5 is allowed
    max_amount: int  # ten years: longer is a typing mistake, and past what the calendar arithmetic counts
    nominal_hours: Decimal  # rough calendar hours, only to order paths whose units differ
    sum_order: int  # place in a sum of units, largest first: "1 week + 3 business days"

    @property
    def plural(self) -> str:
        return self.english[0][0]

    @property
    def singular(self) -> str:
        return self.english[0][1]

    def name(self, amount: Decimal) -> str:
        return self.singular if amount == 1 else self.plural

    @property
    def spellings(self) -> tuple[str, ...]:
        return tuple(word for pair in self.english for word in pair) + self.chinese

    @property
    def word_keys(self) -> tuple[str, str]:
        """The ``words`` keys of its singular and plural name in the reader's language."""
        return f"unit_{self.singular}", f"unit_{self.plural}"


MAX_YEARS = 10
UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(
        Unit.BUSINESS_DAYS,
        english=(("business days", "business day"),),
        chinese=("个工作日", "工作日"),
        kind=Kind.BUSINESS_DAYS,
        factor=1,
        fractional=False,
        max_amount=260 * MAX_YEARS,
        nominal_hours=Decimal("33.6"),  # 7/5 of a day
        sum_order=2,
    ),
    UnitSpec(
        Unit.BUSINESS_HOURS,
        english=(("business hours", "business hour"),),
        chinese=("个工作小时", "工作小时"),
        kind=Kind.BUSINESS_HOURS,
        factor=1,
        fractional=True,
        max_amount=8 * 260 * MAX_YEARS,  # ten years of eight-hour working days
        nominal_hours=Decimal("3.7"),  # 9 working hours ~ 1 business day of 33.6 h
        sum_order=3,
    ),
    UnitSpec(
        Unit.CALENDAR_DAYS,
        english=(("calendar days", "calendar day"), ("days", "day")),
        chinese=("天", "个自然日", "自然日"),
        kind=Kind.CALENDAR_DAYS,
        factor=1,
        fractional=False,
        max_amount=365 * MAX_YEARS,
        nominal_hours=Decimal(24),
        sum_order=1,
    ),
    UnitSpec(
        Unit.HOURS,
        english=(("hours", "hour"),),
        chinese=("小时", "个小时"),
        kind=Kind.CLOCK_HOURS,
        factor=1,
        fractional=True,
        max_amount=24 * 365 * MAX_YEARS,
        nominal_hours=Decimal(1),
        sum_order=4,
    ),
    UnitSpec(
        Unit.WEEKS,
        english=(("weeks", "week"),),
        chinese=("周", "个星期"),
        kind=Kind.CALENDAR_DAYS,
        factor=7,
        fractional=False,
        max_amount=52 * MAX_YEARS,
        nominal_hours=Decimal(168),
        sum_order=0,
    ),
)
_BY_UNIT: dict[Unit, UnitSpec] = {spec.unit: spec for spec in UNITS}

# ------------------------------------------------------------------ derived from the table

UNIT_WORDS: dict[str, Unit] = {word: spec.unit for spec in UNITS for word in spec.spellings}
# Longest first so "个工作小时" wins over "小时". Also the JSON Schema's pattern for
# ``within``, so editors accept exactly what we do.
PATTERN = r"^\s*(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(UNIT_WORDS, key=len, reverse=True)) + r")\s*$"
_PATTERN = re.compile(PATTERN)

ACCEPTED_FORMS = ", ".join(
    " or ".join(f"N {plural}" for plural, _ in spec.english) + f" ({', '.join(spec.chinese)})" for spec in UNITS
)
MAX_AMOUNT: dict[Unit, int] = {spec.unit: spec.max_amount for spec in UNITS}


@dataclass(frozen=True, slots=True)
class Duration:
    amount: Decimal
    unit: Unit
    text: str  # as written, for messages and display in the author's language
    loc: Loc

    def __str__(self) -> str:
        return f"{plain_number(self.amount)} {self.unit.spec.name(self.amount)}"


class DurationError(ValueError):
    pass


def parse_duration(text: str, loc: Loc) -> Duration:
    """``"3 business days"`` -> Duration(3, BUSINESS_DAYS); raises DurationError with a message for people."""
    match = _PATTERN.match(text)
    if not match:
        raise DurationError(f"'{excerpt(text)}' is not a duration; write a whole number and a unit: {ACCEPTED_FORMS}")
    number, word = match.groups()
    spec = UNIT_WORDS[word].spec
    amount = Decimal(number)
    if amount <= 0:
        raise DurationError(f"'{excerpt(text)}': the number must be greater than 0")
    # "1.0 business days" too: a written fraction means a fraction was meant.
    if "." in number and not spec.fractional:
        raise DurationError(
            f"'{excerpt(text)}': only hours may have a fraction (like 1.5 hours); {spec.plural} must be whole"
        )
    if amount > spec.max_amount:
        raise DurationError(
            f"'{excerpt(text)}' is longer than {MAX_YEARS} years (at most {spec.max_amount} {spec.plural}); "
            "check the number"
        )
    return Duration(amount, spec.unit, text.strip(), loc)
