"""Accept-Encoding negotiation."""

import pytest
from hypothesis import given, strategies as st

from siteseer.http.encoding import choose_encoding, parse_accept_encoding


@pytest.mark.parametrize(
    "header, expected",
    [
        ("gzip, deflate, br", "br"),  # Chrome/Firefox: br preferred on a tie
        ("gzip, deflate, br, zstd", "br"),
        ("br", "br"),
        ("gzip", "gzip"),
        ("GZIP", "gzip"),
        ("x-gzip", "gzip"),
        ("deflate", None),
        ("identity", None),
        ("*", "br"),
        ("gzip;q=1.0, br;q=0.5", "gzip"),  # q-values beat our preference
        ("br;q=0, gzip", "gzip"),
        ("br;q=0, gzip;q=0", None),
        ("*;q=0", None),  # nothing acceptable at all: plain body anyway
        ("*, br;q=0", "gzip"),
        ("gzip;q=0.5", "gzip"),  # identity is implicitly acceptable at q=1...
        ("gzip;q=0.5, identity;q=1", None),  # ...and explicitly preferred here
        ("gzip;q=0.5, identity;q=0", "gzip"),
        ("gzip ; q=0.8 , br ; q=0.9", "br"),
        ("gzip;q=abc", None),  # malformed q counts as 0
        ("gzip;q=2", None),
        ("gzip;q=-1", None),
        ("gzip;level=9", "gzip"),  # unknown parameter ignored
        (",,, gzip ,,", "gzip"),
        ("", None),
        (None, None),
    ],
)
def test_choose_encoding(header, expected):
    assert choose_encoding(header) == expected


def test_available_limits_the_choice():
    assert choose_encoding("gzip, br", available=("gzip",)) == "gzip"
    assert choose_encoding("br", available=("gzip",)) is None


def test_very_long_header_is_ignored():
    assert choose_encoding("gzip," + " " * 5000) is None


def test_parse_accept_encoding_keeps_highest_duplicate():
    assert parse_accept_encoding("gzip;q=0.2, gzip;q=0.7") == {"gzip": 0.7}


@given(st.text(max_size=100))
def test_never_raises(header):
    assert choose_encoding(header) in (None, "br", "gzip")
