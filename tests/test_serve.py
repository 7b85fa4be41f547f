"""`papersift serve` on a fresh data dir: gunicorn starts, the sample is loaded, real pages are served."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.pgserver import free_port


def test_serve_loads_the_sample_and_serves_pages_assets_api_and_feeds(cli_env):
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
        katex = httpx.get(f"http://127.0.0.1:{port}/static/vendor/katex/katex.min.js", timeout=5)
        assert katex.status_code == 200 and "katex" in katex.text
        api = httpx.get(f"http://127.0.0.1:{port}/api/daily_papers?date=2026-08-21&sort=trending", timeout=5)
        assert api.status_code == 200 and api.json()[0]["paper"]["id"] == "2608.19880"
        feed = httpx.get(f"http://127.0.0.1:{port}/papers/feed.atom", timeout=5)
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
        # The MCP endpoint in gunicorn's forked workers (each starts its own event loop on first use).
        for n in range(4):
            mcp = httpx.post(f"http://127.0.0.1:{port}/mcp", json={"jsonrpc": "2.0", "id": n, "method": "tools/list"},
                             headers={"Accept": "application/json, text/event-stream"}, timeout=30)
            assert mcp.status_code == 200 and "search_papers" in mcp.text, mcp.text
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def test_serve_runs_the_worker_that_mails_the_sign_up_confirmation(cli_env):
    from tests.smtpserver import SmtpServer

    smtp = SmtpServer().start()
    port = free_port()
    env = {**cli_env, "PAPERSIFT_SMTP_PORT": str(smtp.port), "PAPERSIFT_SEARCH_SEMANTIC": "false"}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "papersift"), "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        with httpx.Client(base_url=base, timeout=5) as browser:
            while True:
                try:
                    form = browser.get("/accounts/signup/")
                    break
                except httpx.TransportError:
                    assert proc.poll() is None and time.monotonic() < deadline
                    time.sleep(0.5)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
            password = "correct horse battery staple"
            response = browser.post("/accounts/signup/", data={
                "csrfmiddlewaretoken": token, "email": "ada@example.org", "username": "ada",
                "password1": password, "password2": password}, headers={"Referer": f"{base}/accounts/signup/"})
            assert response.status_code == 302
        (mail,) = smtp.wait_for(1, timeout=30)
        assert mail.envelope_to == ["ada@example.org"] and "/accounts/confirm-email/" in mail.get_body(
            ("plain",)).get_content()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        smtp.stop()
