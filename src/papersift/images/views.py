"""`/images/<kind>/<key>`: papersift's copy of a remote image, or a placeholder while it has none.

Copies never change under a key (a key names one remote URL, and each is fetched once), so they are served
with a year's max-age, ``immutable`` and an ETag; a placeholder is served for a short while only, so that the
real image shows up soon after the worker fetches it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from papersift.images import selectors
from papersift.images.links import PLACEHOLDERS

STATIC = Path(__file__).resolve().parent.parent / "static"
STORED_CACHE = "public, max-age=31536000, immutable"
PLACEHOLDER_CACHE = "public, max-age=300"


@cache
def placeholder(kind: str) -> bytes:
    return (STATIC / PLACEHOLDERS[kind]).read_bytes()


@require_safe
def image(request: HttpRequest, kind: str, image_key: str) -> HttpResponse:
    row = selectors.stored(image_key)
    if row is not None and row.path.is_file():
        etag = f'"{row.etag}"'
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            response = FileResponse(row.path.open("rb"), content_type=row.content_type)
        response["ETag"] = etag
        response["Cache-Control"] = STORED_CACHE
        return response
    response = HttpResponse(placeholder(kind), content_type="image/svg+xml")
    response["Cache-Control"] = PLACEHOLDER_CACHE
    return response
