"""Background work of the images app: the worker's pass that copies missing thumbnails and avatars."""

from __future__ import annotations

import logging
import threading

from papersift.images import services

log = logging.getLogger(__name__)
_stopping = threading.Event()


def fetch_images() -> None:
    report = services.fetch_missing(should_stop=_stopping.is_set)
    if report.stored or report.failed or report.refused or report.stopped:
        log.info("image.run stored=%d failed=%d refused=%d seconds=%.1f%s", report.stored, report.failed,
                 report.refused, report.seconds, f" stopped={report.stopped!r}" if report.stopped else "")


def stop() -> None:
    """Make a running pass end after the image in hand (the worker is shutting down)."""
    _stopping.set()
