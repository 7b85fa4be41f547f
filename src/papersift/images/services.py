"""The one place that changes image state: fetch what is missing, store each copy, record each failure.

Each image is its own unit of work: the file is written under a temporary name and renamed into place, then
its row is written in one transaction, so a crash leaves at worst a file that the next fetch of the same URL
overwrites, never a row that points at nothing. One bad image never stops the rest.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from papersift import __version__
from papersift.images import selectors
from papersift.images.fetch import ImageFetcher, ImageRefused, ImageUnavailable
from papersift.images.links import image_key
from papersift.images.models import CachedImage, image_path
from papersift.images.process import NotAnImage, Normalised, normalise

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_BASE = 3600.0   # seconds before the first retry of a transient failure; doubled at each further one


@dataclass
class FetchReport:
    stored: int = 0
    failed: int = 0
    refused: int = 0
    seconds: float = 0.0
    stopped: str = ""          # why the pass ended early (the source asked to slow down)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"stored": self.stored, "failed": self.failed, "refused": self.refused,
                "seconds": round(self.seconds, 3), "stopped": self.stopped, "errors": self.errors}


def fetcher() -> ImageFetcher:
    config = settings.PAPERSIFT
    contact = config["CONTACT_EMAIL"]
    agent = f"papersift/{__version__} (self-hosted paper index; image copies{'; mailto:' + contact if contact else ''})"
    return ImageFetcher(sources=config["IMAGE_SOURCES"], allow_private=config["IMAGE_ALLOW_PRIVATE"],
                        max_bytes=config["IMAGE_MAX_BYTES"], timeout=config["HTTP_TIMEOUT"], user_agent=agent)


def fetch_missing(limit: int = 100, *, sleep=time.sleep, should_stop=lambda: False) -> FetchReport:
    """Copy up to ``limit`` images that have no copy yet (or whose retry is due), one at a time, politely.

    The pass stops early when the network gives no answer (nothing is held against the image: the next pass
    tries again), when a source asks to wait (``Retry-After``), or when ``should_stop()`` (the worker is
    shutting down)."""
    started = time.perf_counter()
    report = FetchReport()
    delay = settings.PAPERSIFT["IMAGE_FETCH_DELAY"]
    with fetcher() as client:
        for n, (url, kind) in enumerate(selectors.wanted(limit)):
            if should_stop():
                report.stopped = "asked to stop"
                break
            if n:
                sleep(delay)
            try:
                stored(url, kind, normalise(client.get(url).body, kind))
                report.stored += 1
            except (ImageRefused, NotAnImage) as exc:
                _failed(report, url, kind, str(exc), permanent=True)
            except ImageUnavailable as exc:
                if exc.network:
                    report.stopped = f"no answer from the network ({exc}); the next pass tries again"
                    break
                _failed(report, url, kind, str(exc), permanent=False, retry_after=exc.retry_after)
                if exc.retry_after is not None:
                    report.stopped = f"the source asked to wait {exc.retry_after:.0f} s"
                    break
    report.seconds = time.perf_counter() - started
    return report


def _failed(report: FetchReport, url: str, kind: str, message: str, *, permanent: bool,
            retry_after: float | None = None) -> None:
    status = failed(url, kind, message, permanent=permanent, retry_after=retry_after)
    setattr(report, "refused" if status == CachedImage.REFUSED else "failed",
            getattr(report, "refused" if status == CachedImage.REFUSED else "failed") + 1)
    report.errors.append(f"{url[:200]}: {message}")
    log.info("image.%s url=%s problem=%r", status, url[:200], message)


def stored(url: str, kind: str, image: Normalised) -> CachedImage:
    """Write the file, then record it (one transaction)."""
    key = image_key(url)
    path = image_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(image.body)
    os.replace(partial, path)
    values = dict(key=key, kind=kind, status=CachedImage.STORED, content_type=image.content_type,
                  width=image.width, height=image.height, size=len(image.body),
                  etag=hashlib.sha256(image.body).hexdigest()[:32], error="", next_attempt_at=None,
                  fetched_at=timezone.now())
    return _save(url, values)


def failed(url: str, kind: str, message: str, *, permanent: bool, retry_after: float | None = None) -> str:
    """Record a failed download; after MAX_ATTEMPTS, or a permanent failure, the URL is refused for good."""
    with transaction.atomic():
        row = CachedImage.objects.select_for_update().filter(url=url).first()
        attempts = (row.attempts if row else 0) + 1
        status = CachedImage.REFUSED if permanent or attempts >= MAX_ATTEMPTS else CachedImage.FAILED
        wait = max(retry_after or 0.0, RETRY_BASE * 2 ** (attempts - 1))
        values = dict(key=image_key(url), kind=kind, status=status, attempts=attempts, error=message[:2000],
                      next_attempt_at=timezone.now() + timedelta(seconds=wait) if status == CachedImage.FAILED
                      else None)
        if row is not None and row.status == CachedImage.STORED:
            return row.status          # another worker stored it meanwhile: keep the copy
        _save(url, values)
    return status


def _save(url: str, values: dict) -> CachedImage:
    try:
        with transaction.atomic():
            row, _ = CachedImage.objects.update_or_create(url=url, defaults=values)
    except IntegrityError:     # another worker created the row first: update it
        with transaction.atomic():
            CachedImage.objects.filter(url=url).update(**values)
            row = CachedImage.objects.get(url=url)
    return row
