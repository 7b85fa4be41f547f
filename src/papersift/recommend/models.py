"""What a reader told papersift about their interests, beyond votes and reading lists (read from their own apps).

- ``Signal``: one paper's explicit signal: "more like this", a seed (imported from a reference manager, pasted
  ids, or copied from a reading list) or "not interested" (dismissed). One per reader and paper: dismissing a
  paper replaces a "more like this" on it, and the other way round.
- ``Follow``: an author or a category followed, a soft prior (and, for issue 15, what "authors you follow" lists).
- ``Reader``: the reader's private feed key (random, revocable).

Everything is the reader's own: it is deleted with the account (foreign keys cascade) and exported from the
"Your interests" page.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


class Signal(models.Model):
    class Kind(models.TextChoices):
        MORE = "more", "More like this"
        SEED = "seed", "Seed"
        DISMISS = "dismiss", "Not interested"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_signals")
    paper = models.ForeignKey("catalog.Paper", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    source = models.CharField(max_length=120, blank=True,
                              help_text="Where a seed came from: the imported file, pasted ids, a reading list.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="one_signal_per_reader_and_paper")]
        indexes = [models.Index(fields=["user", "kind", "-created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.paper_id}"

    @property
    def positive(self) -> bool:
        return self.kind != self.Kind.DISMISS


class Follow(models.Model):
    class Kind(models.TextChoices):
        AUTHOR = "author", "Author"
        CATEGORY = "category", "Category"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=200, help_text="The author's name as written, or the category (cs.CL, cs).")
    key = models.CharField(max_length=200, help_text="``value`` folded for matching (case, spaces, accents).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "key"], name="follow_once")]
        ordering = ["kind", "value"]

    def __str__(self) -> str:
        return f"{self.user} follows {self.kind} {self.value}"


def new_feed_key() -> str:
    """256 random bits: the private feed's link cannot be guessed; rotating it revokes the old link."""
    return secrets.token_urlsafe(32)


class Reader(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader")
    feed_key = models.CharField(max_length=64, unique=True, default=new_feed_key)
    feed_key_created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} (feed key {self.feed_key[:6]}…)"
