"""Real embedding vectors for part of the bundled sample, shipped with the tests, and the code that makes them.

The sample has no vectors (embedding is `papersift index update`'s slow step), so without these every page, API,
feed and digest test searched by words only. `python -m tests.vectors` loads the sample into a scratch catalog,
embeds the papers listed from `FIRST_DAY` on (the sample's last two weeks, which the digest tests' windows cover)
with the real all-MiniLM-L6-v2 model of the installed package, exactly as `papersift index update` does
(`document_text`, float16), and writes `tests/data/sample-vectors.npz`. Computing them costs about 20 CPU-seconds
on this machine (docs/benchmarks.md); loading them costs milliseconds, so the tests load them.
`test_semantic.py` re-embeds a few and fails if the file no longer matches the model or the sample.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

VECTORS = Path(__file__).resolve().parent / "data" / "sample-vectors.npz"
FIRST_DAY = "2026-08-10"


def _papers():
    from papersift.catalog.models import Paper

    return (Paper.objects.filter(listings__date__gte=FIRST_DAY).distinct().order_by("arxiv_id")
            .values("id", "arxiv_id", "title", "abstract", "content_hash"))


def with_vectors() -> list[str]:
    """Store the shipped vectors as the embeddings of their papers (the sample must be loaded) and add them to the
    live vector index; the arXiv ids of the papers that have one now."""
    from papersift.indexing import services
    from papersift.indexing.models import Embedding
    from papersift.search.embed import MODEL_ID

    shipped = np.load(VECTORS)
    by_id = dict(zip(shipped["ids"].tolist(), zip(shipped["text_hashes"].tolist(), shipped["vectors"])))
    rows = []
    for paper in _papers():
        text_hash, vector = by_id[paper["arxiv_id"]]
        assert services.text_hash(paper["title"], paper["abstract"]) == text_hash, (
            f"{VECTORS.name} is stale for {paper['arxiv_id']}: run `python -m tests.vectors`")
        rows.append(Embedding(paper_id=paper["id"], model_id=MODEL_ID, content_hash=paper["content_hash"],
                              text_hash=text_hash, vector=np.asarray(vector, dtype="<f2").tobytes()))
    Embedding.objects.bulk_create(rows)
    services.sync_vectors()
    return sorted(by_id)


def write() -> int:
    """Embed the papers (a scratch catalog, the real model) and write the file; how many."""
    from papersift.indexing.services import text_hash
    from papersift.ingest.sample import load_sample
    from papersift.search.embed import document_text, load_embedder

    load_sample(only_if_empty=True)
    papers = list(_papers())
    vectors = load_embedder().embed([document_text(p["title"], p["abstract"]) for p in papers])
    VECTORS.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(VECTORS, ids=np.array([p["arxiv_id"] for p in papers]),
                        text_hashes=np.array([text_hash(p["title"], p["abstract"]) for p in papers]),
                        vectors=vectors.astype("<f2"))
    return len(papers)


if __name__ == "__main__":
    scratch = tempfile.mkdtemp(prefix="papersift-vectors-")
    os.environ.update(PAPERSIFT_DATA_DIR=scratch, PAPERSIFT_DATABASE_URL=f"sqlite:///{scratch}/catalog.sqlite3",
                      DJANGO_SETTINGS_MODULE="papersift.settings")
    import django

    django.setup()
    from papersift.catalog.maintenance import migrate_if_needed

    migrate_if_needed()
    print(f"{write()} papers embedded into {VECTORS}", file=sys.stderr)
