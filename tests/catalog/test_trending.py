"""The trending formula, table-driven, and its use in the lists."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from papersift.catalog import trending

NOON = datetime(2026, 8, 21, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize("listed_on, expected_hours", [
    (date(2026, 8, 21), 12.0),          # listed today: hours since midnight
    (date(2026, 8, 20), 36.0),
    (date(2026, 8, 14), 180.0),
    (date(2026, 8, 22), 0.0),           # a listing "from the future" (clock skew) is not negative
])
def test_age_counts_from_the_start_of_the_listing_day(listed_on, expected_hours):
    assert trending.age_hours(listed_on, NOON) == expected_hours


@pytest.mark.parametrize("a, b, a_first", [
    # (upvotes, hours) pairs
    ((10, 12), (9, 12), True),          # same age: more votes first
    ((10, 36), (10, 12), False),        # same votes: newer first
    ((20, 36), (10, 12), True),         # a day older but twice the votes still leads
    ((14, 36), (10, 12), False),        # ... 1.4x is not enough (one day costs ~1.5x)
    ((30, 180), (10, 12), False),       # a week old with 3x the votes falls behind
    ((0, 1), (1, 500), False),          # no votes scores zero, below any voted paper
    ((5, 0), (5, 0), False),            # ties are not "first" (the tie-breakers decide)
])
def test_score_orders_by_votes_decayed_by_age(a, b, a_first):
    assert (trending.score(*a) > trending.score(*b)) is a_first


def test_ties_break_on_votes_then_comments_then_id():
    day = date(2026, 8, 21)
    rows = [(5, 0, day, "2608.00003"), (5, 2, day, "2608.00002"), (5, 2, day, "2608.00001"), (6, 0, day, "2608.9")]
    ordered = sorted(rows, key=lambda r: trending.sort_key(*r, reference=NOON))
    assert [r[3] for r in ordered] == ["2608.9", "2608.00001", "2608.00002", "2608.00003"]


@pytest.mark.django_db
def test_week_list_lets_a_newer_paper_pass_an_older_one_with_more_votes(client):
    from papersift.catalog.models import DailyListing, Paper

    old = Paper.objects.create(arxiv_id="2608.00001", title="Older", content_hash="a", source="t", source_uri="t")
    new = Paper.objects.create(arxiv_id="2608.00002", title="Newer", content_hash="b", source="t", source_uri="t")
    DailyListing.objects.create(paper=old, date=date(2026, 8, 17), upvotes_imported=30, source="t", source_uri="t")
    DailyListing.objects.create(paper=new, date=date(2026, 8, 21), upvotes_imported=15, source="t", source_uri="t")
    html = client.get("/papers/week/2026-W34").content.decode()
    assert html.index("Newer") < html.index("Older")      # 15 votes 4 days newer beat 30 (scored at the week's end)
    day = client.get("/papers/date/2026-08-17").content.decode()
    assert "Older" in day and "Newer" not in day
