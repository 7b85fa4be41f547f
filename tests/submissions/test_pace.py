"""Paper submissions keep the installation's pace to arXiv (the gate harvests use)."""

from __future__ import annotations

import pytest

from papersift.catalog.models import Paper
from papersift.ingest.polite import for_settings
from papersift.submissions.services import ArxivUnreachable, submit

pytestmark = pytest.mark.django_db


def test_a_submission_waits_its_turn_behind_a_retry_after(arxiv, ada, settings):
    """A harvest was told to wait a minute: a submission in the meantime does not ask arXiv, and says so."""
    for_settings(settings.PAPERSIFT).defer(arxiv.url, 60)
    with pytest.raises(ArxivUnreachable, match="keeps to arXiv's pace"):
        submit(ada, "1501.05039")
    assert arxiv.requested() == [] and not Paper.objects.exists()


def test_a_submission_after_a_harvest_request_waits_for_the_delay(arxiv, ada, settings, window_for_recorded):
    import time

    settings.PAPERSIFT = {**settings.PAPERSIFT, "HARVEST_DELAY": 1.5}
    gate = for_settings(settings.PAPERSIFT)
    gate.wait(arxiv.url)                      # a harvest's request, just now
    started = time.monotonic()
    submit(ada, "1501.05039")
    assert time.monotonic() - started >= 1.4 and len(arxiv.requested()) == 1
