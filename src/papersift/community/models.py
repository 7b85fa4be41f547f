"""Upvotes: one per user per paper (a unique constraint, not a check in code)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from papersift.catalog.models import Paper


class Vote(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="one_vote_per_user_and_paper")]
        indexes = [models.Index(fields=["paper", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user} ↑ {self.paper_id}"
