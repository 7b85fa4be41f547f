"""Relevance evaluation on BEIR-layout directories (corpus.jsonl, queries.jsonl, qrels/<split>.tsv).

``evaluate_beir`` indexes the corpus with the same engine that serves papersift and scores every judged query:
nDCG@10, recall@100 and MRR@10, as BEIR reports them. ``evaluate_similar`` scores query-by-example paper
similarity (CSFCube): each query's judged pool is ranked and nDCG@20 is computed with graded judgments.
Corpus embeddings are cached by the corpus file's hash and the model id, so a second run takes seconds.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from papersift.search import fusion, metrics
from papersift.search.embed import Embedder, QueryEncoder, document_text
from papersift.search.engine import SearchEngine
from papersift.search.lexical import Document, LexicalIndex
from papersift.search.query import Clause, ParsedQuery
from papersift.search.vectors import VectorIndex


class DatasetError(ValueError):
    """The directory is not in BEIR layout; the message names the missing or broken file."""


@dataclass
class Dataset:
    corpus: list[dict]
    queries: dict[str, dict]
    qrels: dict[str, dict[str, float]]
    corpus_path: Path


def _jsonl(path: Path) -> Iterable[dict]:
    if not path.is_file():
        raise DatasetError(f"{path}: missing (a BEIR directory has corpus.jsonl, queries.jsonl and qrels/)")
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DatasetError(f"{path}:{number}: not JSON ({exc.msg})") from exc


def load(directory: Path, split: str = "test") -> Dataset:
    qrels_path = directory / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        raise DatasetError(f"{qrels_path}: missing (is --split {split!r} right?)")
    qrels: dict[str, dict[str, float]] = {}
    with qrels_path.open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
            if number == 1 and row and not row[-1].lstrip("-").isdigit():
                continue  # header
            if len(row) < 3:
                raise DatasetError(f"{qrels_path}:{number}: expected query-id, corpus-id, score")
            qrels.setdefault(row[0], {})[row[1]] = float(row[2])
    queries = {str(q["_id"]): q for q in _jsonl(directory / "queries.jsonl")}
    corpus = list(_jsonl(directory / "corpus.jsonl"))
    return Dataset(corpus, queries, qrels, directory / "corpus.jsonl")


def corpus_vectors(dataset: Dataset, embedder: Embedder, cache_dir: Path | None,
                   on_progress: Callable[[int], None] | None = None) -> np.ndarray:
    texts = [document_text(d.get("title", ""), d.get("text", "")) for d in dataset.corpus]
    return cached_vectors(texts, embedder, cache_dir, on_progress)


def cached_vectors(texts: list[str], embedder: Embedder, cache_dir: Path | None,
                   on_progress: Callable[[int], None] | None = None) -> np.ndarray:
    """The texts' embeddings, cached under ``cache_dir`` by their hash and the model (every eval command's)."""
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    cached = cache_dir / f"{embedder.model_id.replace('/', '_')}-{digest}.npy" if cache_dir else None
    if cached and cached.is_file():
        return np.load(cached)
    parts = []
    for start in range(0, len(texts), 256):
        parts.append(embedder.embed(texts[start:start + 256]))
        if on_progress:
            on_progress(len(parts[-1]))
    vectors = np.vstack(parts) if parts else np.zeros((0, embedder.dimensions), np.float32)
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.save(cached, vectors)
    return vectors


def build_engine(dataset: Dataset, embedder: Embedder | None, vectors: np.ndarray | None,
                 min_similarity: float | None = fusion.MIN_SIMILARITY) -> SearchEngine:
    lexical = LexicalIndex(None)
    lexical.upsert(Document(key=i, arxiv_id=str(d["_id"]), title=d.get("title", ""), abstract=d.get("text", ""),
                            authors=(), categories=(), published=None) for i, d in enumerate(dataset.corpus))
    lexical.commit()
    index = None
    if embedder is not None and vectors is not None:
        index = VectorIndex(embedder.dimensions)
        index.upsert(np.arange(len(vectors)), vectors)
    return SearchEngine(lexical, index, QueryEncoder(embedder, timeout=60) if embedder else None,
                        min_similarity=min_similarity)


def evaluate_beir(dataset: Dataset, engine: SearchEngine, mode: str) -> dict:
    ids = [str(d["_id"]) for d in dataset.corpus]
    ndcg, recall, mrr = [], [], []
    for query_id, judged in dataset.qrels.items():
        if query_id not in dataset.queries:
            continue
        # Queries are natural-language text: read as plain words, never as query syntax.
        text = " ".join(dataset.queries[query_id]["text"].replace('"', " ").split())
        results = engine.search(_plain(text), mode=mode, limit=100, snippets=False)
        ranked = [ids[h.key] for h in results.hits]
        ndcg.append(metrics.ndcg_at(ranked, judged, 10))
        recall.append(metrics.recall_at(ranked, judged, 100))
        mrr.append(metrics.mrr_at(ranked, judged, 10))
    return {"ndcg@10": round(metrics.mean(ndcg), 4), "recall@100": round(metrics.mean(recall), 4),
            "mrr@10": round(metrics.mean(mrr), 4), "queries": len(ndcg), "mode": mode}


def _plain(text: str) -> str:
    """Neutralise query-language prefixes and leading minus signs in natural-language text."""
    return " ".join(word.replace(":", " ").lstrip("-") for word in text.split())


def evaluate_similar(dataset: Dataset, engine: SearchEngine, embedder: Embedder | None, mode: str) -> dict:
    """Rank each query's judged pool by similarity to the query paper (title + facet text), nDCG@20."""
    key_of = {str(d["_id"]): i for i, d in enumerate(dataset.corpus)}
    scores = []
    for query_id, judged in dataset.qrels.items():
        query = dataset.queries.get(query_id)
        if query is None:
            continue
        meta = query.get("metadata") or {}
        facet = meta.get("facet_text") or ""
        facet = " ".join(facet) if isinstance(facet, list) else facet
        text = document_text(query.get("text", ""), facet)
        pool = [key_of[c] for c in judged if c in key_of]
        ranked = rank_pool(engine, embedder, text, pool, mode)
        scores.append(metrics.ndcg_at([str(dataset.corpus[k]["_id"]) for k in ranked], judged, 20))
    return {"ndcg@20": round(metrics.mean(scores), 4), "queries": len(scores), "mode": mode}


def rank_pool(engine: SearchEngine, embedder: Embedder | None, text: str, pool: list[int], mode: str) -> list[int]:
    dense: dict[int, float] = {}
    if mode != "lexical" and embedder is not None and engine.vectors is not None:
        query_vector = embedder.embed([text])[0]
        for key in pool:
            vector = engine.vectors.get(key)
            if vector is not None:
                dense[key] = float(np.dot(query_vector, vector) / (np.linalg.norm(vector) or 1.0))
    lexical: dict[int, float] = {}
    if mode != "dense":
        restrict = engine.lexical.compile(ParsedQuery(must=[Clause(w) for w in _plain(text).split()]))
        hits, _ = engine.lexical.search(restrict, 10_000)
        allowed = set(pool)
        lexical = {h.key: h.score for h in hits if h.key in allowed}
    if mode == "lexical":
        ranked = sorted(lexical.items(), key=lambda kv: -kv[1])
    elif mode == "dense":
        ranked = sorted(dense.items(), key=lambda kv: -kv[1])
    else:
        ranked = fusion.weighted(lexical, dense, engine.dense_weight)
    # As search does: dense-only candidates under the floor are not found (they go to the end, unranked).
    ranked = fusion.floor_dense_only(ranked, lexical, dense, engine.min_similarity)
    seen = [k for k, _ in ranked]
    return seen + [k for k in pool if k not in set(seen)]
