"""Searching the catalog: the engine over the live index generation, and results as papers.

Each process keeps one engine and reopens it when ``current`` points at a new generation or its manifest
changes (one stat per search). The vector file is memory-mapped, so server processes share one copy.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from papersift.catalog.models import Paper
from papersift.catalog.selectors import papers_by_id
from papersift.indexing.models import Embedding
from papersift.indexing.services import changed_since, index_store, pending_embeddings
from papersift.indexing.store import LEXICAL, MANIFEST, VECTORS, read_manifest, size_bytes
from papersift.search.embed import DIMENSIONS, MODEL_ID, QueryEncoder, load_embedder
from papersift.search.engine import Results, SearchEngine
from papersift.search.lexical import LexicalIndex
from papersift.search.vectors import VectorIndex

log = logging.getLogger(__name__)


class IndexMissing(RuntimeError):
    """No search index has been built yet."""


@dataclass
class PaperHit:
    paper: Paper
    score: float
    snippet: str | None
    matched: tuple[str, ...]


@dataclass
class SearchPage:
    hits: list[PaperHit]
    total: int
    mode: str
    semantic: bool
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    total_is_floor: bool = False  # more papers match than were ranked


class _Live:
    def __init__(self):
        self.lock = threading.Lock()
        self.key: tuple | None = None
        self.engine: SearchEngine | None = None
        self.encoder: QueryEncoder | None = None

    def get(self) -> SearchEngine:
        generation = index_store().current()
        if generation is None:
            raise IndexMissing("the search index has not been built yet: run `papersift index update`")
        try:
            stamp = (generation / MANIFEST).stat().st_mtime_ns
        except FileNotFoundError:
            stamp = 0
        key = (str(generation), stamp)
        with self.lock:
            if self.key != key:
                self.engine = self._open(generation)
                self.key = key
            return self.engine

    def _open(self, generation: Path) -> SearchEngine:
        lexical = LexicalIndex(generation / LEXICAL)
        vectors = None
        if (generation / VECTORS).is_file() and settings.PAPERSIFT["SEARCH_SEMANTIC"]:
            vectors = VectorIndex.open(generation / VECTORS, DIMENSIONS)
            if self.encoder is None:
                self.encoder = QueryEncoder(load_embedder, timeout=settings.PAPERSIFT["QUERY_EMBED_TIMEOUT"])
        return SearchEngine(lexical, vectors, self.encoder,
                            min_similarity=settings.PAPERSIFT["SEARCH_MIN_SIMILARITY"] or None)


_live = _Live()


def engine() -> SearchEngine:
    return _live.get()


def _papers(results: Results) -> list[PaperHit]:
    papers = papers_by_id(h.key for h in results.hits)
    return [PaperHit(papers[h.key], h.score, h.snippet, h.matched) for h in results.hits if h.key in papers]


def search(text: str, *, mode: str = "hybrid", sort: str = "relevance", limit: int = 20, offset: int = 0,
           categories: tuple[str, ...] = (), since=None, until=None, snippets: bool = True) -> SearchPage:
    """``snippets=False`` for a face that shows none (highlighted extracts cost ~0.1 ms a hit)."""
    started = time.perf_counter()
    results = engine().search(text, mode=mode, sort=sort, limit=limit, offset=offset, categories=categories,
                              since=since, until=until, snippets=snippets)
    return SearchPage(_papers(results), results.total, results.mode, results.semantic, results.warnings,
                      round(time.perf_counter() - started, 4), results.total_is_floor)


def rank_among(text: str, paper_ids, *, categories: tuple[str, ...] = (),
               min_similarity: float | None = None) -> tuple[list[tuple[int, float]], list[str], bool]:
    """``(paper id, score)`` for the papers of ``paper_ids`` matching ``text``, best first; warnings; semantic."""
    results = engine().rank_among(text, list(paper_ids), categories=categories, min_similarity=min_similarity)
    return [(hit.key, hit.score) for hit in results.hits], results.warnings, results.semantic


def similar(arxiv_id: str, limit: int = 10) -> SearchPage:
    paper = Paper.objects.filter(arxiv_id=arxiv_id).only("id").first()
    if paper is None:
        raise Paper.DoesNotExist(f"no paper {arxiv_id} in the catalog")
    return similar_to(paper.id, limit)


def similar_to(paper_id: int, limit: int = 10) -> SearchPage:
    """`similar` of a paper whose internal id the caller already has (pages, the API, MCP: one query fewer)."""
    started = time.perf_counter()
    results = engine().similar(paper_id, limit)
    return SearchPage(_papers(results), results.total, results.mode, results.semantic, results.warnings,
                      round(time.perf_counter() - started, 4))


def index_status() -> dict:
    """Counts, model and staleness of the live indexes against the database."""
    store = index_store()
    generation = store.current()
    manifest = read_manifest(generation) if generation else None
    papers = Paper.objects.count()
    embedded = Embedding.objects.filter(model_id=MODEL_ID).count()
    pending = pending_embeddings(MODEL_ID).count()
    lexical_docs = manifest.lexical_docs if manifest else 0
    if manifest and manifest.lexical_watermark:
        stale_lexical = Paper.objects.filter(changed_since(manifest.lexical_watermark)).count()
    else:
        stale_lexical = papers
    vectors_behind = (Embedding.objects.filter(model_id=MODEL_ID, id__gt=manifest.vector_watermark).count()
                      if manifest else embedded)
    return {
        "generation": generation.name if generation else None,
        "path": str(generation) if generation else str(store.root),
        "model_id": MODEL_ID,
        "papers": papers,
        "lexical_docs": lexical_docs,
        "lexical_pending": stale_lexical,
        "embeddings": embedded,
        "embeddings_pending": pending,
        "vectors": manifest.vectors if manifest else 0,
        "vectors_pending": vectors_behind,
        "lexical_bytes": size_bytes(generation / LEXICAL) if generation else 0,
        "vector_bytes": size_bytes(generation / VECTORS) if generation and (generation / VECTORS).exists() else 0,
        "up_to_date": bool(generation) and stale_lexical == 0 and pending == 0 and vectors_behind == 0,
    }
