"""Range header parsing: satisfiable ranges, UNSATISFIABLE, or None (ignore)."""

import pytest
from hypothesis import given, settings, strategies as st

from siteseer.http.ranges import MAX_RANGES, UNSATISFIABLE, content_range, parse_range

SIZE = 10_000


@pytest.mark.parametrize(
    "header, expected",
    [
        ("bytes=0-499", [(0, 500)]),
        ("bytes=500-999", [(500, 1000)]),
        ("bytes=9500-", [(9500, SIZE)]),  # open range
        ("bytes=-500", [(9500, SIZE)]),  # suffix range
        ("bytes=0-0", [(0, 1)]),
        ("bytes=9999-9999", [(9999, SIZE)]),
        ("bytes=0-", [(0, SIZE)]),
        ("bytes=0-99999", [(0, SIZE)]),  # last-pos beyond the end is clamped
        ("bytes=-99999", [(0, SIZE)]),  # suffix longer than the file
        ("BYTES=0-9", [(0, 10)]),  # unit is case-insensitive
        ("bytes= 0-9", [(0, 10)]),
        ("bytes=0-9 , 20-29", [(0, 10), (20, 30)]),
        ("bytes=0-9,\t20-29", [(0, 10), (20, 30)]),
        ("bytes=0-9,,20-29", [(0, 10), (20, 30)]),  # empty list elements tolerated
    ],
)
def test_satisfiable(header, expected):
    assert parse_range(header, SIZE) == expected


def test_several_ranges_are_sorted_and_coalesced():
    assert parse_range("bytes=500-599,0-99", SIZE) == [(0, 100), (500, 600)]
    assert parse_range("bytes=0-99,50-149", SIZE) == [(0, 150)]  # overlapping
    assert parse_range("bytes=0-99,100-199", SIZE) == [(0, 200)]  # adjacent
    assert parse_range("bytes=0-,0-,0-,0-", SIZE) == [(0, SIZE)]  # amplification attempt
    assert parse_range("bytes=-100,9000-", SIZE) == [(9000, SIZE)]


def test_unsatisfiable_ranges_are_dropped_when_others_are_fine():
    assert parse_range("bytes=20000-30000,0-9", SIZE) == [(0, 10)]


@pytest.mark.parametrize(
    "header",
    [
        "bytes=10000-",  # first-pos == size
        "bytes=10000-20000",
        "bytes=20000-30000,40000-",
        "bytes=-0",  # zero-length suffix
        "bytes=" + "9" * 30 + "-",  # 2^100-ish first-pos
        "bytes=%d-" % 2**70,
    ],
)
def test_unsatisfiable(header):
    assert parse_range(header, SIZE) is UNSATISFIABLE


def test_unsatisfiable_is_falsy_and_distinct_from_none():
    assert not UNSATISFIABLE
    assert UNSATISFIABLE is not None
    assert repr(UNSATISFIABLE) == "UNSATISFIABLE"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes",
        "bytes=",
        "bytes=,",
        "items=0-9",  # another unit
        "bytes 0-9",
        "bytes=9-0",  # last < first makes the header invalid
        "bytes=0-9,9-0",
        "bytes=a-b",
        "bytes=0-9x",
        "bytes=--5",
        "bytes=-5-",
        "bytes=+0-9",
        "bytes=0 -9",
        "bytes=0- 9",
        "bytes=1-2-3",
        "bytes=0x10-20",
        "bytes=٠-٩",  # non-ASCII digits
        "bytes=-",
        "bytes=0-9" + ",0-9" * MAX_RANGES,  # too many ranges
        "bytes=0-" + "9" * 5000,  # absurdly long
    ],
)
def test_ignored(header):
    assert parse_range(header, SIZE) is None


def test_empty_file_is_never_ranged():
    assert parse_range("bytes=0-9", 0) is None
    assert parse_range("bytes=-5", 0) is None


def test_huge_last_pos_is_clamped():
    assert parse_range("bytes=0-%d" % 2**70, SIZE) == [(0, SIZE)]
    assert parse_range("bytes=-%d" % 2**70, SIZE) == [(0, SIZE)]


def test_max_ranges_is_allowed():
    header = "bytes=" + ",".join(f"{i * 10}-{i * 10 + 4}" for i in range(MAX_RANGES))
    result = parse_range(header, SIZE)
    assert isinstance(result, list) and len(result) == MAX_RANGES


def test_content_range():
    assert content_range(0, 500, 1000) == "bytes 0-499/1000"
    assert content_range(999, 1000, 1000) == "bytes 999-999/1000"


range_spec = st.one_of(
    st.tuples(st.integers(0, 2**80), st.one_of(st.none(), st.integers(0, 2**80))).map(
        lambda t: f"{t[0]}-" + ("" if t[1] is None else str(t[1]))
    ),
    st.integers(0, 2**80).map(lambda n: f"-{n}"),
    st.text(alphabet="0123456789-, \t=abytes", max_size=12),
)


@settings(max_examples=500)
@given(st.lists(range_spec, max_size=8), st.integers(0, 2**40), st.sampled_from(["bytes=", "Bytes=", "bytes ="]))
def test_property_results_are_valid(specs, size, prefix):
    result = parse_range(prefix + ",".join(specs), size)
    assert result is None or result is UNSATISFIABLE or isinstance(result, list)
    if isinstance(result, list):
        assert result, "an empty list must be UNSATISFIABLE instead"
        previous_end = -1
        for start, end in result:
            assert 0 <= start < end <= size
            assert start > previous_end  # sorted, no overlap, not touching
            previous_end = end
        assert sum(end - start for start, end in result) <= size


@given(st.text(max_size=200), st.integers(0, 2**64))
def test_property_never_raises(header, size):
    result = parse_range(header, size)
    assert result is None or result is UNSATISFIABLE or isinstance(result, list)
