"""Reads: which remote images still need a local copy, and how the copies stand."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Sum
from django.utils import timezone

from papersift.catalog.models import DailyListing, Organization, Paper
from papersift.images.models import CachedImage

#: Where image URLs live in the catalog, in the order they are fetched: organisation avatars (few, on many
#: cards), then the newest papers' thumbnails, then the newest listings' submitter pictures.
SOURCES = (
    (Organization, "avatar_url", "avatar", F("id").desc()),
    (Paper, "thumbnail_url", "thumbnail", F("published").desc(nulls_last=True)),
    (DailyListing, "submitter_avatar_url", "avatar", F("date").desc()),
)


def _missing(model, field: str):
    known = CachedImage.objects.filter(url=OuterRef(field))
    return model.objects.exclude(**{field: ""}).exclude(Exists(known))


def wanted(limit: int) -> list[tuple[str, str]]:
    """Up to ``limit`` (url, kind) pairs to fetch: failed downloads whose retry is due, then URLs never tried."""
    out = list(CachedImage.objects.filter(status=CachedImage.FAILED, next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at").values_list("url", "kind")[:limit])
    seen = {url for url, _ in out}
    for model, field, kind, order in SOURCES:
        if len(out) >= limit:
            break
        for url in _missing(model, field).order_by(order).values_list(field, flat=True)[:(limit - len(out)) * 2]:
            if url not in seen and len(out) < limit:
                seen.add(url)
                out.append((url, kind))
    return out


def overview() -> dict:
    """Copies by status, their bytes, and how many known image URLs were never tried."""
    by_status = {row["status"]: row["n"] for row in CachedImage.objects.values("status").annotate(n=Count("id"))}
    return {
        "stored": by_status.get(CachedImage.STORED, 0),
        "failed": by_status.get(CachedImage.FAILED, 0),
        "refused": by_status.get(CachedImage.REFUSED, 0),
        "never_tried": sum(_missing(model, field).values(field).distinct().count() for model, field, _, _ in SOURCES),
        "stored_bytes": CachedImage.objects.filter(status=CachedImage.STORED).aggregate(b=Sum("size"))["b"] or 0,
    }


def stored(key: str) -> CachedImage | None:
    return CachedImage.objects.filter(key=key, status=CachedImage.STORED).first()
