"""Benchmark: pages and API under concurrent readers, through `papersift serve` (gunicorn) and wrk (issue 16).

    .venv/bin/python bench/load.py --workdir /tmp/psbench/load --keep               # all 173,162 papers, hybrid
    .venv/bin/python bench/load.py --workdir /tmp/psbench/load --serve-only         # measure again, kept catalog
    .venv/bin/python bench/load.py --papers 20000 --connections 4,16 --duration 20
    .venv/bin/python bench/load.py --workdir /tmp/psbench/load --serve-only --page-cache 0          # every page rendered
    .venv/bin/python bench/load.py --workdir /tmp/psbench/load --serve-only --page-cache 3600 --prime  # repeat visits

Targets (issue 16, this 2-core machine, loopback, hybrid search): search page >= 250 req/s with p99 <= 100 ms at
16 connections; paper page >= 300 req/s; the HF-compatible search as fast as papersift's own. Prints figures only;
nothing is asserted. Needs `wrk` (apt-get install wrk).

Catalog: the first N papers of shared/data/arxiv-listings (default all), ingested with `papersift ingest
arxiv-listing` into a fresh SQLite DATA_DIR. Vectors: embedding 173 K abstracts takes hours on two cores, so, as in
bench/search_latency.py, the TITLES of a random sample (--embed, default 5,000) are embedded with the shipped
model and every other paper gets a sampled title's vector plus Gaussian noise (sigma 0.03 per component),
re-normalised. They are stored as ordinary Embedding rows and `papersift index rebuild` builds the HNSW index from
them, so the server does exactly what it does in production: embeds the query (the real model), searches tantivy
and usearch, fuses, renders. The semantic hits are meaningless for relevance; the work per request is real.

Load: wrk, 2 threads, each request a random path from a fixed list: 5,000 distinct keyword queries (3-5
consecutive words of random real titles; the query-embedding cache holds 2,048, so later requests partly hit it,
as repeated queries do in production) or 2,000 random paper ids. The server: `papersift serve --no-worker`, its
default workers and threads unless --workers/--threads, PAPERSIFT_AUTO_UPDATE off, its page cache for readers
who are not signed in as configured (`--page-cache 0`: every request rendered, the cost of a page nobody asked
for in the last PAPERSIFT_PAGE_CACHE_SECONDS). wrk runs on the same two cores
as the server (it takes about a tenth of one). Results also go to bench/results/load.json (git-ignored).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from common import ROOT, git_commit, log, machine

LISTINGS = ROOT.parent / "shared" / "data" / "arxiv-listings" / "arxiv-listings-2007-2026.jsonl.gz"
CLI = Path(sys.executable).parent / "papersift"
SIGMA = 0.03

#: name, path template ({q}: a query, {id}: an arXiv id)
ROUTES = [
    ("search page", "/search?q={q}"),
    ("paper page", "/papers/{id}"),
    ("/api/search", "/api/search?q={q}"),
    ("/api/papers/search (HF)", "/api/papers/search?q={q}"),
]
# The daily list is not here: the listings corpus has no Hugging Face days, so `/papers` would be an empty day;
# bench/daily_page.py measures the list pages on the full Hugging Face archive.

WRK_SCRIPT = """
local paths = {%s}
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%%x+)") or "0", 16))
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def environment(workdir: Path) -> dict:
    return {**os.environ, "PAPERSIFT_DATA_DIR": str(workdir), "PAPERSIFT_AUTO_UPDATE": "false",
            "PAPERSIFT_DATABASE_URL": "", "DJANGO_SETTINGS_MODULE": "papersift.settings"}


def real_papers(limit: int) -> list[dict]:
    papers = []
    with gzip.open(LISTINGS, "rt", encoding="utf-8") as lines:
        for line in lines:
            papers.append(json.loads(line))
            if len(papers) >= limit:
                break
    return papers


def build(workdir: Path, papers: list[dict], embed: int, seed: int) -> None:
    """Ingest, store vectors as Embedding rows, build the indexes; a catalog kept in ``workdir`` is reused."""
    env = environment(workdir)
    source = workdir / "listings.jsonl"
    with open(source, "w", encoding="utf-8") as out:
        for paper in papers:
            out.write(json.dumps(paper) + "\n")
    log(f"ingest {len(papers):,} papers")
    started = time.perf_counter()
    subprocess.run([str(CLI), "ingest", "arxiv-listing", str(source), "--no-progress"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    log(f"ingested in {time.perf_counter() - started:.0f} s")
    source.unlink()
    store_vectors(workdir, embed, seed)
    log("index rebuild")
    started = time.perf_counter()
    subprocess.run([str(CLI), "index", "rebuild"], env=env, check=True, stdout=subprocess.DEVNULL)
    log(f"indexes built in {time.perf_counter() - started:.0f} s")
    (workdir / "load-bench-built").write_text(json.dumps({"papers": len(papers), "embed": embed, "seed": seed}))


def store_vectors(workdir: Path, embed: int, seed: int) -> None:
    os.environ.update(environment(workdir))
    import django

    django.setup()
    from django.db import transaction

    from papersift.catalog.models import Paper
    from papersift.indexing.models import Embedding
    from papersift.indexing.services import text_hash
    from papersift.search.embed import load_embedder

    rows = list(Paper.objects.order_by("id").values_list("id", "title", "abstract", "content_hash"))
    rng = np.random.default_rng(seed)
    sampled = rng.choice(len(rows), size=min(embed, len(rows)), replace=False)
    embedder = load_embedder()
    log(f"embed {len(sampled):,} titles")
    started = time.perf_counter()
    titles = embedder.embed([rows[i][1] for i in sampled])
    log(f"embedded in {time.perf_counter() - started:.0f} s; synthetic vectors for the rest")
    base = {int(i): vector for i, vector in zip(sampled, titles)}
    Embedding.objects.filter(model_id=embedder.model_id).delete()
    for start in range(0, len(rows), 5000):
        chunk = rows[start:start + 5000]
        vectors = []
        for offset in range(len(chunk)):
            index = start + offset
            if index in base:
                vectors.append(base[index])
            else:
                noisy = titles[rng.integers(len(titles))] + rng.normal(0, SIGMA, titles.shape[1])
                vectors.append(noisy / np.linalg.norm(noisy))
        with transaction.atomic():
            Embedding.objects.bulk_create([
                Embedding(paper_id=pid, model_id=embedder.model_id, content_hash=content,
                          text_hash=text_hash(title, abstract), vector=np.asarray(v, dtype="<f2").tobytes())
                for (pid, title, abstract, content), v in zip(chunk, vectors)])


def queries(papers: list[dict], count: int, rng: random.Random) -> list[str]:
    found: set[str] = set()
    while len(found) < count:
        words = re.findall(r"[A-Za-z][A-Za-z-]{2,}", rng.choice(papers)["title"])
        if len(words) < 3:
            continue
        size = rng.randint(3, min(5, len(words)))
        start = rng.randint(0, len(words) - size)
        found.add(" ".join(words[start:start + size]).lower())
    return sorted(found)


def serve(workdir: Path, port: int, workers: int | None, threads: int | None,
          page_cache: int | None = None) -> subprocess.Popen:
    env = environment(workdir)
    if threads:
        env["PAPERSIFT_SERVER_THREADS"] = str(threads)
    if page_cache is not None:
        env["PAPERSIFT_PAGE_CACHE_SECONDS"] = str(page_cache)
    args = [str(CLI), "serve", "--port", str(port), "--no-worker"]
    if workers:
        args += ["--workers", str(workers)]
    out = open(workdir / "serve.out", "w")
    proc = subprocess.Popen(args, env=env, stdout=out, stderr=open(workdir / "serve.err", "w"), text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while "papersift is ready" not in (workdir / "serve.out").read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server did not start:\n{(workdir / 'serve.err').read_text()[-3000:]}")
        time.sleep(0.5)
    return proc


def wrk(base: str, paths: list[str], connections: int, duration: int, script_dir: Path) -> dict:
    from urllib.parse import quote

    script = script_dir / "paths.lua"
    quoted = ",".join(json.dumps(quote(p, safe="/?=&")) for p in paths)
    script.write_text(WRK_SCRIPT % quoted)
    done = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
                           "--latency", "-s", str(script), base], capture_output=True, text=True, check=True)
    text = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", text, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sockets = re.search(r"Socket errors: (.*)", text)
    return {"req_per_s": rate, "p50_ms": _ms(latency.get("50")), "p99_ms": _ms(latency.get("99")),
            "non_2xx": int(errors.group(1)) if errors else 0, "socket_errors": sockets.group(1) if sockets else ""}


def prime(base: str, paths: list[str], connections: int = 4) -> float:
    """Ask for every path once (``connections`` at a time), so the rows that follow measure repeat visits: pages
    already kept by the page cache. Returns the seconds it took."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    started = time.perf_counter()
    with httpx.Client(base_url=base, timeout=60) as client, ThreadPoolExecutor(connections) as pool:
        statuses = list(pool.map(lambda path: client.get(path).status_code, paths))
    bad = [code for code in statuses if code != 200]
    if bad:
        raise SystemExit(f"priming: {len(bad)} of {len(paths)} answers were not 200 (e.g. {bad[0]})")
    return time.perf_counter() - started


def landing(base: str, path: str) -> str:
    """The path a redirect lands on (`/papers` is the latest day's list), so wrk measures the page, not a 302."""
    import httpx

    return httpx.URL(str(httpx.get(base + path, follow_redirects=True, timeout=60).url)).raw_path.decode()


def _ms(value: str | None) -> float | None:
    if value is None:
        return None
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()
    return round(float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=173_162)
    parser.add_argument("--embed", type=int, default=5000, help="titles embedded with the real model")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--serve-only", action="store_true", help="reuse the catalog kept in --workdir")
    parser.add_argument("--connections", default="4,16")
    parser.add_argument("--duration", type=int, default=20, help="seconds per route and connection count")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--distinct", type=int,
                        help="use only the first N queries and ids (1: one address per route, as plain wrk does)")
    parser.add_argument("--prime", action="store_true",
                        help="ask for every path once before a route's rows: measure repeat visits (kept pages)")
    parser.add_argument("--page-cache", type=int, metavar="SECONDS",
                        help="PAPERSIFT_PAGE_CACHE_SECONDS for the server (0: every request rendered); default its own")
    parser.add_argument("--routes", default=",".join(name for name, _ in ROUTES))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="papersift-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    marker = workdir / "load-bench-built"
    count = json.loads(marker.read_text())["papers"] if args.serve_only and marker.exists() else args.papers
    papers = real_papers(count)      # read once: the build ingests them, the load draws its paths from them
    if not args.serve_only or not marker.exists():
        build(workdir, papers, args.embed, args.seed)
    built = json.loads(marker.read_text())
    rng = random.Random(args.seed)
    chosen = {"q": queries(papers, 5000, rng), "id": [p["id"] for p in rng.sample(papers, min(2000, len(papers)))]}
    if args.distinct:
        chosen = {key: values[:args.distinct] for key, values in chosen.items()}
    from tests.pgserver import free_port   # noqa: E402  (the suite's race-free port helper)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve(workdir, port, args.workers, args.threads, args.page_cache)
    result = {"commit": git_commit(), "machine": machine(), "papers": built["papers"], "embedded": built["embed"],
              "workers": args.workers, "threads": args.threads, "page_cache_s": args.page_cache, "primed": args.prime,
              "distinct": args.distinct,
              "duration_s": args.duration, "routes": {}}
    try:
        wanted = args.routes.split(",")
        for name, template in ROUTES:
            if name not in wanted:
                continue
            key = "q" if "{q}" in template else "id" if "{id}" in template else None
            paths = [template.format(**{key: value}) for value in chosen[key]] if key else [landing(base, template)]
            wrk(base, paths[:50], 2, 5, workdir)                              # warm-up: models, caches, mmaps
            if args.prime:
                log(f"{name}: every one of {len(paths):,} paths asked for once in {prime(base, paths):.0f} s")
            for connections in [int(c) for c in args.connections.split(",")]:
                figures = wrk(base, paths, connections, args.duration, workdir)
                figures["load"] = round(os.getloadavg()[0], 1)
                result["routes"].setdefault(name, {})[str(connections)] = figures
                log(f"{name:26} c={connections:<3} {figures['req_per_s']:7.1f} req/s  p50 {figures['p50_ms']} ms  "
                    f"p99 {figures['p99_ms']} ms  non-2xx {figures['non_2xx']} {figures['socket_errors']}")
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(60)
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    out = ROOT / "bench" / "results" / "load.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result["routes"], indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
