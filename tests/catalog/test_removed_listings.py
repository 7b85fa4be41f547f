"""A listing a moderator removed stays removed when the same daily file is ingested again."""

from __future__ import annotations

import pytest

from papersift.catalog.models import DailyListing
from papersift.comments.services import remove_listing
from papersift.ingest.services import Ingest
from tests.people import make_moderator

pytestmark = pytest.mark.django_db


def test_reingesting_a_daily_file_does_not_restore_a_removed_listing(shared, django_user_model):
    day_file = str(shared / "hf-daily/raw/2026-08-21.json")
    assert Ingest("hf-daily").run([day_file]).error_count == 0
    moderator = make_moderator(django_user_model.objects.create_user("mod", "mod@example.org", "x", is_staff=True))
    listing = DailyListing.objects.get(paper__arxiv_id="2608.19880", date="2026-08-21")
    remove_listing(moderator, listing.id, "spam submission")
    count = DailyListing.objects.count()
    report = Ingest("hf-daily").run([day_file])
    assert report.error_count == 0 and DailyListing.objects.count() == count
    assert not DailyListing.objects.filter(paper__arxiv_id="2608.19880", date="2026-08-21").exists()
