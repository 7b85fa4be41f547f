"""arXiv's endpoints as they are since 2025-2026: the OAI-PMH endpoint at oaipmh.arxiv.org (its layout, its dates,
its expiring resumption tokens) and the 2026 Atom API (its layout and its HTTP 400), from recorded responses."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from papersift.ingest.formats import atom, oai
from papersift.ingest.records import PageInfo, Parsed, RecordError, SourceError
from tests.conftest import run_cli
from tests.httpserver import RecordedServer

XML = {"Content-Type": "text/xml"}
LIST_2025 = "arxiv-raw/oai-pmh-2025/ListRecords_arXiv_set-physics-hep-th_2025-07-01.xml"
START = "/oai?verb=ListRecords&metadataPrefix=arXiv&set=physics%3Ahep-th&from=2025-07-01&until=2025-07-01"
ATOM_2026 = "arxiv-raw/atom-2026"


def parse(module, body: bytes):
    page = PageInfo()
    items = list(module.parse(io.BufferedReader(io.BytesIO(body)), "x", page))
    return [i for i in items if isinstance(i, Parsed)], [i for i in items if isinstance(i, RecordError)], page


def test_the_2025_layout_takes_first_version_dates_only_where_created_can_be_one(shared):
    papers, errors, page = parse(oai, (shared / LIST_2025).read_bytes())
    assert len(papers) == 95 and errors == [] and page.last_datestamp == "2025-07-01"
    unknown = [p.paper for p in papers if p.paper.published is None]
    assert len(unknown) == 49        # <created> is a later version's date: it disagrees with the id's month
    old = next(p.paper for p in papers if p.paper.arxiv_id == "2101.11905")
    assert old.published is None and old.updated.date() == date(2025, 7, 1)
    for p in papers:
        if p.paper.published is not None:
            assert oai.is_first_version_date(p.paper.arxiv_id, p.paper.published)
    assert all(p.announcement is None for p in papers)    # the `arXiv` prefix dates no versions


def test_the_same_paper_fetched_twice_keeps_its_first_date_out_of_a_replacement(shared):
    first, _, _ = parse(oai, (shared / "arxiv-raw/oai-pmh-2025/GetRecord_arXiv_2511.23462_2025-12-02.xml").read_bytes())
    later, _, _ = parse(oai, (shared / "arxiv-raw/oai-pmh-2025/GetRecord_arXiv_2511.23462_2026-04-16.xml").read_bytes())
    assert first[0].paper.published.date() == date(2025, 11, 28)
    assert later[0].paper.published is None and later[0].paper.updated.date() == date(2026, 2, 11)


@pytest.mark.parametrize("arxiv_id, created, plausible", [
    ("2511.23462", date(2025, 11, 28), True), ("2511.23462", date(2025, 10, 31), True),
    ("2511.23462", date(2026, 2, 9), False), ("2511.23462", date(2025, 9, 30), False),
    ("math/0701001", date(2007, 1, 3), True), ("hep-th/9912001", date(1999, 12, 1), True),
    ("2501.00001", date(2024, 12, 31), True),
])
def test_created_is_a_first_version_date_only_in_the_ids_month_or_the_one_before(arxiv_id, created, plausible):
    from datetime import datetime, timezone

    moment = datetime.combine(created, datetime.min.time(), tzinfo=timezone.utc)
    assert oai.is_first_version_date(arxiv_id, moment) is plausible


def test_arxivraw_records_near_their_datestamp_are_announcements(shared):
    papers, _, _ = parse(oai, (shared / "arxiv-raw/oai-pmh/arXivRaw_ListRecords_2016-10-21_387records.xml").read_bytes())
    announced = [p for p in papers if p.announcement is not None]
    assert len(announced) == 261 and {p.announcement.kind for p in announced} == {"replace"}
    for p in announced:
        newest = max(p.paper.versions, key=lambda v: v["version"])
        submitted = date.fromisoformat(newest["date"][:10])
        assert 0 <= (p.announcement.date - submitted).days <= oai.ANNOUNCE_WINDOW
        assert p.paper.announced is None      # a replacement does not date the first announcement


def test_ingesting_the_recorded_2025_list_stores_95_papers(shared, cli_env):
    result = run_cli(cli_env, "ingest", "arxiv-oai", str(shared / LIST_2025), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["papers"]["new"] == 95


def _papersift(env, *args) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "papersift"), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_harvest_by_url_at_oai_and_an_expired_token_resumed_from_its_datestamp(shared, cli_env):
    body = (shared / LIST_2025).read_bytes()
    with_token = body.replace(b"</ListRecords>", b"<resumptionToken>2025-07-01|1001</resumptionToken></ListRecords>")
    expired = (shared / "arxiv-raw/oai-pmh/arXivRaw_ErrorResponseBadResumptionToken.xml").read_bytes()
    token = "/oai?verb=ListRecords&resumptionToken=" + quote("2025-07-01|1001")
    held, release, state = threading.Event(), threading.Event(), {"first": True}

    def route(path, count):
        if path.startswith("/oai") and "resumptionToken" not in path:
            return 200, XML, with_token if count == 1 and path == START else body
        if path == token and state["first"]:
            held.set()
            release.wait(30)
            return 500, {}, b""
        if path == token:
            return 200, XML, expired       # the token expired at midnight
        return 404, {}, b""

    env = {**cli_env, "PAPERSIFT_HARVEST_DELAY": "0.01"}
    with RecordedServer(route) as server:
        first = _papersift(env, "ingest", "arxiv-oai", server.base + START)
        assert held.wait(60), first.communicate()
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        state["first"] = False
        release.set()
        second = run_cli(env, "ingest", "arxiv-oai", server.base + START, "--json")
        paths = server.paths()
    assert second.returncode == 0, second.stderr
    assert paths[:3] == [START, token, token]
    assert paths[3] == "/oai?verb=ListRecords&metadataPrefix=arXiv&set=physics%3Ahep-th&until=2025-07-01&from=2025-07-01"
    assert len(paths) == 4
    report = json.loads(second.stdout)
    assert report["papers"] == {"new": 0, "updated": 0, "unchanged": 95, "stale": 0} and report["errors"] == 0
    assert json.loads(run_cli(env, "stats", "--json").stdout)["papers"] == 95


def test_a_token_from_before_midnight_is_not_even_tried(shared, db):
    from django.utils import timezone

    from papersift.ingest.models import HarvestState
    from papersift.ingest.services import Ingest

    body = (shared / LIST_2025).read_bytes()
    with RecordedServer(lambda path, count: (200, XML, body)) as server:
        start = server.base + START
        Ingest("arxiv-oai").run([start])
        HarvestState.objects.update(status=HarvestState.RUNNING, next_url=server.base + "/oai?verb=ListRecords&"
                                    "resumptionToken=old", updated_at=timezone.now() - timedelta(days=1))
        report = Ingest("arxiv-oai").run([start])
        paths = server.paths()
    assert report.error_count == 0 and all("resumptionToken" not in p for p in paths)
    assert paths[-1].endswith("&from=2025-07-01") and len(paths) == 2


def test_the_2026_atom_layout_gives_every_entry(shared):
    recorded = [item for item in json.loads((shared / ATOM_2026 / "_index.json").read_text())
                if item["status_code"] == 200]
    assert len(recorded) == 10
    for item in recorded:
        papers, errors, page = parse(atom, (shared / ATOM_2026 / item["file"]).read_bytes())
        assert (len(papers), errors) == (item["entries"], []), item["file"]
        assert page.total_results == int(item["totalResults"])
        for p in papers:
            assert p.paper.title and p.paper.authors and p.paper.categories and p.paper.published


def test_the_2026_error_answer_names_the_bad_id(shared):
    with pytest.raises(SourceError, match="incorrect id format for abc"):
        parse(atom, (shared / ATOM_2026 / "arxiv.py-error-400-id_list-abc-2026-04-12.xml").read_bytes())


def test_a_harvest_answered_400_reports_arxivs_reason(shared, cli_env):
    error = (shared / ATOM_2026 / "arxiv.py-error-400-id_list-abc-2026-04-12.xml").read_bytes()
    with RecordedServer(lambda path, count: (400, {"Content-Type": "application/atom+xml"}, error)) as server:
        result = run_cli(cli_env, "ingest", "arxiv-atom", server.base + "/api/query?id_list=abc")
    assert result.returncode == 1 and "incorrect id format for abc" in result.stderr
