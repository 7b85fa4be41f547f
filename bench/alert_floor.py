"""Measurement behind PAPERSIFT_DIGEST_MIN_SIMILARITY: how close to its query is a paper that matches an alert?

    .venv/bin/python bench/alert_floor.py                       # 1,500 papers of the arXiv listing sample
    .venv/bin/python bench/alert_floor.py --papers 5000 --floor 0.25

Indexes the first N papers (with an abstract) of `shared/data/arxiv-listings/sample-5000.jsonl` with BM25 and the
bundled MiniLM model, then for each query finds the papers a saved-search alert would match (every word present,
`SearchEngine.rank_among`) and prints their cosine similarity to the query: count, min, median, max, how many the
floor would drop, and the titles of the lowest and highest. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

from common import git_commit, log, machine  # bench/common.py (benchmarks run as scripts from bench/)

from papersift.search import vectors as _vectors  # noqa: F401 - imports onnxruntime before usearch (see vectors.py)
from papersift.search.embed import QueryEncoder, document_text, load_embedder
from papersift.search.engine import SearchEngine
from papersift.search.lexical import Document, LexicalIndex
from papersift.search.vectors import VectorIndex

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["diffusion", "transformer", "black hole", "optimization", "neural network", "graph", "entropy",
           "quantum", "stability", "learning", "wave equation", "random matrix"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=1500)
    parser.add_argument("--floor", type=float, default=0.2)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("PAPERSIFT_SHARED_DATA",
                                                                           ROOT.parent / "shared" / "data")))
    args = parser.parse_args()
    rows = []
    with open(args.shared / "arxiv-listings" / "sample-5000.jsonl", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("abstract"):
                rows.append(row)
            if len(rows) == args.papers:
                break
    docs = [Document(key=i + 1, arxiv_id=r["id"], title=" ".join(r["title"].split()), abstract=r["abstract"],
                     authors=r["authors"], categories=r["categories"] or [],
                     published=date.fromisoformat(r["listing_date"])) for i, r in enumerate(rows)]
    workdir = Path(tempfile.mkdtemp(prefix="papersift-floor-"))
    lexical = LexicalIndex(workdir / "lexical")
    lexical.upsert(docs, fresh=True)
    lexical.commit()
    embedder = load_embedder()
    log(f"embedding {len(docs)} papers")
    vectors = VectorIndex(embedder.dimensions)
    vectors.upsert([d.key for d in docs], embedder.embed([document_text(d.title, d.abstract) for d in docs]))
    engine = SearchEngine(lexical, vectors, QueryEncoder(embedder, timeout=30))
    by_key = {d.key: d for d in docs}
    result = {"machine": machine("onnxruntime", "tantivy", "usearch"), "commit": git_commit(),
              "command": " ".join([".venv/bin/python"] + sys.argv), "papers": len(docs), "floor": args.floor,
              "queries": {}}
    for query in QUERIES:
        matched = engine.rank_among(query, list(by_key))
        cosines = engine._cosines(matched.query, [h.key for h in matched.hits], [])[0]
        if not cosines:
            result["queries"][query] = {"matches": 0}
            continue
        ordered = sorted(cosines.items(), key=lambda kv: kv[1])
        figures = {"matches": len(ordered), "min": round(ordered[0][1], 2),
                   "median": round(statistics.median(c for _, c in ordered), 2), "max": round(ordered[-1][1], 2),
                   "dropped": sum(1 for _, c in ordered if c < args.floor),
                   "lowest": [f"{c:.2f} {by_key[k].title[:80]}" for k, c in ordered[:3]],
                   "highest": [f"{c:.2f} {by_key[k].title[:80]}" for k, c in ordered[-2:]]}
        result["queries"][query] = figures
        print(f"{query!r}: {figures['matches']} matches, cosine {figures['min']} / {figures['median']} / "
              f"{figures['max']} (min / median / max), {figures['dropped']} below {args.floor}")
        for line in figures["lowest"] + ["..."] + figures["highest"]:
            print(f"    {line}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
