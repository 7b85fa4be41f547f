"""Search that can say "nothing found": a query with no real match gets an honest count of zero and a page
that says so with suggestions, instead of its nearest vectors (the relevance floor of dense-only hits)."""

from __future__ import annotations

import pytest

from papersift.indexing import services as indexing
from papersift.ingest.sample import SAMPLE_DIR
from papersift.ingest.services import Ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded():
    """Two days of the sample, embedded (so semantic search really runs)."""
    days = [str(SAMPLE_DIR / f"2026-08-{day}.json.gz") for day in (20, 21)]
    assert Ingest("hf-daily").run(days).error_count == 0
    assert indexing.update().embedded > 20


def test_a_query_with_no_real_match_shows_the_no_results_state(client, embedded):
    answer = client.get("/api/search?q=xyzzy").json()
    assert answer["semantic"] is True and answer["total"] == 0 and answer["results"] == []
    assert answer["total_is_floor"] is False
    html = client.get("/search?q=xyzzy").content.decode()
    assert "No results" in html and 'id="no-results-heading"' in html and "More than" not in html
    assert "Check the spelling" in html and 'href="/papers"' in html


def test_the_no_results_state_offers_the_same_words_without_filters(client, embedded):
    html = client.get("/search?q=xyzzy+since:2026-08&category=cs.CL").content.decode()
    assert "Search without the filters" in html and 'href="/search?q=xyzzy"' in html
    assert "category: cs.CL" in html and "since:2026-08" in html
    assert '<a href="/search?q=xyzzy&amp;category=cs">cs</a>' in html          # the whole archive


def test_real_queries_still_find_their_papers_with_an_honest_count(client, embedded):
    answer = client.get("/api/search?q=EnvHarness").json()
    ids = [r["paper"]["id"] for r in answer["results"]]
    assert answer["semantic"] is True and ids[0] == "2608.19880"
    assert answer["total"] == len(ids) and answer["total_is_floor"] is False      # every match, counted
    html = client.get("/search?q=EnvHarness").content.decode()
    assert "No results" not in html and f"{len(ids)} result" in html
    broad = client.get("/api/search?q=language+models&limit=100").json()
    assert broad["total"] >= 20 and len(broad["results"]) == min(broad["total"], 100)
