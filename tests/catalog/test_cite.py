"""BibTeX exports of hostile metadata: one entry per paper, the fields as given, nothing forged, no LaTeX command
that does more than typeset. Read back by pybtex, as reference managers read them."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pybtex.database import parse_string

from papersift.catalog.cite import SAFE_COMMANDS, SAFE_SYMBOLS, bibtex, braced
from papersift.catalog.models import Paper
from papersift.lists.export import bibliography

HOSTILE = [
    "x}, url={javascript:alert(1)}, note={",
    "}\n\n@misc{evil, title={forged}, url={javascript:alert(1)}}\n@comment{",
    "Balanced {but} }hostile{ braces",
    r"\input{/etc/passwd}",
    r"\immediate\write18{rm -rf ~}",
    r"\\input{/etc/passwd}",
    r"\i}nput{/etc/passwd}",
    r"\{input}",
    "^^5cinput{/etc/passwd}",
    "^}^5cinput",
    "trailing backslash \\",
    r"$\mathcal{O}(n \log n)$ bounds for $\alpha$-divergences",
]


def paper(title: str, **fields) -> Paper:
    values = dict(arxiv_id="2608.19880", title=title, authors=["Ada Lovelace"], primary_category="cs.CL",
                  published=datetime(2026, 8, 21, tzinfo=timezone.utc), doi="", journal_ref="")
    values.update(fields)
    return Paper(**values)


def visible(text: str) -> str:
    """What a reader sees of a field: braces and the carets' `{}` are layout, `\\textbackslash{}` prints `\\`."""
    return " ".join(text.replace(r"\textbackslash{}", "\\").replace("{", "").replace("}", "").split())


def only_typesetting(value: str) -> bool:
    """Every backslash in the value starts a command that only typesets (or prints a backslash); no `^^`."""
    for match in re.finditer(r"\\([A-Za-z]+|.?)", value, re.S):
        name = match.group(1)
        if not (name in SAFE_COMMANDS or name == "textbackslash" or (len(name) == 1 and name in SAFE_SYMBOLS)):
            return False
    return "^^" not in value


def entries_of(text: str) -> dict:
    parsed = parse_string(text, "bibtex")
    return {key: entry for key, entry in parsed.entries.items()}


@pytest.mark.parametrize("title", HOSTILE)
def test_a_hostile_title_stays_inside_its_field(title):
    text = bibtex(paper(title))
    (entry,) = entries_of(text).values()
    assert set(entry.fields) == {"title", "year", "eprint", "archivePrefix", "primaryClass", "url"}
    assert entry.fields["url"] == "https://arxiv.org/abs/2608.19880" and entry.fields["eprint"] == "2608.19880"
    assert visible(entry.fields["title"]) == visible(title.replace("{", "").replace("}", ""))
    assert only_typesetting(entry.fields["title"]), entry.fields["title"]


def test_the_tex_of_real_titles_is_kept():
    title = r"$\mathcal{O}(n \log n)$ bounds for $\alpha$-divergences, \emph{na\"ive} {BERT}"
    (entry,) = entries_of(bibtex(paper(title))).values()
    assert entry.fields["title"] == title


@pytest.mark.parametrize("fields, kept, left_out", [
    ({"primary_category": "cs.CL}, url={javascript:x"}, set(), {"primaryClass"}),
    ({"doi": "10.1000/x}, url={javascript:alert(1)"}, set(), {"doi"}),
    ({"doi": "10.1145/3368089.3409741"}, {"doi"}, set()),
    ({"journal_ref": r"J. \input{/etc/passwd} 12}, note={x"}, {"journal"}, set()),
    ({"arxiv_id": "doi:10.1/x}, url={javascript:y"}, set(), {"eprint", "url"}),
])
def test_fields_with_a_shape_are_written_only_in_that_shape(fields, kept, left_out):
    (entry,) = entries_of(bibtex(paper("A title", **fields))).values()
    assert kept <= set(entry.fields) and not left_out & set(entry.fields)
    assert all(only_typesetting(value) for value in entry.fields.values())
    assert all(not value.startswith("javascript") for value in entry.fields.values())


text_strategy = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)
hostile_text = st.one_of(text_strategy, st.lists(st.sampled_from(
    ["{", "}", "\\", "@", "^^", "5c", "input", "i", ",", "=", "url", "\n", "%", "#", '"', "misc", " ", "x"]),
    max_size=40).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(titles=st.lists(hostile_text, min_size=1, max_size=6), author=hostile_text, journal=hostile_text)
def test_any_metadata_exports_one_entry_per_paper_with_its_fields(titles, author, journal):
    papers = [paper(title, authors=[author] if author.strip() else [], journal_ref=journal) for title in titles]
    text = bibliography([SimpleNamespace(paper=p) for p in papers])
    entries = list(entries_of(text).values())
    assert len(entries) == len(papers)
    for entry, source in zip(entries, papers):
        assert visible(entry.fields.get("title", "")) == visible(source.title.replace("{", "").replace("}", ""))
        journal = visible(source.journal_ref.replace("{", "").replace("}", ""))
        assert visible(entry.fields.get("journal", "")) == journal
        assert entry.fields["url"] == "https://arxiv.org/abs/2608.19880"
        assert all(only_typesetting(value) for value in entry.fields.values())
        assert all(only_typesetting(person) for person in [str(p) for p in entry.persons.get("author", [])])


@given(st.text(max_size=200))
def test_braced_values_always_nest_and_are_one_line(value):
    text = braced(value)
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0 and "\n" not in text and "\r" not in text


@pytest.mark.django_db
def test_a_list_export_of_hostile_titles_parses_into_one_entry_per_paper(ada):
    from tests.people import browser_for
    from papersift.lists.services import add_paper, create_list

    reading_list = create_list(ada, "hostile", "")
    for n, title in enumerate(HOSTILE):
        stored = paper(title, arxiv_id=f"2608.{19000 + n}", content_hash=str(n), source="test", source_uri="test")
        stored.save()
        add_paper(ada, reading_list, stored)
    text = browser_for(ada).get(f"/lists/{reading_list.slug}.bib").content.decode()
    entries = entries_of(text)
    assert len(entries) == len(HOSTILE)
    titles = sorted(visible(e.fields["title"]) for e in entries.values())
    assert titles == sorted(visible(t.replace("{", "").replace("}", "")) for t in HOSTILE)
    assert all(e.fields["url"].startswith("https://arxiv.org/abs/2608.19") for e in entries.values())
    assert all(only_typesetting(e.fields["title"]) for e in entries.values())


@pytest.mark.parametrize("fields, key", [
    ({}, "lovelace2026attention"),
    ({"authors": ["Zoë Ångström-Müller"]}, "angstrommuller2026attention"),
    ({"authors": ["Grace Brewster Murray Hopper", "Ada Lovelace"]}, "hopper2026attention"),
    ({"authors": []}, "anon2026attention"),
    ({"authors": ["   "]}, "anon2026attention"),
    ({"authors": ["李 雷"]}, "anon2026attention"),                          # nothing ASCII left of the name
    ({"published": None}, "lovelaceattention"),
    ({"title": "The Attention of a Model"}, "lovelace2026attention"),       # stop words skipped
    ({"title": "On the"}, "lovelace2026"),
    ({"title": "GPT-4's Ünusual Gains"}, "lovelace2026gpt4s"),
])
def test_cite_keys_are_family_name_year_and_first_significant_word(fields, key):
    from papersift.catalog.cite import cite_key

    fields = {"title": "Attention Is All You Need", **fields}
    assert cite_key(paper(fields.pop("title"), **fields)) == key


def test_an_arxiv_paper_is_written_field_by_field():
    assert bibtex(paper("Attention Is {All} You Need", authors=["Ada Lovelace", "Hopper, Grace"])) == (
        "@misc{lovelace2026attention,\n"
        "  title={Attention Is {All} You Need},\n"
        "  author={Ada Lovelace and Hopper{,} Grace},\n"
        "  year={2026},\n"
        "  eprint={2608.19880},\n"
        "  archivePrefix={arXiv},\n"
        "  primaryClass={cs.CL},\n"
        "  url={https://arxiv.org/abs/2608.19880}\n"
        "}")


def test_a_journal_paper_with_a_doi_is_an_article():
    assert bibtex(paper("Deep Nets", doi="10.1088/2632-2153/ace30a", journal_ref="Mach. Learn.: Sci. Technol. 4 (2023)",
                        primary_category="")) == (
        "@article{lovelace2026deep,\n"
        "  title={Deep Nets},\n"
        "  author={Ada Lovelace},\n"
        "  year={2026},\n"
        "  eprint={2608.19880},\n"
        "  archivePrefix={arXiv},\n"
        "  doi={10.1088/2632-2153/ace30a},\n"
        "  journal={Mach. Learn.: Sci. Technol. 4 (2023)},\n"
        "  url={https://arxiv.org/abs/2608.19880}\n"
        "}")


def test_a_paper_known_by_its_doi_alone_links_the_doi_and_claims_no_arxiv_fields():
    assert bibtex(paper("Deep Nets", arxiv_id="doi:10.1088/2632-2153/ace30a", authors=[], published=None)) == (
        "@misc{anondeep,\n"
        "  title={Deep Nets},\n"
        "  url={https://doi.org/10.1088/2632-2153/ace30a}\n"
        "}")
    assert bibtex(paper("Deep Nets", arxiv_id="s2:75d4c292208ddd99451745217a125bce2c17faef")).endswith(
        "  year={2026}\n}")


@pytest.mark.parametrize("doi, written", [
    ("10.1088/2632-2153/ace30a", True), ("10.1145/3292500.3330701", True), ("10.1000/a<b>[c]~|", True),
    ("", False), ("10.1/x", False), ("11.1088/x", False), ("10.1088/a b", False), ("10.1088/x\n", False),
    ("10.1088/a{b", False), ("10.1088/a}b", False), ("10.1088/a\\b", False), ("10.1088/é", False),
])
def test_a_doi_is_written_only_in_its_own_shape(doi, written):
    assert ("  doi={" + doi + "}" in bibtex(paper("A title", doi=doi))) == written
    assert ("doi=" in bibtex(paper("A title", doi=doi))) == written


@pytest.mark.parametrize("category, written", [
    ("cs.CL", True), ("math-ph", True), ("hep-th", True), ("physics.atom-ph", True),
    ("", False), ("CS.CL", False), ("cs.CL\n", False), ("cs.CL}", False), ("cs.C", False),
])
def test_a_primary_class_is_written_only_in_its_own_shape(category, written):
    assert ("primaryClass=" in bibtex(paper("A title", primary_category=category))) == written


@pytest.mark.parametrize("arxiv_id, written", [
    ("2608.19880", True), ("math/0701001", True), ("math.AG/0701001", True),
    ("0704.0001", True), ("2608.19880\n", False), ("../evil", False), ("2608.198", False),
    ("s2:75d4c292208ddd99451745217a125bce2c17faef", False),
])
def test_only_an_arxiv_id_gives_arxiv_fields(arxiv_id, written):
    entry = bibtex(paper("A title", arxiv_id=arxiv_id))
    assert ("eprint=" in entry) == written and ("archivePrefix={arXiv}" in entry) == written
