"""arXiv's announcements as the reader sees them: by day and category with new / cross / replaced marked, the JSON
twin, the feed, search; and the curated daily list left alone."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from papersift.ingest.services import Ingest

feedparser = pytest.importorskip("feedparser")
pytestmark = pytest.mark.django_db
DAY = "arxiv-raw/rss/rss_all-archives_2024-11-28.xml"


@pytest.fixture
def announced(shared):
    assert Ingest("arxiv-rss").run([str(shared / DAY)]).error_count == 0


def test_the_day_in_a_category_marks_new_cross_and_replaced(client, announced):
    page = client.get("/announcements/2024-11-28?category=cs.CL&p=0")
    assert page.status_code == 200
    text = page.content.decode()
    assert "New on arXiv in cs.CL" in text and "Thursday, November 28, 2024" in text
    marks = re.findall(r'class="mark mark-(\w+)"', text)
    assert marks[0] == "new" and marks == sorted(marks, key=["new", "cross", "replaced"].index)
    data = client.get("/api/announcements?date=2024-11-28&category=cs.CL&limit=100").json()
    assert data["counts"] == {"new": 42, "cross": 10, "replaced": 50} and data["total"] == 102
    assert all("cs.CL" in r["categories"] for r in data["results"])
    first = data["results"][0]
    assert first["mark"] == "new" and first["categories"][0] == "cs.CL"
    # A new paper of another primary category is a cross-list in cs.CL's view, as on arXiv's listing pages.
    cross = [r for r in data["results"] if r["mark"] == "cross"]
    assert cross and all(r["categories"][0] != "cs.CL" for r in cross)
    assert {r["announce_type"] for r in cross} <= {"new", "cross"}
    replaced = client.get("/api/announcements?date=2024-11-28&category=cs.CL&kind=replaced").json()
    assert replaced["total"] == 50 and {r["announce_type"] for r in replaced["results"]} == {"replace"}


def test_the_latest_day_is_the_default_and_bad_parameters_are_400s(client, announced):
    assert client.get("/announcements").status_code == 200
    assert client.get("/api/announcements").json()["date"] == "2024-11-28"
    assert client.get("/api/announcements?date=2024-11-28").json()["total"] == 1504
    assert client.get("/announcements/2024-13-45").status_code == 404
    bad = client.get("/api/announcements?kind=everything")
    assert bad.status_code == 400 and bad.json()["field"] == "kind"
    assert client.get("/api/announcements?limit=1000").json()["field"] == "limit"
    assert client.get("/announcements?kind=x").status_code == 400


def test_an_empty_catalog_says_where_announcements_come_from(client):
    text = client.get("/announcements").content.decode()
    assert "papersift sources status" in text


def test_announcements_do_not_flood_the_curated_daily_list(client, announced, shared):
    from papersift.catalog.models import DailyListing

    assert DailyListing.objects.count() == 0
    assert "No papers are listed" in client.get("/papers").content.decode()
    assert client.get("/api/daily_papers").json() == []


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_the_feed_holds_the_days_new_papers_and_cross_lists(client, announced, kind):
    response = client.get(f"/announcements/feed.{kind}?category=cs.CL")
    feed = feedparser.parse(response.content)
    assert response.status_code == 200 and not feed.bozo
    assert feed.feed.title == "papersift: new on arXiv in cs.CL" and len(feed.entries) == 52
    assert all(e.id.startswith("https://arxiv.org/abs/") for e in feed.entries)


def test_announced_papers_are_searchable(client, announced):
    found = client.get("/api/search?q=electrocardiograms+cat:eess.SP&mode=lexical").json()
    assert "2411.17702" in [r["paper"]["id"] for r in found["results"]]
    dated = client.get("/api/search?q=cat:cs.CL+since:2024-11-28+until:2024-11-28&mode=lexical&limit=100").json()
    assert dated["total"] == 42 + 10    # the day's new cs.CL papers and cross-lists, by their announcement date


def test_the_footer_says_when_the_catalog_was_last_updated(client, db):
    from papersift.sources.models import Source

    Source.objects.update(last_success_at=None)
    assert "Updated" not in client.get("/papers").content.decode()
    # Its own source: the migration's default rows are gone after any test that empties the tables.
    Source.objects.update_or_create(name="hf-daily", defaults={
        "kind": Source.HF_DAILY, "last_success_at": datetime(2026, 8, 21, 10, 5, tzinfo=timezone.utc)})
    assert "Updated <time datetime=\"2026-08-21T10:05:00+00:00\">21 Aug 2026, 10:05 UTC</time>" in \
        client.get("/papers").content.decode()


def test_digests_category_and_search_sections_take_announced_papers(announced):
    from papersift.catalog.models import Announcement
    from papersift.digests.selectors import Window, WindowPapers

    window = WindowPapers(Window(datetime(2024, 11, 27, 12, tzinfo=timezone.utc),
                                 datetime(2024, 11, 28, 12, tzinfo=timezone.utc)))
    expected = {a.paper_id for a in Announcement.objects.filter(date=date(2024, 11, 28), kind__in=("new", "cross"))
                .select_related("paper") if "cs.CL" in a.paper.categories}
    assert set(window.in_category("cs.CL")) == expected and len(expected) == 52
    replaced = Announcement.objects.filter(kind="replace").values_list("paper_id", flat=True)
    assert not set(replaced) & set(window.paper_ids)     # a new version is not a new paper
