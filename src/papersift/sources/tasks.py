"""Background work of the sources, for the worker's scheduler: run what is due, then index what came in."""

from __future__ import annotations

import logging

from papersift.sources import services

log = logging.getLogger(__name__)


def run_due_sources() -> None:
    due = services.due()
    if not due:
        return
    report = services.run_many(due, embed=True)
    if report.busy:
        log.info("sources.busy sources=%s", ",".join(report.busy))
    if report.index:
        log.info("sources.index %s", report.index)
