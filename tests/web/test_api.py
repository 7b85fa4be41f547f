"""The JSON API through the real huggingface_hub client against a live server, and each page's JSON twin."""

from __future__ import annotations

import json
import os
import re

import pytest

from papersift.catalog.models import DailyListing
from papersift.ingest.sample import load_sample
from tests.web.test_pages import page_ids

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
hf = pytest.importorskip("huggingface_hub")


@pytest.fixture
def served(transactional_db, live_server):
    report = load_sample(only_if_empty=True)
    assert report is not None and report.error_count == 0
    yield live_server.url
    from huggingface_hub.utils._http import close_session

    close_session()   # its keep-alive connection would outlive the server thread


def _page(client_session, url: str) -> list[str]:
    response = client_session.get(url)
    assert response.status_code == 200, url
    return page_ids(response.text)


def test_huggingface_hub_client_reads_days_weeks_months_papers_and_search(served):
    import httpx

    api = hf.HfApi(endpoint=served, token=False)
    web = httpx.Client(base_url=served)
    day = list(api.list_daily_papers(date="2026-08-21", sort="trending"))
    assert [p.id for p in day] == _page(web, "/papers/date/2026-08-21")
    first = day[0]
    assert first.id == "2608.19880" and first.title == "EnvHarness: Awakening Static Worlds for Agent Learning"
    assert first.upvotes == 163 and first.comments == 1 and first.submitted_by.username == "taesiri"
    assert first.authors[0].name == "Chengsong Huang" and first.published_at.date().isoformat() == "2026-08-20"
    assert first.summary.startswith("LLM agents learn by interacting") and first.github_repo.endswith("envharness")
    by_date = [p.id for p in api.list_daily_papers(date="2026-08-21")]        # HF's default: publishedAt
    assert by_date == _page(web, "/papers/date/2026-08-21?sort=date") and sorted(by_date) == sorted(p.id for p in day)
    for key, value in (("week", "2026-W33"), ("month", "2026-07")):
        listed = [p.id for p in api.list_daily_papers(**{key: value}, sort="trending", limit=50)]
        assert listed == _page(web, f"/papers/{key}/{value}") and len(listed) == 50
        page_two = [p.id for p in api.list_daily_papers(**{key: value}, sort="trending", limit=50, p=1)]
        assert page_two == _page(web, f"/papers/{key}/{value}?p=1") and not set(page_two) & set(listed)
    latest = [p.id for p in api.list_daily_papers(sort="trending")]
    assert latest == [p.id for p in day]                                    # no date: the latest day
    assert [p.id for p in api.list_daily_papers(date="2026-08-21", submitter="taesiri")] == [
        li.paper.arxiv_id for li in DailyListing.objects.filter(date="2026-08-21", submitted_by="taesiri")
        .select_related("paper").order_by("-listed_at", "-paper__arxiv_id")]

    info = api.paper_info("2608.19880")
    assert info.id == "2608.19880" and info.upvotes == 163 and info.comments == 1
    assert info.submitted_at.date().isoformat() == "2026-08-21" and len(info.authors) == 17
    assert "EnvHarness" in api.read_paper("2608.19880")
    with pytest.raises(hf.errors.HfHubHTTPError) as missing:
        api.paper_info("2101.00001")
    assert missing.value.response.status_code == 404 and "no paper 2101.00001" in str(missing.value)

    found = list(api.list_papers(query="EnvHarness: Awakening Static Worlds for Agent Learning", limit=5))
    assert found[0].id == "2608.19880" and len(found) == 5   # an exact title is pinned first
    web.close()


def test_huggingface_hub_client_reads_what_hugging_face_adds(served, shared):
    """The acceptance check: paper_info() and list_daily_papers() fill ai_summary, ai_keywords, github_stars and
    organization (and submitter avatars, thumbnails) for a paper whose Hugging Face entry has them."""
    import httpx

    api = hf.HfApi(endpoint=served, token=False)
    info = api.paper_info("2608.19880")
    assert info.ai_summary.startswith("EnvHarness and EnvRigger dynamically reshape static environments")
    assert info.ai_keywords[:3] == ["LLM agents", "Environment Harness", "EnvHarness"] and len(info.ai_keywords) == 8
    assert info.github_stars == 8 and info.github_repo == "https://github.com/google-research/envharness"
    assert (info.organization.name, info.organization.fullname) == ("google", "Google")
    assert info.ai_summary_model == "thinkingmachines/Inkling-Small"         # forward-compatible attribute
    day = {p.id: p for p in api.list_daily_papers(date="2026-08-21")}
    listed = day["2608.19880"]
    assert listed.ai_summary == info.ai_summary and listed.ai_keywords == info.ai_keywords
    assert listed.github_stars == 8 and listed.organization.name == "google"
    raw = json.loads((shared / "hf-daily/raw/2026-08-21.json").read_text())
    for key, attribute in (("ai_summary", "ai_summary"), ("githubStars", "github_stars"),
                           ("organization", "organization")):
        assert {p.id for p in day.values() if getattr(p, attribute) is not None} == {
            e["paper"]["id"] for e in raw if e["paper"].get(key) is not None}, key
    with httpx.Client() as web:
        for url in (listed.thumbnail, listed.submitted_by.avatar_url, listed.organization.avatar_url):
            assert url.startswith(served + "/images/"), url                 # papersift's copies, not HF's CDN
            answer = web.get(url)
            assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/")
    found = list(api.list_papers(query="EnvHarness", limit=3))
    assert found[0].id == "2608.19880" and found[0].github_stars == 8 and found[0].organization.name == "google"
    assert "## AI summary" in api.read_paper("2608.19880")


def test_cursor_paging_walks_every_paper_once(client, db):
    load_sample(only_if_empty=True)
    seen, url = [], "/api/papers?limit=100"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [p["id"] for p in response.json()]
        link = response.headers.get("Link", "")
        url = re.match(r'<http://testserver([^>]+)>; rel="next"', link).group(1) if link else None
    assert len(seen) == len(set(seen)) == DailyListing.objects.values("paper").distinct().count()


def test_each_page_and_its_json_twin_agree(client, db):
    load_sample(only_if_empty=True)
    for page, twin in (("/papers/date/2026-08-20", "/api/daily_papers?date=2026-08-20&sort=trending"),
                       ("/papers/date/2026-08-20?sort=date", "/api/daily_papers?date=2026-08-20"),
                       ("/papers/week/2026-W32?p=1", "/api/daily_papers?week=2026-W32&sort=trending&p=1"),
                       ("/papers/month/2026-07?sort=date", "/api/daily_papers?month=2026-07&sort=publishedAt")):
        assert page_ids(client.get(page).content.decode()) == [e["paper"]["id"] for e in client.get(twin).json()]
    html = client.get("/search?q=reinforcement+learning+reward&sort=newest").content.decode()
    twin = client.get("/api/search?q=reinforcement+learning+reward&sort=newest").json()
    assert page_ids(html) == [e["paper"]["id"] for e in twin["results"]] and twin["total"] > 20
    paper = client.get("/api/papers/2608.19880").json()
    html = client.get("/papers/2608.19880").content.decode()
    assert f'<span class="n">{paper["upvotes"]}</span>' in html and paper["listedOn"] == ["2026-08-21"]
    similar = client.get("/api/papers/2608.19880/similar?limit=6").json()
    assert [e["paper"]["id"] for e in similar["results"]] == page_ids(html[html.index('id="similar-heading"'):])


def analyze() -> None:
    """Table statistics for PostgreSQL's planner, as autovacuum keeps them in production. A test's rows are in
    one open transaction that autovacuum never sees; planning for empty tables, every month query became a
    nested loop over both tables, and this test took 9 minutes instead of 1."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@pytest.mark.slow
@pytest.mark.corpus      # every day, week and month of the 580-day archive: minutes, so out of CI
def test_full_archive_every_day_week_and_month_agrees_between_page_and_api(client, db, shared):
    """The acceptance check on the whole Hugging Face archive (580 days, quirky files included)."""
    from papersift.catalog.selectors import Window
    from papersift.ingest.services import Ingest

    assert Ingest("hf-daily").run([str(shared / "hf-daily/raw")]).error_count == 0
    analyze()
    days = sorted(set(DailyListing.objects.values_list("date", flat=True)))
    assert len(days) == 580
    windows = {Window.containing(kind, day) for day in days for kind in ("week", "month")}
    checks = [(f"/papers/date/{d}", f"date={d}") for d in days]
    checks += [(f"/papers/{w.kind}/{w.key}", f"{w.kind}={w.key}") for w in windows]
    for page, twin in checks:
        for sort, api_sort in (("trending", "trending"), ("date", "publishedAt")):
            html = client.get(f"{page}?sort={sort}").content.decode()
            entries = client.get(f"/api/daily_papers?{twin}&sort={api_sort}").json()
            assert page_ids(html) == [e["paper"]["id"] for e in entries], (page, sort)
            assert entries, page


def test_openapi_document_and_docs_page_work_offline(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/daily_papers", "/api/papers/search", "/api/papers/{arxiv_id}", "/api/papers", "/api/search",
            "/api/papers/{arxiv_id}/similar", "/api/categories"} <= set(paths)
    assert {p["name"] for p in paths["/api/daily_papers"]["get"]["parameters"]} >= {
        "date", "week", "month", "submitter", "sort", "p", "limit"}
    html = client.get("/api/docs").content.decode()
    # The page is inside the site's layout: its links go anywhere, but what it loads (scripts, styles, icons, the
    # manifest, feeds) is papersift's own, no CDN at run time.
    assets = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert {"/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"} <= set(assets)
    for asset in assets:
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset
