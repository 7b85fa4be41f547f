"""`papersift worker`: deliver the outbox on a fixed interval until told to stop.

Stops cleanly on SIGTERM/SIGINT between passes; a pass in flight finishes its current message first (a kill -9
is covered by the claim/record protocol in `services`).
"""

from __future__ import annotations

import logging
import signal
import threading

from django.db import close_old_connections

from papersift.outbox.services import deliver

log = logging.getLogger(__name__)


def run(*, interval: float, once: bool = False) -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("worker.start", extra={"interval": interval})
    while not stop.is_set():
        close_old_connections()
        report = deliver()
        if report.sent or report.retried or report.failed or report.unknown:
            log.info("worker.outbox sent=%d retried=%d failed=%d unknown=%d", report.sent, report.retried,
                     report.failed, report.unknown)
        if once:
            break
        stop.wait(interval)
    log.info("worker.stop")
