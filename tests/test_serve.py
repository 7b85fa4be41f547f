"""`papersift serve` on a fresh data dir: gunicorn starts, the sample is loaded, real pages are served."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.pgserver import free_port


def test_serve_loads_the_sample_and_serves_the_daily_list_and_paper_pages(cli_env):
    port = free_port()
    env = {**cli_env, "PAPERSIFT_LOAD_SAMPLE": "true"}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "papersift"), "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/papers", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "server did not start in 120 s"
                time.sleep(0.5)
        assert response.status_code == 200 and "EnvHarness" in response.text
        assert "gunicorn" in httpx.get(f"http://127.0.0.1:{port}/papers", timeout=5).headers.get("server", "")
        paper = httpx.get(f"http://127.0.0.1:{port}/papers/2608.19880", timeout=5)
        assert paper.status_code == 200 and "arxiv.org/pdf/2608.19880" in paper.text
        css = httpx.get(f"http://127.0.0.1:{port}/static/papersift/site.css", timeout=5)
        assert css.status_code == 200 and "paper-card" in css.text
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
