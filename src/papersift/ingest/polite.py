"""One polite pace per service for the whole installation: every process (the worker, each web process that
fetches a submitted paper, a CLI ingest) spaces its requests to arXiv through the same gate.

arXiv asks for one request every 3 seconds from a client, and answers 503 with `Retry-After` when it wants
a client to slow down. A per-process delay is not enough when a harvest, a paper submission and a hand-run
ingest share one address, so the time of the next allowed request lives in a file under
``<DATA_DIR>/polite/``, read and written under a file lock (`filelock`): whoever holds the lock waits until
that time, moves it ``delay`` further and lets go before sending. A `Retry-After` (or a backoff after an
error) moves the time for everyone. The lock is released by the kernel when a process dies, so a killed
harvest never blocks the next one.

Every arXiv host (`export.arxiv.org`, `oaipmh.arxiv.org`, `rss.arxiv.org`, ...) and the hosts of the
configured arXiv base URLs share the gate ``arxiv``; any other host gets a gate of its own. No Django here.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from filelock import FileLock, Timeout

log = logging.getLogger("papersift.ingest")
ARXIV = "arxiv"


class Busy(Exception):
    """Waiting for the gate would take longer than the caller can wait."""

    def __init__(self, key: str, seconds: float):
        super().__init__(f"the next request to {key} may go in {seconds:.0f} s")
        self.key, self.seconds = key, seconds


def _netloc(url: str) -> str:
    parts = urlsplit(url)
    return (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")


class Gate:
    def __init__(self, directory: Path, delay: float, arxiv_urls: Iterable[str] = (), *, sleep=time.sleep,
                 clock=time.time):
        self.directory, self.delay = Path(directory), delay
        self.arxiv_hosts = {_netloc(url) for url in arxiv_urls if url}
        self.sleep, self.clock = sleep, clock

    def key(self, url: str) -> str:
        netloc = _netloc(url)
        host = netloc.split(":", 1)[0]
        if host == "arxiv.org" or host.endswith(".arxiv.org") or netloc in self.arxiv_hosts:
            return ARXIV
        return re.sub(r"[^a-z0-9.-]", "_", netloc) or "local"

    def _paths(self, key: str) -> tuple[FileLock, Path]:
        self.directory.mkdir(parents=True, exist_ok=True)
        return FileLock(self.directory / f"{key}.lock"), self.directory / f"{key}.next"

    @staticmethod
    def _read(path: Path) -> float:
        try:
            return float(path.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0.0

    def wait(self, url: str, max_wait: float | None = None) -> float:
        """Block until a request to ``url``'s service may go, and claim that turn; the seconds waited.

        ``max_wait``: raise `Busy` instead when the turn is further away than that (someone is waiting for
        the answer and should hear "try later" rather than hang).
        """
        key = self.key(url)
        lock, path = self._paths(key)
        started = self.clock()
        try:
            with lock.acquire(timeout=-1 if max_wait is None else max_wait):
                turn = self._read(path)
                pause = max(0.0, turn - self.clock())
                if max_wait is not None and (self.clock() - started) + pause > max_wait:
                    raise Busy(key, pause)
                if pause:
                    self.sleep(pause)
                path.write_text(repr(self.clock() + self.delay))
        except Timeout:
            raise Busy(key, max_wait or 0) from None
        return self.clock() - started

    def defer(self, url: str, seconds: float) -> None:
        """Nobody in this installation asks ``url``'s service again for ``seconds`` (Retry-After, backoff)."""
        key = self.key(url)
        lock, path = self._paths(key)
        with lock:
            turn = max(self._read(path), self.clock() + seconds)
            path.write_text(repr(turn))
        log.info("polite.defer key=%s seconds=%.1f", key, seconds)


def for_settings(config: dict) -> Gate:
    """The installation's gate, from papersift's settings (the dict of `papersift.conf.load`)."""
    urls = [config.get(name, "") for name in ("ARXIV_API_URL", "ARXIV_OAI_URL", "ARXIV_RSS_URL")]
    return Gate(Path(config["DATA_DIR"]) / "polite", config["HARVEST_DELAY"], urls)
