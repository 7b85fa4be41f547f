"""`papersift serve` as a user runs it: gunicorn starts, says where to open it and which URL mails use, serves
real pages, logs every 500 with its request line, and stops cleanly on SIGTERM or Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import run_cli
from tests.pgserver import free_port

#: What a crashed or killed gunicorn worker, or a helper that died half-way, leaves in the log.
CRASH_SIGNS = ("SIGSEGV", "SIGABRT", "SIGKILL", "was sent", "terminate called", "std::system_error",
               "Segmentation fault", "core dumped", "Worker exited", "Traceback", "KeyboardInterrupt")


class Served:
    """A `papersift serve` process; its stdout and stderr go to files (a full pipe would stall the server)."""

    def __init__(self, env: dict, tmp_path: Path, *args: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.out, self.err = tmp_path / "serve.out", tmp_path / "serve.err"
        with open(self.out, "w") as out, open(self.err, "w") as err:
            # Its own session, so a test can send Ctrl-C's SIGINT to the whole process group as a terminal does.
            self.proc = subprocess.Popen([str(Path(sys.executable).parent / "papersift"), "serve",
                                          "--port", str(self.port), *args],
                                         env=env, stdout=out, stderr=err, text=True, start_new_session=True)

    def wait_ready(self, timeout: float = 180) -> str:
        """Until the server has printed its ready line; returns stdout so far."""
        deadline = time.monotonic() + timeout
        while "papersift is ready" not in self.stdout():
            assert self.proc.poll() is None, self.stderr()
            assert time.monotonic() < deadline, f"not ready in {timeout} s:\n{self.stderr()}"
            time.sleep(0.3)
        return self.stdout()

    def stdout(self) -> str:
        return self.out.read_text()

    def stderr(self) -> str:
        return self.err.read_text()

    def processes(self) -> set[int]:
        """The server's process group: gunicorn's master and workers, and the helpers it started."""
        group = self.proc.pid      # it leads its own session, so its group id is its process id
        found = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == group:
                        found.add(int(entry.name))
                except ProcessLookupError:
                    pass
        return found

    def stop(self, how: str = "SIGTERM", timeout: float = 90) -> int:
        if how == "Ctrl-C":
            os.killpg(self.proc.pid, signal.SIGINT)
        else:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)


@pytest.fixture
def serve(tmp_path):
    started: list[Served] = []

    def start(env: dict, *args: str) -> Served:
        started.append(Served(env, tmp_path, *args))
        return started[-1]

    yield start
    for served in started:
        served.kill()


def test_serve_loads_the_sample_and_serves_pages_assets_api_and_feeds(cli_env, serve):
    server = serve({**cli_env, "PAPERSIFT_LOAD_SAMPLE": "true"})
    printed = server.wait_ready()
    assert f"papersift is ready: open {server.base}/papers" in printed
    response = httpx.get(f"{server.base}/papers", timeout=5)
    assert response.status_code == 200 and "EnvHarness" in response.text
    assert "gunicorn" in response.headers.get("server", "")
    paper = httpx.get(f"{server.base}/papers/2608.19880", timeout=5)
    assert paper.status_code == 200 and "arxiv.org/pdf/2608.19880" in paper.text
    css = httpx.get(f"{server.base}/static/papersift/site.css", timeout=5)
    assert css.status_code == 200 and "paper-card" in css.text
    katex = httpx.get(f"{server.base}/static/vendor/katex/katex.min.js", timeout=5)
    assert katex.status_code == 200 and "katex" in katex.text
    api = httpx.get(f"{server.base}/api/daily_papers?date=2026-08-21&sort=trending", timeout=5)
    assert api.status_code == 200 and api.json()[0]["paper"]["id"] == "2608.19880"
    feed = httpx.get(f"{server.base}/papers/feed.atom", timeout=5)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    # The MCP endpoint in gunicorn's forked workers (each starts its own event loop on first use).
    for n in range(4):
        mcp = httpx.post(f"{server.base}/mcp", json={"jsonrpc": "2.0", "id": n, "method": "tools/list"},
                         headers={"Accept": "application/json, text/event-stream"}, timeout=30)
        assert mcp.status_code == 200 and "search_papers" in mcp.text, mcp.text
    group = server.processes()
    assert server.stop() == 0
    # The background `index update` was still embedding the sample: it is stopped with the server, quietly.
    assert "embedding 804 papers in the background" in server.stderr()
    assert not [sign for sign in CRASH_SIGNS if sign in server.stderr()], server.stderr()
    assert not server.processes() & group, "a process of the server outlived it"
    # stdout is the command's own output; every log line, the access log's included, is on stderr.
    assert '"GET /papers' in server.stderr() and "GET /papers" not in server.stdout()
    assert "loaded the bundled sample: 804 papers" in server.stderr()


def _csrf(page: httpx.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def test_serve_runs_the_worker_and_mails_link_to_the_port_it_serves_on(cli_env, serve):
    """PAPERSIFT_SITE_URL is not set: mails built by the web workers (sign-up, digest confirmation) and by the
    worker beside them link to the port actually served, not the setting's default :8000."""
    from tests.smtpserver import SmtpServer

    smtp = SmtpServer().start()
    try:
        server = serve({**cli_env, "PAPERSIFT_SMTP_PORT": str(smtp.port), "PAPERSIFT_SEARCH_SEMANTIC": "false"})
        printed = server.wait_ready()
        assert f"e-mail links use {server.base} (from --host/--port" in printed
        with httpx.Client(base_url=server.base, timeout=10) as browser:
            form = browser.get("/accounts/signup/")
            password = "correct horse battery staple"
            response = browser.post("/accounts/signup/", data={
                "csrfmiddlewaretoken": _csrf(form), "email": "ada@example.org", "username": "ada",
                "password1": password, "password2": password}, headers={"Referer": f"{server.base}/accounts/signup/"})
            assert response.status_code == 302
            (mail,) = smtp.wait_for(1, timeout=60)
            assert mail.envelope_to == ["ada@example.org"]
            assert f"{server.base}/accounts/confirm-email/" in mail.get_body(("plain",)).get_content()

            browser.cookies.clear()
            form = browser.get("/digests/subscribe")
            response = browser.post("/digests/subscribe", data={
                "csrfmiddlewaretoken": _csrf(form), "email": "bob@example.org", "frequency": "daily", "hour": "8",
                "timezone": "UTC", "trending_top": "10"}, headers={"Referer": f"{server.base}/digests/subscribe"})
            assert response.status_code == 302, response.text
        confirmation = smtp.wait_for(2, timeout=60)[1]
        assert confirmation.envelope_to == ["bob@example.org"]
        links = re.findall(r"https?://[^\s\"<>]+", confirmation.get_body(("plain",)).get_content())
        assert any(link.startswith(f"{server.base}/digests/confirm/") for link in links), links
        assert not any(":8000" in link for link in links), links
        assert server.stop() == 0
    finally:
        smtp.stop()


@pytest.fixture
def embedded_catalog(cli_env, listing_lines, tmp_path) -> dict:
    """A small catalog with every paper embedded, so that searches load the model in the server's workers."""
    papers = tmp_path / "papers.jsonl"
    papers.write_text("".join(listing_lines[:24]), encoding="utf-8")
    for args in (("ingest", "arxiv-listing", str(papers)), ("index", "update", "--no-progress")):
        done = run_cli(cli_env, *args)
        assert done.returncode == 0, done.stderr
    return {**cli_env, "PAPERSIFT_QUERY_EMBED_TIMEOUT": "60"}


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_serve_stops_cleanly_after_semantic_searches(embedded_catalog, serve, how):
    """The native libraries (ONNX Runtime, usearch) are loaded by the workers, never by the master that forks
    them: a fork inherits their C++ state without its threads, and the worker then crashed at exit."""
    server = serve(embedded_catalog, "--workers", "2")
    server.wait_ready()
    semantic = []
    for query in ("language model reasoning", "graph neural networks", "image segmentation", "robot control",
                  "protein folding", "speech recognition", "quantum circuits", "reinforcement learning"):
        response = httpx.get(f"{server.base}/api/search", params={"q": query}, timeout=90)
        assert response.status_code == 200, response.text
        semantic.append(response.json()["semantic"])
        assert httpx.get(f"{server.base}/search", params={"q": query}, timeout=90).status_code == 200
    assert all(semantic), semantic
    maps = Path(f"/proc/{server.proc.pid}/maps").read_text()
    assert "onnxruntime" not in maps and "usearch" not in maps, "the forking master loaded a native library"
    group = server.processes()
    assert len(group) >= 4, group          # master, two workers, the mail worker (and perhaps `index update`)

    assert server.stop(how) == 0
    log = server.stderr()
    assert "Shutting down: Master" in log and "worker.stop" in log
    assert not [sign for sign in CRASH_SIGNS if sign in log], log
    assert not server.processes() & group, "a process of the server outlived it"


def test_a_500_under_gunicorn_is_logged_with_its_request_line(cli_env, listing_lines, tmp_path, serve, backend):
    papers = tmp_path / "papers.jsonl"
    papers.write_text("".join(listing_lines[:5]), encoding="utf-8")
    assert run_cli(cli_env, "ingest", "arxiv-listing", str(papers)).returncode == 0
    paper_id = json.loads(listing_lines[0])["id"]
    server = serve({**cli_env, "PAPERSIFT_SEARCH_SEMANTIC": "false"}, "--no-worker")
    assert f"start it with PAPERSIFT_SITE_URL={server.base} so that" in server.wait_ready()
    assert httpx.get(f"{server.base}/papers/{paper_id}", timeout=10).status_code == 200

    _rename_papers_table(cli_env, backend)          # a real fault: the database lost a table under the server
    page = httpx.get(f"{server.base}/papers/{paper_id}", params={"ref": "log-test"}, timeout=10)
    api = httpx.get(f"{server.base}/api/papers/{paper_id}", params={"ref": "log-test"}, timeout=10)
    assert page.status_code == 500 and api.status_code == 500 and api.json()["code"] == "internal_error"
    assert server.stop() == 0

    errors = [line for line in server.stderr().splitlines() if " ERROR django.request " in line]
    assert len(errors) == 2, server.stderr()
    assert f"request=GET /papers/{paper_id}?ref=log-test" in errors[0]
    assert f"request=GET /api/papers/{paper_id}?ref=log-test" in errors[1]
    assert "Traceback (most recent call last)" in server.stderr() and "catalog_paper" in server.stderr()
    assert "ERROR" not in server.stdout()


def _rename_papers_table(env: dict, backend: str) -> None:
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(env["PAPERSIFT_DATABASE_URL"], autocommit=True) as connection:
            connection.execute("ALTER TABLE catalog_paper RENAME TO catalog_paper_gone")
    else:
        connection = sqlite3.connect(Path(env["PAPERSIFT_DATA_DIR"]) / "papersift.sqlite3")
        with connection:
            connection.execute("ALTER TABLE catalog_paper RENAME TO catalog_paper_gone")
        connection.close()


#: A worker whose Ctrl-C arrives while its main thread holds the thread pool's lock, as it does for the moment it
#: hands a connection to the pool. It must leave at once, not wait for a lock that its own thread holds.
QUIT_INSIDE_SUBMIT = """
import os, signal, sys, time
from concurrent.futures import ThreadPoolExecutor
from gunicorn.config import Config
from papersift.server import QuitSafeThreadWorker

worker = QuitSafeThreadWorker.__new__(QuitSafeThreadWorker)
worker.cfg, worker.tpool, worker.alive = Config(), ThreadPoolExecutor(max_workers=2), True
worker.tpool.submit(time.sleep, 0)
signal.signal(signal.SIGINT, worker.handle_quit)
with worker.tpool._shutdown_lock:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(30)
sys.exit(3)
"""


def test_a_worker_stopped_while_handing_a_connection_to_its_threads_leaves_at_once():
    """The race behind a worker that sat out the ten-second grace after Ctrl-C and was then SIGKILLed."""
    try:
        done = subprocess.run([sys.executable, "-c", QUIT_INSIDE_SUBMIT], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the worker's Ctrl-C handler waited on the thread pool's lock that its own thread held")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("host, port, local, public, guessed", [
    ("127.0.0.1", 8000, "http://127.0.0.1:8000", "http://127.0.0.1:8000", False),
    ("localhost", 8080, "http://localhost:8080", "http://localhost:8080", False),
    ("papers.example.org", 80, "http://papers.example.org", "http://papers.example.org", False),
    ("::1", 8000, "http://[::1]:8000", "http://[::1]:8000", False),
    ("[::1]", 8000, "http://[::1]:8000", "http://[::1]:8000", False),
    ("0.0.0.0", 8080, "http://127.0.0.1:8080", "http://lab-box.example.org:8080", True),
    ("::", 8080, "http://[::1]:8080", "http://lab-box.example.org:8080", True),
    ("", 8080, "http://127.0.0.1:8080", "http://lab-box.example.org:8080", True),
])
def test_addresses_of_a_bind(host, port, local, public, guessed):
    from papersift.server import addresses

    where = addresses(host, port, machine_name=lambda: "Lab-Box.example.org")
    assert (where.local, where.public, where.guessed) == (local, public, guessed)


def test_a_machine_without_a_name_of_its_own_is_named_by_its_host_name():
    import socket

    from papersift.server import addresses

    assert addresses("0.0.0.0", 8000, machine_name=lambda: "localhost.localdomain").public == \
        f"http://{socket.gethostname().lower()}:8000"


def test_the_site_url_follows_the_server_unless_it_is_set():
    from papersift.server import addresses, adopt_site_url, helper_environment

    config = {"SITE_URL": "http://127.0.0.1:8000", "_SOURCES": {"SITE_URL": "default"}}
    line = adopt_site_url(config, addresses("127.0.0.1", 8123), "127.0.0.1")
    assert config["SITE_URL"] == "http://127.0.0.1:8123" and "e-mail links use http://127.0.0.1:8123" in line
    assert helper_environment({"PATH": "/bin"}, config) == {"PATH": "/bin",
                                                            "PAPERSIFT_SITE_URL": "http://127.0.0.1:8123"}

    config = {"SITE_URL": "http://127.0.0.1:8000", "_SOURCES": {"SITE_URL": "default"}}
    line = adopt_site_url(config, addresses("0.0.0.0", 8123, machine_name=lambda: "box"), "0.0.0.0")
    assert config["SITE_URL"] == "http://box:8123" and "set PAPERSIFT_SITE_URL" in line

    config = {"SITE_URL": "https://papers.example.org", "_SOURCES": {"SITE_URL": "environment PAPERSIFT_SITE_URL"}}
    assert adopt_site_url(config, addresses("127.0.0.1", 8123), "127.0.0.1") == \
        "e-mail links use https://papers.example.org (PAPERSIFT_SITE_URL)"
    assert config["SITE_URL"] == "https://papers.example.org"


@pytest.mark.parametrize("site_url, allowed, refused", [
    ("http://127.0.0.1:8123", ["127.0.0.1", "localhost", "[::1]"], False),
    ("http://[::1]:8123", ["127.0.0.1", "localhost", "[::1]"], False),
    ("http://box:8123", ["127.0.0.1", "localhost", "[::1]"], True),
    ("https://papers.example.org", [".example.org"], False),
    ("http://box:8123", ["*"], False),
])
def test_a_site_url_the_allowed_hosts_refuse_is_warned_about(site_url, allowed, refused):
    from papersift.server import host_warning

    warning = host_warning(site_url, allowed)
    assert (warning is not None) == refused
    if refused:
        assert "PAPERSIFT_ALLOWED_HOSTS" in warning and site_url in warning


def test_a_warm_worker_freezes_its_heap_once_after_its_first_requests():
    """Long-lived objects leave the full collections after the given numbers of requests (server.Warmed), and the
    requests themselves pass through untouched."""
    import gc

    from papersift.server import Warmed

    answers = []
    app = Warmed(lambda environ, start_response: answers.append(environ["n"]) or [b"ok"], freeze_after=(3, 5))
    gc.unfreeze()
    try:
        frozen = []
        for n in range(1, 7):
            assert app({"n": n}, None) == [b"ok"]
            frozen.append(gc.get_freeze_count() > 0)
            gc.unfreeze()
        assert frozen == [False, False, True, False, True, False]
        assert answers == [1, 2, 3, 4, 5, 6]
    finally:
        gc.unfreeze()
