"""Finding 4 of issue 16: one malformed record never stops an ingest. Each bad record is reported as
FILE:LOCATION: problem, the good records around it and the later inputs are written, the exit status is 1, and
the lexical index catches up. One file per format holds every malformed record the probe found."""

from __future__ import annotations

import json

import orjson
import pytest

from papersift.catalog.models import DailyListing, Paper
from papersift.ingest.services import Ingest
from tests.conftest import run_cli

pytestmark = pytest.mark.django_db


def snapshot(arxiv_id: str, **changes) -> dict:
    record = {"id": arxiv_id, "title": f"Good paper {arxiv_id}", "abstract": "About zebrafish.", "authors": "A. One",
              "categories": "cs.CL", "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
              "update_date": "2007-05-23", "authors_parsed": [["One", "A.", ""]]}
    record.update(changes)
    return record


# (what is wrong, the record): every malformed snapshot record of the probe, each between good ones.
BAD_SNAPSHOT = [
    ("non-string date", snapshot("2401.00002", update_date=20240101)),
    ("offset date before year 1 in UTC", snapshot("2401.00003", versions=[{"version": "v1", "created": "0001-01-01T00:00:00+05:00"}])),
    ("offset date after 9999 in UTC", snapshot("2401.00004", update_date="9999-12-31T23:00:00-05:00")),
    ("categories a number", snapshot("2401.00005", categories=5)),
    ("categories numbers", snapshot("2401.00006", categories=[1, 2])),
    ("categories objects", snapshot("2401.00007", categories=[{}])),
    ("authors_parsed numbers", snapshot("2401.00008", authors_parsed=[[1, 2, 3]])),
    ("huge version", snapshot("2401.00009", versions=[{"version": "v99999999999999999999", "created": None}])),
    ("negative version", snapshot("2401.00010", versions=[{"version": "v-5", "created": None}])),
    ("title a list", snapshot("2401.00011", title=["a", "list"])),
    ("too long abstract", snapshot("2401.00012", abstract="x" * 200_001)),
    ("category too long for the column", snapshot("2401.00013", categories="c" * 40)),
    ("lone surrogate", snapshot("2401.00014", title="bad \\ud800 title")),
]


def _snapshot_file(tmp_path):
    lines = [orjson.dumps(snapshot("2401.00001", title="Zebrafish first good paper"))]
    for _, record in BAD_SNAPSHOT:
        line = orjson.dumps(record)
        lines.append(line.replace(b"\\\\ud800", b"\\ud800"))
    lines.append(orjson.dumps(snapshot("2401.00099", title="Zebrafish last good paper")))
    path = tmp_path / "bad-snapshot.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_cli_reports_each_bad_snapshot_record_and_writes_the_rest(tmp_path, cli_env):
    path = _snapshot_file(tmp_path)
    later = tmp_path / "later.jsonl"
    later.write_bytes(orjson.dumps(snapshot("2402.00001", title="Zebrafish in a later input")) + b"\n")
    result = run_cli(cli_env, "ingest", "arxiv-snapshot", str(path), str(later))
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    for number, (problem, _) in enumerate(BAD_SNAPSHOT, start=2):
        assert any(line.startswith(f"error: {path}:line {number}: ") for line in errors), (problem, errors)
    assert len(errors) == len(BAD_SNAPSHOT)
    assert "papers: 3 new" in result.stdout
    assert "3 papers (re)indexed" in result.stdout
    found = json.loads(run_cli(cli_env, "search", "zebrafish", "--mode", "lexical", "--json").stdout)
    titles = {hit["title"] for hit in found["results"]}
    assert titles == {"Zebrafish first good paper", "Zebrafish last good paper", "Zebrafish in a later input"}


def test_field_over_the_limit_is_refused_naming_the_setting(tmp_path, settings, monkeypatch):
    monkeypatch.setitem(settings.PAPERSIFT, "INGEST_MAX_FIELD", 1000)   # restored after the test
    path = tmp_path / "long.jsonl"
    path.write_bytes(orjson.dumps(snapshot("2401.00001")) + b"\n" + orjson.dumps(snapshot("2401.00002", abstract="y" * 1001)) + b"\n")
    report = Ingest("arxiv-snapshot").run([str(path)])
    problems = report.as_dict()["problems"]
    assert [(p["location"], "PAPERSIFT_INGEST_MAX_FIELD=1000" in p["message"]) for p in problems] == [("line 2", True)]
    assert list(Paper.objects.values_list("arxiv_id", flat=True)) == ["2401.00001"]


def test_hf_daily_bad_entries_and_a_bad_date_in_the_file_name(tmp_path):
    good = {"paper": {"id": "2401.00001", "title": "Good", "publishedAt": "2024-01-01T00:00:00Z"},
            "publishedAt": "2024-01-02T00:00:00Z"}
    entries = [good,
               {"paper": {"id": "2401.00002", "title": ["a", "list"]}},
               {"paper": {"id": "2401.00003", "title": "T", "publishedAt": 5}},
               {"paper": {"id": "2401.00004", "title": "T", "submittedOnDailyAt": "0001-01-01T00:00:00+01:00"}},
               {"paper": {"id": "2401.00005", "title": "T", "upvotes": 99999999999999}},
               {"paper": {"id": 2401.00006, "title": "T"}},
               {"paper": {"id": "2401.00007", "title": "Also good"}, "publishedAt": "2024-01-02T00:00:00Z"}]
    path = tmp_path / "2024-13-45.json"
    path.write_bytes(orjson.dumps(entries))
    report = Ingest("hf-daily").run([str(path)])
    locations = [p["location"] for p in report.as_dict()["problems"]]
    assert locations == ["file name", "entry 1", "entry 2", "entry 3", "entry 4", "entry 5"]
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {"2401.00001", "2401.00007"}
    assert DailyListing.objects.count() == 2


ATOM = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
{entries}</feed>"""
ENTRY = """<entry><id>http://arxiv.org/abs/{id}</id><title>{title}</title><summary>s</summary>
<published>{published}</published><updated>{published}</updated><author><name>A. One</name></author></entry>"""


def test_atom_bad_versions_and_dates_are_reported_per_entry(tmp_path):
    entries = [ENTRY.format(id="2401.00001v1", title="Good", published="2024-01-01T00:00:00Z"),
               ENTRY.format(id="2401.00002v99999999999", title="T", published="2024-01-01T00:00:00Z"),
               ENTRY.format(id="2401.00003v1", title="T", published="0001-01-01T00:00:00+05:00"),
               ENTRY.format(id="2401.00004v1", title="T", published="9999-12-31T23:30:00-05:00"),
               ENTRY.format(id="2401.00005v2", title="Good too", published="2024-01-01T00:00:00Z")]
    path = tmp_path / "feed.xml"
    path.write_text(ATOM.format(entries="".join(entries)))
    report = Ingest("arxiv-atom").run([str(path)])
    assert [p["location"].split(" ")[:2] for p in report.as_dict()["problems"]] == [
        ["entry", "2"], ["entry", "3"], ["entry", "4"]]
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {"2401.00001", "2401.00005"}
    assert report.indexed == 2


def test_a_batch_the_database_refuses_is_written_record_by_record(tmp_path, monkeypatch):
    """The savepoint fallback: a record that passes the checks but that the database refuses costs only itself."""
    from papersift.ingest import validate

    real_check = validate.check

    def let_through(parsed, limits=validate.Limits()):
        if parsed.paper.arxiv_id == "2401.00002":
            parsed.paper.version = -5      # what the CHECK constraint refuses (no longer stopped by the checks)
            return parsed
        return real_check(parsed, limits)

    monkeypatch.setattr("papersift.ingest.services.check", let_through)
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(snapshot(f"2401.0000{n}")) for n in (1, 2, 3)) + b"\n")
    report = Ingest("arxiv-snapshot").run([str(path)])
    problems = report.as_dict()["problems"]
    assert [p["location"] for p in problems] == ["line 2"] and "refused by the database" in problems[0]["message"]
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {"2401.00001", "2401.00003"}
