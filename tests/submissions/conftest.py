"""A real arXiv API stand-in on 127.0.0.1 answering from recorded Atom (see data/README.md), and helpers."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from papersift.catalog.models import DailyListing, Paper
from tests.httpserver import RecordedServer
from tests.ports import port_of, reserved

ATOM = {"Content-Type": "application/atom+xml; charset=UTF-8"}
DATA = Path(__file__).parent / "data"
RECORDED_FEED = "arxiv-raw/atom/api_query_all-science_2019-08-10.xml"

# Papers of the recorded feed the tests submit, with their first-version dates as the feed gives them.
DATA_SCIENCE = "1501.05039"          # "Defining Data Science", Yangyong Zhu and Yun Xiong, cs.DB + cs.CY
DATA_SCIENCE_PUBLISHED = datetime(2015, 1, 21, 2, 41, 55, tzinfo=timezone.utc)
OLD_STYLE = "physics/0507092"        # published 2005-07-12
UNKNOWN = "2401.00001"               # well-formed; the stand-in has no such paper, as arXiv would not


class RecordedArxiv:
    """Answers `GET /api/query?id_list=<id>` as arXiv does: the paper's entry for a paper of the recorded feed,
    a feed without entries for any other id. ``answers`` overrides the answer for one id."""

    def __init__(self, feed: bytes):
        start = feed.index(b"  <entry>")
        self.head = feed[:start]
        self.entries = {self._entry_id(e): e for e in re.findall(rb"  <entry>.*?</entry>\n", feed[start:], re.S)}
        self.error = (DATA / "arxiv_error_incorrect_id_format.xml").read_bytes()
        self.no_results = re.sub(rb"  <entry>.*?</entry>\n", b"", self.error, flags=re.S)
        self.answers: dict[str, tuple[int, dict, bytes]] = {}
        self.everything: tuple[int, dict, bytes] | None = None   # answer every request with this (arXiv down)
        self.server = RecordedServer(self.route)

    @staticmethod
    def _entry_id(entry: bytes) -> str:
        return re.search(rb"<id>http://arxiv\.org/abs/(.+?)v\d+</id>", entry).group(1).decode()

    def one_paper(self, arxiv_id: str) -> bytes:
        return self.head + self.entries[arxiv_id] + b"</feed>\n"

    def route(self, path: str, count: int) -> tuple[int, dict, bytes]:
        if self.everything is not None:
            return self.everything
        parts = urlsplit(path)
        wanted = parse_qs(parts.query).get("id_list", [""])[0]
        if parts.path != "/api/query":
            return 404, {}, b"not found"
        if wanted in self.answers:
            return self.answers[wanted]
        if wanted in self.entries:
            return 200, ATOM, self.one_paper(wanted)
        return 200, ATOM, self.no_results

    @property
    def url(self) -> str:
        return self.server.base + "/api/query"

    def requested(self) -> list[str]:
        return self.server.paths()


@pytest.fixture
def arxiv(shared, settings):
    """The recorded arXiv, and ARXIV_API_URL pointing at it for the test."""
    stand_in = RecordedArxiv((shared / RECORDED_FEED).read_bytes())
    with stand_in.server:
        settings.PAPERSIFT = {**settings.PAPERSIFT, "ARXIV_API_URL": stand_in.url}
        yield stand_in


@pytest.fixture
def closed_port_url():
    """An arXiv URL on a loopback port held, not listening, for the test: connections are refused."""
    sock = reserved()
    try:
        yield f"http://127.0.0.1:{port_of(sock)}/api/query"
    finally:
        sock.close()


@pytest.fixture
def window_for_recorded(settings):
    """A submission window wide enough for the recorded 2015 paper to be submitted today (pages and the API use
    the real clock); tests of the 14-day rule itself leave the window as configured."""
    days = (datetime.now(timezone.utc) - DATA_SCIENCE_PUBLISHED).days + 1
    settings.PAPERSIFT = {**settings.PAPERSIFT, "SUBMIT_MAX_AGE_DAYS": days}
    return days




def catalog_rows() -> tuple[list, list]:
    """Every paper and listing as stored: equal before and after means nothing was written."""
    return (list(Paper.objects.order_by("id").values_list()), list(DailyListing.objects.order_by("id").values_list()))
