"""ETags and conditional requests."""

import pytest

from siteseer.http.conditional import (
    etag_matches_strong,
    etag_matches_weak,
    if_range_allows_range,
    is_not_modified,
    is_precondition_failed,
    make_etag,
    parse_etag_list,
)
from siteseer.http.dates import format_http_date

MTIME = 1_700_000_000
LAST_MODIFIED = format_http_date(MTIME)
ETAG = make_etag(1234, MTIME * 10**9 + 5)


def test_etag_is_strong_quoted_and_changes_with_size_and_mtime():
    assert ETAG.startswith('"') and ETAG.endswith('"') and not ETAG.startswith("W/")
    assert make_etag(1234, 1) != make_etag(1235, 1)
    assert make_etag(1234, 1) != make_etag(1234, 2)  # nanosecond changes count
    assert make_etag(1234, 1) == make_etag(1234, 1)


def test_etag_variant_per_encoding():
    plain, br, gz = make_etag(10, 20), make_etag(10, 20, "br"), make_etag(10, 20, "gzip")
    assert len({plain, br, gz}) == 3
    assert br.endswith('-br"') and gz.endswith('-gzip"')


@pytest.mark.parametrize(
    "header, expected",
    [
        ('"a"', ['"a"']),
        ('"a", "b"', ['"a"', '"b"']),
        ('W/"a","b"', ['W/"a"', '"b"']),
        ('"a,b", "c"', ['"a,b"', '"c"']),  # comma inside the tag
        ('  "a" ,, "b"  ', ['"a"', '"b"']),
        ("a, \"b\"", ['"b"']),  # unquoted member skipped
        ('"unterminated', []),
        ("", []),
    ],
)
def test_parse_etag_list(header, expected):
    assert parse_etag_list(header) == expected


def test_parse_etag_list_star():
    assert parse_etag_list("*") is None
    assert parse_etag_list(" * ") is None


def test_weak_comparison():
    assert etag_matches_weak(ETAG, ETAG)
    assert etag_matches_weak("W/" + ETAG, ETAG)
    assert etag_matches_weak('"other", ' + ETAG, ETAG)
    assert etag_matches_weak("*", ETAG)
    assert not etag_matches_weak('"other"', ETAG)
    assert not etag_matches_weak('"other", *', ETAG)  # "*" only counts alone
    assert not etag_matches_weak("", ETAG)


def test_strong_comparison():
    assert etag_matches_strong(ETAG, ETAG)
    assert etag_matches_strong("*", ETAG)
    assert not etag_matches_strong("W/" + ETAG, ETAG)
    assert not etag_matches_strong('"x"', ETAG)


class TestNotModified:
    def test_no_conditions(self):
        assert not is_not_modified(None, None, ETAG, LAST_MODIFIED, MTIME)

    def test_if_none_match(self):
        assert is_not_modified(ETAG, None, ETAG, LAST_MODIFIED, MTIME)
        assert not is_not_modified('"stale"', None, ETAG, LAST_MODIFIED, MTIME)

    def test_if_modified_since_exact_echo(self):
        assert is_not_modified(None, LAST_MODIFIED, ETAG, LAST_MODIFIED, MTIME)

    def test_if_modified_since_later_and_earlier(self):
        assert is_not_modified(None, format_http_date(MTIME + 60), ETAG, LAST_MODIFIED, MTIME)
        assert not is_not_modified(None, format_http_date(MTIME - 1), ETAG, LAST_MODIFIED, MTIME)

    def test_if_modified_since_other_formats(self):
        assert is_not_modified(None, "Sun Nov  6 08:49:37 2050", ETAG, LAST_MODIFIED, MTIME)

    def test_if_modified_since_garbage_is_ignored(self):
        assert not is_not_modified(None, "not a date", ETAG, LAST_MODIFIED, MTIME)

    def test_if_none_match_wins_over_if_modified_since(self):
        # A stale ETag means "send it", even if the date alone would say 304.
        assert not is_not_modified('"stale"', LAST_MODIFIED, ETAG, LAST_MODIFIED, MTIME)
        # A matching ETag means 304 even with an old date.
        assert is_not_modified(ETAG, format_http_date(0), ETAG, LAST_MODIFIED, MTIME)


class TestPreconditionFailed:
    def test_none(self):
        assert not is_precondition_failed(None, None, ETAG, MTIME)

    def test_if_match(self):
        assert not is_precondition_failed(ETAG, None, ETAG, MTIME)
        assert not is_precondition_failed("*", None, ETAG, MTIME)
        assert is_precondition_failed('"other"', None, ETAG, MTIME)
        assert is_precondition_failed("W/" + ETAG, None, ETAG, MTIME)

    def test_if_unmodified_since(self):
        assert not is_precondition_failed(None, LAST_MODIFIED, ETAG, MTIME)
        assert is_precondition_failed(None, format_http_date(MTIME - 10), ETAG, MTIME)
        assert not is_precondition_failed(None, "garbage", ETAG, MTIME)

    def test_if_match_wins(self):
        assert not is_precondition_failed(ETAG, format_http_date(0), ETAG, MTIME)


class TestIfRange:
    def test_absent(self):
        assert if_range_allows_range(None, ETAG, LAST_MODIFIED)

    def test_etag(self):
        assert if_range_allows_range(ETAG, ETAG, LAST_MODIFIED)
        assert not if_range_allows_range('"other"', ETAG, LAST_MODIFIED)
        assert not if_range_allows_range("W/" + ETAG, ETAG, LAST_MODIFIED)  # weak never matches

    def test_date_must_be_exact(self):
        assert if_range_allows_range(LAST_MODIFIED, ETAG, LAST_MODIFIED)
        assert not if_range_allows_range(format_http_date(MTIME + 1), ETAG, LAST_MODIFIED)
        assert not if_range_allows_range(format_http_date(MTIME - 1), ETAG, LAST_MODIFIED)

    def test_date_in_other_format(self):
        lm = format_http_date(784111777)  # Sun, 06 Nov 1994 08:49:37 GMT
        assert if_range_allows_range("Sunday, 06-Nov-94 08:49:37 GMT", ETAG, lm)

    def test_garbage(self):
        assert not if_range_allows_range("garbage", ETAG, LAST_MODIFIED)
