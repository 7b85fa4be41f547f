"""The `hf papers` commands of huggingface_hub's own CLI, run as a user would (HF_ENDPOINT=papersift)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from papersift.catalog.models import DailyListing
from papersift.ingest.sample import load_sample

HF = Path(sys.executable).parent / "hf"


@pytest.fixture
def hf_cli(transactional_db, live_server, tmp_path):
    assert HF.is_file(), "the test extras install huggingface_hub, whose `hf` CLI these tests run"
    report = load_sample(only_if_empty=True)
    assert report is not None and report.error_count == 0
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HF_", "HUGGING"))}
    env.update(HF_ENDPOINT=live_server.url, HF_HUB_DISABLE_TELEMETRY="1", HF_HUB_DISABLE_IMPLICIT_TOKEN="1",
               HF_HOME=str(tmp_path / "hf-home"), NO_COLOR="1")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(HF), "papers", *args], env=env, capture_output=True, text=True, timeout=120)

    return run


def test_hf_papers_ls_search_info_and_read_work_against_papersift(hf_cli):
    listed = hf_cli("ls", "--date", "2026-08-21", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    expected = list(DailyListing.objects.filter(date="2026-08-21").values_list("paper__arxiv_id", flat=True))
    assert sorted(row["id"] for row in rows) == sorted(expected) and len(rows) == 17
    top = next(row for row in rows if row["id"] == "2608.19880")
    assert top["upvotes"] == 163 and top["github_stars"] == 8 and top["organization"]["name"] == "google"
    assert top["ai_summary"].startswith("EnvHarness and EnvRigger") and top["submitted_by_name"] == "taesiri"

    trending = json.loads(hf_cli("ls", "--date", "2026-08-21", "--sort", "trending", "--limit", "3",
                                 "--format", "json").stdout)
    assert [row["id"] for row in trending][0] == "2608.19880" and len(trending) == 3

    found = hf_cli("search", "EnvHarness: Awakening Static Worlds for Agent Learning", "--limit", "5",
                   "--format", "json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["id"] == "2608.19880"

    info = hf_cli("info", "2608.19880", "--format", "json")
    assert info.returncode == 0, info.stderr
    details = json.loads(info.stdout)
    assert details["id"] == "2608.19880" and details["ai_keywords"][0] == "LLM agents"
    assert details["organization"]["fullname"] == "Google" and details["github_stars"] == 8

    read = hf_cli("read", "2608.19880")
    assert read.returncode == 0, read.stderr
    assert read.stdout.startswith("# EnvHarness: Awakening Static Worlds for Agent Learning")
    assert "## Abstract" in read.stdout and "## AI summary" in read.stdout

    missing = hf_cli("info", "2101.00001")
    assert missing.returncode != 0 and "Paper '2101.00001' not found" in missing.stderr
