"""`papersift sources` as a user runs it, against the loopback stand-in: a fresh data directory's defaults, a run
that brings the recorded papers in, its status, and runs killed (SIGKILL) at several points that lose and
duplicate nothing."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.sources.conftest import StandIn


@pytest.fixture
def recorded(shared):
    server = StandIn(shared)
    # Hugging Face answers today's date with the recorded list of 2026-08-21 (the stand-in's clock is the real one).
    server.hf_default = (shared / "hf-daily" / "raw" / "2026-08-21.json").read_bytes()
    with server.server:
        yield server
        server.release.set()


@pytest.fixture
def env(cli_env, recorded) -> dict:
    return {**cli_env, **recorded.env(), "PAPERSIFT_HARVEST_DELAY": "0.01"}


def _json(env, *args) -> dict | list:
    result = run_cli(env, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_fresh_data_dir_lists_the_default_sources_enabled_with_their_next_run(cli_env):
    rows = _json(cli_env, "sources", "list", "--json")
    assert [(r["name"], r["kind"], r["enabled"]) for r in rows] == [
        ("arxiv-ai-ml", "arxiv", True), ("hf-daily", "hf-daily", True)]
    for row in rows:
        assert datetime.fromisoformat(row["next_run"]) <= datetime.now(timezone.utc) + timedelta(seconds=5)
    assert "cs.CL" in rows[0]["categories"] and "20:00 US Eastern" in rows[0]["schedule_text"]


def test_add_remove_enable_and_their_errors(cli_env):
    added = _json(cli_env, "sources", "add", "hep", "--arxiv", "hep-th,gr-qc", "--schedule", "every 2h", "--json")
    assert added["categories"] == ["hep-th", "gr-qc"] and added["schedule_text"] == "every 2 h"
    bad = run_cli(cli_env, "sources", "add", "x", "--arxiv", "astroph")
    assert bad.returncode == 1 and "'astroph' is not one of" in bad.stderr
    assert "either --arxiv" in run_cli(cli_env, "sources", "add", "y").stderr
    assert run_cli(cli_env, "sources", "disable", "hep").returncode == 0
    assert [r["enabled"] for r in _json(cli_env, "sources", "list", "--json") if r["name"] == "hep"] == [False]
    assert run_cli(cli_env, "sources", "remove", "hep").returncode == 0
    missing = run_cli(cli_env, "sources", "remove", "hep")
    assert missing.returncode == 1 and "no source named 'hep'" in missing.stderr


def _since() -> str:
    return (datetime.now(timezone.utc) - timedelta(days=6)).date().isoformat()


def test_run_brings_the_recorded_papers_in_and_status_reports_it(env, recorded):
    report = _json(env, "sources", "run", "--since", _since(), "--no-embed", "--json")
    runs = {r["source"]: r for r in report["runs"]}
    assert runs["arxiv-ai-ml"]["status"] == "ok", runs["arxiv-ai-ml"]["message"]
    assert runs["arxiv-ai-ml"]["announcements_new"] == 1504
    assert runs["arxiv-ai-ml"]["papers_new"] == 1504 + 94          # the feed, and OAI-PMH for the missed days
    assert runs["hf-daily"]["status"] == "ok" and runs["hf-daily"]["listings_new"] >= 17
    paths = recorded.paths()
    assert paths[0] == "/rss/cs.AI+cs.CL+cs.CV+cs.LG+stat.ML"
    assert {p.split("set=")[1].split("&")[0] for p in paths if p.startswith("/oai")} == {
        "cs%3Acs%3AAI", "cs%3Acs%3ACL", "cs%3Acs%3ACV", "cs%3Acs%3ALG", "stat%3Astat%3AML"}
    status = _json(env, "sources", "status", "--json")
    assert status["last_updated"] and status["stale"] == []
    rows = {row["name"]: row for row in status["sources"]}
    assert rows["arxiv-ai-ml"]["last_run"]["announcements_new"] == 1504 and rows["arxiv-ai-ml"]["next_run"]
    assert rows["hf-daily"]["last_run"]["status"] == "ok" and rows["hf-daily"]["last_error"] is None
    text = run_cli(env, "sources", "status").stdout
    assert "arxiv-ai-ml: ok at" in text and "1504 announcements" in text


def test_a_failing_source_exits_1_and_status_shows_the_error(cli_env):
    env = {**cli_env, "PAPERSIFT_HTTP_RETRIES": "0"}
    result = run_cli(env, "sources", "run", "arxiv-ai-ml", "--no-embed")   # nothing listens on port 9
    assert result.returncode == 1 and "arxiv-ai-ml: failed" in result.stdout
    row = _json(env, "sources", "status", "--json")["sources"][0]
    assert row["last_error"] and "127.0.0.1:9" in row["last_error"] and row["failing_since"]


def _start(env, *args) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "papersift"), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _counts(env) -> tuple:
    stats = _json(env, "stats", "--json")
    return stats["papers"], stats["listings"], stats["announcements"]["total"], stats["announcements"]["by_kind"]


@pytest.mark.parametrize("kill_at", ["/rss/", "/oai", "/api/daily_papers"])
def test_a_run_killed_at_any_point_and_started_again_loses_and_duplicates_nothing(env, recorded, kill_at,
                                                                                   tmp_path, cli_env):
    recorded.hold = kill_at
    first = _start(env, "sources", "run", "--since", _since(), "--no-embed")
    assert recorded.held.wait(120), first.communicate()
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    recorded.release.set()
    second = run_cli(env, "sources", "run", "--since", _since(), "--no-embed", "--json")
    assert second.returncode == 0, second.stderr + second.stdout
    # The same run, never interrupted, on a data directory of its own.
    fresh = {**env, "PAPERSIFT_DATA_DIR": str(tmp_path / "fresh")}
    if "PAPERSIFT_DATABASE_URL" in cli_env:
        from tests.conftest import _server
        import uuid

        fresh["PAPERSIFT_DATABASE_URL"] = _server.create_database(f"cli_{uuid.uuid4().hex[:12]}")
    assert run_cli(fresh, "sources", "run", "--since", _since(), "--no-embed").returncode == 0
    assert _counts(env) == _counts(fresh)
    papers, listings, announced, kinds = _counts(env)
    assert announced == 1504 and kinds == {"cross": 9, "new": 926, "replace": 569} and papers == 1504 + 94 + 17
    runs = {r["source"]: r["status"] for r in json.loads(second.stdout)["runs"]}
    assert runs == {"arxiv-ai-ml": "ok", "hf-daily": "ok"}
