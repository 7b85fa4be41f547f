"""The bundled sample: the last eight weeks of the Hugging Face daily-papers archive, and the arXiv categories
of those of its papers that arXiv's listings know (`scripts/build_sample.py` builds both), shipped in the package."""

from __future__ import annotations

import json
from pathlib import Path

from papersift.catalog.selectors import is_empty
from papersift.catalog.services import fill_categories
from papersift.ingest.services import Ingest, IngestReport

SAMPLE = Path(__file__).resolve().parent.parent / "sample"
SAMPLE_DIR = SAMPLE / "hf-daily"
CATEGORIES = SAMPLE / "arxiv-categories.json"


def load_sample(*, only_if_empty: bool = True) -> IngestReport | None:
    """Ingest the bundled sample; with only_if_empty, do nothing when the catalog already has papers.

    Hugging Face's lists carry no arXiv categories: the sample's papers that arXiv's listings know get theirs
    (those without stay without), then the lexical index is brought up to date once.
    """
    if only_if_empty and not is_empty():
        return None
    report = Ingest("hf-daily", index=False).run([str(SAMPLE_DIR)])
    fill_categories(json.loads(CATEGORIES.read_text()), "arxiv-listing", str(CATEGORIES))
    report.indexed = Ingest("hf-daily").sync_index()
    return report
