from siteseer.http.locations import join_query


def test_join_query_keeps_and_merges():
    assert join_query("/new", "") == "/new"
    assert join_query("/new", "a=1") == "/new?a=1"
    assert join_query("/new?x=2", "a=1") == "/new?x=2&a=1"
    assert join_query("/new#top", "a=1") == "/new?a=1#top"


def test_a_query_sent_as_raw_utf8_is_escaped():
    # granian hands such a query over as it came; a Location header is ASCII (RFC 9110 10.2.2).
    assert join_query("/sub/", "q=\u00e9t\u00e9&x=%20") == "/sub/?q=%C3%A9t%C3%A9&x=%20"
