"""A progress bar for long ingests: bytes read of the local inputs, papers written and the rate."""

from __future__ import annotations

import os
import time

from tqdm import tqdm

from papersift.ingest.sources import is_url


class IngestProgress:
    def __init__(self, specs, *, enabled: bool):
        self.enabled = enabled
        self.total = sum(_size(spec) for spec in specs) if enabled else 0
        self.papers = 0
        self.started = time.monotonic()
        self.bar = None

    def __enter__(self) -> "IngestProgress":
        if self.enabled:
            self.bar = tqdm(total=self.total or None, unit="B", unit_scale=True, unit_divisor=1024,
                            desc="ingest", dynamic_ncols=True)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.close()

    def update(self, read_bytes: int, papers: int) -> None:
        if self.bar is None:
            return
        if read_bytes:
            self.bar.update(read_bytes)
        if papers:
            self.papers += papers
            rate = self.papers / max(time.monotonic() - self.started, 1e-6)
            self.bar.set_postfix(papers=self.papers, per_s=f"{rate:,.0f}", refresh=False)


def _size(spec: str) -> int:
    if is_url(spec):
        return 0
    if os.path.isdir(spec):
        return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(spec) for name in names)
    return os.path.getsize(spec) if os.path.isfile(spec) else 0
