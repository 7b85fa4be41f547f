"""Benchmark: the "For you" section for 10,000 readers over one day of 1,500 new papers (issue 14). Prints figures.

    .venv/bin/python bench/foryou.py                       # 10,000 readers, 1,500 candidates, SQLite
    .venv/bin/python bench/foryou.py --readers 2000 --candidates 500

Builds a catalog in a new DATA_DIR from real arXiv papers (`shared/data/arxiv-listings`, the newest
``--catalog`` ones with abstracts): the newest ``--candidates`` form the day, the rest are what readers have
signalled. Each paper gets a random unit vector as its stored embedding (the arithmetic is that of real
vectors; embedding 20,000 abstracts would take this machine an hour). Readers, in a fixed mix: 5-40 upvotes
each, a third with 1-20 papers on a reading list, a quarter with 1-10 seeds, 30% with 1-5 dismissed papers, 20%
following a category and 10% an author. Then it times what a digest run does for them:

    signals    recommend.selectors.interests(all readers): every reader's signals, exclusions and follows
    reference  recommend.selectors.catalog_reference(): the catalog sample's document frequencies, read once per
               process (the first ranking of a process pays it; later ones reuse it)
    rank       recommend.selectors.recommend(readers, day, 20): features once, scores in chunks, top 20 + reasons

Figures also go to bench/results/foryou.json (git-ignored).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

from common import git_commit, log, machine  # bench/common.py (benchmarks run as scripts from bench/)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
LISTINGS = ROOT.parent / "shared" / "data" / "arxiv-listings" / "arxiv-listings-2007-2026.jsonl.gz"
DAY = date(2026, 8, 20)


def newest_papers(count: int) -> list[dict]:
    """The ``count`` newest listed papers with an abstract (the file is by listing date, oldest first)."""
    kept: list[dict] = []
    with gzip.open(LISTINGS, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("abstract") and row.get("title"):
                kept.append(row)
                if len(kept) > 3 * count:
                    kept = kept[-count:]
    return kept[-count:]


def build(args) -> tuple[list[int], list[int]]:
    import numpy as np
    from django.contrib.auth.models import User

    from papersift.catalog.models import DailyListing, Paper
    from papersift.community.models import Vote
    from papersift.indexing.models import Embedding
    from papersift.lists.models import ReadingList, ReadingListItem
    from papersift.recommend.models import Follow, Signal
    from papersift.search.embed import MODEL_ID

    rng = random.Random(7)
    rows = newest_papers(args.catalog)
    Paper.objects.bulk_create([Paper(arxiv_id=r["id"], title=" ".join(r["title"].split()),
                                     abstract=" ".join(r["abstract"].split()), authors=r.get("authors") or [],
                                     categories=r.get("categories") or [], primary_category=(r.get("categories")
                                                                                              or [""])[0],
                                     content_hash=r["id"], source="bench", source_uri="bench") for r in rows],
                              batch_size=2000)
    ids = list(Paper.objects.order_by("id").values_list("id", flat=True))
    day, history = ids[-args.candidates:], ids[:-args.candidates]
    DailyListing.objects.bulk_create([DailyListing(paper_id=pid, date=DAY, source="bench", source_uri="bench")
                                      for pid in day], batch_size=2000)
    vectors = np.random.default_rng(7).normal(size=(len(ids), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    Embedding.objects.bulk_create([Embedding(paper_id=pid, model_id=MODEL_ID, content_hash="b", text_hash="b",
                                             vector=vectors[i].astype("<f2").tobytes()) for i, pid in enumerate(ids)],
                                  batch_size=2000)
    log(f"catalog: {len(ids)} papers ({len(day)} on the day), vectors stored")
    users = User.objects.bulk_create([User(username=f"reader{i}", email=f"reader{i}@example.org", password="!")
                                      for i in range(args.readers)], batch_size=2000)
    users = list(User.objects.filter(username__startswith="reader").values_list("id", flat=True))
    votes, lists, items, signals, follows = [], [], [], [], []
    categories = sorted({c for r in rows for c in r.get("categories") or []})
    authors = [a for r in rows[:2000] for a in (r.get("authors") or [])[:1]]
    for uid in users:
        topic = rng.randrange(len(history))                       # readers cluster around a random paper
        near = history[max(0, topic - 400):topic + 400]
        liked = rng.sample(near, min(len(near), rng.randint(5, 40)))
        votes += [Vote(user_id=uid, paper_id=pid) for pid in liked]
        rest = [p for p in near if p not in set(liked)]
        if rng.random() < 1 / 3:
            lists.append(ReadingList(owner_id=uid, name="Reading"))
            items.append((uid, rng.sample(rest, min(len(rest), rng.randint(1, 20)))))
        if rng.random() < 0.25:
            signals += [Signal(user_id=uid, paper_id=p, kind="seed")
                        for p in rng.sample(rest[:200], rng.randint(1, 10))]
        if rng.random() < 0.3:
            signals += [Signal(user_id=uid, paper_id=p, kind="dismiss")
                        for p in rng.sample(rest[200:], rng.randint(1, 5))]
        if rng.random() < 0.2:
            follows.append(Follow(user_id=uid, kind="category", value=(c := rng.choice(categories)), key=c.lower()))
        if rng.random() < 0.1:
            name = rng.choice(authors)
            follows.append(Follow(user_id=uid, kind="author", value=name, key=name.lower()))
    Vote.objects.bulk_create(votes, batch_size=5000)
    made = {rl.owner_id: rl for rl in ReadingList.objects.bulk_create(lists, batch_size=2000)}
    ReadingListItem.objects.bulk_create([ReadingListItem(reading_list=made[uid], paper_id=pid)
                                         for uid, chosen in items for pid in chosen], batch_size=5000)
    Signal.objects.bulk_create(signals, batch_size=5000, ignore_conflicts=True)
    Follow.objects.bulk_create(follows, batch_size=5000, ignore_conflicts=True)
    log(f"readers: {len(users)}; {len(votes)} upvotes, {sum(len(c) for _, c in items)} saved, {len(signals)} marks, "
        f"{len(follows)} follows")
    return users, day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=1_500)
    parser.add_argument("--catalog", type=int, default=21_500, help="papers in the catalog, the day's included")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="psbench-foryou-"))
    os.environ["PAPERSIFT_DATA_DIR"] = str(workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "papersift.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    users, day = build(args)
    from papersift.recommend import selectors

    started = time.perf_counter()
    readers = selectors.interests(users)
    loaded = time.perf_counter()
    selectors.catalog_reference()
    referenced = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        cProfile.runctx("selectors.recommend(list(readers.values()), day, 20)", globals(), locals(), sort="cumtime")
    results = selectors.recommend(list(readers.values()), day, 20)
    ranked = time.perf_counter()
    filled = sum(1 for r in results.values() if len(r.items) == 20)
    methods = sorted({r.method for r in results.values()})
    figures = {
        "readers": len(users), "candidates": len(day), "catalog": args.catalog,
        "signals_seconds": round(loaded - started, 2), "reference_seconds": round(referenced - loaded, 2),
        "rank_seconds": round(ranked - referenced, 2),
        "total_seconds": round(ranked - started, 2), "readers_per_second": round(len(users) / (ranked - started)),
        "readers_with_20": filled, "methods": methods,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "commit": git_commit(), "machine": machine("numpy", "scipy", "sklearn"),
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "foryou.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
