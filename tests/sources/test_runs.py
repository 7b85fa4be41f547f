"""Running sources against the loopback stand-in: the latest day from RSS, missed days from OAI-PMH, every missed
Hugging Face day, no duplicates, failures visible, one run at a time, and the worker's switch."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from filelock import FileLock

from papersift.catalog.models import Announcement, DailyListing, Paper
from papersift.sources import selectors, services
from papersift.sources.models import Source, SourceRun

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture
def arxiv_source():
    Source.objects.all().delete()      # the fresh-install defaults are tested on their own
    return services.add("ml", "arxiv", ["cs.CL", "cs.LG"])


@pytest.fixture
def hf_source():
    Source.objects.all().delete()
    return services.add("hf", "hf-daily")


def test_a_fresh_install_follows_hf_and_ai_ml_arxiv_categories():
    rows = {row["name"]: row for row in selectors.listing()}
    assert rows["arxiv-ai-ml"]["kind"] == "arxiv" and rows["hf-daily"]["kind"] == "hf-daily"
    assert {"cs.AI", "cs.CL", "cs.LG"} <= set(rows["arxiv-ai-ml"]["categories"])
    assert all(row["enabled"] and row["due"] and row["next_run"] for row in rows.values())


def test_the_latest_day_comes_from_rss_and_a_missed_day_from_oai_pmh(stand_in, arxiv_source):
    arxiv_source.caught_up_to = date(2024, 11, 26)          # read up to Tuesday's announcement
    arxiv_source.save()
    now = utc("2024-11-28T02:00")                            # Wednesday evening's announcement is out
    report = services.run(arxiv_source, now)
    assert report.status == "ok", report.message
    paths = stand_in.paths()
    assert paths[0] == "/rss/cs.CL+cs.LG"
    oai = [parse_qs(urlsplit(p).query) for p in paths if p.startswith("/oai")]
    assert [(q["set"], q["from"], q["until"], q["metadataPrefix"]) for q in oai] == [
        (["cs:cs:CL"], ["2024-11-27"], ["2024-11-27"], ["arXivRaw"]),
        (["cs:cs:LG"], ["2024-11-27"], ["2024-11-27"], ["arXivRaw"])]
    source = Source.objects.get(pk=arxiv_source.pk)
    assert source.caught_up_to == date(2024, 11, 28)
    # The 95 records of the OAI-PMH page (served for both categories) share one paper with the feed.
    assert (report.papers_new, report.papers_updated, report.announcements_new) == (1504 + 94, 1, 1504)
    # The next look is after the next announcement: Thanksgiving evening has none, so Sunday's, +30 min.
    assert source.next_run_at == utc("2024-12-02T01:30") and source.last_error == ""
    assert Paper.objects.count() == 1598 and DailyListing.objects.count() == 0   # /papers stays curated

    again = services.run(arxiv_source, utc("2024-12-02T02:00"))
    assert again.papers_new == 0 and again.announcements_new == 0
    assert Paper.objects.count() == 1598 and Announcement.objects.count() == 1504


def test_a_late_feed_is_looked_at_again_soon_and_oai_fills_in_after_the_grace(stand_in, arxiv_source):
    arxiv_source.caught_up_to = date(2024, 11, 28)
    arxiv_source.save()

    def oai_days():
        return [(q["from"][0], q["until"][0]) for q in
                (parse_qs(urlsplit(p).query) for p in stand_in.paths() if p.startswith("/oai"))]

    # Monday's announcement is 40 minutes old and the feed still holds the 28th: Sunday's missed announcement
    # comes from OAI-PMH, Monday's is waited for (the feed may yet update).
    early = services.run(arxiv_source, utc("2024-12-03T01:40"))
    assert set(oai_days()) == {("2024-12-02", "2024-12-02")}
    source = Source.objects.get(pk=arxiv_source.pk)
    assert source.caught_up_to == date(2024, 12, 2)
    assert source.next_run_at == source.last_run_at + timedelta(minutes=30) and "not in arXiv's feed yet" in early.message
    late = services.run(arxiv_source, utc("2024-12-03T05:00"))      # past the grace: OAI-PMH for Monday's
    assert set(oai_days()) == {("2024-12-02", "2024-12-02"), ("2024-12-03", "2024-12-03")}
    assert late.status == "ok" and Source.objects.get(pk=arxiv_source.pk).caught_up_to == date(2024, 12, 3)


def test_every_missed_hf_day_is_read_and_the_current_one_again_later(stand_in, hf_source):
    hf_source.caught_up_to = date(2026, 8, 17)
    hf_source.save()
    report = services.run(hf_source, utc("2026-08-21T10:00"))
    assert [p.split("=")[1] for p in stand_in.paths()] == ["2026-08-18", "2026-08-19", "2026-08-20", "2026-08-21"]
    assert report.listings_new == 29 + 26 + 15 + 17 and report.status == "ok"
    source = Source.objects.get(pk=hf_source.pk)
    assert source.caught_up_to == date(2026, 8, 20)                 # today is not over: read again next hour
    assert source.next_run_at == source.last_run_at + timedelta(hours=1)
    again = services.run(hf_source, utc("2026-08-21T11:00"))
    assert stand_in.paths()[4:] == ["/api/daily_papers?date=2026-08-21"] and again.listings_new == 0
    assert DailyListing.objects.count() == 29 + 26 + 15 + 17


def test_a_failing_source_is_visible_and_stale_after_a_day(stand_in, arxiv_source, caplog, settings):
    settings.PAPERSIFT = {**settings.PAPERSIFT, "HTTP_RETRIES": 0}
    stand_in.fail = {"/rss/": 500, "/oai": 500}
    start = utc("2024-11-28T02:00")
    with caplog.at_level(logging.WARNING, logger="papersift.sources"):
        first = services.run(arxiv_source, start)
        assert first.status == "failed" and "HTTP 500" in first.message
        row = selectors.status(start + timedelta(hours=1))["sources"][0]
        assert row["last_error"] and row["failing_since"] and not row["stale"]
        assert any(r.message.startswith("sources.failed") for r in caplog.records)
        services.run(arxiv_source, start + timedelta(days=1, minutes=1))
    status = selectors.status(start + timedelta(days=1, minutes=2))
    assert status["stale"] == ["ml"] and status["sources"][0]["stale"]
    assert any(r.levelno == logging.ERROR and r.message.startswith("sources.stale") for r in caplog.records)
    stand_in.fail = {}
    services.run(arxiv_source, start + timedelta(days=1, hours=1))
    row = selectors.status(start + timedelta(days=1, hours=2))["sources"][0]
    assert row["last_error"] is None and not row["stale"] and row["last_run"]["status"] == "ok"


def test_the_feed_answering_503_is_retried_after_its_retry_after(stand_in, arxiv_source):
    stand_in.fail_first = {"/rss/": (503, {"Retry-After": "1"})}
    arxiv_source.caught_up_to = date(2024, 11, 27)
    arxiv_source.save()
    report = services.run(arxiv_source, utc("2024-11-28T02:00"))
    assert report.status == "ok" and report.announcements_new == 1504
    rss = [t for t, p in stand_in.server.requests if p.startswith("/rss/")]
    assert len(rss) == 2 and rss[1] - rss[0] >= 1.0 - 0.05


def test_a_source_another_process_is_running_is_skipped(stand_in, arxiv_source, settings):
    lock = FileLock(Path(settings.PAPERSIFT["DATA_DIR"]) / "locks" / f"source-{arxiv_source.pk}.lock")
    (Path(settings.PAPERSIFT["DATA_DIR"]) / "locks").mkdir(parents=True, exist_ok=True)
    with lock:
        assert services.run(arxiv_source, utc("2024-11-28T02:00")) is None
        assert services.run_many([arxiv_source], embed=False).busy == ["ml"]
    assert stand_in.paths() == [] and not SourceRun.objects.exists()
    assert services.run(arxiv_source, utc("2024-11-28T02:00")) is not None


def test_a_run_left_running_by_a_killed_process_is_marked_interrupted(stand_in, hf_source):
    SourceRun.objects.create(source=hf_source, started_at=utc("2026-08-21T09:00"))
    services.run(hf_source, utc("2026-08-21T10:00"))
    assert list(SourceRun.objects.order_by("started_at").values_list("status", flat=True)) == ["interrupted", "ok"]


def test_due_sources_and_the_embedding_after_a_run(stand_in, hf_source):
    from papersift.indexing.selectors import index_status

    hf_source.caught_up_to = date(2026, 8, 20)
    hf_source.save()
    with time_machine.travel(utc("2026-08-21T10:00"), tick=False):
        assert services.due() == [hf_source]
        report = services.run_many(services.due(), embed=True)
        assert services.due() == []
    assert report.runs[0].papers_new == 17 and report.index["embedded"] == 17
    status = index_status()
    assert status["embeddings_pending"] == 0 and status["vectors"] == 17


def test_the_worker_runs_the_sources_unless_switched_off(settings):
    from papersift.worker import jobs

    settings.PAPERSIFT = {**settings.PAPERSIFT, "AUTO_UPDATE": True}
    planned = {job.name: job for job in jobs(10)}
    assert "sources" in planned and not planned["sources"].in_once
    settings.PAPERSIFT = {**settings.PAPERSIFT, "AUTO_UPDATE": False}
    assert "sources" not in {job.name for job in jobs(10)}


def test_adding_a_source_checks_what_it_follows():
    with pytest.raises(services.SourceProblem, match="'astroph' is not one of"):
        services.add("x", "arxiv", ["astroph"])
    with pytest.raises(services.SourceProblem, match="schedule"):
        services.add("x", "arxiv", ["cs.CL"], schedule="sometimes")
    with pytest.raises(services.SourceProblem, match="no categories"):
        services.add("x", "hf-daily", ["cs.CL"])
    with pytest.raises(services.SourceProblem, match="already a source"):
        services.add("hf-daily", "hf-daily")
