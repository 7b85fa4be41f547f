"""E-mail waiting to be sent: written in the transaction of the change that causes it, sent by a worker."""

from __future__ import annotations

from django.db import models


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"      # waiting; `next_attempt_at` says from when
        SENDING = "sending"      # claimed by a worker; the server has not been handed the end of it yet
        COMMITTING = "committing"  # the end of the message is being handed over: delivered unless refused
        SENT = "sent"
        FAILED = "failed"        # permanent failure, or out of attempts; `last_error` says why
        UNKNOWN = "unknown"      # a worker claimed it and vanished: it may or may not have gone out

    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=40, help_text="What the mail is: account, digest, ...")
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True,
                                  help_text="At most one message per key (e.g. digest:<subscription>:<period>).")
    sender = models.CharField(max_length=320)
    recipients = models.JSONField(help_text="Envelope recipients.")
    subject = models.TextField(blank=True)
    mime = models.BinaryField(help_text="The whole message as it goes on the wire (RFC 5322 bytes).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} to {', '.join(self.recipients)}: {self.subject[:60]} ({self.status})"
