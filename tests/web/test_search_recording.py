"""Searches made through the results page reach the traffic recorder."""

from __future__ import annotations

from siteseer.server.messages import Request


def test_results_page_notes_the_search_on_the_siteseer_request(client):
    # The page's own request searches (its HTML has the results for readers without scripts).
    request = Request("GET", "/search")
    response = client.get("/search?q=lighthouse&page=1", environ_base={"siteseer.request": request})
    assert response.status_code == 200
    search = request.state["search"]
    assert search["query"] == "lighthouse" and search["page"] == 1 and search["hits"] >= 1


def test_the_layout_request_after_it_does_not_count_the_search_again(client):
    request = Request("GET", "/_dash-layout")
    response = client.get("/_dash-layout", headers={"Referer": "http://localhost/search?q=lighthouse&page=1"},
                          environ_base={"siteseer.request": request})
    assert response.status_code == 200 and b"lighthouse" in response.data
    assert "search" not in request.state


def test_no_search_noted_for_the_home_page(client):
    request = Request("GET", "/_dash-layout")
    client.get("/_dash-layout", headers={"Referer": "http://localhost/"}, environ_base={"siteseer.request": request})
    assert "search" not in request.state


def test_the_not_found_pages_own_search_is_not_a_search_someone_made(client, fake_search):
    """The words of a missing path ("html git doc git stsh") were in the dashboard's top searches."""
    request = Request("GET", "/docs/instal-guide.htm")
    client.get("/docs/instal-guide.htm", environ_base={"siteseer.request": request})
    assert ("search", ("docs instal guide", 1, 5, None)) in fake_search.calls  # it did search
    assert "search" not in request.state
