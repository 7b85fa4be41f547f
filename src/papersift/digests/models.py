"""E-mail digests: who subscribed to what, which digests were built, and which papers each address got."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from papersift.digests.schedule import Schedule


class Subscription(models.Model):
    """One digest subscription of an e-mail address (alone, or tied to an account), with its schedule and sections.

    Links in mails carry ``public_id`` signed with the site's key (``digests.tokens``), never the row id.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"   # double opt-in: nothing is sent but the confirmation
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily (weekdays)"
        WEEKLY = "weekly", "Weekly"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(max_length=254, db_index=True,
                              help_text="Where digests go (for an account's subscription: its address when made).")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="digest_subscriptions",
                             help_text="The account it belongs to; digests then go to the account's address.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    frequency = models.CharField(max_length=6, choices=Frequency.choices, default=Frequency.DAILY)
    hour = models.PositiveSmallIntegerField(default=8, help_text="Local hour (0-23) the digest is due.")
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA time zone of ``hour``.")
    weekday = models.PositiveSmallIntegerField(default=0, help_text="Weekly digests: 0 = Monday ... 6 = Sunday.")
    trending_top = models.PositiveSmallIntegerField(default=10, help_text="Trending papers per digest; 0: none.")
    categories = models.JSONField(default=list, blank=True,
                                  help_text='arXiv categories or archives whose new papers are listed: ["cs.CL"].')
    for_you = models.BooleanField(default=False, help_text="A \"For you\" section ranked from the account's "
                                  "interests (only for a subscription tied to an account).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "frequency", "hour", "timezone", "weekday"], name="digest_due")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.schedule.describe()} ({self.status})"

    @property
    def schedule(self) -> Schedule:
        return Schedule(self.frequency, self.hour, self.timezone, self.weekday)

    @property
    def recipient(self) -> str:
        """The address digests go to: the account's current one, for a subscription tied to an account."""
        if self.user_id and self.user.email:
            return self.user.email
        return self.email


class SavedSearch(models.Model):
    """A query of the search language whose new matches a subscription's digests list."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="searches")
    query = models.CharField(max_length=250, help_text="Categories, dates and fields go in the query (cat:cs.CL).")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["subscription", "position", "id"]

    def __str__(self) -> str:
        return self.query


class Digest(models.Model):
    """A subscription's digest for one period: built (and queued in the outbox) or skipped, at most once."""

    class Status(models.TextChoices):
        QUEUED = "queued"     # its message is in the outbox (OutboxMessage says whether it went out)
        SKIPPED = "skipped"   # nothing was sent; ``skip_reason`` says why

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(max_length=24, help_text="daily:YYYY-MM-DD or weekly:YYYY-Www (local dates).")
    slot_at = models.DateTimeField(help_text="When it was due.")
    window_start = models.DateTimeField(help_text="Papers that arrived after this ...")
    window_end = models.DateTimeField(help_text="... and up to this (the slot) are new for it.")
    listing_watermark = models.BigIntegerField(default=0, help_text="Highest listing id when built: listings "
                                               "ingested later for days it covered are new for the next digest.")
    papers = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices)
    skip_reason = models.CharField(max_length=20, blank=True)
    message = models.ForeignKey("outbox.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscription", "period"], name="digest_once_per_period")]
        ordering = ["subscription", "-slot_at"]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.period} ({self.status})"


class DigestItem(models.Model):
    """A paper as sent to an address; the unique constraint is the rule that no address gets a paper twice."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    recipient = models.CharField(max_length=254, help_text="The address, lower-cased.")
    paper = models.ForeignKey("catalog.Paper", on_delete=models.CASCADE, related_name="+")
    section = models.CharField(max_length=80, help_text="trending, search:<query> or category:<category>.")
    position = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "paper"], name="paper_once_per_recipient")]
        ordering = ["digest", "position"]
