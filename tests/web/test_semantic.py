"""Semantic search through every face, on the sample with real vectors (tests/vectors.py): the search page, the
JSON API, the Hugging Face-compatible search, the feeds, and a digest's saved-search section."""

from __future__ import annotations

import re

import numpy as np
import pytest
import time_machine

from papersift.catalog.models import Paper
from papersift.digests import services as digests
from papersift.indexing.models import Embedding
from papersift.outbox.services import deliver
from papersift.search.embed import document_text, load_embedder
from tests.digests.conftest import THURSDAY, active, paper_ids, parts
from tests.vectors import VECTORS

feedparser = pytest.importorskip("feedparser")
pytestmark = pytest.mark.django_db

UNAVAILABLE = "Semantic search is unavailable"


def test_the_shipped_vectors_are_the_models_vectors_of_the_sample(semantic_sample):
    """tests/data/sample-vectors.npz must be what the installed model makes of the sample's text now."""
    shipped = np.load(VECTORS)
    papers = {p.arxiv_id: p for p in Paper.objects.filter(arxiv_id__in=shipped["ids"][:: len(shipped["ids"]) // 4])}
    assert len(papers) >= 4 and Embedding.objects.count() == len(semantic_sample) == len(shipped["ids"]) > 200
    fresh = load_embedder().embed([document_text(p.title, p.abstract) for p in papers.values()])
    for arxiv_id, vector in zip(papers, fresh):
        stored = shipped["vectors"][list(shipped["ids"]).index(arxiv_id)].astype(np.float32)
        assert float(np.dot(stored, vector)) > 0.999, arxiv_id


def _target(client, semantic_sample) -> tuple[Paper, str, set[str]]:
    """A paper with a vector, two of the longest words of its title that few papers share, and all those papers."""
    for arxiv_id in semantic_sample[len(semantic_sample) // 2:] + semantic_sample:
        paper = Paper.objects.get(arxiv_id=arxiv_id)
        words = " ".join(sorted(set(re.findall(r"[A-Za-z]{5,}", paper.title)), key=len, reverse=True)[:2])
        lexical = client.get("/api/search", {"q": words, "mode": "lexical", "limit": 100}).json()
        if lexical["total"] <= 50 and not lexical["total_is_floor"]:
            return paper, words, {r["paper"]["id"] for r in lexical["results"]}
    raise AssertionError("no title with rare enough words in the sample")


def test_search_page_and_api_rank_with_both_halves(client, semantic_sample, settings):
    # Without the floor of dense-only hits (tests/web/test_nothing_found.py tests it): the sample's vectors are
    # few, so the papers found by meaning alone may all sit under it.
    settings.PAPERSIFT = {**settings.PAPERSIFT, "SEARCH_MIN_SIMILARITY": 0}
    paper, words, lexical_ids = _target(client, semantic_sample)
    hybrid = client.get("/api/search", {"q": words, "mode": "hybrid", "limit": 100}).json()
    dense = client.get("/api/search", {"q": paper.title, "mode": "dense", "limit": 5}).json()
    assert (hybrid["mode"], hybrid["semantic"], dense["mode"], dense["semantic"]) == ("hybrid", True, "dense", True)
    assert not [w for w in hybrid["warnings"] + dense["warnings"] if "semantic" in w]
    assert paper.arxiv_id in [r["paper"]["id"] for r in dense["results"]]        # its own title, by meaning alone
    assert {r["paper"]["id"] for r in dense["results"]} <= set(semantic_sample)  # only papers with vectors
    # Every paper sharing a word with the query is in lexical_ids; hybrid adds papers by meaning alone.
    hybrid_ids = {r["paper"]["id"] for r in hybrid["results"]}
    by_meaning = hybrid_ids - lexical_ids
    assert paper.arxiv_id in hybrid_ids and by_meaning and by_meaning <= set(semantic_sample)
    page = client.get("/search", {"q": words}).content.decode()
    assert UNAVAILABLE not in page and f'href="/papers/{paper.arxiv_id}"' in page
    hf = client.get("/api/papers/search", {"q": paper.title.lower()}).json()
    assert hf[0]["paper"]["id"] == paper.arxiv_id


def test_without_vectors_the_same_search_says_it_is_words_only(client, sample_without_vectors):
    page = client.get("/search", {"q": "agents"}).content.decode()
    assert UNAVAILABLE in page
    assert client.get("/api/search", {"q": "agents"}).json()["semantic"] is False


@pytest.fixture
def sample_without_vectors(db):
    from papersift.ingest.sample import load_sample

    load_sample(only_if_empty=True)


def _cosines(query: str, ids) -> dict[str, float]:
    query_vector = load_embedder().embed([query])[0]
    out = {}
    for row in Embedding.objects.filter(paper__arxiv_id__in=list(ids)).select_related("paper"):
        vector = np.frombuffer(bytes(row.vector), dtype="<f2").astype(np.float32)
        out[row.paper.arxiv_id] = float(np.dot(vector, query_vector) / np.linalg.norm(vector))
    return out


def test_a_digest_saved_search_and_its_feed_drop_passing_mentions_by_vector(client, semantic_sample, settings,
                                                                              smtp_server):
    """A weekly digest's saved search keeps the papers whose vectors are near the query and drops those that
    only mention its words (`DIGEST_MIN_SIMILARITY`); the subscription's feed shows the same papers."""
    settings.PAPERSIFT = {**settings.PAPERSIFT, "DIGEST_MAX_PER_SECTION": 100}
    for query in ("model", "learning", "language", "agents", "video"):
        feed = client.get("/search/feed.atom", {"q": query})                  # the words' matches, newest first
        matches = {e.link.rsplit("/", 1)[-1] for e in feedparser.parse(feed.content).entries}
        window = set(Paper.objects.filter(listings__date__range=("2026-08-13", "2026-08-20"), arxiv_id__in=matches)
                     .values_list("arxiv_id", flat=True))
        cosines = _cosines(query, window)
        if len(cosines) >= 4 and len(set(cosines.values())) >= 4:
            break
    ordered = sorted(cosines.values())
    threshold = (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2
    settings.PAPERSIFT = {**settings.PAPERSIFT, "DIGEST_MIN_SIMILARITY": threshold}
    near = {arxiv_id for arxiv_id, cosine in cosines.items() if cosine >= threshold}
    far = set(cosines) - near
    assert near and far
    subscription = active("vectors@example.org", frequency="weekly", weekday=THURSDAY.weekday(), hour=8,
                          trending_top=0, searches=[query])
    assert digests.send_due(THURSDAY).built == 1 and deliver().sent == 1
    (mail,) = smtp_server.wait_for(1)
    mailed = set(paper_ids(parts(mail)[1]))
    assert near <= mailed and not far & mailed
    token = re.search(r"/digests/feed/([^/\s\"<]+)\.atom", parts(mail)[1]).group(1)
    with time_machine.travel(THURSDAY, tick=False):
        entries = feedparser.parse(client.get(f"/digests/feed/{token}.atom").content).entries
    assert subscription.id and near <= {e.link.rsplit("/", 1)[-1] for e in entries}
    assert not far & {e.link.rsplit("/", 1)[-1] for e in entries}
