"""Background work of the digests, for the worker's scheduler."""

from __future__ import annotations

import logging

from papersift.digests import services
from papersift.outbox.tasks import deliver_outbox

log = logging.getLogger(__name__)


def send_digests() -> None:
    """Build the digests due now, then hand them to the outbox at once rather than at its next pass."""
    report = services.send_due()
    if report.built:
        log.info("digest.run built=%d papers=%d skipped=%s", report.built, report.papers, dict(report.skipped))
        deliver_outbox()


def purge_unconfirmed() -> None:
    purged = services.purge_unconfirmed()
    if purged:
        log.info("digest.purge unconfirmed=%d", purged)
