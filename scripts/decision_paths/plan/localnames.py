"""What a reader calls a time zone, a country and a weekday, in the page's language.

Names come from the CLDR data that Babel carries: a zone's generic name, which
does not flip between summer and winter time. China's single time zone is
called Beijing time by the people who live in it, which CLDR spells "China Time".
"""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone_name

# The names people use where CLDR's differ from them: zone -> language -> name.
_CUSTOMARY = {
    "Asia/Shanghai": {"zh": "北京时间", "en": "Beijing time"},
    "Asia/Chongqing": {"zh": "北京时间", "en": "Beijing time"},
    "Asia/Harbin": {"zh": "北京时间", "en": "Beijing time"},
    "PRC": {"zh": "北京时间", "en": "Beijing time"},
    "UTC": {"zh": "协调世界时 (UTC)", "en": "UTC"},
    "Etc/UTC": {"zh": "协调世界时 (UTC)", "en": "UTC"},
}
_LOCALES = {"zh": "zh_Hans_CN", "en": "en"}


@functools.lru_cache(maxsize=256)
def zone_name(zone: str, language: str) -> str:
    """The zone's name in the reader's language, e.g. ('Europe/London', 'zh') -> '英国时间'."""
    customary = _CUSTOMARY.get(zone, {}).get(language)
    if customary is not None:
        return customary
    try:
        name = str(get_timezone_name(zone, locale=_LOCALES.get(language, language)))
    except (LookupError, ValueError):
        return zone
    # A zone CLDR places nowhere ("Unknown Region (…) Time"): its id is still exact.
    return zone if "Unknown" in name or "未知" in name else name


@functools.lru_cache(maxsize=64)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(_LOCALES.get(language, language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def country_name(code: str, language: str) -> str:
    """'CN' -> '中国' / 'China'; the code itself for one CLDR does not know."""
    return str(_locale(language).territories.get(code.upper(), code))


def weekday_name(weekday: int, language: str) -> str:
    """0 = Monday, as ``date.weekday()``: '星期一' / 'Monday'."""
    # CLDR numbers weekdays from Monday = 0 too.
    return str(_locale(language).days["format"]["wide"][weekday])
