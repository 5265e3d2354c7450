"""Calendars name a real country, region and time zone (DP107)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from decision_paths.checks.context import CheckContext
from decision_paths.load.rules import INVALID_VALUE
from decision_paths.model.findings import Finding
from decision_paths.model.organisation import Calendar, Organisation
from decision_paths.model.suggest import did_you_mean

RULES = (INVALID_VALUE,)  # the format's rule for a value outside the allowed set


def check(org: Organisation, context: CheckContext) -> Iterator[Finding]:
    for calendar in org.calendars.values():
        yield from _country(calendar)
        yield from _timezone(calendar)


@functools.cache
def supported_countries() -> frozenset[str]:
    """The country codes (and aliases) with holiday data, from the library's registry:
    its list_supported_countries() imports every country's module to list their regions."""
    from holidays.registry import EntityLoader  # imported only when a calendar needs checking

    return frozenset(EntityLoader.get_country_codes(include_aliases=True))


@functools.cache
def subdivisions(code: str) -> tuple[str, ...]:
    """The regions of one country: only its module is imported."""
    import holidays  # the country's class loads on first use

    return tuple(getattr(holidays, code).subdivisions)


def _country(calendar: Calendar) -> Iterator[Finding]:
    countries = supported_countries()
    code = calendar.country.id
    if code not in countries:
        yield INVALID_VALUE.at(
            calendar.country.loc,
            f"calendar '{calendar.id}' country '{code}' has no "
            "holiday data: use an ISO 3166 code such as CN, HK or US"
            f"{did_you_mean(code.upper(), countries)}",
        )
        return
    subdivision = calendar.subdivision
    if subdivision is not None and subdivision.id not in subdivisions(code):
        known = ", ".join(subdivisions(code)) or "none: leave subdivision out"
        yield INVALID_VALUE.at(
            subdivision.loc,
            f"calendar '{calendar.id}' subdivision '{subdivision.id}' is not a region of {code} (known: {known})",
        )


def _timezone(calendar: Calendar) -> Iterator[Finding]:
    name = calendar.timezone.id
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        yield INVALID_VALUE.at(
            calendar.timezone.loc,
            f"calendar '{calendar.id}' timezone '{name}' is not "
            "an IANA time zone; write it like Asia/Shanghai or Asia/Hong_Kong",
        )
