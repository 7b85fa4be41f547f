"""The bundled sample: the last eight weeks of the Hugging Face daily-papers archive, shipped in the package."""

from __future__ import annotations

from pathlib import Path

from papersift.catalog.selectors import is_empty
from papersift.ingest.services import Ingest, IngestReport

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample" / "hf-daily"


def load_sample(*, only_if_empty: bool = True) -> IngestReport | None:
    """Ingest the bundled sample; with only_if_empty, do nothing when the catalog already has papers."""
    if only_if_empty and not is_empty():
        return None
    return Ingest("hf-daily").run([str(SAMPLE_DIR)])
