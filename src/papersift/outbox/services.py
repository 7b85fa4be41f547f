"""The outbox: queue messages in the caller's transaction; deliver them over SMTP, each at most once.

Delivery is claim → send → record. Claiming moves a row from ``pending`` to ``sending`` in its own committed
transaction before anything is sent; recording moves it to ``sent`` (or back to ``pending`` with a later
``next_attempt_at``, or to ``failed``). A worker that dies between claim and record leaves the row in
``sending``; after ``STALE_CLAIM`` it is marked ``unknown`` and never retried automatically. A crash can thus
lose a message (the operator sees it as ``unknown``) but can never send one twice: for mail to people, a missing
message is the lesser harm, and ``papersift outbox retry`` resends after a look.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from papersift.outbox.models import OutboxMessage

log = logging.getLogger(__name__)
Status = OutboxMessage.Status
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)   # 1, 2, 4, ... minutes between attempts, at most BACKOFF_MAX
BACKOFF_MAX = timedelta(hours=6)
STALE_CLAIM = timedelta(minutes=15)


def enqueue(message: EmailMessage, *, kind: str, dedupe_key: str | None = None) -> OutboxMessage:
    """Store ``message`` for delivery. Call inside the transaction of the change the mail is about."""
    recipients = message.recipients()
    if not recipients:
        raise ValueError("an e-mail without recipients cannot be queued")
    return OutboxMessage.objects.create(
        kind=kind, dedupe_key=dedupe_key, sender=message.from_email or settings.DEFAULT_FROM_EMAIL,
        recipients=recipients, subject=str(message.subject), mime=message.message().as_bytes(),
        next_attempt_at=timezone.now())


class _Stored(EmailMessage):
    """A queued message handed to Django's SMTP backend as the exact bytes that were stored."""

    def __init__(self, row: OutboxMessage):
        super().__init__(from_email=row.sender, to=row.recipients)
        self._raw = bytes(row.mime)

    def message(self, *, policy=policy.SMTP):  # noqa: A002 - Django's signature
        return message_from_bytes(self._raw, policy=policy)

    def recipients(self) -> list[str]:
        return list(self.to)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    errors: list[str] = field(default_factory=list)


def _smtp():
    """A connection to the configured SMTP server (the ``smtp`` mailer on Django 6.1+)."""
    if hasattr(settings, "MAILERS"):
        from django.core.mail import mailers

        return mailers["smtp"]
    from django.core.mail.backends.smtp import EmailBackend

    return EmailBackend(**settings.SMTP_OPTIONS)


def _claim(batch: int, worker: str) -> list[OutboxMessage]:
    now = timezone.now()
    with transaction.atomic():
        due = list(OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(status=Status.PENDING, next_attempt_at__lte=now).order_by("id")[:batch])
        ids = [row.id for row in due]
        OutboxMessage.objects.filter(id__in=ids, status=Status.PENDING).update(
            status=Status.SENDING, claimed_at=now, claimed_by=worker)
    return list(OutboxMessage.objects.filter(id__in=ids, claimed_by=worker, status=Status.SENDING).order_by("id"))


def _mark_stale(report: DeliveryReport) -> None:
    report.unknown += OutboxMessage.objects.filter(
        status=Status.SENDING, claimed_at__lt=timezone.now() - STALE_CLAIM).update(
        status=Status.UNKNOWN, last_error="a worker claimed this message and stopped before recording the outcome")


def _permanent(exc: Exception) -> bool:
    """5xx SMTP replies (bad address, refused recipient) will not get better by waiting; the rest may."""
    if isinstance(exc, ValueError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def deliver(batch: int = 100) -> DeliveryReport:
    """Send what is due, one SMTP connection per pass. Safe to run in several processes at once."""
    report = DeliveryReport()
    _mark_stale(report)
    worker = f"{socket.gethostname()}:{os.getpid()}"
    rows = _claim(batch, worker)
    if not rows:
        return report
    connection = _smtp()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:   # server down: every row waits for the next attempt
        for row in rows:
            _record_failure(row, exc, report)
        return report
    try:
        for row in rows:
            try:
                connection.send_messages([_Stored(row)])
            except (OSError, smtplib.SMTPException, ValueError) as exc:   # ValueError: an address SMTP cannot take
                _record_failure(row, exc, report)
            else:
                OutboxMessage.objects.filter(id=row.id).update(
                    status=Status.SENT, sent_at=timezone.now(), attempts=row.attempts + 1, last_error="")
                report.sent += 1
                log.info("outbox.sent", extra={"id": row.id, "kind": row.kind})
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            pass
    return report


def _record_failure(row: OutboxMessage, exc: Exception, report: DeliveryReport) -> None:
    attempts = row.attempts + 1
    error = f"{type(exc).__name__}: {exc}"
    report.errors.append(f"message {row.id}: {error}")
    if _permanent(exc) or attempts >= MAX_ATTEMPTS:
        OutboxMessage.objects.filter(id=row.id).update(status=Status.FAILED, attempts=attempts, last_error=error)
        report.failed += 1
        log.warning("outbox.failed", extra={"id": row.id, "error": error})
        return
    wait = min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_MAX)
    OutboxMessage.objects.filter(id=row.id).update(
        status=Status.PENDING, attempts=attempts, last_error=error, next_attempt_at=timezone.now() + wait)
    report.retried += 1


def retry(ids: list[int] | None = None) -> int:
    """Put failed or unknown messages back in the queue (all of them, or those ``ids``)."""
    rows = OutboxMessage.objects.filter(status__in=[Status.FAILED, Status.UNKNOWN])
    if ids:
        rows = rows.filter(id__in=ids)
    return rows.update(status=Status.PENDING, next_attempt_at=timezone.now(), claimed_at=None, claimed_by="")
