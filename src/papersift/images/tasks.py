"""Background work of the images app: the worker's pass that copies missing thumbnails and avatars."""

from __future__ import annotations

import logging

from papersift.images import services

log = logging.getLogger(__name__)


def fetch_images() -> None:
    report = services.fetch_missing()
    if report.stored or report.failed or report.refused:
        log.info("image.run stored=%d failed=%d refused=%d seconds=%.1f%s", report.stored, report.failed,
                 report.refused, report.seconds, f" stopped={report.stopped!r}" if report.stopped else "")
