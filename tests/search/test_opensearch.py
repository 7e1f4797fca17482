"""The OpenSearch description and suggestions: what a browser reads to search the site from its address bar."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

from siteseer.search import opensearch
from siteseer.search.api import SearchAPI
from siteseer.server.messages import Request

NS = {"os": "http://a9.com/-/spec/opensearch/1.1/"}


def parsed(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == "{http://a9.com/-/spec/opensearch/1.1/}OpenSearchDescription"
    return root


def templates(root: ET.Element) -> dict[str, str]:
    return {u.get("type"): u.get("template") for u in root.findall("os:Url", NS)}


def test_description_has_absolute_templates_for_results_and_suggestions():
    root = parsed(opensearch.description("Harbour Docs", "https://docs.example.org"))
    assert root.find("os:ShortName", NS).text == "Harbour Docs"
    assert root.find("os:InputEncoding", NS).text == "UTF-8"
    assert templates(root) == {
        "text/html": "https://docs.example.org/search?q={searchTerms}",
        "application/x-suggestions+json": "https://docs.example.org/api/suggest?q={searchTerms}&format=opensearch",
        "application/opensearchdescription+xml": "https://docs.example.org/api/opensearch.xml",
    }


def test_a_long_or_odd_site_name_stays_well_formed():
    root = parsed(opensearch.description('Tom & Jerry\'s <"docs"> archive', "http://h"))
    short = root.find("os:ShortName", NS).text
    assert len(short) <= opensearch.SHORT_NAME_CHARS and short.startswith("Tom & Jerry")
    assert root.find("os:Description", NS).text == 'Search Tom & Jerry\'s <"docs"> archive'
    assert parsed(opensearch.description("   ", "http://h")).find("os:ShortName", NS).text == "siteseer"
    assert parsed(opensearch.description("Docs\x01\x1b[31m", "http://h")).find("os:ShortName", NS).text == "Docs  [31m"


def test_no_host_gives_relative_templates():
    assert opensearch.base_url("http", None) == ""
    assert templates(parsed(opensearch.description("x", "")))["text/html"] == "/search?q={searchTerms}"


@pytest.fixture(scope="module")
def api(service):
    return SearchAPI(service)


def call(api, path, params=None, method="GET", headers=None, scheme="http"):
    return asyncio.run(api(Request(method, path, urlencode(params or {}), headers or {}, scheme=scheme)))


def test_the_description_is_made_for_the_address_the_browser_used(api):
    response = call(api, "/api/opensearch.xml", headers={"host": "docs.example.org:8443"}, scheme="https")
    assert response.status == 200
    assert response.header("content-type") == "application/opensearchdescription+xml; charset=utf-8"
    assert ("vary", "Host") in response.headers
    assert templates(parsed(response.body))["text/html"] == "https://docs.example.org:8443/search?q={searchTerms}"
    assert call(api, "/api/opensearch.xml", method="POST").status == 405


def test_suggestions_in_the_opensearch_form(api):
    response = call(api, "/api/suggest", {"q": "cof", "format": "opensearch"})
    assert response.status == 200 and response.header("content-type") == "application/x-suggestions+json"
    assert json.loads(response.body) == ["cof", ["coffee"]]
    response = call(api, "/api/suggest", {"q": "cof", "format": "xml"})
    assert response.status == 400 and "format must be" in json.loads(response.body)["error"]["message"]
