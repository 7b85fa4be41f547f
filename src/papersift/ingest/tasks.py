"""Background work of ingestion: the scheduled harvest of ``PAPERSIFT_HARVEST_SOURCES``."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from papersift.ingest.services import Ingest

log = logging.getLogger(__name__)


def harvest_urls(today=None) -> list[tuple[str, str]]:
    """The configured sources with ``{today}`` and ``{yesterday}`` filled in (UTC dates)."""
    today = today or timezone.now().date()
    values = {"today": today.isoformat(), "yesterday": (today - timedelta(days=1)).isoformat()}
    return [(fmt, url.replace("{today}", values["today"]).replace("{yesterday}", values["yesterday"]))
            for fmt, url in settings.PAPERSIFT["HARVEST_SOURCES"]]


def harvest() -> None:
    for format_name, url in harvest_urls():
        report = Ingest(format_name).run([url])
        totals = report.as_dict()
        log.info("ingest.harvest format=%s url=%s new=%d updated=%d errors=%d", format_name, url,
                 totals["papers"]["new"], totals["papers"]["updated"], totals["errors"])
