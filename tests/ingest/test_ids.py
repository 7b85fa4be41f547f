"""Namespaced paper ids (for papers arXiv does not have) are kept only in their registry's shape: an id becomes the
paper's address on the site and must fit its column, so anything else is one record's clear error."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from papersift.catalog.models import Paper
from papersift.ingest.records import InvalidRecord, split_paper_id
from papersift.ingest.services import Ingest

GOOD = ["s2:75d4c292208ddd99451745217a125bce2c17faef", "doi:10.1088/2632-2153/ace30a", "openalex:W7159160036",
        "pubmed:31452104", "acl:2023.acl-long.1", "2405.15738", "math/0701001"]
BAD = {
    "doi:../../../accounts/logout/": "is not a doi id",
    "doi:10.1234/../../accounts/logout/": "is not a doi id",
    "doi:10.1234/a b": "is not a doi id",
    "s2:" + "a" * 200: "characters long; at most 64",
    "s2:XYZ": "is not a s2 id",
    "javascript:alert(1)": "unknown paper id scheme 'javascript'",
    "oai:arXiv.org:2405.15738x": "not an arXiv id or a scheme:id paper id",
    "openalex:W1/../../x": "is not a openalex id",
    "doi:10.1234/./accounts": "is not a doi id",
    "doi:10.1234/x/.": "is not a doi id",
    "arxiv:not-an-id": "not an arXiv id or a scheme:id paper id",
    "oai:elsewhere": "not an arXiv id or a scheme:id paper id",
}


@pytest.mark.parametrize("raw", GOOD)
def test_ids_of_known_shapes_are_kept(raw):
    assert split_paper_id(raw)[0] == raw


@pytest.mark.parametrize("raw, says", BAD.items())
def test_other_ids_are_refused_saying_why(raw, says):
    with pytest.raises(InvalidRecord, match=None) as refused:
        split_paper_id(raw)
    assert says in str(refused.value)


def test_the_error_shows_the_id_whole_up_to_80_characters_and_cut_beyond():
    def message(raw):
        with pytest.raises(InvalidRecord) as refused:
            split_paper_id(raw)
        return str(refused.value)

    assert message(None) == "not an arXiv id or a scheme:id paper id: ''"
    assert message("  junk  ") == "not an arXiv id or a scheme:id paper id: 'junk'"
    assert message("j" * 80) == f"not an arXiv id or a scheme:id paper id: {'j' * 80!r}"
    assert message("j" * 81) == f"not an arXiv id or a scheme:id paper id: {'j' * 77 + '...'!r}"
    assert message("gopher:x") == ("unknown paper id scheme 'gopher' in 'gopher:x' (known: arXiv ids and s2:, doi:, "
                                   "openalex:, pubmed:, acl:)")


def test_an_id_of_exactly_64_characters_fits_and_one_more_does_not():
    exact = "doi:10.1234/" + "a" * (64 - len("doi:10.1234/"))
    assert split_paper_id(exact) == (exact, None)
    with pytest.raises(InvalidRecord, match="is 65 characters long; at most 64"):
        split_paper_id(exact + "a")


@given(st.text(max_size=300))
def test_any_accepted_id_fits_its_column_and_has_no_path_tricks(raw):
    try:
        arxiv_id, _ = split_paper_id(raw)
    except InvalidRecord:
        return
    assert len(arxiv_id) <= 64 and not any(c.isspace() for c in arxiv_id)
    assert not any(part in (".", "..") for part in arxiv_id.split("/")) and "\\" not in arxiv_id


@pytest.mark.django_db
def test_a_listing_file_with_bad_ids_ingests_the_rest_and_names_each_bad_line(tmp_path):
    lines = [{"id": raw, "title": f"Paper {n}", "listing_date": "2026-08-21"} for n, raw in enumerate(GOOD + list(BAD))]
    path = tmp_path / "ids.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = Ingest("arxiv-listing").run([str(path)])
    problems = report.as_dict()["problems"]
    assert [p["location"] for p in problems] == [f"line {len(GOOD) + n + 1}" for n in range(len(BAD))]
    assert all(says in p["message"] for p, says in zip(problems, BAD.values()))
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == sorted(GOOD)
