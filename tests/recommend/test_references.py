"""Reading BibTeX and RIS exports (papersift.recommend.references): tables, broken files, and Hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from papersift.recommend.references import BadReferences, arxiv_from, ids_from_text, parse, title_key

ZOTERO_BIB = rb"""
@article{vaswani2017attention,
  title = {Attention {Is} {All} {You} {Need}},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
  eprint = {1706.03762},
  archivePrefix = {arXiv},
}

@misc{liu2026mobile,
  title = {{MobileMem}: Learning from a Year of Mobile Experiences},
  url = {https://arxiv.org/abs/2608.13606v2},
}

@inproceedings{doi_only,
  title = {Something Published},
  doi = {10.1145/3580305.3599000},
}

@article{arxiv_doi,
  title = {Via the arXiv DOI},
  doi = {10.48550/arXiv.2405.15738},
}

@article{journal_note,
  title = {Preprint},
  journal = {arXiv preprint arXiv:2401.00001},
}

@book{title_only,
  title = {A Book Without Identifiers},
}
"""

MENDELEY_RIS = b"""TY  - JOUR
TI  - Attention Is All You Need
UR  - http://arxiv.org/abs/1706.03762
ER  - 

TY  - CONF
T1  - Something with a DOI
DO  - 10.1145/3580305.3599000
ID  - conf1
ER  - 
"""


def test_bibtex_ids_come_from_eprint_urls_dois_and_journal_notes():
    found = parse(ZOTERO_BIB, "zotero.bib")
    assert [(r.label, r.arxiv_id, r.doi) for r in found] == [
        ("vaswani2017attention", "1706.03762", ""),
        ("liu2026mobile", "2608.13606", ""),
        ("doi_only", "", "10.1145/3580305.3599000"),
        ("arxiv_doi", "2405.15738", "10.48550/arxiv.2405.15738"),
        ("journal_note", "2401.00001", ""),
        ("title_only", "", ""),
    ]
    assert found[0].title == "Attention Is All You Need"          # braces gone
    assert found[1].line == 10


def test_ris_references_and_their_lines():
    first, second = parse(MENDELEY_RIS, "library.ris")
    assert (first.title, first.arxiv_id, first.line) == ("Attention Is All You Need", "1706.03762", 1)
    assert (second.label, second.doi, second.line) == ("conf1", "10.1145/3580305.3599000", 6)


@pytest.mark.parametrize("data, problem", [
    (b"@article{broken,\n  title = {Unclosed,\n@book{next, title={Fine}}\n", "line 1: a BibTeX entry that cannot be read"),
    (b"TY  - JOUR\nTI  - never ends\n", "line 1: the reference that starts here never ends"),
    (b"TY  - JOUR\nTY  - BOOK\nER  - \n", "line 2: a new reference starts before"),
    (b"<html><body>Not found</body></html>", "neither BibTeX"),
    (b"\xff\xfe\x00b\x00i\x00b", "not UTF-8"),
    (b"% only a comment\n", "neither BibTeX"),
    (b"@comment{nothing here}\n", "no references"),
    (b"x" * (5 * 1024 * 1024 + 1), "at most 5 MB"),
])
def test_a_broken_file_is_refused_whole_naming_the_problem(data, problem):
    with pytest.raises(BadReferences, match=problem):
        parse(data, "bad.bib")


@pytest.mark.parametrize("text, expected", [
    ("2405.15738", "2405.15738"), ("arXiv:2405.15738v3", "2405.15738"), ("https://arxiv.org/pdf/2405.15738v1", "2405.15738"),
    ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"), ("10.48550/arXiv.2405.15738", "2405.15738"),
    ("10.1145/3580305", ""), ("https://example.org/2405.15738", ""), ("", ""),
])
def test_arxiv_ids_as_people_write_them(text, expected):
    assert arxiv_from(text) == expected


def test_pasted_ids_are_found_once_each_and_the_rest_reported():
    assert ids_from_text("2405.15738, https://arxiv.org/abs/2608.13606\n2405.15738v2; banana") == (
        ["2405.15738", "2608.13606"], ["banana"])


@pytest.mark.parametrize("a, b", [("Attention {Is} All You Need", "attention is all you need."),
                                  ("Caf\\'e {\\\"U}ber-models", "Cafe Uber models"), ("  A  B ", "a b")])
def test_titles_match_when_only_case_braces_accents_and_punctuation_differ(a, b):
    assert title_key(a) == title_key(b)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_parse_or_raise_bad_references(data):
    try:
        found = parse(data, "fuzz")
    except BadReferences as exc:
        assert str(exc).startswith("fuzz: ")
    else:
        assert found and all(r.line >= 1 for r in found)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("@{}=,\"\\ \narticle title eprint TY-ER  TI"), max_size=400))
def test_bibtex_and_ris_lookalikes_parse_or_raise_bad_references(text):
    try:
        parse(text.encode(), "fuzz")
    except BadReferences:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_pasted_text_never_fails(text):
    ids, bad = ids_from_text(text)
    assert all(arxiv_from(i) == i for i in ids) and len(ids) == len(set(ids))
