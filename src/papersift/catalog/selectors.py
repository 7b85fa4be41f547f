"""Read queries over the catalog, shared by the pages, the CLI and (later) the API."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Max, Min, Prefetch, QuerySet

from papersift.catalog.models import DailyListing, Paper


def catalog_stats() -> dict:
    listing_span = DailyListing.objects.aggregate(first=Min("date"), last=Max("date"),
                                                  days=Count("date", distinct=True))
    categories = {
        row["primary_category"] or "(none)": row["n"]
        for row in Paper.objects.values("primary_category").annotate(n=Count("id")).order_by("-n", "primary_category")
    }
    sources = {row["source"]: row["n"] for row in Paper.objects.values("source").annotate(n=Count("id"))
               .order_by("source")}
    return {
        "papers": Paper.objects.count(),
        "listings": DailyListing.objects.count(),
        "listing_days": listing_span["days"],
        "first_listing_day": listing_span["first"].isoformat() if listing_span["first"] else None,
        "last_listing_day": listing_span["last"].isoformat() if listing_span["last"] else None,
        "withdrawn": Paper.objects.filter(withdrawn=True).count(),
        "categories": categories,
        "sources": sources,
    }


def latest_listing_day() -> date | None:
    return DailyListing.objects.aggregate(last=Max("date"))["last"]


def listings_for_day(day: date) -> QuerySet[DailyListing]:
    """A day's list, most upvoted first, with each paper's other listing days not loaded (not needed)."""
    return (DailyListing.objects.filter(date=day).select_related("paper")
            .order_by("-upvotes_imported", "-comments_imported", "paper__arxiv_id"))


def neighbour_days(day: date) -> tuple[date | None, date | None]:
    """The nearest earlier and later days that have listings (empty days are skipped)."""
    earlier = DailyListing.objects.filter(date__lt=day).aggregate(d=Max("date"))["d"]
    later = DailyListing.objects.filter(date__gt=day).aggregate(d=Min("date"))["d"]
    return earlier, later


def paper_detail(arxiv_id: str) -> Paper | None:
    listings = Prefetch("listings", queryset=DailyListing.objects.order_by("date"))
    return Paper.objects.prefetch_related(listings).filter(arxiv_id=arxiv_id).first()


def is_empty() -> bool:
    return not Paper.objects.exists()
