"""Benchmark: server-side render time of the daily pages with the full Hugging Face archive loaded (issue 5).

Target: the daily page renders in <= 100 ms p95 server-side with 10 K papers loaded. Prints figures only.

    .venv/bin/python bench/daily_page.py                          # fresh SQLite database in a temporary DATA_DIR
    .venv/bin/python bench/daily_page.py --iterations 500 --workdir /tmp/psbench/pages --keep
    .venv/bin/python bench/daily_page.py --database-url postgresql://user:pw@host:5432/papersift_bench

Loads `shared/data/hf-daily/raw` (9,877 papers, 580 listing days) with the `hf-daily` ingest, in process, into
an empty catalog (DATA_DIR is a new temporary directory unless --workdir; the SQLite database and the BM25 index
that ingest builds live there; --database-url puts the catalog on PostgreSQL instead, which must be empty for
"ingest" to mean a first load). Then each page is requested through Django's test Client (the whole middleware
stack, URL resolution, the view, template rendering; no network, no WSGI server), after a warm-up, N times:

    /papers                          the latest listing day (what `/` redirects to)
    /papers/date/<busiest day>       the day with the most listings
    /papers/week/<its ISO week>      /papers/month/<its month>
    /papers/<arxiv id>               the paper page (listings, BibTeX, 6 similar papers from the BM25 index;
                                     the busiest day's papers in turn)
    /api/daily_papers?date=<busiest day>
    /papers/feed.atom                the daily Atom feed (last 7 listing days, 50 items)

Every response must be 200 (a correctness check; no time is asserted). SQL queries per request are counted on one
extra request with CaptureQueriesContext. Figures also go to bench/results/daily-page.json (git-ignored).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import git_commit, log, machine, percentile  # bench/common.py (benchmarks run as scripts from bench/)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TARGET_P95_MS = 100.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, help="DATA_DIR for the database and index (default: a new "
                                                     "temporary directory, deleted afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary DATA_DIR afterwards")
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("PAPERSIFT_SHARED_DATA",
                                                                           ROOT.parent / "shared" / "data")),
                        help="the shared data folder (default: <repo>/../shared/data)")
    parser.add_argument("--database-url", help="run on this database (e.g. PostgreSQL) instead of SQLite in DATA_DIR")
    parser.add_argument("--iterations", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per page first")
    args = parser.parse_args()
    archive = args.shared / "hf-daily" / "raw"
    if not archive.is_dir():
        parser.error(f"{archive} is not a folder (see --shared)")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="papersift-pages-", dir="/tmp"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["PAPERSIFT_DATA_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "papersift.settings"
    if args.database_url:
        os.environ["PAPERSIFT_DATABASE_URL"] = args.database_url
    try:
        result = run(args, archive, workdir)
    finally:
        if not args.workdir and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    report(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "daily-page.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


def run(args, archive: Path, workdir: Path) -> dict:
    import django
    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from papersift.catalog.maintenance import migrate_if_needed
    from papersift.catalog.models import DailyListing, Paper
    from papersift.catalog.selectors import Window, latest_window
    from papersift.ingest.services import Ingest

    result: dict = {"machine": machine("django"), "command": " ".join([".venv/bin/python"] + sys.argv),
                    "started": time.strftime("%Y-%m-%d %H:%M"), "commit": git_commit(),
                    "database": connection.vendor, "workdir": str(workdir),
                    "iterations": args.iterations, "warmup": args.warmup, "target_p95_ms": TARGET_P95_MS}
    log(f"DATA_DIR {workdir}, database {connection.vendor}")

    # 1. load the archive -----------------------------------------------------------------------------------------
    migrate_if_needed()
    started = time.perf_counter()
    ingest = Ingest("hf-daily").run([str(archive)])
    seconds = time.perf_counter() - started
    summary = ingest.as_dict()
    if ingest.error_count:
        raise SystemExit(f"ingest reported {ingest.error_count} problems: {summary['problems'][:5]}")
    result["ingest"] = {"seconds": seconds, "index_seconds": ingest.index_seconds, "indexed": ingest.indexed,
                        "papers": summary["papers"], "listings": summary["listings"], "inputs": summary["inputs"]}
    result["catalog"] = {"papers": Paper.objects.count(), "listings": DailyListing.objects.count(),
                         "listing_days": DailyListing.objects.values("date").distinct().count()}
    log(f"ingest: {seconds:.1f} s ({ingest.index_seconds:.1f} s of it BM25 indexing); "
        f"{result['catalog']['papers']:,} papers, {result['catalog']['listings']:,} listings on "
        f"{result['catalog']['listing_days']} days")

    # 2. what to ask for ------------------------------------------------------------------------------------------
    busiest = (DailyListing.objects.values("date").annotate(n=Count("id")).order_by("-n", "-date").first())
    day = busiest["date"]
    week = Window.containing("week", day)
    month = Window.containing("month", day)
    latest = latest_window("day")
    feed_start = latest.start - timedelta(days=6)  # the feeds' FEED_DAYS window

    def listed(start, end) -> int:
        return DailyListing.objects.filter(date__gte=start, date__lte=end).count()

    papers = list(DailyListing.objects.filter(date=day).order_by("-upvotes_imported", "paper__arxiv_id")
                  .values_list("paper__arxiv_id", flat=True))
    pages = [
        ("daily (latest day)", ["/papers"], listed(latest.start, latest.end), f"latest day {latest.key}"),
        ("day (busiest)", [f"/papers/date/{day.isoformat()}"], listed(day, day), day.isoformat()),
        ("week", [f"/papers/week/{week.key}"], listed(week.start, week.end), week.key),
        ("month", [f"/papers/month/{month.key}"], listed(month.start, month.end), month.key),
        ("paper", [f"/papers/{arxiv_id}" for arxiv_id in papers], None, f"{len(papers)} papers of {day} in turn"),
        ("api daily_papers", [f"/api/daily_papers?date={day.isoformat()}"], listed(day, day), day.isoformat()),
        ("feed.atom", ["/papers/feed.atom"],
         listed(feed_start, latest.end), "last 7 days, 50 items"),
    ]

    # 3. measure --------------------------------------------------------------------------------------------------
    client = Client(HTTP_HOST="127.0.0.1")
    rows = []
    load_before = os.getloadavg()
    for name, urls, window_rows, note in pages:
        def get(i: int):
            url = urls[i % len(urls)]
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            return response

        for i in range(args.warmup):
            get(i)
        sql_seconds = [0.0]

        def timed_sql(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                sql_seconds[0] += time.perf_counter() - start

        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timed_sql):
            response = get(0)
        captured = list(queries.captured_queries)  # read now: the next request's reset_queries empties the log
        sizes = {len(get(i).content) for i in range(min(len(urls), 5))} | {len(response.content)}
        gc.collect()
        samples = []
        for i in range(args.iterations):
            start = time.perf_counter()
            get(i)
            samples.append(time.perf_counter() - start)
        row = {"page": name, "url": urls[0], "note": note, "window_listings": window_rows,
               "median_ms": statistics.median(samples) * 1000, "p95_ms": percentile(samples, 0.95),
               "max_ms": max(samples) * 1000, "queries": len(captured),
               "sql_ms": sql_seconds[0] * 1000, "sql": [q["sql"][:300] for q in captured],
               "bytes": len(response.content), "bytes_range": [min(sizes), max(sizes)], "n": len(samples)}
        rows.append(row)
        log(f"{name}: median {row['median_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms, {row['queries']} queries "
            f"({row['sql_ms']:.1f} ms)")
    result["load_average"] = [load_before, os.getloadavg()]
    result["pages"] = rows
    daily = rows[0]
    result["target_met"] = all(r["p95_ms"] <= TARGET_P95_MS for r in rows[:4])
    result["daily_p95_ms"] = daily["p95_ms"]
    return result


def report(r: dict) -> None:
    m = r["machine"]
    print(f"\n== page rendering, {r['catalog']['papers']:,} papers, {r['catalog']['listings']:,} listings on "
          f"{r['catalog']['listing_days']} days, {r['database']} ==")
    print(f"python {m['python']}, {m['platform']}, {m['nproc']} cpus ({m['cpu']}), django {m['django']}, "
          f"sqlite {m['sqlite']}; commit {r['commit']}; {r['started']}")
    i = r["ingest"]
    print(f"ingest: {i['seconds']:.1f} s (of which BM25 indexing {i['index_seconds']:.1f} s), papers {i['papers']}, "
          f"listings {i['listings']}")
    print(f"{r['iterations']} timed requests per page after {r['warmup']} warm-up ones, Django test Client, "
          f"load average {r['load_average'][0][0]:.1f} -> {r['load_average'][1][0]:.1f}\n")
    print(f"{'page':20s} {'url':34s} {'listed':>6s} {'median ms':>9s} {'p95 ms':>7s} {'max ms':>7s} "
          f"{'queries':>7s} {'SQL ms':>6s} {'bytes':>8s}")
    for row in r["pages"]:
        url = row["url"] if len(row["url"]) <= 34 else row["url"][:31] + "..."
        listed = "-" if row["window_listings"] is None else str(row["window_listings"])
        print(f"{row['page']:20s} {url:34s} {listed:>6s} {row['median_ms']:9.1f} {row['p95_ms']:7.1f} "
              f"{row['max_ms']:7.1f} {row['queries']:7d} {row['sql_ms']:6.1f} {row['bytes']:8,d}")
    print("listed: listings in the page's window; queries and SQL ms (time in cursor.execute): one extra request")
    print(f"\ntarget: daily pages p95 <= {r['target_p95_ms']:.0f} ms -> "
          f"{'met' if r['target_met'] else 'NOT met'} (latest day {r['daily_p95_ms']:.1f} ms)")


if __name__ == "__main__":
    main()
