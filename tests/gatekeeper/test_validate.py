import pytest

from siteseer.gatekeeper.validate import check_framing, check_method, check_request, check_target

H = {"host": "example.org"}


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "OPTIONS", "DELETE"])
def test_known_methods_pass(method):
    assert check_method(method) is None


@pytest.mark.parametrize("method", ["get", "FOO", "PROPFIND", "BREW"])
def test_unknown_token_methods_are_501(method):
    assert check_method(method).status == 501


@pytest.mark.parametrize("method", ["GE T", "G\x00T", "GET/", "(GET)", ""])
def test_malformed_methods_are_400_and_close(method):
    problem = check_method(method)
    assert problem.status == 400 and problem.close


@pytest.mark.parametrize("path", ["/a\x00b", "/a\rb", "/x\x7f", "/\ufffd"])
def test_bad_paths_are_400(path):
    assert check_target(path, "", "GET", 8192).status == 400


# The path arrives decoded: "/50% off.txt" was "/50%25%20off.txt", a file's own name.
@pytest.mark.parametrize("path", ["/", "/a%20b", "/caf\u00e9", "/%252e", "/a/b.html", "//etc/passwd", "/50% off.txt",
                                  "/a%zz", "/%"])
def test_good_paths_pass(path):
    assert check_target(path, "", "GET", 8192) is None


def test_long_url_is_414():
    assert check_target("/" + "a" * 9000, "", "GET", 8192).status == 414
    assert check_target("/a", "q=" + "b" * 9000, "GET", 8192).status == 414


def test_query_encoding_rules():
    assert check_target("/s", "q=%zz", "GET", 8192).status == 400
    assert check_target("/s", "q=a%00b", "GET", 8192).status == 400
    assert check_target("/s", "q=caf%C3%A9&page=2", "GET", 8192) is None


# parse_qs decodes invalid UTF-8 to U+FFFD: "q=lamp%ff" was searched as "lamp\ufffd" (200).
@pytest.mark.parametrize("query", ["q=lamp%ff", "q=lamp%FF", "q=%c0%ae", "q=caf%C3", "q=%C3+%A9", "q=%C3&x=%A9",
                                   "%e9=1", "q=%ED%A0%80", "q=\u00e9%A9"])
def test_query_that_is_not_utf8_is_400(query):
    problem = check_target("/api/search", query, "GET", 8192)
    assert problem.status == 400 and problem.message == "invalid percent-encoding or UTF-8 in the query string"


@pytest.mark.parametrize("query", ["q=caf%C3%A9", "q=caf%c3%a9+lamp&page=2", "q=%E6%97%A5%E6%9C%AC", "q=%F0%9F%99%82",
                                   "q=%EF%BF%BD", "q=caf\u00e9", "q=a+b%2B%26%3D", "q=%41%7e", "q=50%25+off"])
def test_query_in_utf8_passes(query):
    assert check_target("/api/search", query, "GET", 8192) is None


def test_asterisk_form_only_for_options():
    assert check_target("*", "", "OPTIONS", 8192) is None
    assert check_target("*", "", "GET", 8192).status == 400


def test_relative_path_is_400():
    assert check_target("a/b", "", "GET", 8192).status == 400


@pytest.mark.parametrize("te", ["chunked, chunked", "gzip, chunked", "identity", "chunked;x=1", "xchunked"])
def test_transfer_encoding_other_than_chunked_is_refused_and_closed(te):
    problem = check_framing({**H, "transfer-encoding": te}, "1.1")
    assert problem.status == 400 and problem.close


def test_chunked_alone_is_fine_but_not_with_content_length():
    assert check_framing({**H, "transfer-encoding": "chunked"}, "1.1") is None
    assert check_framing({**H, "transfer-encoding": "Chunked "}, "1.1") is None
    problem = check_framing({**H, "transfer-encoding": "chunked", "content-length": "5"}, "1.1")
    assert problem.status == 400 and problem.close


@pytest.mark.parametrize("cl", ["+5", "-1", "5 ", "0x10", "1" * 30, "\u0665"])
def test_invalid_content_length(cl):
    assert check_framing({**H, "content-length": cl}, "1.1").status == 400


def test_host_required_for_http11_only():
    assert check_framing({}, "1.1").status == 400
    assert check_framing({}, "1.0") is None
    assert check_framing({}, "2") is None


@pytest.mark.parametrize("host", ["", ":80", ":", "a b", "x/y"])
def test_a_host_without_a_name_or_with_other_characters_is_refused(host):
    assert check_framing({"host": host}, "1.1").status == 400


@pytest.mark.parametrize("host", ["example.org", "example.org:8080", "127.0.0.1:80", "[::1]:80", "xn--bcher-kva.de"])
def test_a_host_with_a_name_is_accepted(host):
    assert check_framing({"host": host}, "1.1") is None


def test_check_request_orders_framing_first():
    problem = check_request("FOO", "/\x00", "", {"transfer-encoding": "gzip"}, "1.1", 8192)
    assert problem.close and "Transfer-Encoding" in problem.message


def test_header_size_counts_every_line():
    from siteseer.gatekeeper.validate import check_header_size

    headers = {"host": "example.org", "x-a": "a" * 100}  # (4 + 11 + 4) + (3 + 100 + 4) = 126 bytes
    assert check_header_size(headers, 126) is None
    problem = check_header_size(headers, 125)
    assert problem is not None and problem.status == 431 and problem.close
    class Lines(dict):  # granian's headers: repeated lines kept apart
        def items(self):
            return [("x-h", "a" * 96)] * 11

    many = Lines()  # repeated lines count each: 11 * 103
    assert check_header_size(many, 1133) is None and check_header_size(many, 1132).status == 431


@pytest.mark.parametrize("authority, refused", [
    ("example.org", False), ("example.org:8080", False), ("[::1]:8000", False), ("127.0.0.1", False),
    ("user:pw@evil.com", True), ("evil.com@", True), ("", True), ("a b", True),
])
def test_the_authority_of_an_absolute_target_is_held_to_hosts_rule(authority, refused):
    problem = check_request("GET", "/", "", {"host": "t"}, "1.1", 8192, authority=authority)
    assert (problem is not None and problem.status == 400) is refused
