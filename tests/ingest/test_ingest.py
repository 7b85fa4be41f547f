"""Ingest into a real database (SQLite or PostgreSQL): the acceptance counts, idempotence, versions, bad input."""

from __future__ import annotations

import gzip
import json

import orjson
import pytest
from django.db.models import Count

from papersift.catalog.models import DailyListing, Organization, Paper
from papersift.catalog.selectors import catalog_stats
from papersift.catalog.services import content_hash
from papersift.ingest.services import Ingest
from tests.conftest import run_cli

pytestmark = pytest.mark.django_db


def totals(report):
    data = report.as_dict()
    return data["papers"], data["listings"], data["errors"]


def _entries_by_id(raw_dir):
    """Every entry of the raw archive as a dict, read independently of the parser (quirks included)."""
    import ast

    for path in sorted(raw_dir.glob("*.json")):
        document = json.loads(path.read_text())
        for entry in document["data"] if isinstance(document, dict) else document:
            yield ast.literal_eval(entry) if isinstance(entry, str) else entry


def test_full_hf_archive_gives_the_documented_counts_keeps_every_field_and_reingest_changes_nothing(shared):
    """One ingest of the whole archive (580 files, 9,877 papers) for every check: it is the slowest input."""
    papers, listings, errors = totals(Ingest("hf-daily").run([str(shared / "hf-daily/raw")]))
    assert errors == 0 and papers["new"] == 9877
    stats = catalog_stats()
    assert (stats["papers"], stats["listings"], stats["listing_days"]) == (9877, 9881, 580)
    # A paper listed on several days has one Paper row and one listing per day: the 4 listings more than papers
    # are second days of papers listed twice, each on two different days.
    assert DailyListing.objects.values("paper").distinct().count() == 9877
    multi = Paper.objects.annotate(days=Count("listings__date", distinct=True), rows=Count("listings")).filter(rows__gt=1)
    assert sum(p.rows - 1 for p in multi) == 9881 - 9877 and multi.exists()
    assert all(p.days == p.rows for p in multi)
    expected = {"ai_summary": set(), "ai_keywords": set(), "githubStars": set(), "organization": set()}
    for entry in _entries_by_id(shared / "hf-daily/raw"):
        for key, ids in expected.items():
            value = entry["paper"].get(key)
            if key == "organization" and not value:
                value = entry.get(key)
            if key == "ai_keywords":
                value = [word for word in value or [] if word.strip()]     # [""] occurs: no keywords
            if value not in (None, "", []):
                ids.add(entry["paper"]["id"])
    stored = {"ai_summary": Paper.objects.exclude(ai_summary=""), "githubStars": Paper.objects.exclude(
        github_stars=None), "organization": Paper.objects.exclude(organization=None),
        "ai_keywords": Paper.objects.exclude(ai_keywords=[])}
    for key, papers in stored.items():
        assert set(papers.values_list("arxiv_id", flat=True)) == expected[key], key
    assert Paper.objects.filter(thumbnail_url="").count() == 0
    assert Organization.objects.filter(name="google").exists()
    assert DailyListing.objects.exclude(submitter_avatar_url="").count() > 4000
    papers, listings, errors = totals(Ingest("hf-daily").run([str(shared / "hf-daily/raw")]))
    assert (papers["new"], papers["updated"], listings["new"], listings["updated"], errors) == (0, 0, 0, 0, 0)


def _day_file(tmp_path, day, entry, **changes):
    entry = json.loads(json.dumps(entry))
    for key, value in changes.items():
        target = entry["paper"] if key in {"githubStars", "ai_summary", "organization"} else entry
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    path = tmp_path / f"{day}.json"
    path.write_text(json.dumps([entry]))
    return str(path)


def test_hugging_face_fields_follow_the_listing_days_and_reingest_changes_nothing(shared, tmp_path):
    entry = json.loads((shared / "hf-daily/raw/2026-08-21.json").read_text())[0]
    google = dict(entry["paper"]["organization"])
    files = [_day_file(tmp_path, "2026-08-21", entry),
             _day_file(tmp_path, "2026-08-24", entry, githubStars=20, ai_summary="A newer summary.",
                       organization={**google, "fullname": "Google Research"}, submittedBy=None),
             _day_file(tmp_path, "2026-08-19", entry, githubStars=1, organization={**google, "fullname": "Old"})]
    first = Ingest("hf-daily").run(files).as_dict()
    assert first["errors"] == 0 and first["papers"]["new"] == 1 and first["papers"]["updated"] == 1
    assert first["papers"]["stale"] == 1                                  # the earlier day changed nothing
    paper = Paper.objects.select_related("organization").get(arxiv_id="2608.19880")
    assert (paper.github_stars, paper.ai_summary) == (20, "A newer summary.")
    assert paper.organization.fullname == "Google Research"
    again = Ingest("hf-daily").run(files).as_dict()
    assert (again["papers"]["new"], again["papers"]["updated"], again["listings"]["new"],
            again["listings"]["updated"]) == (0, 0, 0, 0)
    # The 2026-08-24 list named its submitter only in the paper object: the listing still has the avatar.
    assert DailyListing.objects.get(date="2026-08-24").submitter_avatar_url.startswith("https://cdn-avatars")

    # arXiv adds a version: Hugging Face's later listing still updates its own fields, and arXiv erases none.
    (tmp_path / "snapshot.jsonl").write_text(json.dumps({
        "id": "2608.19880", "title": "The arXiv title", "abstract": "arXiv abstract", "authors": "A. Author",
        "categories": "cs.AI", "versions": [{"version": "v1", "created": "Thu, 20 Aug 2026 17:00:00 GMT"}],
        "update_date": "2026-08-25"}) + "\n")
    Ingest("arxiv-snapshot").run([str(tmp_path / "snapshot.jsonl")])
    assert Paper.objects.get(arxiv_id="2608.19880").github_stars == 20
    later = Ingest("hf-daily").run([_day_file(tmp_path, "2026-08-26", entry, githubStars=31)]).as_dict()
    assert later["papers"]["updated"] == 1 and Paper.objects.get(arxiv_id="2608.19880").github_stars == 31


def test_oai_directory_yields_402_papers_and_names_each_error_code(shared):
    report = Ingest("arxiv-oai").run([str(shared / "arxiv-raw/oai-pmh")])
    assert Paper.objects.count() == 402
    failures = {r.name.rsplit("/", 1)[-1]: r.failure for r in report.files if r.failure}
    assert sorted(failures) == [f"arXivRaw_ErrorResponse{n}.xml" for n in
                                ("BadArgument", "BadResumptionToken", "BadVerb", "IdDoesNotExist")]
    for name, code in [("BadArgument", "badArgument"), ("BadResumptionToken", "badResumptionToken"),
                       ("BadVerb", "badVerb"), ("IdDoesNotExist", "idDoesNotExist")]:
        assert code in failures[f"arXivRaw_ErrorResponse{name}.xml"]
    assert report.error_count == 4   # noRecordsMatch is "nothing new", not an error
    paper = Paper.objects.get(arxiv_id="0704.0471")
    assert paper.authors == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]
    assert paper.source == "arxiv-oai" and paper.source_uri.endswith("arXivRaw_ListRecordsResponse.xml")
    assert paper.source_record.startswith("record 1 (oai:arXiv.org:0704.0471)")


def test_atom_and_snapshot_files(shared):
    Ingest("arxiv-atom").run([str(shared / "arxiv-raw/atom")])
    assert Paper.objects.count() == 10
    assert Paper.objects.get(arxiv_id="1501.05039").primary_category == "cs.DB"
    report = Ingest("arxiv-snapshot").run([str(shared / "arxiv-raw/kaggle")])
    assert report.error_count == 0 and Paper.objects.count() == 210
    paper = Paper.objects.get(arxiv_id="0704.0001")
    assert paper.version == 2 and [v["version"] for v in paper.versions] == [1, 2]
    assert paper.published.isoformat() == "2007-04-02T19:18:42+00:00"
    fields = {f: getattr(paper, f) for f in (
        "title", "abstract", "authors", "categories", "version", "versions", "published", "updated", "announced",
        "comments", "journal_ref", "doi", "license", "withdrawn", "code_url", "project_url", "ai_summary",
        "ai_keywords", "ai_summary_model", "github_stars", "thumbnail_url", "media_urls")}
    assert paper.content_hash == content_hash({**fields, "organization": None})


def _snapshot_line(shared, version: int, title: str) -> bytes:
    line = (shared / "arxiv-raw/kaggle/arxiv-metadata-oai-snapshot.first200.jsonl").read_bytes().splitlines()[0]
    obj = orjson.loads(line)
    obj["versions"] = [{"version": f"v{n}", "created": f"Mon, {n} Apr 2007 19:18:42 GMT"} for n in range(1, version + 1)]
    obj["title"] = title
    return orjson.dumps(obj) + b"\n"


def test_newest_version_wins_and_an_older_one_never_overwrites(shared, tmp_path):
    for version, title in [(2, "Second version"), (1, "First version"), (3, "Third version"), (2, "Second again")]:
        (tmp_path / f"v{version}-{title[:5]}.jsonl").write_bytes(_snapshot_line(shared, version, title))
    outcomes = []
    for name in ["v2-Secon.jsonl", "v1-First.jsonl", "v3-Third.jsonl", "v2-Secon.jsonl"]:
        papers, _, _ = totals(Ingest("arxiv-snapshot").run([str(tmp_path / name)]))
        outcomes.append({k: v for k, v in papers.items() if v})
    assert outcomes == [{"new": 1}, {"stale": 1}, {"updated": 1}, {"stale": 1}]
    paper = Paper.objects.get(arxiv_id="0704.0001")
    assert (paper.title, paper.version, len(paper.versions)) == ("Third version", 3, 3)


def test_hf_data_fills_links_without_replacing_arxiv_metadata(shared, tmp_path):
    entry = json.loads((shared / "hf-daily/raw/2026-08-21.json").read_text())[0]
    (tmp_path / "2608.19880.jsonl").write_text(json.dumps({
        "id": "2608.19880", "title": "The arXiv title", "abstract": "arXiv abstract", "authors": "A. Author",
        "categories": "cs.AI cs.LG", "versions": [{"version": "v1", "created": "Thu, 20 Aug 2026 17:00:00 GMT"}],
        "update_date": "2026-08-21"}) + "\n")
    Ingest("arxiv-snapshot").run([str(tmp_path / "2608.19880.jsonl")])
    (tmp_path / "2026-08-21.json").write_text(json.dumps([entry]))
    Ingest("hf-daily").run([str(tmp_path / "2026-08-21.json")])
    paper = Paper.objects.get(arxiv_id="2608.19880")
    assert paper.title == "The arXiv title" and paper.categories == ["cs.AI", "cs.LG"]
    assert paper.code_url == "https://github.com/google-research/envharness"
    assert paper.listings.get().upvotes_imported == 163


def _broken_listing_file(shared, tmp_path):
    lines = (shared / "arxiv-listings/sample-5000.jsonl").read_bytes().splitlines(keepends=True)[:6]
    broken_id = orjson.loads(lines[3])["id"]
    lines[3] = lines[3][:40] + b"\n"
    path = tmp_path / "broken.jsonl"
    path.write_bytes(b"".join(lines))
    return path, broken_id


def test_a_broken_line_is_reported_with_its_number_and_skipped(shared, tmp_path):
    path, broken_id = _broken_listing_file(shared, tmp_path)
    report = Ingest("arxiv-listing").run([str(path)])
    problems = report.as_dict()["problems"]
    assert [(p["location"], "invalid JSON" in p["message"]) for p in problems] == [("line 4", True)]
    assert Paper.objects.count() == 5 and not Paper.objects.filter(arxiv_id=broken_id).exists()


def test_strict_mode_writes_nothing_from_a_file_with_a_bad_record(shared, tmp_path):
    path, _ = _broken_listing_file(shared, tmp_path)
    report = Ingest("arxiv-listing", strict=True).run([str(path)])
    assert report.files[0].aborted and report.error_count == 1
    assert Paper.objects.count() == 0


@pytest.mark.corpus      # 173,162 papers: minutes per backend, so out of CI (bench/ingest_snapshot.py times it)
def test_full_arxiv_listings_file(shared):
    report = Ingest("arxiv-listing").run([str(shared / "arxiv-listings/arxiv-listings-2007-2026.jsonl.gz")])
    assert report.error_count == 0
    assert Paper.objects.count() == 173162
    assert Paper.objects.filter(arxiv_id="math/0701001").exists() or Paper.objects.filter(arxiv_id__contains="/").exists()


@pytest.mark.parametrize("kind", ["truncated-gzip", "html-page", "broken-line"])
def test_corrupt_inputs_through_the_cli(shared, tmp_path, cli_env, kind):
    if kind == "truncated-gzip":
        data = gzip.compress((shared / "arxiv-listings/sample-5000.jsonl").read_bytes())
        path = tmp_path / "listing.jsonl.gz"
        path.write_bytes(data[: len(data) // 2])
        expected, papers_after = "truncated gzip", 0
    elif kind == "html-page":
        path = tmp_path / "listing.jsonl"
        path.write_text("<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head></html>\n")
        expected, papers_after = "HTML page", 0
    else:
        path, _ = _broken_listing_file(shared, tmp_path)
        expected, papers_after = "line 4: invalid JSON", 5
    result = run_cli(cli_env, "ingest", "arxiv-listing", str(path))
    assert result.returncode == 1
    assert f"{path}" in result.stderr and expected in result.stderr
    stats = json.loads(run_cli(cli_env, "stats", "--json").stdout)
    assert stats["papers"] == papers_after
