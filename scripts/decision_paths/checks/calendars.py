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
def supported_countries() -> dict[str, list[str]]:
    import holidays  # imported only when a calendar needs checking

    return holidays.list_supported_countries()


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
    if subdivision is not None and subdivision.id not in countries[code]:
        known = ", ".join(countries[code]) or "none: leave subdivision out"
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
