"""The bundled sample carries the arXiv categories of its papers that arXiv's listings know."""

from __future__ import annotations

import gzip
import json

import pytest

from papersift.ingest.sample import CATEGORIES, SAMPLE_DIR
from tests.conftest import run_cli


def test_a_fresh_install_of_the_sample_has_categories_and_finds_them(cli_env):
    assert run_cli(cli_env, "load-sample").returncode == 0
    stats = json.loads(run_cli(cli_env, "stats", "--json").stdout)
    with_category = stats["papers"] - stats["categories"].get("(none)", 0)
    assert with_category == len(json.loads(CATEGORIES.read_text())) == 430
    assert with_category > stats["papers"] / 2
    found = run_cli(cli_env, "search", "cat:cs.CL", "--mode", "lexical", "--json")
    results = json.loads(found.stdout)["results"]
    assert results and all(any(c == "cs.CL" for c in r["categories"]) for r in results)
    # Loading it again changes nothing.
    again = run_cli(cli_env, "load-sample")
    assert "0 new" in again.stdout and json.loads(run_cli(cli_env, "stats", "--json").stdout) == stats


@pytest.mark.slow
def test_the_shipped_categories_are_those_of_the_listings_for_the_sample_papers(shared):
    shipped = json.loads(CATEGORIES.read_text())
    sample_ids = set()
    for path in SAMPLE_DIR.glob("*.json.gz"):
        document = json.loads(gzip.decompress(path.read_bytes()))
        for entry in document["data"] if isinstance(document, dict) else document:
            if isinstance(entry, dict):
                sample_ids.add(entry["paper"]["id"])
    expected = {}
    with gzip.open(shared / "arxiv-listings" / "arxiv-listings-2007-2026.jsonl.gz", "rt") as lines:
        for line in lines:
            row = json.loads(line)
            if row["id"] in shipped or (row["id"] in sample_ids and row["categories"]):
                expected[row["id"]] = row["categories"]
    assert shipped == expected
