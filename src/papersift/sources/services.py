"""Following sources: adding and removing them, and running them (the one place that does it, for the worker,
the CLI and the admin's "run now").

A run reads through the ingest pipeline (`ingest.services.Ingest`), so everything it writes is the same
idempotent upsert as a hand-run `papersift ingest`, batch by batch in transactions, and an OAI-PMH harvest
resumes where a killed one stopped. A source's progress (``caught_up_to``) moves only after the days it covers
are committed, so a run killed at any point is simply run again: what was written is found unchanged, what
was not is written now; nothing is lost or doubled (unique papers, listings and announcements).

Only one process runs a source at a time: a file lock under ``<DATA_DIR>/locks/`` that the kernel releases
when its holder dies (so a killed run never blocks the next). After runs that brought papers, the search
indexes are brought up to date, embeddings included (`indexing.services.update`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone as dt_timezone
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from filelock import FileLock, Timeout

from papersift.ingest.services import Ingest, IngestReport
from papersift.sources import arxiv, clock
from papersift.sources.models import Source, SourceRun

log = logging.getLogger("papersift.sources")
STALE_AFTER = timedelta(days=1)


class SourceProblem(ValueError):
    """A source definition papersift cannot use; the message names the field."""


def validated(kind: str, categories, schedule: str) -> tuple[list[str], str]:
    if kind not in dict(Source.KINDS):
        raise SourceProblem(f"kind {kind!r} is not one of {', '.join(dict(Source.KINDS))}")
    try:
        clock.Schedule.parse(schedule)
        cats = arxiv.parse_categories(categories) if kind == Source.ARXIV else []
    except ValueError as exc:
        raise SourceProblem(str(exc)) from None
    if kind == Source.HF_DAILY and categories:
        raise SourceProblem("a Hugging Face source has no categories (it follows the whole daily list)")
    return cats, schedule.strip().lower()


def add(name: str, kind: str, categories=(), schedule: str = "auto", enabled: bool = True) -> Source:
    cats, schedule = validated(kind, categories, schedule)
    if Source.objects.filter(name=name).exists():
        raise SourceProblem(f"there is already a source named {name!r}")
    return Source.objects.create(name=name, kind=kind, categories=cats, schedule=schedule, enabled=enabled)


def remove(name: str) -> None:
    deleted, _ = Source.objects.filter(name=name).delete()
    if not deleted:
        raise Source.DoesNotExist(f"no source named {name!r}")


def set_enabled(name: str, enabled: bool) -> Source:
    source = Source.objects.get(name=name)
    source.enabled = enabled
    source.save(update_fields=["enabled", "updated_at"])
    return source


def run_soon(source_ids) -> int:
    """Make sources due at the worker's next look (the admin's "run now": no fetching inside a web request)."""
    return Source.objects.filter(id__in=list(source_ids)).update(next_run_at=timezone.now())


@dataclass
class RunReport:
    source: str
    status: str
    papers_new: int = 0
    papers_updated: int = 0
    announcements_new: int = 0
    listings_new: int = 0
    errors: int = 0
    days: list[str] = field(default_factory=list)
    message: str = ""
    next_run: datetime | None = None

    def as_dict(self) -> dict:
        out = dict(self.__dict__)
        out["next_run"] = self.next_run.isoformat() if self.next_run else None
        return out


class _Collector:
    """Adds up the ingest reports of one run and keeps its problems."""

    def __init__(self, run: SourceRun):
        self.run, self.failures, self.problems = run, [], []

    def ingest(self, format_name: str, url: str) -> IngestReport:
        self.run.requests.append(url)
        report = Ingest(format_name, index=False).run([url])
        data = report.as_dict()
        self.run.papers_new += data["papers"]["new"]
        self.run.papers_updated += data["papers"]["updated"]
        self.run.announcements_new += data["announcements"]["new"]
        self.run.listings_new += data["listings"]["new"]
        self.run.errors += data["errors"]
        for file_report in report.files:
            if file_report.failure:
                self.failures.append(f"{file_report.name}: {file_report.failure}")
            self.problems += [f"{file_report.name}:{e.location}: {e.message}" for e in file_report.errors[:3]]
        return report


def _lock(source: Source) -> FileLock:
    directory = Path(settings.PAPERSIFT["DATA_DIR"]) / "locks"
    directory.mkdir(parents=True, exist_ok=True)
    return FileLock(directory / f"source-{source.pk}.lock")


def run(source: Source, now: datetime | None = None, since: date | None = None) -> RunReport | None:
    """Run one source now; None when another process is running it. ``since``: also read every day from that
    date on, as if the source had been read up to the day before (a backfill)."""
    lock = _lock(source)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.info("sources.busy source=%s", source.name)
        return None
    try:
        return _run_locked(Source.objects.get(pk=source.pk), now or timezone.now(), since)
    finally:
        lock.release()


def _run_locked(source: Source, now: datetime, since: date | None = None) -> RunReport:
    SourceRun.objects.filter(source=source, status=SourceRun.RUNNING).update(
        status=SourceRun.INTERRUPTED, finished_at=now, message="the process running it stopped before the end")
    run_row = SourceRun.objects.create(source=source, started_at=now)
    started = time.monotonic()
    collector = _Collector(run_row)
    schedule = clock.Schedule.parse(source.schedule)
    start = source.caught_up_to
    if since is not None:
        start = min(filter(None, (start, since - timedelta(days=1))))
    try:
        if source.kind == Source.ARXIV:
            caught_up, days, waiting = _run_arxiv(source, start, collector, now)
        else:
            caught_up, days, waiting = _run_hf(start, collector, now)
    except Exception as exc:           # a bug or an unexpected failure: recorded on the source, never silent
        log.exception("sources.crash source=%s", source.name)
        collector.failures.append(f"{type(exc).__name__}: {exc}")
        caught_up, days, waiting = source.caught_up_to, [], False
    failed = bool(collector.failures)
    run_row.status = SourceRun.FAILED if failed else (SourceRun.PARTIAL if run_row.errors else SourceRun.OK)
    run_row.days = [d.isoformat() for d in days]
    run_row.message = "; ".join(collector.failures + collector.problems)[:4000]
    if waiting and not failed:
        run_row.message = (run_row.message + "; " if run_row.message else "") + \
            "the latest announcement is not in arXiv's feed yet: looking again soon"
    run_row.finished_at = now + timedelta(seconds=time.monotonic() - started)
    next_run = schedule.next_run(source.kind, run_row.finished_at, waiting=waiting, failed=failed)
    _finish(source, run_row, caught_up, next_run, failed)
    return RunReport(source.name, run_row.status, run_row.papers_new, run_row.papers_updated,
                     run_row.announcements_new, run_row.listings_new, run_row.errors, run_row.days,
                     run_row.message, next_run)


def _finish(source: Source, run_row: SourceRun, caught_up: date | None, next_run: datetime, failed: bool) -> None:
    with transaction.atomic():
        run_row.save()
        source.refresh_from_db()
        source.last_run_at, source.next_run_at = run_row.finished_at, next_run
        if caught_up and (source.caught_up_to is None or caught_up > source.caught_up_to):
            source.caught_up_to = caught_up
        if failed:
            source.last_error = run_row.message
            source.failing_since = source.failing_since or run_row.started_at
        else:
            source.last_success_at, source.failing_since = run_row.finished_at, None
            source.last_error = ""
        source.save()
    extra = dict(source=source.name, status=run_row.status, new=run_row.papers_new,
                 announced=run_row.announcements_new, listed=run_row.listings_new, next=next_run.isoformat())
    if not failed:
        log.info("sources.run source=%(source)s status=%(status)s new=%(new)d announced=%(announced)d "
                 "listed=%(listed)d next=%(next)s", extra)
    elif source.failing_since and run_row.finished_at - source.failing_since >= STALE_AFTER:
        log.error("sources.stale source=%s failing_since=%s error=%s", source.name, source.failing_since.isoformat(),
                  run_row.message)
    else:
        log.warning("sources.failed source=%s error=%s next=%s", source.name, run_row.message, next_run.isoformat())


def _run_arxiv(source: Source, start: date | None, collector: _Collector,
               now: datetime) -> tuple[date | None, list[date], bool]:
    """The RSS feed for the latest announcement; OAI-PMH for older days the source missed (the feed only ever
    holds one day) and for the latest one when the feed is late. Returns (caught up to, days read, waiting)."""
    config = settings.PAPERSIFT
    latest = clock.latest_announcement_day(now)
    after = start or (latest - timedelta(days=1))
    expected = clock.announcement_days(after, now)
    feed = collector.ingest("arxiv-rss", arxiv.rss_url(config["ARXIV_RSS_URL"], source.categories))
    page = feed.files[0].page if feed.files else None
    covered: set[date] = set()
    if feed.files and not feed.files[0].failure and page is not None and page.feed_day:
        covered.add(page.feed_day)
    grace_over = now >= clock.announced_at(latest) + clock.OAI_GRACE
    missing = [d for d in expected if d not in covered and (d < latest or grace_over)]
    if missing:
        harvested = [collector.ingest("arxiv-oai", arxiv.oai_url(config["ARXIV_OAI_URL"], category, missing[0],
                                                                 missing[-1]))
                     for category in source.categories]
        if all(not f.failure for report in harvested for f in report.files):
            covered.update(missing)
    read = sorted(covered)
    waiting = bool(expected) and expected[-1] not in covered
    return clock.covered_through(start, expected, covered), read, waiting


def _run_hf(start: date | None, collector: _Collector, now: datetime) -> tuple[date | None, list[date], bool]:
    """Every Hugging Face day after the last complete one, through today (UTC); a day is complete once read
    after it ended."""
    base = settings.PAPERSIFT["HF_API_URL"]
    today = now.astimezone(dt_timezone.utc).date()
    days = clock.hf_days(start, now)
    done = start
    for day in days:
        report = collector.ingest("hf-daily", arxiv.hf_url(base, day))
        if any(f.failure for f in report.files):
            break
        if day < today and (done is None or day > done):
            done = day
    return done, days, False


def due(now: datetime | None = None) -> list[Source]:
    now = now or timezone.now()
    return [s for s in Source.objects.filter(enabled=True) if s.next_run_at is None or s.next_run_at <= now]


@dataclass
class RunAllReport:
    runs: list[RunReport]
    busy: list[str]
    index: dict | None = None

    def as_dict(self) -> dict:
        return {"runs": [r.as_dict() for r in self.runs], "busy": self.busy, "index": self.index}


def run_many(sources: list[Source], *, embed: bool = True, now: datetime | None = None,
             since: date | None = None) -> RunAllReport:
    """Run each source (skipping those another process is running), then bring the indexes up to date when
    papers came in: BM25 and, with ``embed``, the embeddings of the new papers."""
    out = RunAllReport([], [])
    for source in sources:
        report = run(source, now, since)
        if report is None:
            out.busy.append(source.name)
        else:
            out.runs.append(report)
    if any(r.papers_new or r.papers_updated or r.listings_new for r in out.runs):
        out.index = update_indexes(embed)
    return out


def update_indexes(embed: bool) -> dict:
    """The search indexes after a run; a busy index or a missing model is reported, never raised (the catalog
    is committed and is the system of record: the next run or `papersift index update` catches up)."""
    from papersift.indexing.services import IndexBusy, update
    from papersift.search.embed import ModelUnavailable

    try:
        report = update(embed=embed)
    except IndexBusy as exc:
        return {"skipped": f"busy: {exc}"}
    except ModelUnavailable as exc:
        log.warning("sources.index lexical only: %s", exc)
        report = update(embed=False)
    return {"lexical": report.lexical, "embedded": report.embedded, "vectors": report.vectors}
