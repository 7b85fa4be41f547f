"""The vector index: HNSW over unit-length embeddings (usearch), cosine similarity, half-precision storage.

A saved index is opened as a memory-mapped *view*, so every server process shares the one copy in the page
cache. Writers load a private copy, change it, and save it under a new name that is swapped in atomically.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np


def _usearch_index():
    """usearch's ``Index`` class, imported on first use, ONNX Runtime first: the other order segfaults (usearch
    2.26 + onnxruntime 1.32, reproduced).

    Not at import time: both start native threads when imported, and a process that forks after that (the
    `papersift serve` process, whose forks are gunicorn's workers) gives each child C++ state whose threads it
    does not have; at the child's exit their destructors fail (``std::system_error``, SIGABRT, SIGSEGV, or a
    hang). Importing this module therefore loads neither; the first index opened or built does.
    """
    try:
        import onnxruntime  # noqa: F401
    except ImportError:  # pragma: no cover - lexical-only installs
        pass
    from usearch.index import Index

    return Index


#: HNSW parameters. At 1 M clustered vectors (bench/search_latency.py) recall@10 against exact search was
#: 0.852 / 0.914 / 0.949 / 0.965 / 0.979 at expansion_search 128 / 256 / 512 / 768 / 1024, for 0.7 / 1.0 / 1.9 /
#: 2.8 / 3.6 ms a query: 768 is the smallest tried that keeps recall >= 0.95 with a margin, at under 4 ms p95.
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 768
#: Below this many vectors a brute-force scan is both exact and about as fast as the graph (~1 ms).
EXACT_BELOW = 20_000


@dataclass(frozen=True)
class Neighbour:
    key: int
    score: float  # cosine similarity


class VectorIndex:
    def __init__(self, dimensions: int, index=None, path: Path | None = None):
        self.dimensions = dimensions
        self.path = path
        self.index = index or _usearch_index()(ndim=dimensions, metric="cos", dtype="f16",
                                               connectivity=CONNECTIVITY, expansion_add=EXPANSION_ADD,
                                               expansion_search=EXPANSION_SEARCH, multi=False)

    @classmethod
    def open(cls, path: Path, dimensions: int, writable: bool = False) -> "VectorIndex":
        """A saved index, memory-mapped read-only (or loaded into memory when ``writable``)."""
        index = _usearch_index()(ndim=dimensions, metric="cos", dtype="f16", connectivity=CONNECTIVITY,
                                 expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH, multi=False)
        if writable:
            index.load(str(path))
        else:
            index.view(str(path))
        index.expansion_search = EXPANSION_SEARCH
        return cls(dimensions, index, path)

    def __len__(self) -> int:
        return len(self.index)

    def upsert(self, keys: Sequence[int], vectors: np.ndarray, threads: int = 0) -> None:
        keys = np.asarray(keys, dtype=np.uint64)
        if len(keys) == 0:
            return
        present = [k for k in keys.tolist() if self.index.contains(k)]
        if present:
            self.index.remove(present)
        self.index.add(keys, np.asarray(vectors, dtype=np.float32), threads=threads)

    def remove(self, keys: Sequence[int]) -> None:
        present = [k for k in keys if self.index.contains(k)]
        if present:
            self.index.remove(present)

    def get(self, key: int) -> np.ndarray | None:
        if not self.index.contains(key):
            return None
        return np.asarray(self.index.get(key), dtype=np.float32)

    def search(self, vector: np.ndarray, limit: int, exact: bool = False) -> list[Neighbour]:
        if len(self.index) == 0 or limit <= 0:
            return []
        matches = self.index.search(np.asarray(vector, dtype=np.float32), min(limit, len(self.index)),
                                    threads=1, exact=exact or len(self.index) < EXACT_BELOW)
        return [Neighbour(int(k), 1.0 - float(d)) for k, d in zip(matches.keys, matches.distances)]

    def save(self, path: Path) -> None:
        """Write to a temporary name beside ``path``, then rename: readers never see half a file."""
        tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
        self.index.save(str(tmp))
        os.replace(tmp, path)
        self.path = path
