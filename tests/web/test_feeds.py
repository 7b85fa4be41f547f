"""Every feed, as feed readers parse it (feedparser), and a search feed that follows new papers."""

from __future__ import annotations

import json

import pytest

from papersift.ingest.sample import load_sample
from papersift.ingest.services import Ingest

feedparser = pytest.importorskip("feedparser")
pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(listing_lines, tmp_path):
    assert load_sample(only_if_empty=True).error_count == 0
    (tmp_path / "listing.jsonl").write_text("".join(listing_lines[:200]))
    Ingest("arxiv-listing").run([str(tmp_path / "listing.jsonl")])


def parsed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return feed


FEEDS = ["/papers/feed.{}", "/papers/trending/feed.{}", "/papers/category/math.DG/feed.{}",
         "/papers/category/math/feed.{}", "/search/feed.{}?q=agents+au:Wang", "/search/feed.{}?q=%22large+language%22+-cat:cs.CV"]


@pytest.mark.parametrize("kind, version", [("atom", "atom10"), ("rss", "rss20")])
def test_every_feed_parses_cleanly_with_ids_links_and_dates(client, catalog, kind, version):
    for url in (f.format(kind) for f in FEEDS):
        feed = parsed(client, url)
        assert feed.version == version and feed.feed.title.startswith("papersift")
        assert feed.entries, url
        for entry in feed.entries:
            assert entry.id.startswith("https://arxiv.org/abs/") and entry.link.startswith("http://testserver/papers/")
            assert entry.title and entry.published_parsed and entry.get("author")
        assert len({e.id for e in feed.entries}) == len(feed.entries)


def test_feed_contents_follow_their_lists(client, catalog):
    trending = parsed(client, "/papers/trending/feed.atom")
    assert trending.entries[0].id == "https://arxiv.org/abs/2608.19880"   # the week's most upvoted
    category = parsed(client, "/papers/category/math.DG/feed.atom")
    assert all("math.DG" in {t.term for t in e.tags} for e in category.entries)
    dates = [e.published_parsed for e in category.entries]
    assert dates == sorted(dates, reverse=True)
    again = parsed(client, "/papers/category/math.DG/feed.atom")
    assert [e.id for e in again.entries] == [e.id for e in category.entries]   # stable ids


def test_search_feed_shows_a_matching_paper_once_it_is_ingested(client, catalog, tmp_path, shared):
    url = "/search/feed.atom?q=quasicrystalline+zebrafish"
    assert parsed(client, url).entries == []
    entry = json.loads((shared / "hf-daily/raw/2026-08-21.json").read_text())[0]
    entry["paper"].update(id="2608.99999", title="Quasicrystalline zebrafish", publishedAt="2026-08-21T00:00:00.000Z")
    (tmp_path / "2026-08-22.json").write_text(json.dumps([entry]))
    assert Ingest("hf-daily").run([str(tmp_path / "2026-08-22.json")]).error_count == 0
    feed = parsed(client, url)
    assert [e.id for e in feed.entries] == ["https://arxiv.org/abs/2608.99999"]
    assert feed.entries[0].title == "Quasicrystalline zebrafish"


def test_bad_search_feed_query_is_404_not_an_error_page(client, catalog):
    assert client.get("/search/feed.atom").status_code == 404
    assert client.get("/search/feed.rss?q=" + "x" * 300).status_code == 404


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_control_characters_in_a_query_or_a_paper_leave_a_well_formed_feed(client, catalog, tmp_path, shared, kind):
    """XML 1.0 cannot carry most control characters, escaped or not; Django's feed writer raised on them (a 500)."""
    entry = json.loads((shared / "hf-daily/raw/2026-08-21.json").read_text())[0]
    entry["paper"].update(id="2608.99998", title="Quasicrystalline\x0czebrafish", summary="Fins\x01 and \x1btiles.",
                          publishedAt="2026-08-21T00:00:00.000Z")
    (tmp_path / "2026-08-22.json").write_text(json.dumps([entry]))
    assert Ingest("hf-daily").run([str(tmp_path / "2026-08-22.json")]).error_count == 0
    feed = parsed(client, f"/search/feed.{kind}?q=quasicrystalline%01%08+zebrafish%1f")
    assert feed.feed.title == "papersift: quasicrystalline   zebrafish"
    assert [(e.title, e.summary) for e in feed.entries] == [("Quasicrystalline zebrafish", "Fins  and  tiles.")]
