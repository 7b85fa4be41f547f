"""Index lifecycle against the real database: ingest keeps BM25 current, embeddings catch up, rebuild swaps."""

from __future__ import annotations

import json

import pytest

from papersift.catalog.models import Paper
from papersift.indexing import selectors, services
from papersift.indexing.models import Embedding
from papersift.ingest.services import Ingest

pytestmark = pytest.mark.django_db


def _ingest(tmp_path, lines, name="papers.jsonl"):
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    report = Ingest("arxiv-listing").run([str(path)])
    assert report.error_count == 0
    return report


def test_ingest_indexes_lexically_and_search_says_vectors_are_missing(tmp_path, listing_lines):
    report = _ingest(tmp_path, listing_lines[:30])
    assert report.indexed == 30
    status = selectors.index_status()
    assert (status["lexical_docs"], status["lexical_pending"], status["embeddings_pending"]) == (30, 0, 30)
    assert not status["up_to_date"]
    first = json.loads(listing_lines[0])
    assert selectors.search(first["id"]).hits[0].paper.arxiv_id == first["id"]
    page = selectors.search(first["title"])
    assert page.hits[0].paper.arxiv_id == first["id"]
    assert page.mode == "lexical" and not page.semantic
    assert any("unavailable" in w for w in page.warnings)


def test_update_embeds_then_hybrid_search_and_similar_use_vectors(tmp_path, listing_lines):
    _ingest(tmp_path, listing_lines[:30])
    report = services.update()
    assert (report.lexical, report.embedded, report.kept, report.vectors) == (0, 30, 0, 30)
    assert selectors.index_status()["up_to_date"]
    again = services.update()
    assert (again.lexical, again.embedded, again.vectors) == (0, 0, 0)
    paper = json.loads(listing_lines[3])
    page = selectors.search(" ".join(paper["title"].split()[:6]))
    assert page.mode == "hybrid" and page.semantic
    assert paper["id"] in [h.paper.arxiv_id for h in page.hits[:3]]
    similar = selectors.similar(paper["id"], limit=5)
    assert similar.mode == "dense" and len(similar.hits) == 5
    assert paper["id"] not in [h.paper.arxiv_id for h in similar.hits]


def test_only_changed_text_is_reembedded(tmp_path, listing_lines):
    _ingest(tmp_path, listing_lines[:20])
    services.update()
    before = {e.paper.arxiv_id: e.pk for e in Embedding.objects.select_related("paper")}
    comment_changed = json.loads(listing_lines[1])
    comment_changed["comment"] = "Accepted at a journal; 12 pages"
    abstract_changed = json.loads(listing_lines[2])
    abstract_changed["abstract"] += " We add an appendix on zebrafish telemetry."
    report = _ingest(tmp_path, [json.dumps(comment_changed) + "\n", json.dumps(abstract_changed) + "\n"], "v2.jsonl")
    assert report.totals().papers["updated"] == 2 and report.indexed == 2
    update = services.update()
    assert (update.embedded, update.kept, update.vectors) == (1, 1, 1)
    after = {e.paper.arxiv_id: e.pk for e in Embedding.objects.select_related("paper")}
    assert after[comment_changed["id"]] == before[comment_changed["id"]]
    assert after[abstract_changed["id"]] > max(before.values())
    assert selectors.index_status()["vectors"] == 20
    found = selectors.search("zebrafish telemetry", mode="lexical")
    assert [h.paper.arxiv_id for h in found.hits] == [abstract_changed["id"]]


def test_embedding_is_resumable(tmp_path, listing_lines):
    _ingest(tmp_path, listing_lines[:25])
    embedded, kept = services.embed_pending(limit=10)
    assert (embedded, kept) == (10, 0)
    assert selectors.index_status()["embeddings_pending"] == 15
    report = services.update()
    assert report.embedded == 15 and report.vectors == 25
    assert Embedding.objects.count() == Paper.objects.count() == 25


def test_rebuild_builds_a_new_generation_and_swaps_it_in(tmp_path, listing_lines):
    _ingest(tmp_path, listing_lines[:20])
    services.update()
    store = services.index_store()
    old = store.current()
    report = services.rebuild()
    new = store.current()
    assert new != old and not old.exists() and new.name == report.generation
    assert (report.lexical, report.vectors) == (20, 20)
    status = selectors.index_status()
    assert (status["lexical_docs"], status["vectors"], status["up_to_date"]) == (20, 20, True)
    paper = json.loads(listing_lines[7])
    assert selectors.search(paper["id"]).hits[0].paper.arxiv_id == paper["id"]


def test_a_busy_index_never_fails_the_ingest(tmp_path, listing_lines):
    store = services.index_store()
    with services.writer_lock(store):
        with pytest.raises(services.IndexBusy, match="another process"):
            services.sync_lexical()
        report = _ingest(tmp_path, listing_lines[:5])
    assert report.indexed is None and Paper.objects.count() == 5
    assert services.sync_lexical() == 5


def test_search_before_any_index_is_a_clear_error():
    with pytest.raises(selectors.IndexMissing, match="papersift index update"):
        selectors.search("anything")
