"""One JSON error shape for every API error, and no input that gives a 500."""

from __future__ import annotations

import itertools
import re

import pytest

from papersift.ingest.sample import load_sample

pytestmark = pytest.mark.django_db

SHAPE = {"error", "code", "status", "field"}
NASTY = ["", "-1", "0", "101", "1e3", "abc", "2026-02-30", "2026-W54", "2026-13", "99999999999999999999999",
         "%00", "' OR 1=1 --", "<script>alert(1)</script>", "x" * 300, "😀", "2026-08-21T00:00:00"]
ENDPOINTS = {
    "/api/daily_papers": ["date", "week", "month", "sort", "p", "limit", "submitter", "category"],
    "/api/papers/search": ["q", "limit"],
    "/api/search": ["q", "mode", "sort", "category", "since", "until", "limit", "offset"],
    "/api/papers": ["cursor", "limit"],
    "/api/papers/2608.19880/similar": ["limit"],
}


@pytest.fixture
def sample():
    load_sample(only_if_empty=True)


def assert_error(response, status: int, field: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == SHAPE and body["status"] == status and isinstance(body["error"], str) and body["error"]
    if field is not None:
        assert body["field"] == field and body["error"].startswith(f"{field}:")


@pytest.mark.parametrize("url, field", [
    ("/api/daily_papers?date=2026-13-45", "date"),
    ("/api/daily_papers?week=2026-34", "week"),
    ("/api/daily_papers?month=August", "month"),
    ("/api/daily_papers?date=2026-08-21&week=2026-W34", "week"),
    ("/api/daily_papers?limit=0", "limit"),
    ("/api/daily_papers?limit=101", "limit"),
    ("/api/daily_papers?limit=ten", "limit"),
    ("/api/daily_papers?p=-1", "p"),
    ("/api/daily_papers?sort=hot", "sort"),
    ("/api/papers/search?q=", "q"),
    ("/api/papers/search?q=" + "a" * 251, "q"),
    ("/api/papers/search?q=agents&limit=121", "limit"),
    ("/api/search?q=agents&mode=magic", "mode"),
    ("/api/search?q=agents&since=yesterday", "since"),
    ("/api/papers?cursor=not-a-cursor", "cursor"),
    ("/api/papers/not-an-id", "arxiv_id"),
])
def test_bad_parameters_are_400_naming_the_parameter(client, sample, url, field):
    assert_error(client.get(url), 400, field)


def test_unknown_papers_and_endpoints_are_404_in_the_same_shape(client, sample):
    assert_error(client.get("/api/papers/2101.00001"), 404)
    assert_error(client.get("/api/papers/2101.00001/similar"), 404)
    assert_error(client.get("/api/no/such/endpoint"), 404)
    assert client.get("/papers/2101.00001.md").status_code == 404


def test_wrong_method_is_405_in_the_same_shape(client, sample):
    assert_error(client.post("/api/daily_papers"), 405)


def test_no_input_gives_a_500(client, sample):
    for (url, names), value in itertools.product(ENDPOINTS.items(), NASTY):
        for name in names:
            response = client.get(url, {name: value})
            assert response.status_code < 500, (url, name, value, response.content[:300])
            if response.status_code >= 400:
                assert set(response.json()) == SHAPE
    for path in ("/papers/date/2026-02-30", "/papers/week/2026-W00", "/search?q=%00", "/search?q=au:",
                 "/search/feed.atom?q=", "/search/feed.atom?q=%22", "/papers/category/cs.XX/feed.rss",
                 "/papers/2608.19880v99", "/search?q=agents&p=9999"):
        assert client.get(path).status_code < 500, path



STOP_WORDS_ONLY = ["a a", "to be or not to be", "NOT a", "the a"]
FAR_DATES = ["since:1500", "until:2300", "since:0001-01-01", "until:9999-12-31", "since:2263 until:1600"]
HOSTILE_QUERIES = STOP_WORDS_ONLY + [f"agents {d}" for d in FAR_DATES] + ["agents\x01", "\x1f\x00", "agents\x0b\x0c"]


def test_hostile_queries_answer_200_on_every_search_face(client, sample):
    """Once 500s: stop words only ("Only excluding terms given"), dates tantivy cannot hold, control characters
    (which XML 1.0 cannot carry, in the search feeds' titles)."""
    for q, url, sort in itertools.product(HOSTILE_QUERIES, ("/search", "/api/search", "/api/papers/search",
                                                            "/search/feed.atom", "/search/feed.rss"), ("", "newest")):
        response = client.get(url, {"q": q, "sort": sort} if url in ("/search", "/api/search") else {"q": q})
        assert response.status_code == 200, (url, q, sort, response.content[:300])
    for q in STOP_WORDS_ONLY:
        body = client.get("/api/search", {"q": q}).json()
        assert body["results"] == [] and body["total"] == 0 and any("only common words" in w for w in body["warnings"])
        assert client.get("/api/papers/search", {"q": q}).json() == []
        assert "only common words" in client.get("/search", {"q": q}).content.decode()


def test_since_and_until_parameters_of_any_year(client, sample):
    for since, until, found in [("1000", "", True), ("", "9999", True), ("0001-01", "9999-12-31", True),
                                ("2300", "", False), ("", "1600-06", False)]:
        assert client.get("/search", {"q": "agents", "since": since, "until": until}).status_code == 200
        response = client.get("/api/search", {"q": "agents", "since": since, "until": until})
        assert response.status_code == 200 and bool(response.json()["results"]) is found, (since, until)


def test_windows_at_the_ends_of_the_calendar_are_empty_not_errors(client, sample):
    assert re.search(r'href="/papers/\d{4}\.\d', client.get("/papers").content.decode())   # what "empty" looks for
    for name, key in [("date", "9999-12-31"), ("week", "9999-W52"), ("month", "9999-12"), ("date", "0001-01-01"),
                      ("week", "0001-W01"), ("month", "0001-01")]:
        assert client.get("/api/daily_papers", {name: key}).json() == [], key
        for sort in ("trending", "date"):
            page = client.get(f"/papers/{name}/{key}", {"sort": sort})
            assert page.status_code == 200, (key, sort)
            assert not re.search(r'href="/papers/\d{4}\.\d', page.content.decode()), (key, "lists a paper")
