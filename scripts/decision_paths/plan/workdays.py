"""What counts as a working day, in the reader's words: the one-sentence rule a
promise page shows, and the calendars page that lists the days year by year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from decision_paths.model.calendars import BusinessCalendar
from decision_paths.plan import views as v
from decision_paths.plan.localnames import country_name, weekday_name, zone_name
from decision_paths.plan.urls import calendar_anchor


def working_day_rule(calendar: BusinessCalendar, words: Mapping[str, str], language: str, today: dt.date) -> str:
    """'A working day is Monday to Friday, except public holidays in China, plus the
    official make-up workdays; working hours are 09:00-18:00 Beijing time.' The
    make-up workdays are named only where the country has them."""
    makeup = calendar.makeup_workdays(today.year) or calendar.makeup_workdays(today.year + 1)
    return words["working_day_rule" if makeup else "working_day_rule_holidays"].format(
        workdays=_weekdays(sorted(calendar.calendar.workdays), words, language),
        country=country_name(calendar.calendar.country.id, language),
        hours=str(calendar.calendar.hours),
        zone=zone_name(calendar.calendar.timezone.id, language),
    )


def _weekdays(days: list[int], words: Mapping[str, str], language: str) -> str:
    names = [weekday_name(d, language) for d in days]
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return words["weekday_range"].format(first=names[0], last=names[-1])
    return ("、" if language.startswith("zh") else ", ").join(names)


def calendar_title(calendar: BusinessCalendar, language: str) -> str:
    """'中国 · 北京时间': what a reader recognises, not the editors' id."""
    country = country_name(calendar.calendar.country.id, language)
    return f"{country} · {zone_name(calendar.calendar.timezone.id, language)}"


def calendars_page(
    uri: str,
    calendars: Mapping[str, BusinessCalendar],
    words: Mapping[str, str],
    language: str,
    today: dt.date,
    show_ids: bool,
) -> v.CalendarsView:
    sections = []
    for calendar_id, calendar in calendars.items():
        title = calendar_title(calendar, language)
        years = tuple(_year(calendar, year, words, language) for year in (today.year, today.year + 1))
        sections.append(
            v.CalendarSection(
                anchor=calendar_anchor(calendar_id),
                title=f"{title} ({calendar_id})" if show_ids else title,
                rule=working_day_rule(calendar, words, language, today),
                zone=zone_name(calendar.calendar.timezone.id, language),
                hours=str(calendar.calendar.hours),
                years=years,
                closed=_days(sorted(calendar.calendar.closed), language),
                open=_days(sorted(calendar.calendar.open), language),
            )
        )
    return v.CalendarsView(uri, words["calendars"], tuple(sections))


def _year(calendar: BusinessCalendar, year: int, words: Mapping[str, str], language: str) -> v.CalendarYear:
    holidays = tuple(
        v.NamedDay(day.isoformat(), weekday_name(day.weekday(), language), name)
        for day, name in calendar.holiday_names(year, language)
    )
    caveat = "" if calendar.has_official_schedule(year) else words["unpublished_year"].format(year=year)
    return v.CalendarYear(year, holidays, _days(calendar.makeup_workdays(year), language), caveat)


def _days(days: list[dt.date], language: str) -> tuple[v.NamedDay, ...]:
    return tuple(v.NamedDay(day.isoformat(), weekday_name(day.weekday(), language), "") for day in days)
