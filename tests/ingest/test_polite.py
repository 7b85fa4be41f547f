"""One pace to arXiv for the whole installation: processes started side by side keep HARVEST_DELAY between all
their requests, and a Retry-After one of them got holds the others back (tests/submissions/test_pace.py: paper
submissions share the gate)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from papersift.ingest.polite import ARXIV, Busy, Gate
from tests.conftest import run_cli
from tests.httpserver import RecordedServer

ATOM = {"Content-Type": "application/atom+xml"}
RECORDED = "arxiv-raw/atom/api_query_all-science_2019-08-10.xml"


def _papersift(env, *args) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "papersift"), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_processes_side_by_side_keep_one_pace_and_share_a_retry_after(shared, cli_env):
    page = (shared / RECORDED).read_bytes()
    lock = threading.Lock()
    answered = {"503": False}

    def route(path, count):
        with lock:
            if not answered["503"]:
                answered["503"], answered["at"] = True, time.time()     # the gate's clock (monotonic here)
                return 503, {"Retry-After": "2"}, b"slow down"
        return 200, ATOM, page

    delay = 0.6
    with RecordedServer(route) as server:
        env = {**cli_env, "PAPERSIFT_HARVEST_DELAY": str(delay), "PAPERSIFT_ARXIV_API_URL": server.base + "/api/query"}
        assert run_cli(env, "migrate").returncode == 0     # the schema first: three processes must not race to it
        def start(n):
            return _papersift(env, "ingest", "arxiv-atom",
                              server.base + f"/api/query?search_query=all:science&start=0&max_results=10&run={n}")

        # The others start once the first has been told to wait: a request already past the gate when the 503
        # comes back cannot be called back, and on a busy machine handling the answer may take longer than the
        # delay (CI saw the next request 0.6 s after the 503).
        runs = [start(0)]
        _wait_for_deferral(Path(env["PAPERSIFT_DATA_DIR"]) / "polite" / f"{ARXIV}.next", answered)
        runs += [start(1), start(2)]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
        times = sorted(t for t, _ in server.requests)
    assert len(times) == 1 + 3 * 2           # the 503, then two pages per run
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps[0] >= 2.0 - 0.05             # everyone waited out the Retry-After one of them was given
    assert min(gaps) >= delay - 0.05, gaps   # and no two requests of the installation came closer than the delay


def _wait_for_deferral(turn_file: Path, answered: dict, seconds: float = 60) -> None:
    """Until the gate's next turn lies at least the Retry-After beyond the moment the 503 was sent."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if "at" in answered:
            try:
                if float(turn_file.read_text() or 0) >= answered["at"] + 2.0 - 0.05:
                    return
            except (OSError, ValueError):
                pass
        time.sleep(0.02)
    raise AssertionError(f"the first process never recorded the Retry-After in {turn_file}")


def test_hosts_of_arxiv_share_one_gate_and_others_get_their_own(tmp_path):
    gate = Gate(tmp_path, 3, ["http://127.0.0.1:8123/api/query"])
    assert {gate.key(u) for u in ("https://rss.arxiv.org/rss/cs.CL", "https://oaipmh.arxiv.org/oai?verb=Identify",
                                  "https://export.arxiv.org/api/query", "http://127.0.0.1:8123/oai")} == {ARXIV}
    assert gate.key("https://huggingface.co/api/daily_papers") == "huggingface.co"
    assert gate.key("https://notarxiv.org/x") != ARXIV


def test_a_turn_further_away_than_the_caller_can_wait_is_refused(tmp_path):
    gate = Gate(tmp_path, 3)
    gate.defer("https://export.arxiv.org/api/query", 60)
    try:
        gate.wait("https://rss.arxiv.org/rss/cs.CL", max_wait=1)
    except Busy as exc:
        assert exc.key == ARXIV and exc.seconds > 50
    else:
        raise AssertionError("the gate let a request through inside a Retry-After")


def test_the_contact_address_goes_in_the_user_agent(shared, cli_env):
    page = (shared / RECORDED).read_bytes()
    with RecordedServer(lambda path, count: (200, ATOM, page)) as server:
        env = {**cli_env, "PAPERSIFT_CONTACT_EMAIL": "ops@example.org", "PAPERSIFT_HARVEST_DELAY": "0.01"}
        run_cli(env, "ingest", "arxiv-atom", server.base + "/api/query?search_query=all:science")
        agents = {h["User-Agent"] for h in server.headers}
    assert len(agents) == 1 and agents.pop().endswith("(self-hosted paper index; mailto:ops@example.org)")
