"""Benchmark: author pages over the 173,162 papers of shared/data/arxiv-listings, on SQLite or PostgreSQL (issue 15).

    .venv/bin/python bench/authors.py                      # fresh SQLite database in a temporary DATA_DIR
    .venv/bin/python bench/authors.py --postgres           # a PostgreSQL server started here (tests/pgserver.py)
    .venv/bin/python bench/authors.py --database-url postgresql://user:pw@host:5432/empty_db

Ingests the listings with `arxiv-listing` into an empty catalog, timing the part of the upsert that keeps the
author index (`Authorship`) in step. Then, for the 5 most prolific names and 200 names drawn at random (seed 0)
from the index, times `catalog.selectors.author_page` (count, spellings, newest-first page of 50 with counts)
and, for comparison, what it would cost without the index: `Paper.objects.filter(authors__icontains=name)`, a
scan of the JSON author lists (which still needs an exact check in Python afterwards). Prints figures only; they
also go to bench/results/authors-<vendor>.json (git-ignored).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import git_commit, log, machine, percentile  # bench/common.py (benchmarks run as scripts from bench/)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("PAPERSIFT_SHARED_DATA",
                                                                           ROOT.parent / "shared" / "data")))
    parser.add_argument("--database-url", help="an empty database to run on instead of SQLite in DATA_DIR")
    parser.add_argument("--postgres", action="store_true", help="start a PostgreSQL server here and run on it")
    parser.add_argument("--names", type=int, default=200, help="random names to look up")
    parser.add_argument("--scans", type=int, default=10, help="names to look up by scanning JSON (slow)")
    parser.add_argument("--papers", type=int, help="only the first N papers of the listings (a quicker run)")
    args = parser.parse_args()
    source = args.shared / "arxiv-listings" / "arxiv-listings-2007-2026.jsonl.gz"
    if not source.is_file():
        parser.error(f"{source} not found (see --shared)")
    workdir = Path(tempfile.mkdtemp(prefix="papersift-authors-", dir="/tmp"))
    if args.papers:
        source = first_lines(source, args.papers, workdir / "listings.jsonl")
    os.environ["PAPERSIFT_DATA_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "papersift.settings"
    server = None
    if args.postgres:
        sys.path.insert(0, str(ROOT))
        from tests.pgserver import PostgresServer

        server = PostgresServer().start()
        args.database_url = server.create_database("authors_bench")
    if args.database_url:
        os.environ["PAPERSIFT_DATABASE_URL"] = args.database_url
    try:
        result = run(args, source)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"authors-{result['database']}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


def first_lines(source: Path, count: int, target: Path) -> Path:
    with gzip.open(source, "rt", encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        for number, line in enumerate(lines):
            if number >= count:
                break
            out.write(line)
    return target


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - started


def run(args, source: Path) -> dict:
    import django
    django.setup()
    from django.db import connection
    from django.db.models import Count

    from papersift.catalog import selectors, services
    from papersift.catalog.authors import name_key
    from papersift.catalog.maintenance import migrate_if_needed
    from papersift.catalog.models import Authorship, Paper
    from papersift.ingest.services import Ingest

    result: dict = {"machine": machine("django"), "command": " ".join([".venv/bin/python"] + sys.argv),
                    "started": time.strftime("%Y-%m-%d %H:%M"), "commit": git_commit(),
                    "database": connection.vendor, "load_before": os.getloadavg()[0]}
    migrate_if_needed()

    # 1. ingest, timing the author index's share --------------------------------------------------------------------
    spent = [0.0]
    keep_index = services._write_authorships

    def counted(*a, **k):
        started = time.perf_counter()
        keep_index(*a, **k)
        spent[0] += time.perf_counter() - started

    services._write_authorships = counted
    report, seconds = timed(Ingest("arxiv-listing").run, [str(source)])
    services._write_authorships = keep_index
    if report.error_count:
        raise SystemExit(f"ingest reported {report.error_count} problems")
    papers, rows = Paper.objects.count(), Authorship.objects.count()
    result["ingest"] = {"papers": papers, "authorships": rows, "seconds": round(seconds, 1),
                        "bm25_seconds": round(report.index_seconds, 1), "author_index_seconds": round(spent[0], 1),
                        "author_index_share_of_catalog_write": round(spent[0] / (seconds - report.index_seconds), 3)}
    log(f"ingest {papers:,} papers, {rows:,} authorships: {seconds:.1f} s, of which author index {spent[0]:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # 2. names: the most prolific, and random ones ------------------------------------------------------------------
    top = list(Authorship.objects.values("key").annotate(n=Count("id")).order_by("-n")[:5])
    keys = list(Authorship.objects.order_by("id").values_list("key", flat=True)[:: max(1, rows // 20000)])
    random.Random(0).shuffle(keys)
    names = {key: Authorship.objects.filter(key=key).values_list("name", flat=True).first()
             for key in [row["key"] for row in top] + keys[:args.names]}

    # 3. author pages through the index -----------------------------------------------------------------------------
    samples, biggest = [], {}
    for _ in range(2):                               # the second round is timed (warm caches, as a server runs)
        samples.clear()
        for key, name in names.items():
            page, seconds = timed(selectors.author_page, name)
            samples.append(seconds)
            biggest[name] = page.total
    result["author_page"] = {"names": len(samples), "p50_ms": round(percentile(samples, 0.5), 2),
                             "p95_ms": round(percentile(samples, 0.95), 2), "max_ms": round(max(samples) * 1000, 2),
                             "most_prolific": {names[row["key"]]: row["n"] for row in top}}
    log(f"author_page: p50 {result['author_page']['p50_ms']} ms, p95 {result['author_page']['p95_ms']} ms")

    # 4. the same without the index: scanning the JSON author lists -------------------------------------------------
    scans = []
    for name in list(names.values())[5:5 + args.scans]:
        found, seconds = timed(lambda n: [p for p in Paper.objects.filter(authors__icontains=n)
                                          .only("id", "authors") if any(name_key(a) == name_key(n) for a in p.authors)],
                               name)
        scans.append(seconds)
        assert len(found) <= biggest[name]           # icontains misses accent/spacing variants the key folds
    result["json_scan"] = {"names": len(scans), "p50_ms": round(percentile(scans, 0.5), 1),
                           "p95_ms": round(percentile(scans, 0.95), 1)}
    log(f"JSON scan: p50 {result['json_scan']['p50_ms']} ms")
    result["load_after"] = os.getloadavg()[0]
    return result


if __name__ == "__main__":
    main()
