"""`papersift serve` on a fresh data dir: gunicorn starts, the sample is loaded, real pages are served.

The server binds port 0 and the test reads the port gunicorn got from its log (no free-port race), and the
server's whole process group is stopped when the test ends, passed or failed (tests/processes.py).
"""

from __future__ import annotations

import re
import signal
import subprocess

import httpx

from tests import processes


def serve(env: dict) -> tuple[subprocess.Popen, str]:
    """`papersift serve --port 0` and its base URL, once gunicorn listens."""
    proc = processes.start("serve", "--port", "0", env=env, stderr=subprocess.STDOUT)
    listening = processes.Output(proc).wait_for(r"Listening at: (http://127\.0\.0\.1:\d+)", timeout=300)
    return proc, listening.group(1)


def test_serve_loads_the_sample_and_serves_pages_assets_api_and_feeds(cli_env):
    proc, base = serve({**cli_env, "PAPERSIFT_LOAD_SAMPLE": "true"})
    try:
        response = httpx.get(f"{base}/papers", timeout=5)
        assert response.status_code == 200 and "EnvHarness" in response.text
        assert "gunicorn" in httpx.get(f"{base}/papers", timeout=5).headers.get("server", "")
        paper = httpx.get(f"{base}/papers/2608.19880", timeout=5)
        assert paper.status_code == 200 and "arxiv.org/pdf/2608.19880" in paper.text
        css = httpx.get(f"{base}/static/papersift/site.css", timeout=5)
        assert css.status_code == 200 and "paper-card" in css.text
        katex = httpx.get(f"{base}/static/vendor/katex/katex.min.js", timeout=5)
        assert katex.status_code == 200 and "katex" in katex.text
        api = httpx.get(f"{base}/api/daily_papers?date=2026-08-21&sort=trending", timeout=5)
        assert api.status_code == 200 and api.json()[0]["paper"]["id"] == "2608.19880"
        feed = httpx.get(f"{base}/papers/feed.atom", timeout=5)
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    finally:
        proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0           # a clean shutdown on SIGTERM (the group is stopped anyway after the test)


def test_serve_runs_the_worker_that_mails_the_sign_up_confirmation(cli_env):
    from tests.smtpserver import SmtpServer

    smtp = SmtpServer().start()
    env = {**cli_env, "PAPERSIFT_SMTP_PORT": str(smtp.port), "PAPERSIFT_SEARCH_SEMANTIC": "false"}
    try:
        proc, base = serve(env)
        with httpx.Client(base_url=base, timeout=5) as browser:
            form = browser.get("/accounts/signup/")
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
        smtp.stop()
