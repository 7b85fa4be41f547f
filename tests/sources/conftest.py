"""A loopback stand-in for arXiv (RSS feeds, OAI-PMH) and Hugging Face (daily papers), answering at the paths
the real services use with recorded responses from shared/data, and the settings pointing papersift at it."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.httpserver import RecordedServer

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
JSON = {"Content-Type": "application/json"}
RSS_DAY = "arxiv-raw/rss/rss_all-archives_2024-11-28.xml"
OAI_2025 = "arxiv-raw/oai-pmh-2025/ListRecords_arXiv_set-physics-hep-th_2025-07-01.xml"
OAI_RAW_2016 = "arxiv-raw/oai-pmh/arXivRaw_ListRecords_2016-10-21_387records.xml"


class StandIn:
    """Routes: `/rss/<categories>` -> ``rss``; `/oai?...` -> ``oai``; `/api/daily_papers?date=D` -> the recorded
    list of D from shared/data/hf-daily/raw (``hf_default`` for other days, else `[]`). ``hold`` names a path
    prefix whose first request waits until ``release`` is set (to kill a client mid-request)."""

    def __init__(self, shared: Path):
        self.shared = shared
        self.rss = (shared / RSS_DAY).read_bytes()
        self.oai = (shared / OAI_2025).read_bytes()
        self.hf_default: bytes | None = None
        self.fail: dict[str, int] = {}       # path prefix -> HTTP status to answer with
        self.fail_first: dict[str, tuple[int, dict]] = {}   # path prefix -> (status, headers) for its first request
        self.hold: str | None = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.server = RecordedServer(self.route)

    def route(self, path: str, count: int):
        parts = urlsplit(path)
        for prefix, status in self.fail.items():
            if path.startswith(prefix):
                return status, {}, b"failing on purpose"
        for prefix, (status, headers) in self.fail_first.items():
            if path.startswith(prefix) and count == 1:
                return status, headers, b"busy"
        if self.hold and path.startswith(self.hold) and not self.release.is_set():
            self.held.set()
            self.release.wait(60)
            return 500, {}, b""
        if parts.path.startswith("/rss/"):
            return 200, XML, self.rss
        if parts.path == "/oai":
            return 200, {"Content-Type": "text/xml"}, self.oai
        if parts.path == "/api/daily_papers":
            day = parse_qs(parts.query).get("date", [""])[0]
            recorded = self.shared / "hf-daily" / "raw" / f"{day}.json"
            if recorded.is_file():
                return 200, JSON, recorded.read_bytes()
            return 200, JSON, self.hf_default or b"[]"
        return 404, {}, b"not found"

    @property
    def base(self) -> str:
        return self.server.base

    def urls(self) -> dict[str, str]:
        return {"ARXIV_RSS_URL": self.base + "/rss/", "ARXIV_OAI_URL": self.base + "/oai",
                "ARXIV_API_URL": self.base + "/api/query", "HF_API_URL": self.base + "/api"}

    def env(self) -> dict[str, str]:
        return {f"PAPERSIFT_{name}": value for name, value in self.urls().items()}

    def paths(self) -> list[str]:
        return self.server.paths()


@pytest.fixture
def stand_in(shared, settings):
    """The recorded arXiv and Hugging Face on 127.0.0.1, and papersift's settings pointing at them."""
    server = StandIn(shared)
    with server.server:
        settings.PAPERSIFT = {**settings.PAPERSIFT, **server.urls(), "HARVEST_DELAY": 0.01}
        yield server
        server.release.set()
