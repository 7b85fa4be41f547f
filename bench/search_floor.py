"""Measurement behind PAPERSIFT_SEARCH_MIN_SIMILARITY: the cosine floor of hits only semantic search found.

    .venv/bin/python bench/search_floor.py                                   # floors 0 .. 0.45
    .venv/bin/python bench/search_floor.py --floors 0,0.25,0.3,0.35

For each floor, with the engine that serves papersift (evaluation.build_engine, corpus vectors from the eval
cache, so run `papersift eval beir` once first):

- SciFact test (300 queries, hybrid): nDCG@10, recall@100, how many real queries are left with no result;
- CSFCube (50 query facets, dense): nDCG@20, as `papersift eval similar` computes it;
- nonsense queries (300 random letter strings, seeded; none is a word of either corpus) against each corpus:
  how many still get results, and the nearest neighbour's cosine (median, 95th percentile, max).

A floor is good when the first two stay where they are and the last goes to zero. Figures only.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import sys
from pathlib import Path

from common import git_commit, log, machine  # bench/common.py (benchmarks run as scripts from bench/)

from papersift.search import evaluation
from papersift.search.embed import load_embedder

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "papersift" / "eval"


def nonsense(count: int, vocabulary: set[str], seed: int = 15) -> list[str]:
    """Random lowercase strings of 4–10 letters, one to three of them, none a word of the corpora."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 10))) for _ in range(rng.randint(1, 3))]
        if not any(word in vocabulary for word in words):
            out.append(" ".join(words))
    return out


def vocabulary(dataset) -> set[str]:
    words = set()
    for doc in dataset.corpus:
        words.update(f"{doc.get('title', '')} {doc.get('text', '')}".lower().split())
    return words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--floors", default="0,0.15,0.2,0.25,0.3,0.35,0.4,0.45")
    parser.add_argument("--nonsense", type=int, default=300)
    shared = Path(os.environ.get("PAPERSIFT_SHARED_DATA", ROOT.parent / "shared" / "data"))
    parser.add_argument("--scifact", type=Path, default=shared / "ir-bench" / "scifact")
    parser.add_argument("--csfcube", type=Path, default=shared / "csfcube")
    args = parser.parse_args()
    floors = [float(f) for f in args.floors.split(",")]
    print(f"commit {git_commit()}; {machine('usearch', 'onnxruntime', 'tantivy')}")
    embedder = load_embedder()
    scifact, csfcube = evaluation.load(args.scifact, "test"), evaluation.load(args.csfcube, "test")
    log("corpus vectors (cached after the first `papersift eval`)")
    engines = {name: evaluation.build_engine(data, embedder, evaluation.corpus_vectors(data, embedder, CACHE))
               for name, data in (("scifact", scifact), ("csfcube", csfcube))}
    queries = nonsense(args.nonsense, vocabulary(scifact) | vocabulary(csfcube))
    for name, engine in engines.items():
        tops = sorted(engine.vectors.search(engine.encoder.encode(q), 1)[0].score for q in queries)
        print(f"nonsense vs {name}: nearest cosine median {statistics.median(tops):.3f}, "
              f"p95 {tops[int(len(tops) * .95)]:.3f}, max {tops[-1]:.3f}")
    print("| floor | SciFact nDCG@10 | recall@100 | real queries with no result | CSFCube nDCG@20 "
          "| nonsense with results (SciFact / CSFCube) |")
    print("|---|---|---|---|---|---|")
    for floor in floors:
        for engine in engines.values():
            engine.min_similarity = floor or None
        log(f"floor {floor}")
        beir = evaluation.evaluate_beir(scifact, engines["scifact"], "hybrid")
        empty = sum(1 for qid in scifact.qrels if qid in scifact.queries and not engines["scifact"].search(
            evaluation._plain(scifact.queries[qid]["text"]), limit=10, snippets=False).hits)
        similar = evaluation.evaluate_similar(csfcube, engines["csfcube"], embedder, "dense")
        answered = [sum(1 for q in queries if engine.search(q, limit=10, snippets=False).hits)
                    for engine in engines.values()]
        print(f"| {floor:.2f} | {beir['ndcg@10']:.4f} | {beir['recall@100']:.4f} | {empty} / {beir['queries']} "
              f"| {similar['ndcg@20']:.4f} | {answered[0]} / {answered[1]} of {len(queries)} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
