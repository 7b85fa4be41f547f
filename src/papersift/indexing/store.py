"""Where the derived indexes live, and how a new generation replaces the old one atomically.

    <DATA_DIR>/index/
        current -> gen-20261123T101500-1234     (a symlink, replaced with os.replace)
        gen-20261123T101500-1234/
            manifest.json                       (watermarks, counts, model id; rewritten atomically)
            lexical/                            (tantivy)
            vectors.usearch                     (HNSW, memory-mapped by readers)

Readers resolve ``current`` once and reopen when it points elsewhere or the manifest changes.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

MANIFEST = "manifest.json"
VECTORS = "vectors.usearch"
LEXICAL = "lexical"


@dataclass
class Manifest:
    created_at: str = ""
    lexical_watermark: str = ""  # "<modified_at ISO>|<paper id>" of the last paper indexed
    lexical_docs: int = 0
    model_id: str = ""
    vector_watermark: int = 0  # highest Embedding id in the vector index
    vectors: int = 0


class IndexStore:
    def __init__(self, root: Path):
        self.root = root

    @property
    def current_link(self) -> Path:
        return self.root / "current"

    def current(self) -> Path | None:
        """The live generation's directory, or None before the first build."""
        link = self.current_link
        return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None

    def ensure(self) -> Path:
        return self.current() or self.swap(self.new_generation())

    def new_generation(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = self.root / f"gen-{stamp}-{os.getpid()}"
        (path / LEXICAL).mkdir(parents=True)
        write_manifest(path, Manifest(created_at=datetime.now(timezone.utc).isoformat(timespec="seconds")))
        return path

    def swap(self, generation: Path) -> Path:
        """Point ``current`` at ``generation`` in one rename, then delete older generations."""
        tmp = self.root / f"current.tmp-{os.getpid()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(generation.name)
        os.replace(tmp, self.current_link)
        for old in self.root.glob("gen-*"):
            if old.is_dir() and old.resolve() != generation.resolve():
                shutil.rmtree(old, ignore_errors=True)
        return generation


def read_manifest(generation: Path) -> Manifest:
    try:
        data = json.loads((generation / MANIFEST).read_text())
    except FileNotFoundError:
        return Manifest()
    return Manifest(**{k: v for k, v in data.items() if k in Manifest.__dataclass_fields__})


def write_manifest(generation: Path, manifest: Manifest) -> None:
    tmp = generation / f"{MANIFEST}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(asdict(manifest), indent=2))
    os.replace(tmp, generation / MANIFEST)


def size_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
