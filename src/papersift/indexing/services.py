"""Keeping the search indexes in step with the catalog (the only code here that writes indexes or embeddings).

Three steps, each resumable and safe to repeat:
- ``sync_lexical``: papers changed since the lexical watermark are (re)indexed in tantivy. Fast (thousands of
  papers a second), so ingest runs it right after writing.
- ``embed_pending``: papers without a vector for the current model and content hash are embedded, a batch per
  transaction. Slow (~15-45 papers a second on 2 cores), so it runs separately: ``papersift index update``.
- ``sync_vectors``: embeddings newer than the vector watermark are added to the HNSW index.
``rebuild`` does all of it into a new generation and swaps it in atomically.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q

from papersift import changes
from papersift.catalog.models import DailyListing, Paper
from papersift.indexing.models import Embedding
from papersift.indexing.store import LEXICAL, VECTORS, IndexStore, read_manifest, write_manifest
from papersift.search.embed import DIMENSIONS, MODEL_ID, Embedder, document_text, load_embedder
from papersift.search.lexical import Document, LexicalIndex
from papersift.search.vectors import VectorIndex

log = logging.getLogger(__name__)
Progress = Callable[[int], None]
LEXICAL_BATCH = 5000
VECTOR_BATCH = 10_000


class IndexBusy(RuntimeError):
    """Another process is updating the indexes."""


@dataclass
class UpdateReport:
    lexical: int = 0
    embedded: int = 0
    kept: int = 0  # content changed but the embedded text did not: vector kept, not recomputed
    vectors: int = 0
    seconds: float = 0.0
    generation: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def index_store() -> IndexStore:
    return IndexStore(Path(settings.PAPERSIFT["DATA_DIR"]) / "index")


@contextmanager
def writer_lock(store: IndexStore) -> Iterator[None]:
    store.root.mkdir(parents=True, exist_ok=True)
    with open(store.root / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusy(f"another process is updating the search index in {store.root}") from exc
        yield


def text_hash(title: str, abstract: str) -> str:
    return hashlib.sha256(document_text(title, abstract).encode()).hexdigest()[:32]


# -- lexical ---------------------------------------------------------------------------------------------------------
def _documents(papers: list[dict]) -> list[Document]:
    upvotes = dict(DailyListing.objects.filter(paper_id__in=[p["id"] for p in papers])
                   .values_list("paper_id").annotate(top=Max("upvotes_imported")))
    return [Document(key=p["id"], arxiv_id=p["arxiv_id"], title=p["title"], abstract=p["abstract"],
                     authors=p["authors"] or (), categories=p["categories"] or (),
                     published=p["published"].date() if p["published"] else p["announced"],
                     upvotes=upvotes.get(p["id"], 0)) for p in papers]


def sync_lexical(generation: Path | None = None, on_progress: Progress | None = None) -> int:
    """Index every paper changed since the generation's watermark; returns how many were (re)indexed."""
    store = index_store()
    with writer_lock(store):
        generation = generation or store.ensure()
        return _sync_lexical(generation, on_progress)


def changed_since(watermark: str) -> Q:
    """Papers modified after the watermark "<modified_at ISO>|<paper id>" (all papers when it is empty)."""
    if not watermark:
        return Q()
    stamp, last_id = watermark.rsplit("|", 1)
    when = datetime.fromisoformat(stamp)
    return Q(modified_at__gt=when) | Q(modified_at=when, id__gt=int(last_id))


def _sync_lexical(generation: Path, on_progress: Progress | None) -> int:
    manifest = read_manifest(generation)
    index = LexicalIndex(generation / LEXICAL)
    query = Paper.objects.order_by("modified_at", "id").values(
        "id", "arxiv_id", "title", "abstract", "authors", "categories", "published", "announced", "modified_at")
    query = query.filter(changed_since(manifest.lexical_watermark))
    fresh = not manifest.lexical_watermark  # a new generation: nothing to replace, so no deletes
    done = 0
    batch: list[dict] = []
    for paper in query.iterator(chunk_size=LEXICAL_BATCH):
        batch.append(paper)
        if len(batch) == LEXICAL_BATCH:
            done += index.upsert(_documents(batch), fresh=fresh)
            if on_progress:
                on_progress(len(batch))
            last, batch = batch[-1], []
            manifest.lexical_watermark = f"{last['modified_at'].isoformat()}|{last['id']}"
    if batch:
        done += index.upsert(_documents(batch), fresh=fresh)
        if on_progress:
            on_progress(len(batch))
        manifest.lexical_watermark = f"{batch[-1]['modified_at'].isoformat()}|{batch[-1]['id']}"
    if done:
        index.commit()
        manifest.lexical_docs = index.count()
        write_manifest(generation, manifest)
        changes.changed()
        log.info("index.lexical", extra={"papers": done, "generation": generation.name})
    return done


# -- embeddings ------------------------------------------------------------------------------------------------------
def pending_embeddings(model_id: str = MODEL_ID):
    """Papers with no vector for ``model_id`` at their current content hash."""
    current = Embedding.objects.filter(paper=OuterRef("pk"), model_id=model_id, content_hash=OuterRef("content_hash"))
    return Paper.objects.filter(~Exists(current))


def embed_pending(embedder: Embedder | None = None, batch_size: int = 64, limit: int | None = None,
                  on_progress: Progress | None = None) -> tuple[int, int]:
    """Embed pending papers, one transaction per batch, so an interrupted run resumes where it stopped.

    Returns (embedded, kept): ``kept`` papers changed in ways that do not touch their title or abstract.
    """
    embedder = embedder or load_embedder()
    embedded = kept = 0
    last_id = 0
    while limit is None or embedded + kept < limit:
        size = batch_size if limit is None else min(batch_size, limit - embedded - kept)
        papers = list(pending_embeddings(embedder.model_id).filter(id__gt=last_id).order_by("id")
                      .values("id", "title", "abstract", "content_hash")[:size])
        if not papers:
            break
        last_id = papers[-1]["id"]
        new, same = _embed_batch(embedder, papers)
        embedded, kept = embedded + new, kept + same
        if on_progress:
            on_progress(len(papers))
    return embedded, kept


def _embed_batch(embedder: Embedder, papers: list[dict]) -> tuple[int, int]:
    existing = {e.paper_id: e for e in Embedding.objects.filter(model_id=embedder.model_id,
                                                                paper_id__in=[p["id"] for p in papers])}
    hashes = {p["id"]: text_hash(p["title"], p["abstract"]) for p in papers}
    unchanged = [p for p in papers if p["id"] in existing and existing[p["id"]].text_hash == hashes[p["id"]]]
    todo = [p for p in papers if p not in unchanged]
    vectors = embedder.embed([document_text(p["title"], p["abstract"]) for p in todo]) if todo else []
    with transaction.atomic():
        for paper in unchanged:
            Embedding.objects.filter(pk=existing[paper["id"]].pk).update(content_hash=paper["content_hash"])
        # Delete and insert (not update) so a changed vector gets a new id, above the vector index's watermark.
        Embedding.objects.filter(model_id=embedder.model_id, paper_id__in=[p["id"] for p in todo]).delete()
        Embedding.objects.bulk_create([
            Embedding(paper_id=p["id"], model_id=embedder.model_id, content_hash=p["content_hash"],
                      text_hash=hashes[p["id"]], vector=np.asarray(v, dtype="<f2").tobytes())
            for p, v in zip(todo, vectors)])
    return len(todo), len(unchanged)


# -- vectors ---------------------------------------------------------------------------------------------------------
def sync_vectors(generation: Path | None = None, model_id: str = MODEL_ID, on_progress: Progress | None = None) -> int:
    store = index_store()
    with writer_lock(store):
        return _sync_vectors(generation or store.ensure(), model_id, on_progress)


def _sync_vectors(generation: Path, model_id: str, on_progress: Progress | None) -> int:
    manifest = read_manifest(generation)
    if manifest.model_id and manifest.model_id != model_id:
        manifest.vector_watermark, manifest.vectors = 0, 0
        (generation / VECTORS).unlink(missing_ok=True)
    rows = Embedding.objects.filter(model_id=model_id, id__gt=manifest.vector_watermark).order_by("id")
    if not rows.exists():
        return 0
    path = generation / VECTORS
    index = VectorIndex.open(path, DIMENSIONS, writable=True) if path.is_file() else VectorIndex(DIMENSIONS)
    added = 0
    last = manifest.vector_watermark
    while True:
        chunk = list(rows.filter(id__gt=last).values_list("id", "paper_id", "vector")[:VECTOR_BATCH])
        if not chunk:
            break
        vectors = np.frombuffer(b"".join(bytes(v) for _, _, v in chunk), dtype="<f2").reshape(len(chunk), DIMENSIONS)
        index.upsert([paper_id for _, paper_id, _ in chunk], vectors.astype(np.float32))
        last, added = chunk[-1][0], added + len(chunk)
        if on_progress:
            on_progress(len(chunk))
    index.save(path)
    manifest.model_id, manifest.vector_watermark, manifest.vectors = model_id, last, len(index)
    write_manifest(generation, manifest)
    changes.changed()
    log.info("index.vectors", extra={"added": added, "generation": generation.name})
    return added


# -- whole runs ------------------------------------------------------------------------------------------------------
def update(embed: bool = True, on_progress: Callable[[str, int, int], None] | None = None) -> UpdateReport:
    """Lexical sync, embeddings for whatever lacks one, vector sync: what `papersift index update` does."""
    started = time.perf_counter()
    store = index_store()
    report = UpdateReport()
    with writer_lock(store):
        generation = store.ensure()
        report.generation = generation.name
        report.lexical = _sync_lexical(generation, _stage(on_progress, "lexical", None))
        if embed:
            embedder = load_embedder()
            total = pending_embeddings(embedder.model_id).count()
            report.embedded, report.kept = embed_pending(embedder, on_progress=_stage(on_progress, "embed", total))
            report.vectors = _sync_vectors(generation, embedder.model_id, _stage(on_progress, "vectors", None))
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def rebuild(on_progress: Callable[[str, int, int], None] | None = None) -> UpdateReport:
    """Build every index from the database into a new generation, then swap it in (readers never see a gap).

    Embeddings already stored are reused; papers without one stay lexical-only until `papersift index update`.
    """
    started = time.perf_counter()
    store = index_store()
    report = UpdateReport()
    with writer_lock(store):
        generation = store.new_generation()
        report.lexical = _sync_lexical(generation, _stage(on_progress, "lexical", Paper.objects.count()))
        report.vectors = _sync_vectors(generation, MODEL_ID, _stage(on_progress, "vectors", None))
        store.swap(generation)
        changes.changed()
        report.generation = generation.name
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _stage(on_progress, name: str, total: int | None) -> Progress | None:
    if on_progress is None:
        return None
    on_progress(name, 0, total or 0)
    return lambda n: on_progress(name, n, total or 0)
