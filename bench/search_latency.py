"""Benchmark: search latency, recall and memory of papersift.search at N papers (issue 4). Prints figures only.

    .venv/bin/python bench/search_latency.py --papers 100000
    .venv/bin/python bench/search_latency.py --papers 1000000 [--workdir DIR] [--keep] [--threads 0]
    .venv/bin/python bench/search_latency.py --latency-only --workdir DIR     # latency again, on kept indexes

Corpus: the first N real papers of shared/data/arxiv-listings when N <= 173,162; above that, all real papers plus
synthetic ones built from real text with a seeded generator (title: a real title's words shuffled, or a real title
as is; abstract: 4-8 random real abstract sentences; authors, categories and date from real papers), so term
statistics stay realistic.

Vectors: embedding a million abstracts takes hours on this machine, so only the TITLES of a sample of real papers
(--embed, default 20,000) are embedded with OnnxMiniLM; every other vector is synthetic but clustered: a sampled
real title vector plus Gaussian noise (per-component sigma drawn per paper from [SIGMA_LOW, SIGMA_HIGH]),
re-normalised. A synthetic paper takes the vector of the title it was built from.

Queries: short keyword queries (3-6 consecutive words of a random real title), all distinct, so the query
encoder's cache never hits; its cache is also cleared before each mode.

Results go to bench/results/search-<N>.json. Indexes are built under a temporary directory in /tmp.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from common import git_commit, log, machine  # bench/common.py (benchmarks run as scripts from bench/)

import numpy as np
import orjson

from papersift.search import vectors as vectors_module  # imports onnxruntime before usearch (see vectors.py)
from papersift.search.embed import OnnxMiniLM, QueryEncoder
from papersift.search.engine import SearchEngine
from papersift.search.lexical import Document, LexicalIndex
from papersift.search.vectors import VectorIndex

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERSIFT_SHARED_DATA", ROOT.parent / "shared" / "data"))
SOURCE = SHARED / "arxiv-listings" / "arxiv-listings-2007-2026.jsonl.gz"
RESULTS = ROOT / "bench" / "results"
CACHE = Path(tempfile.gettempdir()) / "papersift-bench-cache"
DIMENSIONS = 384
SIGMA_LOW, SIGMA_HIGH = 0.02, 0.045  # cosine to the base title vector ~0.93 .. ~0.75
QUERIES, WARMUP = 200, 10
EF_SWEEP = [16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]
STOP = set("a an and are as at be by for from in into is of on or over the their to under via with without "
           "using towards toward its this that these we our".split())


# -- corpus -------------------------------------------------------------------------------------------------------
def load_real() -> list[dict]:
    rows = []
    with gzip.open(SOURCE, "rb") as lines:
        for line in lines:
            row = orjson.loads(line)
            rows.append({"id": row["id"], "title": " ".join(row["title"].split()),
                         "abstract": " ".join(row["abstract"].split()), "authors": row["authors"] or [],
                         "categories": row["categories"] or [], "date": row.get("listing_date")})
    return rows


def to_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z$\\(])")


def build_corpus(real: list[dict], n: int, rng: random.Random, embedded: list[int]) -> tuple[list[Document], list[int]]:
    """N documents (keys 1..N) and, for each, the index of the real paper whose title vector it derives from
    (itself when that title was embedded, else -1 = a random embedded title)."""
    documents: list[Document] = []
    source: list[int] = []
    embedded_set = set(embedded)
    for i, row in enumerate(real[:n]):
        documents.append(Document(i + 1, row["id"], row["title"], row["abstract"], row["authors"],
                                  row["categories"], to_date(row["date"])))
        source.append(i if i in embedded_set else -1)
    if n <= len(real):
        return documents, source
    sentences = [s for row in real for s in SENTENCE.split(row["abstract"]) if len(s) > 20]
    authors = [a for row in real for a in row["authors"]]
    for key in range(len(real) + 1, n + 1):
        base = embedded[rng.randrange(len(embedded))]  # the title it is built from: its vector is the base
        row = real[base]
        words = row["title"].split()
        if rng.random() < 0.7:
            rng.shuffle(words)
        title = " ".join(words)
        abstract = " ".join(rng.choice(sentences) for _ in range(rng.randint(4, 8)))
        other = real[rng.randrange(len(real))]
        documents.append(Document(key, f"synthetic/{key:07d}", title, abstract,
                                  [rng.choice(authors) for _ in range(rng.randint(1, 5))],
                                  row["categories"], to_date(other["date"])))
        source.append(base)
    return documents, source


def title_vectors(real: list[dict], indices: list[int], embedder: OnnxMiniLM) -> tuple[np.ndarray, float]:
    """Title embeddings of real[indices], cached under /tmp between runs; and the measured rate (titles/s)."""
    CACHE.mkdir(exist_ok=True)
    digest = f"{len(indices)}-{indices[0]}-{indices[-1]}-{sum(indices) % 1000003}"
    path = CACHE / f"titles-{digest}.npy"
    rate_path = path.with_suffix(".rate")
    if path.exists() and rate_path.exists():
        return np.load(path), float(rate_path.read_text())
    start = time.perf_counter()
    out = embedder.embed([real[i]["title"] for i in indices], batch_size=64)
    rate = len(indices) / (time.perf_counter() - start)
    np.save(path, out)
    rate_path.write_text(str(rate))
    return out, rate


def make_vectors(source: list[int], embedded: list[int], title_vecs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    row_of = {paper: row for row, paper in enumerate(embedded)}
    base_rows = np.array([row_of[s] if s >= 0 else -1 for s in source], dtype=np.int64)
    own = np.array([s == i for i, s in enumerate(source)], dtype=bool)  # a real paper whose own title was embedded
    random_rows = rng.integers(0, len(embedded), len(source))
    base_rows = np.where(base_rows < 0, random_rows, base_rows)
    out = np.empty((len(source), DIMENSIONS), dtype=np.float32)
    for start in range(0, len(source), 100_000):
        stop = min(start + 100_000, len(source))
        block = title_vecs[base_rows[start:stop]].copy()
        sigma = rng.uniform(SIGMA_LOW, SIGMA_HIGH, (stop - start, 1)).astype(np.float32)
        noisy = block + rng.standard_normal(block.shape, dtype=np.float32) * sigma
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        keep = own[start:stop]
        noisy[keep] = block[keep]
        out[start:stop] = noisy
    return out


def make_queries(real: list[dict], limit: int, count: int, rng: random.Random) -> list[str]:
    queries: list[str] = []
    seen: set[str] = set()
    while len(queries) < count:
        words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", real[rng.randrange(limit)]["title"])]
        words = [w for w in words if w not in STOP and len(w) > 2]
        k = rng.randint(3, 6)
        if len(words) < k:
            continue
        start = rng.randint(0, len(words) - k)
        query = " ".join(words[start:start + k])
        if query not in seen:
            seen.add(query)
            queries.append(query)
    return queries


# -- measuring ----------------------------------------------------------------------------------------------------
def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def stats(samples: list[float]) -> dict:
    ms = np.array(samples) * 1000
    return {"median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95)),
            "mean_ms": float(ms.mean()), "max_ms": float(ms.max()), "n": len(samples)}


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - start)
    return out


def exact_neighbours(matrix: np.ndarray, queries: np.ndarray, k: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """Top-k keys (row + 1) by dot product, brute force in blocks of rows."""
    best_scores = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_keys = np.zeros((len(queries), 0), dtype=np.int64)
    for start in range(0, len(matrix), 200_000):
        block = matrix[start:start + 200_000]
        scores = queries @ block.T
        if exclude is not None:
            rows = np.arange(len(queries))
            inside = (exclude - 1 >= start) & (exclude - 1 < start + len(block))
            scores[rows[inside], exclude[inside] - 1 - start] = -np.inf
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        best_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, 1)], axis=1)
        best_keys = np.concatenate([best_keys, top + start + 1], axis=1)
        order = np.argsort(-best_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(best_scores, order, 1)
        best_keys = np.take_along_axis(best_keys, order, 1)
    return best_keys


def recall(index: VectorIndex, queries: np.ndarray, truth: np.ndarray, k: int = 10, limit: int = 10,
           exclude: np.ndarray | None = None) -> tuple[float, float]:
    found, times = 0, []
    for row, vector in enumerate(queries):
        start = time.perf_counter()
        keys = [n.key for n in index.search(vector, limit)]
        times.append(time.perf_counter() - start)
        if exclude is not None:
            keys = [key for key in keys if key != exclude[row]]
        found += len(set(keys[:k]) & set(truth[row, :k].tolist()))
    return found / (k * len(queries)), float(np.median(times) * 1000)


def fts5_match(query: str) -> str:
    return " OR ".join(f'"{w}"' for w in query.split())


def proc_status() -> dict:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
            out[name] = int(value.split()[0]) * 1024
    return out


def server_probe(workdir: Path, expansion: int) -> None:
    """Child process: what one search server holds after 200 hybrid queries."""
    vectors_module.EXPANSION_SEARCH = expansion
    start = time.perf_counter()
    lexical = LexicalIndex(workdir / "tantivy")
    index = VectorIndex.open(workdir / "vectors.usearch", DIMENSIONS)
    encoder = QueryEncoder(OnnxMiniLM())
    engine = SearchEngine(lexical, index, encoder)
    ready = time.perf_counter() - start
    after_open = proc_status()
    queries = json.loads((workdir / "queries.json").read_text())
    times = timed(lambda q: engine.search(q, mode="hybrid", limit=10), queries)
    status = proc_status()
    # Peak = VmHWM. ru_maxrss is also recorded but is not this process's own peak: subprocess starts the child with
    # vfork, and Linux carries the high-water mark of the mm replaced at exec (the parent's) into ru_maxrss.
    print(json.dumps({"startup_s": ready, "after_open": after_open, "after_queries": status,
                      "peak_rss_bytes": status["VmHWM"],
                      "ru_maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                      "hybrid": stats(times)}))


def latency_only(workdir: Path, seed: int) -> None:
    """Latency again on indexes kept by an earlier run (--keep), in a fresh process holding no corpus."""
    lexical = LexicalIndex(workdir / "tantivy")
    view = VectorIndex.open(workdir / "vectors.usearch", DIMENSIONS)
    encoder = QueryEncoder(OnnxMiniLM())
    engine = SearchEngine(lexical, view, encoder)
    queries = json.loads((workdir / "queries.json").read_text())
    warmup = [f"warm up query {i} neural" for i in range(WARMUP)]
    keys = random.Random(seed).sample(range(1, len(view) + 1), QUERIES + WARMUP)
    latency: dict = {"expansion_search": vectors_module.EXPANSION_SEARCH, "load_average": [os.getloadavg()]}
    for mode in ("lexical", "dense", "hybrid"):
        for q in warmup:
            engine.search(q, mode=mode, limit=10)
        encoder._cache.clear()
        latency[mode] = stats(timed(lambda q: engine.search(q, mode=mode, limit=10), queries))
    # BM25 top 10 and nothing else: the same work as the FTS5 query below, for the ratio.
    latency["bm25_top10"] = stats(timed(lambda q: engine.search(q, mode="lexical", limit=10, snippets=False), queries))
    if (workdir / "fts5.sqlite").exists():
        db = sqlite3.connect(workdir / "fts5.sqlite")
        sql = "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 10"
        for q in warmup:
            db.execute(sql, (fts5_match(q),)).fetchall()
        latency["fts5"] = stats(timed(lambda q: db.execute(sql, (fts5_match(q),)).fetchall(), queries))
        latency["fts5_over_bm25"] = {k: latency["fts5"][k] / latency["bm25_top10"][k] for k in ("median_ms", "p95_ms")}
    for key in keys[:WARMUP]:
        engine.similar(key, limit=10)
    latency["similar"] = stats(timed(lambda key: engine.similar(key, limit=10), keys[WARMUP:]))
    encoder._cache.clear()
    latency["query_embedding"] = stats(timed(encoder.encode, queries))
    latency["load_average"].append(os.getloadavg())
    print(f"{'mode':16s} {'median ms':>10s} {'p95 ms':>10s}   ({len(view):,} vectors, expansion_search "
          f"{latency['expansion_search']}, load {latency['load_average'][0][0]:.1f} / {latency['load_average'][1][0]:.1f})")
    for mode in ("lexical", "bm25_top10", "dense", "hybrid", "similar", "query_embedding", "fts5"):
        if mode in latency:
            print(f"{mode:16s} {latency[mode]['median_ms']:10.2f} {latency[mode]['p95_ms']:10.2f}")
    if "fts5_over_bm25" in latency:
        ratio = latency["fts5_over_bm25"]
        print(f"FTS5 / tantivy BM25 top 10: {ratio['median_ms']:.0f}x median, {ratio['p95_ms']:.0f}x p95")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"search-{len(view)}-latency-only.json").write_text(json.dumps(latency, indent=2))


# -- the run ------------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, help="where the indexes go (default: a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the indexes afterwards")
    parser.add_argument("--embed", type=int, default=20_000, help="real titles actually embedded")
    parser.add_argument("--threads", type=int, default=0, help="usearch add threads (0: all cores)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-fts5", action="store_true")
    parser.add_argument("--latency-only", action="store_true",
                        help="only re-run the latency part on the indexes a --keep run left in --workdir")
    parser.add_argument("--server-probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--expansion", type=int, default=vectors_module.EXPANSION_SEARCH, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.server_probe:
        server_probe(args.server_probe, args.expansion)
        return
    if args.latency_only:
        if not args.workdir:
            parser.error("--latency-only needs --workdir")
        latency_only(args.workdir, args.seed)
        return

    n = args.papers
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"papersift-search-{n}-", dir="/tmp"))
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict = {"papers": n, "machine": machine("onnxruntime", "tantivy", "usearch"), "command": " ".join([".venv/bin/python"] + sys.argv),
                    "workdir": str(workdir), "constants": {
                        "CONNECTIVITY": vectors_module.CONNECTIVITY, "EXPANSION_ADD": vectors_module.EXPANSION_ADD,
                        "EXPANSION_SEARCH": vectors_module.EXPANSION_SEARCH}, "started": time.strftime("%Y-%m-%d %H:%M"),
                    "commit": git_commit()}
    log(f"workdir {workdir}")
    try:
        run(args, n, workdir, result)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"search-{n}.json"
    out.write_text(json.dumps(result, indent=2))
    report(result)
    log(f"wrote {out}")


def run(args, n: int, workdir: Path, result: dict) -> None:
    rng, nprng = random.Random(args.seed), np.random.default_rng(args.seed)
    real = load_real()
    in_corpus = min(n, len(real))
    embedded = sorted(rng.sample(range(in_corpus), min(args.embed, in_corpus)))
    embedder = OnnxMiniLM()
    title_vecs, rate = title_vectors(real, embedded, embedder)
    log(f"{len(embedded)} real titles embedded at {rate:.0f} titles/s")
    documents, source = build_corpus(real, n, rng, embedded)
    matrix = make_vectors(source, embedded, title_vecs, nprng)
    queries = make_queries(real, in_corpus, QUERIES + WARMUP, rng)
    warmup, queries = queries[:WARMUP], queries[WARMUP:]
    (workdir / "queries.json").write_text(json.dumps(queries))
    result["corpus"] = {"real": in_corpus, "synthetic": n - in_corpus, "titles_embedded": len(embedded),
                        "title_embed_rate_per_s": rate, "sigma": [SIGMA_LOW, SIGMA_HIGH],
                        "queries": len(queries), "query_examples": queries[:5]}
    gc.collect()
    gc.freeze()  # a million Document objects stay alive for FTS5: keep them out of every GC pass during timing
    log(f"corpus ready: {n} documents ({n - in_corpus} synthetic)")

    # 1. build ----------------------------------------------------------------------------------------------------
    lexical_path = workdir / "tantivy"
    start = time.perf_counter()
    builder = LexicalIndex(lexical_path)
    builder.upsert(documents)
    builder.commit()
    seconds = time.perf_counter() - start
    result["tantivy_build"] = {"seconds": seconds, "docs_per_s": n / seconds, "bytes": dir_size(lexical_path),
                               "count": builder.count()}
    del builder
    log(f"tantivy: {seconds:.1f} s, {n / seconds:.0f} docs/s, {dir_size(lexical_path) / 2**20:.0f} MiB")

    vector_path = workdir / "vectors.usearch"
    start = time.perf_counter()
    building = VectorIndex(DIMENSIONS)
    for chunk in range(0, n, 100_000):
        building.upsert(np.arange(chunk + 1, min(chunk + 100_000, n) + 1), matrix[chunk:chunk + 100_000],
                        threads=args.threads)
        log(f"hnsw: {min(chunk + 100_000, n)} vectors after {time.perf_counter() - start:.0f} s")
    add_seconds = time.perf_counter() - start
    building.save(vector_path)
    seconds = time.perf_counter() - start
    del building
    result["hnsw_build"] = {"seconds": seconds, "add_seconds": add_seconds, "vectors_per_s": n / seconds,
                            "threads": args.threads, "bytes": vector_path.stat().st_size}
    log(f"hnsw: {seconds:.1f} s, {vector_path.stat().st_size / 2**20:.0f} MiB")

    # 2. recall ---------------------------------------------------------------------------------------------------
    query_vecs = embedder.embed(queries)
    stored = matrix.astype(np.float16).astype(np.float32)  # ground truth on what the index stores (f16)
    truth = exact_neighbours(stored, query_vecs, 100)
    sample_keys = np.array(rng.sample(range(1, n + 1), QUERIES), dtype=np.int64)
    similar_truth = exact_neighbours(stored, stored[sample_keys - 1], 10, exclude=sample_keys)
    similar_queries = stored[sample_keys - 1].copy()  # what engine.similar searches with: the stored vector
    nn = (similar_queries * stored[similar_truth[:, 0] - 1]).sum(axis=1)
    result["nearest_neighbour_cosine"] = {"median": float(np.median(nn)), "p10": float(np.percentile(nn, 10)),
                                          "p90": float(np.percentile(nn, 90))}
    del stored
    sweep = []
    for ef in EF_SWEEP:
        vectors_module.EXPANSION_SEARCH = ef
        view = VectorIndex.open(vector_path, DIMENSIONS)
        r10, ms = recall(view, query_vecs, truth, 10, 10)
        r_sim, _ = recall(view, similar_queries, similar_truth, 10, 11, exclude=sample_keys)
        r100, ms100 = recall(view, query_vecs, truth, 10, 100)
        sweep.append({"expansion_search": ef, "recall10_k10": r10, "median_ms_k10": ms, "recall10_similar": r_sim,
                      "recall10_k100": r100, "median_ms_k100": ms100})
        log(f"ef {ef}: recall@10 {r10:.3f} (similar {r_sim:.3f}, top-10 of 100 {r100:.3f}), {ms:.2f} ms")
    result["recall"] = sweep
    enough = [row["expansion_search"] for row in sweep
              if row["recall10_k10"] >= 0.95 and row["recall10_similar"] >= 0.95]
    result["min_expansion_for_0.95"] = enough[0] if enough else None
    expansion = max(result["constants"]["EXPANSION_SEARCH"], enough[0] if enough else EF_SWEEP[-1])
    result["expansion_used_for_latency"] = expansion
    vectors_module.EXPANSION_SEARCH = expansion
    del matrix

    # 3. latency --------------------------------------------------------------------------------------------------
    lexical = LexicalIndex(lexical_path)
    view = VectorIndex.open(vector_path, DIMENSIONS)
    encoder = QueryEncoder(embedder)
    engine = SearchEngine(lexical, view, encoder)
    latency = {}
    load_before = os.getloadavg()
    for mode in ("lexical", "dense", "hybrid"):
        for q in warmup:
            engine.search(q, mode=mode, limit=10)
        encoder._cache.clear()
        latency[mode] = stats(timed(lambda q: engine.search(q, mode=mode, limit=10), queries))
    # BM25 top 10 and nothing else: the same work as the FTS5 query below, for the ratio.
    latency["bm25_top10"] = stats(timed(lambda q: engine.search(q, mode="lexical", limit=10, snippets=False), queries))
    if (workdir / "fts5.sqlite").exists():
        db = sqlite3.connect(workdir / "fts5.sqlite")
        sql = "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 10"
        for q in warmup:
            db.execute(sql, (fts5_match(q),)).fetchall()
        latency["fts5"] = stats(timed(lambda q: db.execute(sql, (fts5_match(q),)).fetchall(), queries))
        latency["fts5_over_bm25"] = {k: latency["fts5"][k] / latency["bm25_top10"][k] for k in ("median_ms", "p95_ms")}
        log(f"{mode}: median {latency[mode]['median_ms']:.1f} ms, p95 {latency[mode]['p95_ms']:.1f} ms")
    for key in sample_keys[:WARMUP]:
        engine.similar(int(key), limit=10)
    latency["similar"] = stats(timed(lambda key: engine.similar(int(key), limit=10), sample_keys.tolist()))
    encoder._cache.clear()
    latency["query_embedding"] = stats(timed(encoder.encode, queries))
    latency["lexical_no_snippets"] = stats(timed(lambda q: engine.search(q, mode="lexical", limit=10,
                                                                        snippets=False), queries))
    latency["load_average"] = [load_before, os.getloadavg()]
    log(f"similar: median {latency['similar']['median_ms']:.1f} ms, p95 {latency['similar']['p95_ms']:.1f} ms; "
        f"query embedding median {latency['query_embedding']['median_ms']:.1f} ms")
    result["latency"] = latency

    # 5. memory (before FTS5, so its page cache pressure does not matter) --------------------------------------
    probe = subprocess.run([sys.executable, __file__, "--server-probe", str(workdir), "--expansion", str(expansion)],
                           capture_output=True, text=True, check=True)
    result["server"] = json.loads(probe.stdout.strip().splitlines()[-1])
    log(f"server: peak RSS (VmHWM) {result['server']['peak_rss_bytes'] / 2**20:.0f} MiB")

    # 4. SQLite FTS5 ----------------------------------------------------------------------------------------------
    if args.skip_fts5:
        return
    fts_path = workdir / "fts5.sqlite"
    start = time.perf_counter()
    db = sqlite3.connect(fts_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, abstract, tokenize='porter unicode61')")
    with db:
        db.executemany("INSERT INTO t(rowid, title, abstract) VALUES (?, ?, ?)",
                       ((d.key, d.title, d.abstract) for d in documents))
    insert_seconds = time.perf_counter() - start
    with db:
        db.execute("INSERT INTO t(t) VALUES ('optimize')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds = time.perf_counter() - start
    result["fts5_build"] = {"seconds": seconds, "insert_seconds": insert_seconds, "docs_per_s": n / seconds,
                            "bytes": fts_path.stat().st_size, "tokenizer": "porter unicode61"}
    log(f"fts5: {seconds:.1f} s, {fts_path.stat().st_size / 2**20:.0f} MiB")
    sql = "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 10"
    for q in warmup:
        db.execute(sql, (fts5_match(q),)).fetchall()
    fts = stats(timed(lambda q: db.execute(sql, (fts5_match(q),)).fetchall(), queries))
    result["fts5"] = fts
    result["ratios"] = {"fts5_over_lexical_median": fts["median_ms"] / latency["lexical"]["median_ms"],
                        "fts5_over_lexical_p95": fts["p95_ms"] / latency["lexical"]["p95_ms"],
                        "fts5_over_hybrid_median": fts["median_ms"] / latency["hybrid"]["median_ms"],
                        "fts5_over_hybrid_p95": fts["p95_ms"] / latency["hybrid"]["p95_ms"]}
    log(f"fts5: median {fts['median_ms']:.1f} ms, p95 {fts['p95_ms']:.1f} ms")
    db.close()


def report(r: dict) -> None:
    mib = 2 ** 20
    print(f"\n== search latency at {r['papers']:,} papers ({r['corpus']['synthetic']:,} synthetic) ==")
    m = r["machine"]
    print(f"machine: {m['nproc']} cores, {m['cpu']}, {m['ram_bytes'] / 2**30:.1f} GiB; usearch {m['usearch']}, "
          f"onnxruntime {m['onnxruntime']}, sqlite {m['sqlite']}")
    t, h = r["tantivy_build"], r["hnsw_build"]
    print(f"tantivy build  {t['seconds']:8.1f} s  {t['docs_per_s']:8.0f} docs/s   {t['bytes'] / mib:8.0f} MiB")
    print(f"HNSW build     {h['seconds']:8.1f} s  {h['vectors_per_s']:8.0f} vecs/s   {h['bytes'] / mib:8.0f} MiB (f16)")
    if "fts5_build" in r:
        f = r["fts5_build"]
        print(f"FTS5 build     {f['seconds']:8.1f} s  {f['docs_per_s']:8.0f} docs/s   {f['bytes'] / mib:8.0f} MiB")
    print("\nexpansion_search  recall@10 (k=10)  similar  top-10 of k=100  ms/query (k=10)")
    for row in r["recall"]:
        print(f"{row['expansion_search']:16d}  {row['recall10_k10']:16.3f}  {row['recall10_similar']:7.3f}  "
              f"{row['recall10_k100']:15.3f}  {row['median_ms_k10']:8.2f}")
    print(f"smallest expansion_search with recall@10 >= 0.95: {r['min_expansion_for_0.95']}; "
          f"latency measured at {r['expansion_used_for_latency']}")
    print(f"\n{'mode':24s} {'median ms':>10s} {'p95 ms':>10s}")
    rows = [(k, r["latency"][k]) for k in ("lexical", "lexical_no_snippets", "dense", "hybrid", "similar",
                                           "query_embedding")]
    if "fts5" in r:
        rows.append(("fts5 (bm25, OR)", r["fts5"]))
    for name, s in rows:
        print(f"{name:24s} {s['median_ms']:10.2f} {s['p95_ms']:10.2f}")
    if "ratios" in r:
        q = r["ratios"]
        print(f"FTS5 / tantivy lexical: {q['fts5_over_lexical_median']:.1f}x median, {q['fts5_over_lexical_p95']:.1f}x p95;"
              f" FTS5 / hybrid: {q['fts5_over_hybrid_median']:.1f}x median, {q['fts5_over_hybrid_p95']:.1f}x p95")
    s = r["server"]
    print(f"server process: peak RSS (VmHWM) {s['peak_rss_bytes'] / mib:.0f} MiB"
          f" (ru_maxrss {s['ru_maxrss_bytes'] / mib:.0f} MiB, inherited from the parent at exec),"
          f" VmRSS {s['after_queries']['VmRSS'] / mib:.0f}"
          f" MiB (anon {s['after_queries'].get('RssAnon', 0) / mib:.0f}, file {s['after_queries'].get('RssFile', 0) / mib:.0f}),"
          f" startup {s['startup_s']:.2f} s, hybrid p95 {s['hybrid']['p95_ms']:.1f} ms")
    print(f"load average during latency: {r['latency']['load_average']}")


if __name__ == "__main__":
    main()
