"""Harvesting over HTTP from a real loopback server serving recorded arXiv and HF responses."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path


from tests import processes
from tests.httpserver import RecordedServer

XML = {"Content-Type": "text/xml; charset=utf-8"}
START = "/oai2?verb=ListRecords&metadataPrefix=arXivRaw&from=2016-10-20"
PAGE2 = "/oai2?verb=ListRecords&resumptionToken=1403493%7C1001"


def _papersift(env, *args):
    return processes.start(*args, env=env)


def test_oai_harvest_follows_token_honours_retry_after_and_resumes_after_kill(shared, cli_env):
    page1 = (shared / "arxiv-raw/oai-pmh/arXivRaw_ListRecords_2016-10-21_387records.xml").read_bytes()
    page2 = (shared / "arxiv-raw/oai-pmh/arXiv_arxiv-physics-hep-th.xml").read_bytes()  # last page: no token
    page2_requested = threading.Event()
    release = threading.Event()
    first_run = {"active": True}

    def route(path, count):
        if path == START:
            return 200, XML, page1
        if path == PAGE2:
            if count == 1:
                return 503, {"Retry-After": "1", **XML}, b"<html>flow control</html>"
            if first_run["active"]:
                page2_requested.set()
                release.wait(30)   # hold the request open while the test kills the harvester
                return 500, {}, b""
            return 200, XML, page2
        return 404, {}, b"not found"

    env = {**cli_env, "PAPERSIFT_HARVEST_DELAY": "0.3"}
    with RecordedServer(route) as server:
        url = server.base + START
        first = _papersift(env, "ingest", "arxiv-oai", url)
        assert page2_requested.wait(60), first.communicate()
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        first_run["active"] = False
        release.set()
        second = _papersift(env, "ingest", "arxiv-oai", url)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        paths = server.paths()
        times = [t for t, p in server.requests]
    assert paths.count(START) == 1, paths           # the restart resumed with the token, not from page 1
    assert paths[:3] == [START, PAGE2, PAGE2]
    retry_gap = times[2] - times[1]
    assert retry_gap >= 1.0 - 0.05                   # Retry-After: 1 was honoured
    assert times[1] - times[0] >= 0.3 - 0.05         # the politeness delay between requests
    assert "3 new" in out                            # the resumed run wrote only page 2
    stats = subprocess.run([str(Path(sys.executable).parent / "papersift"), "stats", "--json"], env=env,
                           capture_output=True, text=True)
    assert json.loads(stats.stdout)["papers"] == 387 + 3


def test_oai_error_during_harvest_is_reported_with_its_code(shared, cli_env):
    error = (shared / "arxiv-raw/oai-pmh/arXivRaw_ErrorResponseBadResumptionToken.xml").read_bytes()
    with RecordedServer(lambda path, count: (200, XML, error)) as server:
        proc = _papersift(cli_env, "ingest", "arxiv-oai", server.base + "/oai2?verb=ListRecords&resumptionToken=x")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "badResumptionToken" in err


def test_hf_daily_url_uses_the_same_parser_and_takes_the_day_from_the_url(shared, cli_env):
    body = (shared / "hf-daily/raw/2024-12-11.json").read_bytes()   # Python-repr entries
    with RecordedServer(lambda path, count: (200, {"Content-Type": "application/json"}, body)) as server:
        proc = _papersift(cli_env, "ingest", "hf-daily", server.base + "/api/daily_papers?date=2024-12-11")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    stats = json.loads(subprocess.run([str(Path(sys.executable).parent / "papersift"), "stats", "--json"],
                                      env=cli_env, capture_output=True, text=True).stdout)
    assert stats["listing_days"] == 1 and stats["first_listing_day"] == "2024-12-11"
    assert stats["papers"] == stats["listings"] > 0


def test_a_404_stops_with_the_status_and_url(cli_env):
    with RecordedServer(lambda path, count: (404, {}, b"nope")) as server:
        proc = _papersift(cli_env, "ingest", "arxiv-atom", server.base + "/api/query?search_query=all:x")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "HTTP 404" in err and server.base in err


def test_atom_url_is_paged_until_the_server_stops_advancing(shared, cli_env):
    page = (shared / "arxiv-raw/atom/api_query_all-science_2019-08-10.xml").read_bytes()  # startIndex 0, 10 entries
    with RecordedServer(lambda path, count: (200, XML, page)) as server:
        proc = _papersift(cli_env, "ingest", "arxiv-atom",
                          server.base + "/api/query?search_query=all:science&start=0&max_results=10")
        out, err = proc.communicate(timeout=60)
        paths = server.paths()
    assert proc.returncode == 0, err
    # Page 2 asks for start=10; the recorded server answers page 1 again, so paging stops instead of looping.
    assert [p.split("start=")[1].split("&")[0] for p in paths] == ["0", "10"]
    assert "10 new" in out and "10 unchanged" in out
