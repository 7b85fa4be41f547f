"""Benchmark: `arxiv-snapshot` ingest into a fresh SQLite database, papers per second and peak memory.

The corpus is the 173,162 real papers of shared/data/arxiv-listings written out in the Kaggle snapshot's
JSON-lines layout (id, authors string, authors_parsed, categories string, versions with RFC-822 dates,
update_date, ...), repeated with shifted ids to reach --papers if more are asked for.

    .venv/bin/python bench/ingest_snapshot.py [--papers 173162] [--batch 2000]
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import orjson

SHARED = Path(os.environ.get("PAPERSIFT_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def write_snapshot(target: Path, wanted: int) -> int:
    source = SHARED / "arxiv-listings" / "arxiv-listings-2007-2026.jsonl.gz"
    written = 0
    with open(target, "wb") as out:
        round_ = 0
        while written < wanted:
            with gzip.open(source, "rb") as lines:
                for line in lines:
                    row = orjson.loads(line)
                    if ":" in row["id"]:
                        continue
                    arxiv_id = row["id"] if round_ == 0 else f"{9000 + round_}.{written % 100000:05d}"
                    names = row["authors"] or ["Anonymous"]
                    out.write(orjson.dumps({
                        "id": arxiv_id, "submitter": names[0], "authors": ", ".join(names),
                        "title": row["title"], "comments": row["comment"], "journal-ref": None, "doi": None,
                        "report-no": None, "categories": " ".join(row["categories"]) or "cs.LG", "license": None,
                        "abstract": row["abstract"],
                        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                                     {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],
                        "update_date": row["listing_date"],
                        "authors_parsed": [[n.split()[-1], " ".join(n.split()[:-1]), ""] for n in names],
                    }) + b"\n")
                    written += 1
                    if written >= wanted:
                        break
            round_ += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=173162)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="papersift-bench-"))
    os.environ["PAPERSIFT_DATA_DIR"] = str(work / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "papersift.settings"
    snapshot = work / "arxiv-metadata-oai-snapshot.json"
    count = write_snapshot(snapshot, args.papers)
    size = snapshot.stat().st_size

    import django
    django.setup()
    from papersift.catalog.maintenance import migrate_if_needed
    from papersift.catalog.models import Paper
    from papersift.ingest.services import Ingest

    migrate_if_needed()
    started = time.perf_counter()
    report = Ingest("arxiv-snapshot", batch_size=args.batch).run([str(snapshot)])
    seconds = time.perf_counter() - started
    stored = Paper.objects.count()
    again_started = time.perf_counter()
    again = Ingest("arxiv-snapshot", batch_size=args.batch).run([str(snapshot)]).as_dict()["papers"]
    again_seconds = time.perf_counter() - again_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db_mb = sum(p.stat().st_size for p in (work / "data").glob("papersift.sqlite3*")) / 2**20
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    print(f"snapshot lines: {count:,} ({size / 2**20:.0f} MiB)  errors: {report.error_count}  stored: {stored:,}")
    print(f"first ingest:   {seconds:.1f} s  = {count / seconds:,.0f} papers/s  (batch {args.batch}), of which "
          f"BM25 indexing {report.index_seconds:.1f} s = {report.indexed / max(report.index_seconds, 1e-9):,.0f} "
          f"papers/s")
    print(f"re-ingest:      {again_seconds:.1f} s  = {count / again_seconds:,.0f} papers/s  "
          f"(new {again['new']}, updated {again['updated']}, unchanged {again['unchanged']})")
    print(f"peak RSS:       {peak_mb:.0f} MiB   database: {db_mb:.0f} MiB")


if __name__ == "__main__":
    main()
