"""`papersift worker`: the background jobs on one scheduler (APScheduler), until SIGTERM or SIGINT.

Jobs, each never overlapping itself (``max_instances=1``) and run once after a late start (``coalesce``):

- ``outbox``: deliver queued mail, every ``--interval`` seconds;
- ``digests``: build the digests that are due and deliver them, every ``PAPERSIFT_DIGEST_CHECK_INTERVAL``;
- ``purge``: forget subscriptions never confirmed after 30 days, daily at 03:17 UTC;
- ``sources``: every minute, run the sources whose next run has come (arXiv after each announcement, Hugging
  Face through its day, missed days caught up), then embed what they brought; unless ``PAPERSIFT_AUTO_UPDATE``
  is off (an offline machine).

They run in a small thread pool, so a long harvest or embedding run does not hold up mail. On SIGTERM the
scheduler stops taking jobs and waits for those running; a SIGKILL at any point is covered by the outbox's
claim protocol and the digests' one-transaction-per-digest rule.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)
SOURCES_CHECK = 60   # seconds between looks for sources that are due


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], None]
    trigger: BaseTrigger
    at_start: bool = False   # run once straight away too
    in_once: bool = True     # `worker --once` runs it (if at_start)


def _with_connections(job: Job) -> Callable[[], None]:
    """Each run gets fresh database connections (threads keep their own; stale ones are closed)."""

    def wrapped() -> None:
        close_old_connections()
        try:
            job.run()
        except Exception:   # logged with its traceback; the next run is still scheduled
            log.exception("worker.job_failed", extra={"job": job.name})
        finally:
            close_old_connections()

    return wrapped


def jobs(interval: float) -> list[Job]:
    from papersift.digests.tasks import purge_unconfirmed, send_digests
    from papersift.outbox.tasks import deliver_outbox

    config = settings.PAPERSIFT
    out = [Job("outbox", deliver_outbox, IntervalTrigger(seconds=interval), at_start=True),
           Job("digests", send_digests, IntervalTrigger(seconds=config["DIGEST_CHECK_INTERVAL"]), at_start=True),
           Job("purge", purge_unconfirmed, CronTrigger(hour=3, minute=17, timezone=timezone.utc))]
    if config["AUTO_UPDATE"]:
        from papersift.sources.tasks import run_due_sources

        out.append(Job("sources", run_due_sources, IntervalTrigger(seconds=SOURCES_CHECK), at_start=True,
                       in_once=False))
    return out


def run(*, interval: float, once: bool = False) -> None:
    """Run the jobs until stopped; ``once``: the outbox and digest jobs one time each, then return."""
    planned = jobs(interval)
    if once:
        for job in planned:
            if job.at_start and job.in_once:
                _with_connections(job)()
        return
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=4)}, timezone=timezone.utc,
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600})
    now = datetime.now(timezone.utc)
    for job in planned:
        scheduler.add_job(_with_connections(job), job.trigger, id=job.name, name=job.name,
                          **({"next_run_time": now} if job.at_start else {}))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler.start()
    log.info("worker.start jobs=%s", ",".join(job.name for job in planned))
    stop.wait()
    scheduler.shutdown(wait=True)
    log.info("worker.stop")
