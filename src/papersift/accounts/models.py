"""Personal API tokens: what scripts send as `Authorization: Bearer <token>` to the write endpoints."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, as its owner named it.")
    prefix = models.CharField(max_length=12, help_text="The token's first characters, shown to tell tokens apart.")
    digest = models.CharField(max_length=64, unique=True, help_text="sha256 of the token; the token itself is not kept.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} / {self.name} ({self.prefix}…)"
