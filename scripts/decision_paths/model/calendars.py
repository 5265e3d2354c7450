"""Working days and business hours of one calendar, from the `holidays` library.

A working day is a day in ``workdays`` or an official make-up workday, unless
it is a public holiday; the calendar's own ``closed`` and ``open`` dates
override all of that (SPEC section 8).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from decision_paths.model.organisation import Calendar


@dataclass(eq=False)
class BusinessCalendar:
    calendar: Calendar
    _years: dict[int, object] = field(default_factory=dict)
    # Asked again and again (every start of two years for the promise in words):
    # the library's own lookup parses its key each time.
    _working: dict[dt.date, bool] = field(default_factory=dict)
    # Due instants already counted, by (kind, amount) and then received in UTC: one calendar
    # object lives for one plan or query, and a due instant depends on nothing else.
    dues: dict[tuple[object, object], dict[dt.datetime, dt.datetime]] = field(default_factory=dict)
    # Promises in working days already counted, by the decision's shape (model/promise.py):
    # many decisions share one, and each takes two years of starts to count.
    ranges: dict[object, object] = field(default_factory=dict)

    @functools.cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.calendar.timezone.id)

    def _holidays(self, year: int):  # type: ignore[no-untyped-def]
        found = self._years.get(year)
        if found is None:
            import holidays  # imported on first use: only timelines need it

            subdivision = self.calendar.subdivision.id if self.calendar.subdivision else None
            found = holidays.country_holidays(self.calendar.country.id, subdiv=subdivision, years=year)
            self._years[year] = found
        return found

    def holiday_names(self, year: int, language: str) -> list[tuple[dt.date, str]]:
        """The year's public holidays, named in ``language`` ('zh', 'en') where the library
        has that language, else in the country's own."""
        table = self._holidays(year)
        spoken = next(
            (code for code in getattr(table, "supported_languages", ()) if code.lower().startswith(language.lower())),
            None,
        )
        if spoken is not None:  # the library's own default follows the process locale
            import holidays  # already imported by _holidays above

            subdivision = self.calendar.subdivision.id if self.calendar.subdivision else None
            table = holidays.country_holidays(self.calendar.country.id, subdiv=subdivision, years=year, language=spoken)
        return sorted(table.items())

    def makeup_workdays(self, year: int) -> list[dt.date]:
        """Weekend days that are official working days in ``year`` (China's 调休)."""
        return sorted(d for d in getattr(self._holidays(year), "weekend_workdays", ()) if d.year == year)

    def is_public_holiday(self, day: dt.date) -> bool:
        return day in self._holidays(day.year)

    def is_makeup_workday(self, day: dt.date) -> bool:
        return day in getattr(self._holidays(day.year), "weekend_workdays", ())

    def is_working_day(self, day: dt.date) -> bool:
        known = self._working.get(day)
        if known is None:
            known = self._working[day] = self._is_working_day(day)
        return known

    def _is_working_day(self, day: dt.date) -> bool:
        if day in self.calendar.closed:
            return False
        if day in self.calendar.open:
            return True
        if self.is_public_holiday(day):
            return False
        return day.weekday() in self.calendar.workdays or self.is_makeup_workday(day)

    def has_official_schedule(self, year: int) -> bool:
        """False for a year the library cannot vouch for, e.g. China's make-up workdays
        before the State Council publishes them (late in the previous year)."""
        table = self._holidays(year)
        if not getattr(table, "start_year", year) <= year <= getattr(table, "end_year", year):
            return False
        published = self._last_published_year()
        return published is None or year <= published

    @functools.cache  # noqa: B019 - one calendar object per build; the cache dies with it
    def _last_published_year(self) -> int | None:
        """For a country with make-up workdays, the last year of its published schedule."""
        table = self._holidays(2000)
        years = [
            year
            for name in dir(table)
            if name.startswith("special_") and name.endswith("holidays") and isinstance(getattr(table, name), dict)
            for year in getattr(table, name)
        ]
        if not years:
            return None
        last = max(years)
        return last if getattr(self._holidays(last), "weekend_workdays", None) else None

    @property
    def opens(self) -> dt.timedelta:
        """Opening time, as the time since midnight."""
        return self.calendar.hours.opens

    @property
    def closes(self) -> dt.timedelta:
        """Closing time, as the time since midnight (24 h for "24:00")."""
        return self.calendar.hours.closes

    def local(self, day: dt.date, since_midnight: dt.timedelta | dt.time = dt.timedelta()) -> dt.datetime:
        """The instant of a wall-clock time on ``day`` in the calendar's zone (see ``at_wall``)."""
        if isinstance(since_midnight, dt.time):
            return self.at_wall(dt.datetime.combine(day, since_midnight))
        return self.at_wall(dt.datetime.combine(day, dt.time()) + since_midnight)

    def boundary(self, day: dt.date, since_midnight: dt.timedelta) -> dt.datetime:
        """The instant a desk opens or closes at a wall-clock time on ``day``. A time the
        clocks skip (they jump from 01:00 to 02:00, and the desk opens at 01:30) is the
        moment of the jump: the first instant whose clock shows that time or later."""
        wall = dt.datetime.combine(day, dt.time()) + since_midnight
        instant = self.at_wall(wall)
        if instant.replace(tzinfo=None) == wall:
            return instant
        low, high = (instant - dt.timedelta(days=1)).astimezone(dt.UTC), instant.astimezone(dt.UTC)
        before = low.astimezone(self.zone).utcoffset()
        while high - low > dt.timedelta(microseconds=1):  # find the jump between them
            middle = low + (high - low) / 2
            if middle.astimezone(self.zone).utcoffset() == before:
                low = middle
            else:
                high = middle
        return high.replace(microsecond=0).astimezone(self.zone)  # zones change on whole seconds

    def at_wall(self, wall: dt.datetime) -> dt.datetime:
        """The instant a wall-clock time names, with the zone's real offset at that instant.

        The one rule for clock changes: a time that happens twice (clocks go back) is
        the first of the two; a time that never happens (clocks go forward) is the
        same distance past the change, e.g. 01:30 on the spring morning in London is
        02:30 summer time.
        """
        return wall.replace(tzinfo=self.zone, fold=0).astimezone(dt.UTC).astimezone(self.zone)


@functools.lru_cache(maxsize=64)
def shared_calendar(calendar: Calendar) -> BusinessCalendar:
    """One BusinessCalendar per calendar as written, for the whole process: its holiday
    tables, working days and counted due instants serve every plan made from it (both
    sites of a build, every rebuild while serving). A calendar written differently, even
    on another line, is another one."""
    return BusinessCalendar(calendar)
