"""Reads over the sources: what is followed, how fresh each source is, when the site was last updated."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from papersift.sources import clock
from papersift.sources.models import Source, SourceRun
from papersift.sources.services import STALE_AFTER


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def describe(source: Source, now: datetime | None = None) -> dict:
    """A source as `sources list` shows it. A source never run (or made due) runs at the worker's next look:
    its next run is now."""
    now = now or timezone.now()
    next_run = (source.next_run_at or now) if source.enabled else None
    return {"name": source.name, "kind": source.kind, "categories": source.categories, "enabled": source.enabled,
            "schedule": source.schedule,
            "schedule_text": clock.Schedule.parse(source.schedule).describe(source.kind),
            "next_run": _iso(next_run), "due": bool(next_run and next_run <= now),
            "next_run_text": "never (disabled)" if next_run is None else
            ("now (at the worker's next look)" if next_run <= now else _iso(next_run))}


def listing() -> list[dict]:
    return [describe(source) for source in Source.objects.all()]


def freshness(source: Source, last: SourceRun | None, now: datetime) -> dict:
    """Per source: the last run and what it brought, the next run, the last error, and whether it is stale
    (failing for a day or more)."""
    stale = bool(source.failing_since and now - source.failing_since >= STALE_AFTER)
    return {
        **describe(source, now),
        "caught_up_to": source.caught_up_to.isoformat() if source.caught_up_to else None,
        "last_run": None if last is None else {
            "started": _iso(last.started_at), "finished": _iso(last.finished_at), "status": last.status,
            "papers_new": last.papers_new, "papers_updated": last.papers_updated,
            "announcements_new": last.announcements_new, "listings_new": last.listings_new,
            "errors": last.errors, "days": last.days, "message": last.message},
        "last_success": _iso(source.last_success_at),
        "last_error": source.last_error or None,
        "failing_since": _iso(source.failing_since),
        "stale": stale,
    }


def status(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    latest = {run.source_id: run for run in SourceRun.objects.filter(
        id__in=SourceRun.objects.values("source_id").annotate(top=Max("id")).values("top"))}
    sources = [freshness(s, latest.get(s.id), now) for s in Source.objects.all()]
    return {"last_updated": _iso(last_updated()), "stale": [s["name"] for s in sources if s["stale"]],
            "sources": sources}


def last_updated() -> datetime | None:
    """When a source last brought the catalog up to date (its last successful run)."""
    return Source.objects.aggregate(top=Max("last_success_at"))["top"]
