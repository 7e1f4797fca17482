"""HTTP dates (RFC 9110 section 5.6.7).

Servers send only IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``); recipients
must also accept the two obsolete forms, RFC 850 (``Sunday, 06-Nov-94
08:49:37 GMT``) and asctime (``Sun Nov  6 08:49:37 1994``). We parse by hand
instead of with ``email.utils``: that parser accepts far more than HTTP allows
(time zones, missing seconds, ...) and is locale-free only by accident.
Every bad input gives ``None`` so callers can ignore the header, as the RFC asks.
"""

from __future__ import annotations

import calendar
import re
import time

__all__ = ["MONTHS", "format_http_date", "parse_http_date"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAYS_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# English month abbreviations, as HTTP dates and the access log write them (and the results pages show them).
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBER = {name: number for number, name in enumerate(MONTHS, 1)}

# The day name is checked against the set, not against the date: RFC 9110
# does not ask recipients to verify it, and a wrong one is harmless.
_IMF_FIXDATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT",
    re.ASCII,
)
_RFC850 = re.compile(
    r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
    r"(\d\d)-([A-Z][a-z]{2})-(\d\d) (\d\d):(\d\d):(\d\d) GMT",
    re.ASCII,
)
_ASCTIME = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})",
    re.ASCII,
)


def format_http_date(timestamp: float) -> str:
    """IMF-fixdate for a POSIX timestamp (seconds; fractions are dropped).

    Built by hand because ``time.strftime("%a")`` follows the C locale.
    """
    t = time.gmtime(int(timestamp))
    return (
        f"{_WEEKDAYS[t.tm_wday]}, {t.tm_mday:02d} {MONTHS[t.tm_mon - 1]} {t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


def parse_http_date(value: str | None) -> int | None:
    """Seconds since the epoch for an HTTP date, or ``None`` if it is not one."""
    if not value or len(value) > 64:
        return None
    value = value.strip()
    match = _IMF_FIXDATE.fullmatch(value)
    if match:
        _, day, month, year, hour, minute, second = match.groups()
        return _timestamp(int(year), month, day, hour, minute, second)
    match = _RFC850.fullmatch(value)
    if match:
        _, day, month, year2, hour, minute, second = match.groups()
        return _timestamp(_expand_two_digit_year(int(year2)), month, day, hour, minute, second)
    match = _ASCTIME.fullmatch(value)
    if match:
        _, month, day, hour, minute, second, year = match.groups()
        return _timestamp(int(year), month, day.strip(), hour, minute, second)
    return None


def _expand_two_digit_year(year2: int) -> int:
    """RFC 9110: a two-digit year more than 50 years in the future is in the past century."""
    this_year = time.gmtime().tm_year
    year = this_year - this_year % 100 + year2
    if year > this_year + 50:
        year -= 100
    return year


def _timestamp(year: int, month_name: str, day: str, hour: str, minute: str, second: str) -> int | None:
    month = _MONTH_NUMBER.get(month_name)
    if month is None:
        return None
    if year < 1:  # the calendar has no year 0; before 1970 is a date like any other (If-Unmodified-Since: 412)
        return None
    d, h, m, s = int(day), int(hour), int(minute), int(second)
    # 60 is a leap second; HTTP dates never carry one, so refuse it with the rest.
    if not (1 <= d <= calendar.monthrange(year, month)[1] and h < 24 and m < 60 and s < 60):
        return None
    return calendar.timegm((year, month, d, h, m, s, 0, 0, 0))
