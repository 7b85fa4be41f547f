"""Rebuild the bundled sample: the last eight weeks of shared/data/hf-daily/raw, gzipped into the package.

Each file is kept byte-for-byte (only compressed), so the sample goes through exactly the code path of
`papersift ingest hf-daily` on the real archive. Usage: python scripts/build_sample.py [RAW_DIR]
"""

import gzip
import sys
from datetime import date, timedelta
from pathlib import Path

RAW = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data/hf-daily/raw")
OUT = Path(__file__).resolve().parents[1] / "src/papersift/sample/hf-daily"
WEEKS = 8

files = sorted(RAW.glob("*.json"))
last = date.fromisoformat(files[-1].stem)
first = last - timedelta(weeks=WEEKS) + timedelta(days=1)
OUT.mkdir(parents=True, exist_ok=True)
for old in OUT.glob("*.json.gz"):
    old.unlink()
kept = [f for f in files if first <= date.fromisoformat(f.stem) <= last]
for source in kept:
    with gzip.GzipFile(OUT / (source.name + ".gz"), "wb", mtime=0) as out:  # mtime=0: reproducible bytes
        out.write(source.read_bytes())
print(f"{len(kept)} daily files {first} .. {last} -> {OUT}")
