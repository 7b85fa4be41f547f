from __future__ import annotations

import pytest

from papersift.ingest.sample import load_sample



@pytest.fixture
def sample(db):
    load_sample(only_if_empty=True)
