"""Header fields sent on more than one line (RFC 9110 sections 5.2 and 5.3).

A list-based field may be split over several field lines; the recipient must
read them as one value, the lines joined with ", " in order. Two
``If-None-Match`` lines therefore mean what one comma-joined line means (a
cache revalidating two stored responses sends just that). A field that holds
one value may not be repeated: a request with two ``Range`` lines is
malformed, and the RFC lets a server ignore a ``Range`` it cannot read, so it
gets the whole representation (200) rather than a guess at one of the two.
"""

from __future__ import annotations

__all__ = ["LIST_FIELDS", "SINGLE_FIELDS", "field_value"]

# The list-based fields siteseer reads (lower case). The forwarding fields too:
# a proxy may add its own line after one the client sent, and read from the
# right the joined list names the real client, where the first line alone
# names whoever the client said it was.
LIST_FIELDS = frozenset({"accept", "accept-encoding", "if-match", "if-none-match", "x-forwarded-for", "forwarded"})
# One-value fields whose repetition makes the field void: two lines mean one value
# that is a list (RFC 9110 5.3), which a date or a range cannot be (13.1.3, 13.1.4).
SINGLE_FIELDS = frozenset({"range", "if-modified-since", "if-unmodified-since", "if-range"})


def field_value(name: str, values: list[str]) -> str | None:
    """The value of field ``name`` (lower case) sent on the lines ``values``; ``None`` when absent or void."""
    if len(values) == 1:
        return values[0]
    if not values or name in SINGLE_FIELDS:
        return None
    if name in LIST_FIELDS:
        return ", ".join(values)
    if name == "cookie":  # an HTTP/2 client sends each cookie on its own line (RFC 9113 8.2.3)
        return "; ".join(values)
    return values[0]
