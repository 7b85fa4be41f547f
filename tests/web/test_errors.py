"""One JSON error shape for every API error, and no input that gives a 500."""

from __future__ import annotations

import itertools

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
