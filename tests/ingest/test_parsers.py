"""Each parser on the real recorded files in shared/data: counts, fields, and the documented quirks."""

from __future__ import annotations

import gzip
import io
import json
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from papersift.ingest.formats import FORMATS
from papersift.ingest.records import (
    FormatError, InvalidRecord, OAIError, PageInfo, RecordError, split_arxiv_id, split_author_string,
)


def parse_file(format_name, path):
    page = PageInfo()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as stream:
        items = list(FORMATS[format_name].parse(io.BufferedReader(stream) if opener is gzip.open else stream,
                                                str(path), page))
    return [i for i in items if not isinstance(i, RecordError)], [i for i in items if isinstance(i, RecordError)], page


@pytest.mark.parametrize("raw, expected", [
    ("2405.15738", ("2405.15738", None)),
    ("2405.15738v3", ("2405.15738", 3)),
    ("arXiv:1501.05039v1", ("1501.05039", 1)),
    ("http://arxiv.org/abs/1501.05039v2", ("1501.05039", 2)),
    ("https://arxiv.org/pdf/2405.15738v1.pdf", ("2405.15738", 1)),
    ("oai:arXiv.org:0704.0471", ("0704.0471", None)),
    ("math/0701001", ("math/0701001", None)),
    ("math.GT/0309136v2", ("math.GT/0309136", 2)),
    ("hep-th/9901001", ("hep-th/9901001", None)),
    ("0704.0001", ("0704.0001", None)),
])
def test_arxiv_ids_are_split_into_base_id_and_version(raw, expected):
    assert split_arxiv_id(raw) == expected


@pytest.mark.parametrize("raw", ["", "2405.157", "notanid", "12345.6789", "math/070100", "<script>"])
def test_malformed_arxiv_ids_are_rejected(raw):
    with pytest.raises(InvalidRecord, match="not an arXiv id"):
        split_arxiv_id(raw)


@pytest.mark.parametrize("raw, expected", [
    ("D.V. Shetty, S.J. Yennello, and G.A. Souliotis", ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]),
    ("A. One and B. Two", ["A. One", "B. Two"]),
    ("A. One (MIT), B. Two (Oxford (UK))", ["A. One", "B. Two"]),
    ("Single Author", ["Single Author"]),
    ("", []),
])
def test_flat_author_strings_are_split(raw, expected):
    assert split_author_string(raw) == expected


def test_oai_arxivraw_keeps_versions_dates_and_flat_authors(shared):
    papers, errors, page = parse_file("arxiv-oai", shared / "arxiv-raw/oai-pmh/arXivRaw_ListRecordsResponse.xml")
    assert (len(papers), errors) == (6, [])
    assert page.resumption_token == "726959|1001" and page.complete_list_size == 58011
    first = papers[0].paper
    assert first.arxiv_id == "0704.0471"
    assert first.authors == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]
    assert first.title.startswith("Density dependence of the symmetry energy and the nuclear equation of state")
    assert "\n" not in first.title and "  " not in first.abstract
    assert first.published == datetime(2007, 4, 3, 22, 4, 11, tzinfo=timezone.utc)
    assert first.categories == ["nucl-ex", "nucl-th"]
    assert first.doi.startswith("10.1103/PhysRevC.76.024606")
    second = papers[1].paper
    assert second.version == max(v["version"] for v in second.versions) >= 2


def test_oai_arxiv_prefix_builds_names_from_keyname_and_forenames(shared):
    papers, errors, _ = parse_file("arxiv-oai", shared / "arxiv-raw/oai-pmh/arXiv_arxiv-physics-hep-th.xml")
    assert len(papers) == 3 and not errors
    paper = papers[0].paper
    assert paper.arxiv_id == "1412.8323" and paper.authors == ["Philipp A Hoehn"]
    assert paper.categories[0] == "quant-ph" and "hep-th" in paper.categories
    assert paper.license == "http://creativecommons.org/licenses/by/4.0/"
    assert paper.published.date() == date(2014, 12, 29) and paper.updated.date() == date(2017, 12, 13)


@pytest.mark.parametrize("name, code", [
    ("BadArgument", "badArgument"), ("BadResumptionToken", "badResumptionToken"),
    ("BadVerb", "badVerb"), ("IdDoesNotExist", "idDoesNotExist"),
])
def test_oai_error_responses_raise_their_code(shared, name, code):
    with pytest.raises(OAIError, match=code):
        parse_file("arxiv-oai", shared / f"arxiv-raw/oai-pmh/arXivRaw_ErrorResponse{name}.xml")


def test_oai_no_records_match_is_nothing_new(shared):
    papers, errors, page = parse_file("arxiv-oai", shared / "arxiv-raw/oai-pmh/arXivRaw_ErrorResponseNoRecordsMatch.xml")
    assert (papers, errors, page.resumption_token) == ([], [], None)


def test_atom_entries_have_primary_category_first_and_version(shared):
    papers, errors, page = parse_file("arxiv-atom", shared / "arxiv-raw/atom/api_query_all-science_2019-08-10.xml")
    assert len(papers) == 10 and not errors
    assert page.total_results == 120839 and page.start_index == 0
    first = papers[0].paper
    assert (first.arxiv_id, first.version, first.title) == ("1501.05039", 1, "Defining Data Science")
    assert first.categories == ["cs.DB", "cs.CY"] and first.authors == ["Yangyong Zhu", "Yun Xiong"]


def test_snapshot_lines_keep_all_versions_and_parsed_authors(shared):
    papers, errors, _ = parse_file("arxiv-snapshot", shared / "arxiv-raw/kaggle/arxiv-metadata-oai-snapshot.first200.jsonl")
    assert len(papers) == 200 and not errors
    first = papers[0].paper
    assert first.arxiv_id == "0704.0001" and first.version == 2
    assert [v["version"] for v in first.versions] == [1, 2]
    assert first.authors[0] == "C. Balázs"   # from authors_parsed, LaTeX accent already decoded
    assert first.journal_ref == "Phys.Rev.D76:013009,2007" and first.doi == "10.1103/PhysRevD.76.013009"
    assert first.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=timezone.utc)


def test_listing_sample_keeps_arxiv_and_namespaced_ids_with_announcement_dates(shared):
    papers, errors, _ = parse_file("arxiv-listing", shared / "arxiv-listings/sample-5000.jsonl")
    assert len(papers) == 5000 and not errors
    assert all(p.paper.announced for p in papers)
    ids = {p.paper.arxiv_id for p in papers}
    assert len(ids) == 5000
    assert "s2:75d4c292208ddd99451745217a125bce2c17faef" in ids   # a paper the source knew only by its S2 id
    assert any("/" in i and ":" not in i for i in ids)             # old-style arXiv ids occur too


def test_hf_daily_repr_string_entries_and_wrapper_are_read(shared):
    papers, errors, _ = parse_file("hf-daily", shared / "hf-daily/raw/2024-12-11.json")
    assert papers and not errors
    assert all(p.listing.date == date(2024, 12, 11) for p in papers)
    wrapped, errors, _ = parse_file("hf-daily", shared / "hf-daily/raw/2025-01-10.json")
    assert len(wrapped) == 9 and not errors
    assert wrapped[0].paper.arxiv_id == "2501.05441"


def test_hf_daily_entries_carry_listing_counts_links_and_single_line_text(shared):
    papers, errors, _ = parse_file("hf-daily", shared / "hf-daily/raw/2026-08-21.json")
    top = next(p for p in papers if p.paper.arxiv_id == "2608.19880")
    assert top.listing.upvotes == 163 and top.listing.comments == 1 and top.listing.submitted_by == "taesiri"
    assert top.paper.code_url == "https://github.com/google-research/envharness"
    assert top.paper.project_url == "https://envharness.com/"
    old, _, _ = parse_file("hf-daily", shared / "hf-daily/raw/2024-05-27.json")
    assert all("\n" not in p.paper.abstract for p in old)
    assert all(p.listing.submitted_at is None for p in old)  # 2024 files have no submittedOnDailyAt


def test_hf_daily_keeps_what_hugging_face_adds(shared):
    papers, errors, _ = parse_file("hf-daily", shared / "hf-daily/raw/2026-08-21.json")
    top = next(p for p in papers if p.paper.arxiv_id == "2608.19880").paper
    assert top.ai_summary.startswith("EnvHarness and EnvRigger dynamically reshape")
    assert top.ai_keywords[:2] == ["LLM agents", "Environment Harness"] and len(top.ai_keywords) == 8
    assert top.ai_summary_model == "thinkingmachines/Inkling-Small" and top.github_stars == 8
    assert (top.organization.name, top.organization.fullname) == ("google", "Google")
    assert top.organization.avatar_url.startswith("https://cdn-avatars.huggingface.co/")
    assert top.thumbnail_url == "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2608.19880.png"
    listing = next(p for p in papers if p.paper.arxiv_id == "2608.19880").listing
    assert listing.submitter_fullname == "taesiri" and listing.submitter_avatar_url.startswith("https://cdn-avatars")
    old, _, _ = parse_file("hf-daily", shared / "hf-daily/raw/2024-05-27.json")
    assert all(p.paper.thumbnail_url.startswith("https://cdn-thumbnails") for p in old)   # `mediaUrl` then
    assert all(p.paper.github_stars is None and p.paper.organization is None for p in old)
    assert not any(p.listing.submitter_avatar_url.startswith("/") for p in old)           # relative: dropped
    media = [p for p in parse_file("hf-daily", shared / "hf-daily/raw/2024-06-12.json")[0] if p.paper.media_urls]
    assert media and all(u.startswith("https://") for p in media for u in p.paper.media_urls)


@pytest.mark.parametrize("field, value, says", [
    ("ai_keywords", "not a list", "paper.ai_keywords should be a list of strings"),
    ("ai_keywords", ["ok", 3], "paper.ai_keywords should be a list of strings"),
    ("githubStars", -1, "paper.githubStars should be a non-negative integer"),
    ("githubStars", "12", "paper.githubStars should be a non-negative integer"),
    ("organization", {"name": "../../etc"}, "organization.name should be a Hugging Face organisation name"),
    ("organization", "google", "organization should be an object"),
    ("ai_summary", {"text": "x"}, "paper.ai_summary should be a string"),
])
def test_hf_daily_bad_added_fields_name_the_field_and_skip_only_that_entry(shared, field, value, says):
    entries = json.loads((shared / "hf-daily/raw/2026-08-21.json").read_text())[:3]
    entries[1]["paper"][field] = value
    items = list(FORMATS["hf-daily"].parse(io.BytesIO(json.dumps(entries).encode()), "2026-08-21.json", PageInfo()))
    errors = [i for i in items if isinstance(i, RecordError)]
    assert len(items) == 3 and len(errors) == 1
    assert errors[0].location == "entry 1" and says in errors[0].message


SCALARS = (st.none() | st.booleans() | st.integers(-5, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(max_size=40))
JSON = st.recursive(SCALARS, lambda children: st.lists(children, max_size=4)
                    | st.dictionaries(st.text(max_size=10), children, max_size=4), max_leaves=12)
ADDED = ("ai_summary", "ai_keywords", "ai_summary_model", "githubStars", "organization", "mediaUrls")


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(("paper", "entry")), field=st.sampled_from(ADDED + ("thumbnail", "submittedBy")),
       value=JSON)
def test_hf_daily_any_value_in_an_added_field_parses_or_is_one_record_error(shared, where, field, value):
    entry = json.loads((shared / "hf-daily/raw/2026-08-21.json").read_text())[0]
    (entry["paper"] if where == "paper" else entry)[field] = value
    items = list(FORMATS["hf-daily"].parse(io.BytesIO(json.dumps([entry]).encode()), "2026-08-21.json", PageInfo()))
    assert len(items) == 1
    item = items[0]
    if not isinstance(item, RecordError):
        paper = item.paper
        assert isinstance(paper.ai_keywords, list) and all(isinstance(k, str) for k in paper.ai_keywords)
        assert paper.github_stars is None or (isinstance(paper.github_stars, int) and paper.github_stars >= 0)
        assert all(u.startswith(("http://", "https://")) for u in paper.media_urls + [paper.thumbnail_url] if u)


@pytest.mark.parametrize("format_name, payload, message", [
    ("arxiv-listing", b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "HTML page"),
    ("hf-daily", b"<html><head><title>502</title></head></html>", "HTML page"),
    ("arxiv-oai", b"<!doctype html>\n<html></html>", "HTML page"),
    ("arxiv-snapshot", b'{"foo": 1}\n', "not an arxiv-snapshot record"),
    ("arxiv-oai", b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>', "not <OAI-PMH>"),
    ("arxiv-atom", b"this is plain text", "is not XML"),
    ("hf-daily", b'{"a": [1, 2', "is not valid JSON"),
])
def test_input_of_the_wrong_format_is_refused_whole(format_name, payload, message):
    with pytest.raises(FormatError, match=message):
        list(FORMATS[format_name].parse(io.BufferedReader(io.BytesIO(payload)), "x", PageInfo()))
