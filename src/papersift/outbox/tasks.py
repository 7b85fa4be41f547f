"""Background work of the outbox, for the worker's scheduler."""

from __future__ import annotations

import logging

from papersift.outbox.services import deliver

log = logging.getLogger(__name__)


def deliver_outbox() -> None:
    report = deliver()
    if report.sent or report.retried or report.failed or report.unknown or report.released:
        log.info("outbox.pass sent=%d retried=%d failed=%d unknown=%d released=%d", report.sent, report.retried,
                 report.failed, report.unknown, report.released)
