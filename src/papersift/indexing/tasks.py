"""Background work of the search indexes: the scheduled ``index update``."""

from __future__ import annotations

import logging

from papersift.indexing.services import IndexBusy, update
from papersift.search.embed import ModelUnavailable

log = logging.getLogger(__name__)


def update_indexes() -> None:
    try:
        report = update(embed=True)
    except IndexBusy:
        log.info("index.update skipped: another indexing run holds the lock")
        return
    except ModelUnavailable as exc:
        log.warning("index.update lexical only: %s", exc)
        report = update(embed=False)
    log.info("index.update lexical=%d embedded=%d vectors=%d", report.lexical, report.embedded, report.vectors)
