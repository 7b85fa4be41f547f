"""The daily list and the paper page: thin views over the catalog selectors."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from papersift.catalog import selectors


def daily(request: HttpRequest, day: str | None = None) -> HttpResponse:
    if day is None:
        shown = selectors.latest_listing_day()
    else:
        try:
            shown = date.fromisoformat(day)
        except ValueError:
            raise Http404(f"{day!r} is not a date (YYYY-MM-DD)")
    listings = list(selectors.listings_for_day(shown)) if shown else []
    earlier, later = selectors.neighbour_days(shown) if shown else (None, None)
    return render(request, "papersift/daily.html", {
        "day": shown, "listings": listings, "earlier": earlier, "later": later,
    })


def paper(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    found = selectors.paper_detail(arxiv_id)
    if found is None:
        raise Http404(f"no paper {arxiv_id} in this catalog")
    listings = list(found.listings.all())
    return render(request, "papersift/paper.html", {
        "paper": found, "listings": listings,
        "upvotes": max((listing.upvotes_imported for listing in listings), default=0),
    })
