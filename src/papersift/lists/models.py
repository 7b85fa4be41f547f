"""Reading lists ("collections"): a user's named, ordered set of papers, private until its owner publishes it.

A list is addressed by a random slug, not its row id: a public list is shared by its URL without being listed
anywhere, so sequential ids would let anyone walk every published list (and count everyone's private ones).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from papersift.catalog.models import Paper

NAME_MAX = 100
DESCRIPTION_MAX = 2000
NOTE_MAX = 1000


def new_slug() -> str:
    """12 URL-safe characters (72 random bits): unguessable, and never a word the URLs use (`new`, `save`)."""
    return secrets.token_urlsafe(9)


class ReadingList(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_lists")
    slug = models.CharField(max_length=16, unique=True, default=new_slug, editable=False,
                            help_text="The list's address in URLs and the API (random, so lists cannot be walked).")
    name = models.CharField(max_length=NAME_MAX)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX)
    public = models.BooleanField(default=False, help_text="Anyone with the link may see a public list.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, help_text="Last rename, publish, or paper added or removed.")

    class Meta:
        constraints = [models.UniqueConstraint("owner", Lower("name"), name="one_list_name_per_owner")]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self) -> str:
        return f"{self.owner}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("list", args=[self.slug])


class ReadingListItem(models.Model):
    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="items")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="reading_list_items")
    added_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True, max_length=NOTE_MAX)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reading_list", "paper"], name="one_item_per_list_and_paper")]
        indexes = [models.Index(fields=["reading_list", "-added_at"])]

    def __str__(self) -> str:
        return f"{self.reading_list_id} ∋ {self.paper_id}"
