"""HTTP dates: one format out, three formats in, None for everything else."""

import calendar
import email.utils

import pytest
from hypothesis import given, strategies as st

from siteseer.http.conditional import is_precondition_failed
from siteseer.http.dates import format_http_date, parse_http_date

# RFC 9110's example instant: Sun, 06 Nov 1994 08:49:37 GMT
EXAMPLE = calendar.timegm((1994, 11, 6, 8, 49, 37, 0, 0, 0))


def test_format_is_imf_fixdate():
    assert format_http_date(EXAMPLE) == "Sun, 06 Nov 1994 08:49:37 GMT"


def test_format_drops_fractions():
    assert format_http_date(EXAMPLE + 0.999) == "Sun, 06 Nov 1994 08:49:37 GMT"


def test_format_epoch():
    assert format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT"


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",  # IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  # RFC 850
        "Sun Nov  6 08:49:37 1994",  # asctime
        "  Sun, 06 Nov 1994 08:49:37 GMT  ",  # surrounding whitespace
    ],
)
def test_parse_accepts_the_three_formats(value):
    assert parse_http_date(value) == EXAMPLE


def test_parse_asctime_two_digit_day():
    assert parse_http_date("Sun Nov 16 08:49:37 1994") == EXAMPLE + 10 * 86400


def test_a_date_before_the_epoch_is_a_date():
    """Earlier than any file: If-Unmodified-Since with it is a 412, as nginx answers (it was ignored)."""
    assert parse_http_date("Fri, 01 Jan 1960 00:00:00 GMT") == -315619200
    assert is_precondition_failed(None, "Fri, 01 Jan 1960 00:00:00 GMT", '"tag"', 0)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "yesterday",
        "Sun, 06 Nov 1994 08:49:37 UTC",  # only GMT
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 06 Nov 1994 08:49 GMT",  # no seconds
        "Sun, 6 Nov 1994 08:49:37 GMT",  # one-digit day
        "Sun, 06 Foo 1994 08:49:37 GMT",  # no such month
        "Sun, 31 Feb 1994 08:49:37 GMT",  # no such day
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:60 GMT",
        "Sun, 06 Nov 0000 08:49:37 GMT",
        "Sun, ٠٦ Nov 1994 08:49:37 GMT",  # non-ASCII digits
        "Sun, 06 Nov 1994 08:49:37 GMT" + "x" * 100,
        "1994-11-06T08:49:37Z",
        "-1",
    ],
)
def test_parse_rejects(value):
    assert parse_http_date(value) is None


def test_rfc850_two_digit_year_is_within_fifty_years():
    # 94 is in the past century: a year 2094 date would be > 50 years ahead.
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == EXAMPLE
    # 05 is this century.
    assert parse_http_date("Saturday, 05-Nov-05 08:49:37 GMT") == calendar.timegm((2005, 11, 5, 8, 49, 37, 0, 0, 0))


@given(st.integers(min_value=0, max_value=253402300799))  # up to year 9999
def test_round_trip(ts):
    text = format_http_date(ts)
    assert parse_http_date(text) == ts
    assert email.utils.parsedate_to_datetime(text).timestamp() == ts


@given(st.text(max_size=80))
def test_parse_never_raises(text):
    result = parse_http_date(text)
    assert result is None or isinstance(result, int)
