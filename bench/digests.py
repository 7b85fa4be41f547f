"""Benchmark: building and delivering a morning's digests for many subscribers (issue 7). Prints figures only.

    .venv/bin/python bench/digests.py                              # 10,000 subscribers, SQLite, vectors embedded
    .venv/bin/python bench/digests.py --subscribers 2000 --workdir /tmp/psbench/digests   # kept; a rerun reuses it
    .venv/bin/python bench/digests.py --database-url postgresql://user:pw@host:5432/papersift_bench

Loads the full Hugging Face archive (`shared/data/hf-daily/raw`, 9,877 papers) and the 5,000-paper arXiv listing
sample (categories, announcement dates) into an empty catalog in a new DATA_DIR, embeds them (`index update`;
`--no-embed` leaves saved searches ranked by BM25 alone), then makes N confirmed subscribers in a fixed mix:

    55%  daily, trending top 10, at 07:00 or 08:00 in UTC, Europe/Paris or America/New_York
    30%  daily, trending top 5 and one to three saved searches drawn from 40 queries
    15%  weekly (Thursday), trending top 10, one or two categories or archives

and measures, on Thursday 2026-08-20 at 13:00 UTC (every daily subscriber due, each in its own time zone's window):

    build     digests.services.send_due(now): choose, render, and write each digest in its own transaction
    deliver   outbox.services.deliver() to an aiosmtpd server on 127.0.0.1 in this process (it keeps nothing)
    again     send_due(now) a second time: must build nothing (a correctness check, not a timing)

Figures also go to bench/results/digests.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from common import git_commit, log, machine  # bench/common.py (benchmarks run as scripts from bench/)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
NOW = datetime(2026, 8, 20, 13, 0, tzinfo=timezone.utc)
QUERIES = [
    "reasoning", "agents", "diffusion", "video generation", "reinforcement learning", "benchmark", "multimodal",
    "retrieval", "speech", "robot", "code generation", "mixture of experts", "quantization", "long context",
    "alignment", "reward model", "vision language", "3D", "world model", "tokenizer", "distillation",
    "\"chain of thought\"", "safety", "hallucination", "evaluation", "math", "image editing", "medical",
    "graph", "attention", "efficient inference", "synthetic data", "embodied", "audio", "translation",
    "scaling laws", "self-supervised", "segmentation", "planning", "memory",
]
CATEGORIES = ["cs.CL", "cs.CV", "cs.LG", "cs.AI", "math", "astro-ph", "cs.RO", "stat.ML", "quant-ph", "hep-th"]
ZONES = ["UTC", "Europe/Paris", "America/New_York"]


class _Sink:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        return "250 OK"


def subscribers(count: int, seed: int = 7) -> list:
    from papersift.digests.models import SavedSearch, Subscription

    rng = random.Random(seed)
    rows, searches = [], []
    for i in range(count):
        kind = rng.random()
        row = Subscription(email=f"reader{i:06d}@example.org", status="active", hour=rng.choice([7, 8]),
                           timezone=rng.choice(ZONES))
        if kind < 0.55:
            row.trending_top = 10
        elif kind < 0.85:
            row.trending_top = 5
            searches.append((i, rng.sample(QUERIES, rng.randint(1, 3))))
        else:
            row.frequency, row.weekday, row.trending_top = "weekly", 3, 10
            row.categories = rng.sample(CATEGORIES, rng.randint(1, 2))
        rows.append(row)
    made = Subscription.objects.bulk_create(rows, batch_size=2000)
    SavedSearch.objects.bulk_create([SavedSearch(subscription=made[i], query=q, position=n)
                                     for i, queries in searches for n, q in enumerate(queries)], batch_size=2000)
    return made


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(args, workdir: Path) -> dict:
    import django
    django.setup()
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import connection

    from papersift.catalog.maintenance import migrate_if_needed
    from papersift.digests.models import Digest, DigestItem
    from papersift.digests.services import send_due
    from papersift.indexing.services import update
    from papersift.ingest.services import Ingest
    from papersift.outbox.services import deliver

    result: dict = {"machine": machine("django"), "command": " ".join([".venv/bin/python"] + sys.argv),
                    "started": time.strftime("%Y-%m-%d %H:%M"), "commit": git_commit(),
                    "database": connection.vendor, "subscribers": args.subscribers, "now": NOW.isoformat()}
    migrate_if_needed()
    from papersift.catalog.models import Paper
    from papersift.digests.models import Subscription
    from papersift.outbox.models import OutboxMessage

    if Paper.objects.exists():          # a kept --workdir: reuse its catalog and vectors, start the mail afresh
        Subscription.objects.all().delete()
        OutboxMessage.objects.all().delete()
        log(f"reusing the catalog in {workdir} ({Paper.objects.count():,} papers)")
        args.no_embed = True
    started = time.perf_counter()
    for format_name, path in (("hf-daily", args.shared / "hf-daily" / "raw"),
                              ("arxiv-listing", args.shared / "arxiv-listings" / "sample-5000.jsonl")):
        report = Ingest(format_name).run([str(path)])
        if report.error_count:
            raise SystemExit(f"{format_name}: {report.error_count} problems")
    result["ingest_seconds"] = round(time.perf_counter() - started, 1)
    log(f"catalog loaded in {result['ingest_seconds']} s")
    from papersift.indexing.selectors import index_status

    result["vectors"] = index_status()["vectors"]
    if not args.no_embed:
        started = time.perf_counter()
        embedded = update(embed=True)
        result["embed"] = {"papers": embedded.embedded, "seconds": round(time.perf_counter() - started, 1)}
        result["vectors"] = index_status()["vectors"]
        log(f"embedded {embedded.embedded} papers in {result['embed']['seconds']} s")

    subscribers(args.subscribers)
    log(f"{args.subscribers:,} subscribers")
    started = time.perf_counter()
    built = send_due(NOW)
    build_seconds = time.perf_counter() - started
    items = DigestItem.objects.count()
    result["build"] = {"seconds": round(build_seconds, 2), "digests": built.built, "papers": built.papers,
                       "skipped": dict(built.skipped), "digests_per_second": round(built.built / build_seconds, 1),
                       "mean_papers": round(items / max(built.built, 1), 1), "peak_rss_mib": round(peak_rss_mib())}
    log(f"build: {built.built:,} digests in {build_seconds:.1f} s ({result['build']['digests_per_second']}/s), "
        f"skipped {dict(built.skipped)}")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(_Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    options = {**settings.SMTP_OPTIONS, "host": "127.0.0.1", "port": port, "use_tls": False, "use_ssl": False,
               "username": None, "password": None}
    settings.SMTP_OPTIONS = options
    if hasattr(settings, "MAILERS"):
        settings.MAILERS = {**settings.MAILERS, "smtp": {**settings.MAILERS["smtp"], "OPTIONS": options}}
    started = time.perf_counter()
    delivered = deliver()
    deliver_seconds = time.perf_counter() - started
    controller.stop()
    result["deliver"] = {"seconds": round(deliver_seconds, 2), "sent": delivered.sent,
                         "messages_per_second": round(delivered.sent / deliver_seconds, 1),
                         "failed": delivered.failed, "unreachable": delivered.unreachable}
    log(f"deliver: {delivered.sent:,} messages in {deliver_seconds:.1f} s "
        f"({result['deliver']['messages_per_second']}/s)")
    again = send_due(NOW)
    result["second_run_built"] = again.built
    if again.built or delivered.sent != built.built or Digest.objects.filter(status="queued").count() != built.built:
        raise SystemExit(f"correctness check failed: second run built {again.built}, sent {delivered.sent}")
    result["peak_rss_mib"] = round(peak_rss_mib())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--no-embed", action="store_true", help="no vectors: saved searches ranked by BM25 alone")
    parser.add_argument("--workdir", type=Path, help="DATA_DIR (default: a new temporary directory, then deleted)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary DATA_DIR afterwards")
    parser.add_argument("--database-url", help="run on this (empty) database instead of SQLite in DATA_DIR")
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("PAPERSIFT_SHARED_DATA",
                                                                           ROOT.parent / "shared" / "data")))
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="papersift-digests-", dir="/tmp"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.update(PAPERSIFT_DATA_DIR=str(workdir), DJANGO_SETTINGS_MODULE="papersift.settings",
                      PAPERSIFT_LOG_LEVEL="WARNING")
    if args.database_url:
        os.environ["PAPERSIFT_DATABASE_URL"] = args.database_url
    try:
        result = run(args, workdir)
    finally:
        if not args.workdir and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "digests.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
