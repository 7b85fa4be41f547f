"""Rebuild the bundled sample: the last eight weeks of shared/data/hf-daily/raw, gzipped into the package, and
the arXiv categories of its papers from shared/data/arxiv-listings.

Each daily file is kept byte-for-byte (only compressed), so the sample goes through exactly the code path of
`papersift ingest hf-daily` on the real archive. Hugging Face's lists carry no arXiv categories; for the sample
papers that arxiv-listings knows, `sample/arxiv-categories.json` maps their ids to their categories (primary
first), given to the papers that have none by `load-sample`. A paper the listings do not know keeps none.
Usage: python scripts/build_sample.py [RAW_DIR [LISTINGS_FILE]]
"""

import ast
import gzip
import json
import sys
from datetime import date, timedelta
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared/data"
RAW = Path(sys.argv[1] if len(sys.argv) > 1 else SHARED / "hf-daily/raw")
LISTINGS = Path(sys.argv[2] if len(sys.argv) > 2 else SHARED / "arxiv-listings/arxiv-listings-2007-2026.jsonl.gz")
OUT = Path(__file__).resolve().parents[1] / "src/papersift/sample"
WEEKS = 8

files = sorted(RAW.glob("*.json"))
last = date.fromisoformat(files[-1].stem)
first = last - timedelta(weeks=WEEKS) + timedelta(days=1)
(OUT / "hf-daily").mkdir(parents=True, exist_ok=True)
for old in (OUT / "hf-daily").glob("*.json.gz"):
    old.unlink()
kept = [f for f in files if first <= date.fromisoformat(f.stem) <= last]
ids = set()
for source in kept:
    body = source.read_bytes()
    with gzip.GzipFile(OUT / "hf-daily" / (source.name + ".gz"), "wb", mtime=0) as out:  # mtime=0: reproducible
        out.write(body)
    document = json.loads(body)
    for entry in document["data"] if isinstance(document, dict) else document:
        entry = ast.literal_eval(entry) if isinstance(entry, str) else entry
        ids.add(entry["paper"]["id"])

categories = {}
with gzip.open(LISTINGS, "rt", encoding="utf-8") as lines:
    for line in lines:
        row = json.loads(line)
        if row["id"] in ids and row.get("categories"):
            categories[row["id"]] = row["categories"]
lines = [f"{json.dumps(key)}: {json.dumps(value)}" for key, value in sorted(categories.items())]
(OUT / "arxiv-categories.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")   # one paper a line
print(f"{len(kept)} daily files {first} .. {last}, {len(ids)} papers; categories for {len(categories)} -> {OUT}")
