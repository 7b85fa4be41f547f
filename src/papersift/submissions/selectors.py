"""Read queries for submissions."""

from __future__ import annotations

from papersift.catalog.models import DailyListing
from papersift.catalog.selectors import annotate_counts


def listing_of(arxiv_id: str) -> DailyListing | None:
    """The paper's most recent daily listing, with the counts a list shows (``upvotes``, ``num_comments``),
    or None when the paper was never listed."""
    found = (DailyListing.objects.select_related("paper").filter(paper__arxiv_id=arxiv_id)
             .order_by("-date").first())
    return annotate_counts([found])[0] if found is not None else None
