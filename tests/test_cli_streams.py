"""stdout is each command's own output, stderr everything else (logs, progress, notes): `--json` output stays
parseable at any log level. (`papersift serve`'s access log: tests/test_serve.py.)"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.same_on_any_database   # which stream a line goes to


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_json_output_stays_parseable_while_logs_go_to_stderr(cli_env, listing_lines, tmp_path, level):
    env = {**cli_env, "PAPERSIFT_LOG_LEVEL": level, "PAPERSIFT_SEARCH_SEMANTIC": "false"}
    papers = tmp_path / "papers.jsonl"
    papers.write_text("".join(listing_lines[:10]), encoding="utf-8")
    ingested = run_cli(env, "ingest", "arxiv-listing", str(papers), "--json")
    assert ingested.returncode == 0, ingested.stderr
    assert json.loads(ingested.stdout)["papers"]["new"] == 10
    assert f"{level} papersift" in ingested.stderr or "INFO papersift" in ingested.stderr   # the logs are there
    for args in (("search", "model", "--json"), ("stats", "--json"), ("index", "status", "--json"),
                 ("digest", "status", "--json"), ("digest", "send", "--dry-run", "--json"), ("config", "--json")):
        done = run_cli(env, *args)
        assert done.returncode == 0, (args, done.stderr)
        json.loads(done.stdout)
