"""Hostile and edge inputs to the lexical side of the engine, on a small in-memory index (no Django, no model).

Each case here was a 500 once: a query whose every word is a stop word ("Only excluding terms given" from
tantivy), a date outside the 1677–2262 that tantivy's date fields hold, a paper published outside it.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from papersift.search.engine import SearchEngine
from papersift.search.lexical import FIRST_DAY, LAST_DAY, Document, LexicalIndex
from papersift.search.query import Clause
from tests.strategies import queries

DOCS = [
    Document(1, "2401.00001", "Transformers for protein folding", "We fold proteins with attention.",
             ["Will A. Smith"], ["q-bio.BM"], date(2024, 1, 2)),
    Document(2, "2401.00002", "The transformer as a graph network", "A transformer is a graph neural network.",
             ["Ada Lovelace"], ["cs.LG"], date(2024, 3, 4)),
    Document(3, "2401.00003", "Graph neural networks for molecules", "Message passing on molecular graphs.",
             ["An Li", "The Collaboration"], ["cs.LG"], date(2025, 6, 7)),
    Document(4, "2401.00004", "A survey of protein language models", "Language models read protein sequences.",
             ["Bob Jones"], ["q-bio.BM"], date(1500, 1, 1)),      # a date tantivy cannot hold
    Document(5, "2401.00005", "To be or not to be", "Hamlet's question, asked of neural networks.",
             ["Ada Lovelace"], ["cs.AI"], None),
]
DATED = {1, 2, 3}


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    lexical = LexicalIndex(None)
    lexical.upsert(DOCS)
    lexical.commit()
    return SearchEngine(lexical)


def keys(results) -> set[int]:
    return {hit.key for hit in results.hits}


STOP_WORDS_ONLY = ["a a", "to be or not", "NOT a", "the a", '"the a"', "the -a", "+++ ...", "ti:the", "abs:(a)"]


@pytest.mark.parametrize("text", STOP_WORDS_ONLY)
@pytest.mark.parametrize("sort", ["relevance", "newest", "upvotes"])
def test_a_query_of_stop_words_only_finds_nothing_and_says_why(engine, text, sort):
    for mode in ("hybrid", "lexical", "dense"):
        results = engine.search(text, mode=mode, sort=sort)
        assert (results.hits, results.total) == ([], 0), (text, mode)
        assert any("only common words" in warning for warning in results.warnings), results.warnings


def test_an_exact_title_of_stop_words_still_finds_its_paper(engine):
    assert [hit.key for hit in engine.search("To be or not to be").hits] == [5]


@pytest.mark.parametrize("sort", ["relevance", "newest", "upvotes"])
def test_stop_words_beside_other_words_change_nothing(engine, sort):
    """Before, an unfielded "the" or "a" was looked up in the authors field (whose analyser keeps stop words): in a
    strict match (newest first, feeds, alerts) "the transformer" then needed "the" in an author's name."""
    for with_stop_words, without in (("the transformer", "transformer"), ("a graph -the", "graph"),
                                     ("proteins and a model", "proteins model")):
        found = engine.search(with_stop_words, sort=sort)
        assert keys(found) == keys(engine.search(without, sort=sort)) and found.hits, with_stop_words
        assert not [w for w in found.warnings if "common words" in w]


def test_an_author_field_keeps_names_that_are_stop_words(engine):
    assert keys(engine.search("au:will")) == {1}
    assert keys(engine.search("au:an", sort="newest")) == {3}
    assert keys(engine.search('au:"the collaboration"')) == {3}


def test_searchable_judges_each_clause_by_its_fields_analyser(engine):
    lexical = engine.lexical
    assert [lexical.searchable(c) for c in (Clause("the"), Clause("the", "title"), Clause("the", "authors"),
                                            Clause("+++"), Clause("+++", "authors"), Clause("cs.LG", "categories"),
                                            Clause("transformers"), Clause("to be or not to be", phrase=True))] == [
        False, False, True, False, False, True, True, False]


@pytest.mark.parametrize("text, expected", [
    ("since:1500", DATED), ("since:0001", DATED), ("until:2300", DATED), ("until:9999-12-31", DATED),
    ("since:0001-01-01 until:9999", DATED), ("since:2300", set()), ("until:1600", set()), ("until:1677-09-21", set()),
    ("since:2262-04-11", set()), ("since:2025 until:2300", {3}), ("since:1000 until:2024-01", {1}),
    ("since:2025 until:2024", set()),
])
def test_dates_of_any_year_filter_without_failing(engine, text, expected):
    for query in (text, f"{text} -zebra"):
        for sort in ("relevance", "newest"):
            assert keys(engine.search(query, sort=sort, limit=10)) == expected, (query, sort)


@pytest.mark.parametrize("since, until, expected", [
    (date(1, 1, 1), None, DATED), (None, date(9999, 12, 31), DATED), (date(9999, 12, 31), None, set()),
    (None, date(1, 1, 1), set()), (FIRST_DAY, LAST_DAY, DATED), (date(2024, 2, 1), date(9999, 1, 1), {2, 3}),
])
def test_date_parameters_of_any_year_filter_without_failing(engine, since, until, expected):
    assert keys(engine.search("since:2000", since=since, until=until, sort="newest")) == expected
    assert keys(engine.search("graph OR protein OR transformer OR models", since=since, until=until)) <= expected


def test_a_paper_dated_outside_the_index_range_is_indexed_without_its_date(engine):
    assert keys(engine.search("protein language models")) >= {4}
    assert 4 not in keys(engine.search("protein since:1400 until:1600", sort="newest"))
    assert keys(engine.search("protein", sort="newest", limit=10)) == {1, 4}


@given(text=queries(), mode=st.sampled_from(["hybrid", "lexical", "dense"]),
       sort=st.sampled_from(["relevance", "newest", "upvotes"]))
def test_no_query_makes_the_engine_fail(engine, text, mode, sort):
    results = engine.search(text, mode=mode, sort=sort, limit=3)
    assert results.total >= len(results.hits) and {h.key for h in results.hits} <= {d.key for d in DOCS}
    ranked = engine.rank_among(text, [d.key for d in DOCS])
    assert {h.key for h in ranked.hits} <= {d.key for d in DOCS}
