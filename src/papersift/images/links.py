"""Where pages find an image: papersift's own copy of a remote thumbnail or avatar, never the remote URL.

`local_image_url(url, kind)` is what `Paper.thumbnail_src`, `Organization.avatar_src`,
`DailyListing.submitter_avatar_src` and the `local_image` template filter return: `/images/<kind>/<key>`
for a known URL (served from the local copy once the worker has fetched it, a placeholder until then), the
static placeholder when there is no URL at all.
"""

from __future__ import annotations

import hashlib

from django.templatetags.static import static
from django.urls import reverse

KINDS = ("thumbnail", "avatar")
PLACEHOLDERS = {"thumbnail": "papersift/placeholder-thumbnail.svg", "avatar": "papersift/placeholder-avatar.svg"}


def image_key(url: str) -> str:
    """The local name of a remote image: 32 hex digits of the SHA-256 of its URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]


def local_image_url(url: str, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown image kind {kind!r} ({' or '.join(KINDS)})")
    if not url:
        return static(PLACEHOLDERS[kind])
    return reverse("image", args=[kind, image_key(url)])
