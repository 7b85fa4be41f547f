"""Local copies of remote images (thumbnails, avatars): one row per remote URL, the file under DATA_DIR/images."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models


class CachedImage(models.Model):
    """What became of one remote image URL: stored (the file exists), failed (tried again later) or refused."""

    STORED, FAILED, REFUSED = "stored", "failed", "refused"
    STATUSES = [(STORED, "stored"), (FAILED, "failed, to be retried"), (REFUSED, "refused for good")]

    url = models.URLField(max_length=500, unique=True)
    key = models.CharField(max_length=32, unique=True, help_text="images.links.image_key(url): the local name.")
    kind = models.CharField(max_length=16, help_text="thumbnail or avatar (decides the stored size).")
    status = models.CharField(max_length=16, choices=STATUSES)
    content_type = models.CharField(max_length=64, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0, help_text="Bytes of the stored file.")
    etag = models.CharField(max_length=64, blank=True, help_text="SHA-256 prefix of the stored file.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Failed downloads so far.")
    error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="image_retry_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"

    @property
    def path(self) -> Path:
        return image_path(self.key)


def image_path(key: str) -> Path:
    return Path(settings.PAPERSIFT["DATA_DIR"]) / "images" / key[:2] / f"{key}.webp"
