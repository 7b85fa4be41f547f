"""Build a second recommendation dev set in recsys-hf layout: other readers and other months than recsys-hf's.

recsys-hf (shared/data/recsys-hf) holds 61 Hugging Face submitters, each cut where 60% of their submissions lie
before the cut. Tuning on 61 people overfits easily, and the issue's held-out set is "other people and other
months". This builds a stand-in for it from the same source, to check that a change carries beyond recsys-hf:

- readers NOT in recsys-hf (and not the two aggregators it leaves out), cut at the place nearest 60% that gives
  at least 4 seeds and at least 2 submissions in the 28 days after the cut;
- recsys-hf's readers at another cut, whose 28-day window ends before their recsys-hf window starts.

The corpus is recsys-hf's ``corpus.jsonl`` copied as it is (same papers, dates and upvotes, no authors), so the
corpus embeddings cached by `papersift eval recommend` serve both sets. Submissions are read from
shared/data/hf-daily/raw (``paper.submittedOnDailyBy``, else ``submittedBy``); papers outside the corpus are
ignored.

Usage: python scripts/build_recsys_dev.py OUT_DIR      then   papersift eval recommend OUT_DIR
"""

import ast
import json
import shutil
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared/data"
BENCH = SHARED / "recsys-hf"
AGGREGATORS = {"taesiri", "akhaliq"}
WINDOW = timedelta(days=28)


def submissions(raw: Path, corpus: dict[str, date]) -> dict[str, list[tuple[date, str]]]:
    """Each submitter's (listing day, arXiv id), oldest first, for papers in the corpus."""
    out: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for path in sorted(raw.glob("*.json")):
        document = json.loads(path.read_bytes())
        for entry in document["data"] if isinstance(document, dict) else document:
            entry = ast.literal_eval(entry) if isinstance(entry, str) else entry
            who = entry["paper"].get("submittedOnDailyBy") or entry.get("submittedBy") or {}
            name = who.get("user") or who.get("name") if isinstance(who, dict) else who
            paper = entry["paper"]["id"]
            if name and name not in AGGREGATORS and paper in corpus:
                out[name].append((corpus[paper], paper))
    return {name: sorted(set(rows)) for name, rows in out.items()}


def cut(rows: list[tuple[date, str]], cuts: list[int]) -> dict | None:
    """The first of ``cuts`` (indices into ``rows``) with >= 4 seeds before it and >= 2 papers in its window."""
    for k in cuts:
        if k < 4 or k >= len(rows):
            continue
        start = rows[k][0]
        seeds = [p for day, p in rows if day < start]
        relevant = [p for day, p in rows if start <= day < start + WINDOW]
        if len(seeds) >= 4 and len(relevant) >= 2:
            return {"seeds": seeds, "window": [start.isoformat(), (start + WINDOW).isoformat()],
                    "relevant": relevant}
    return None


def main(out_dir: Path) -> None:
    corpus = {}
    with (BENCH / "corpus.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            paper = json.loads(line)
            corpus[paper["id"]] = date.fromisoformat(paper["date"])
    known = {json.loads(line)["user"]: json.loads(line) for line in (BENCH / "users.jsonl").open()}
    users = []
    for name, rows in sorted(submissions(SHARED / "hf-daily" / "raw", corpus).items()):
        target = round(0.6 * len(rows))
        order = sorted(range(len(rows)), key=lambda k: (abs(k - target), k))
        if name in known:      # another month: a window that ends before the recsys-hf one starts
            before = date.fromisoformat(known[name]["window"][0])
            order = [k for k in order if rows[k][0] + WINDOW <= before]
        chosen = cut(rows, order)
        if chosen:
            users.append({"user": name, **chosen})
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(BENCH / "corpus.jsonl", out_dir / "corpus.jsonl")
    with (out_dir / "users.jsonl").open("w", encoding="utf-8") as out:
        for user in users:
            out.write(json.dumps(user) + "\n")
    others = sum(1 for u in users if u["user"] not in known)
    print(f"{out_dir}: {len(users)} users ({others} not in recsys-hf, {len(users) - others} at another month)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
