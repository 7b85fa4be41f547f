"""The outbox: queue messages in the caller's transaction; deliver them over SMTP, none twice and none lost.

Delivery of a row is claim → send → record, each step its own committed write:

1. *claim*: ``pending`` → ``sending``, with the worker's identity (host, pid, process start time);
2. *send* (``smtp.transmit``): MAIL, RCPT, DATA and the content; then ``sending`` → ``committing`` is
   committed; then the final ``.`` that hands the message to the server;
3. *record*: ``sent``; or back to ``pending`` with a later ``next_attempt_at`` (a 4xx refusal); or ``failed``
   with the server's reason (a 5xx refusal, or out of attempts).

Where a crash (SIGKILL, power loss) can fall, and what follows:

- before step 2's ``committing`` write: the server never read the end of DATA, so nothing was delivered. The
  row is ``sending``; as soon as its worker is seen to be gone (same host: the process is not there; another
  host: the claim is older than ``STALE_CLAIM``), it goes back to ``pending`` and is sent again. Not lost.
- after it: the server had the whole message, or was a few bytes short of it. The row is ``committing`` and
  becomes ``unknown``: never resent by itself, shown by ``papersift outbox status``, resent by an operator with
  ``papersift outbox retry``. For mail to people a duplicate is the worse error, so the uncertain side of the
  line is the side that is not resent; and the line is drawn so close to the server's commit (the microseconds
  between our commit returning and the final ``.`` being written) that ``unknown`` almost always means sent.

An unreachable server costs no attempt: nothing is claimed until a connection is open, so mail waits, whole,
for the server to come back. Several workers, on one host or many, can run at once: claims use
``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite serialises writers) and every later step checks
that the row is still this worker's.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import socket
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from papersift.outbox import smtp
from papersift.outbox.models import OutboxMessage

log = logging.getLogger(__name__)
Status = OutboxMessage.Status
STALE_CLAIM = timedelta(minutes=15)
CLAIM = re.compile(r"(?P<host>[^:]*):(?P<pid>\d+):(?P<start>\d*)")
CLAIM_BATCH = 20
#: SMTP's line limit (RFC 5322: 998) rather than the folding width: a header with no space to fold at, such as
#: ``List-Unsubscribe: <https://...long signed link>``, must stay as it is, not become an encoded word.
WIRE_POLICY = policy.SMTP.clone(max_line_length=998)


def enqueue(message: EmailMessage, *, kind: str, dedupe_key: str | None = None) -> OutboxMessage:
    """Store ``message`` for delivery. Call inside the transaction of the change the mail is about."""
    recipients = message.recipients()
    if not recipients:
        raise ValueError("an e-mail without recipients cannot be queued")
    return OutboxMessage.objects.create(
        kind=kind, dedupe_key=dedupe_key, sender=message.from_email or settings.DEFAULT_FROM_EMAIL,
        recipients=recipients, subject=str(message.subject), mime=message.message(policy=WIRE_POLICY).as_bytes(),
        next_attempt_at=timezone.now())


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    released: int = 0                # claims of vanished workers put back in the queue
    unreachable: str = ""            # why the server could not be reached (mail waits, no attempt counted)
    errors: list[str] = field(default_factory=list)

    @property
    def trouble(self) -> bool:
        return bool(self.failed or self.retried or self.unreachable)


def _process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), so a reused pid is not taken for it; ""
    for no such process, or a zombie (killed, not yet reaped by its parent)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return start_time(handle.read())
    except OSError:
        return ""


def start_time(stat: bytes) -> str:
    """Field 22 (``starttime``) of a ``/proc/<pid>/stat`` line; "" for a zombie or a short line. The command name
    (field 2) is in parentheses and may itself hold ``)`` and spaces, so fields are counted after the last ``)``:
    the state is then the first, the start time the twentieth."""
    fields = stat.rpartition(b")")[2].split()
    return "" if len(fields) < 20 or fields[0] == b"Z" else fields[19].decode()


def worker_id() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"


def _claim_is_dead(claimed_by: str, claimed_at, now) -> bool:
    """Whether the worker named in ``claimed_by`` (``host:pid:start``, as `worker_id` writes it; older rows have
    no start) is gone. On this host: its process is gone, or its pid now belongs to a process started at another
    time. Another host's claim cannot be checked: it is dead once it is older than ``STALE_CLAIM``."""
    claim = CLAIM.fullmatch(claimed_by)
    if claim is None or claim["host"] != socket.gethostname():
        return claimed_at is None or claimed_at < now - STALE_CLAIM
    pid = int(claim["pid"])
    if claim["start"] and os.path.isdir("/proc"):
        return _process_start(pid) != claim["start"]
    try:
        os.kill(pid, 0)                 # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:             # it exists, under another user
        pass
    return False


def recover(report: DeliveryReport | None = None) -> DeliveryReport:
    """Deal with claims whose worker is gone: unsent ones back to the queue, possibly-sent ones ``unknown``."""
    report = report or DeliveryReport()
    now = timezone.now()
    held = OutboxMessage.objects.filter(status__in=[Status.SENDING, Status.COMMITTING]).values_list(
        "id", "status", "claimed_by", "claimed_at")
    for row_id, status, claimed_by, claimed_at in held:
        if not _claim_is_dead(claimed_by, claimed_at, now):
            continue
        if status == Status.SENDING:
            report.released += OutboxMessage.objects.filter(id=row_id, status=Status.SENDING, claimed_by=claimed_by) \
                .update(status=Status.PENDING, claimed_at=None, claimed_by="",
                        last_error="its worker stopped before completing it; nothing was delivered")
        else:
            report.unknown += OutboxMessage.objects.filter(id=row_id, status=Status.COMMITTING,
                                                           claimed_by=claimed_by).update(
                status=Status.UNKNOWN,
                last_error="its worker stopped while the server was taking it: probably delivered, not resent")
    if report.released or report.unknown:
        log.warning("outbox.recovered released=%d unknown=%d", report.released, report.unknown)
    return report


def _smtp():
    """Django's SMTP backend for the configured server (the ``smtp`` mailer on Django 6.1+)."""
    if hasattr(settings, "MAILERS"):
        from django.core.mail import mailers

        return mailers["smtp"]
    from django.core.mail.backends.smtp import EmailBackend

    return EmailBackend(**settings.SMTP_OPTIONS)


def _due():
    return OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())


def _due_ids(limit: int) -> list[int]:
    """The ids of up to ``limit`` due messages, oldest first, locked (PostgreSQL) but skipping ones that another
    worker's claim has locked. Call inside a transaction."""
    due = _due().select_for_update(skip_locked=True)  # pragma: no mutate (no-op on SQLite; see test_delivery)
    return [pk for (pk,) in due.order_by("id").values_list("id")[:limit]]


def _claim(worker: str) -> list[OutboxMessage]:
    """Claim a batch of due messages for ``worker`` and return those it holds. A message that stopped being
    pending after it was read (SQLite takes no row lock) stays with whoever took it."""
    with transaction.atomic():
        ids = _due_ids(CLAIM_BATCH)
        OutboxMessage.objects.filter(id__in=ids, status=Status.PENDING).update(
            status=Status.SENDING, claimed_at=timezone.now(), claimed_by=worker)
    return list(OutboxMessage.objects.filter(id__in=ids, claimed_by=worker, status=Status.SENDING).order_by("id"))


class _Connection:
    """The backend and its smtplib connection, reopened when the server drops it."""

    def __init__(self):
        self.backend = _smtp()
        prep = getattr(self.backend, "prep_address", None)
        if prep is None:  # Django 5.2
            from django.core.mail.message import sanitize_address

            prep = lambda address: sanitize_address(address, "utf-8")  # noqa: E731
        self.prep = prep

    def open(self) -> smtplib.SMTP:
        if self.backend.connection is None:
            self.backend.open()
        return self.backend.connection

    def drop(self) -> None:
        try:
            self.backend.close()
        except (OSError, smtplib.SMTPException):
            pass
        self.backend.connection = None


def deliver() -> DeliveryReport:
    """Send everything that is due, over one connection (reopened if it drops). Safe in several processes."""
    report = recover()
    if not _due().exists():
        return report
    connection = _Connection()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        connection.drop()           # a half-open connection (say, a refused login) is closed too
        report.unreachable = describe(exc)
        log.warning("outbox.unreachable", extra={"error": report.unreachable})
        return report
    worker = worker_id()
    try:
        while rows := _claim(worker):
            for index, row in enumerate(rows):
                try:
                    conn = connection.open()
                except (OSError, smtplib.SMTPException) as exc:
                    report.unreachable = describe(exc)
                    _release(rows[index:], worker)
                    return report
                _send_one(connection, conn, row, worker, report)
    finally:
        connection.drop()
    return report


def _send_one(connection: _Connection, conn: smtplib.SMTP, row: OutboxMessage, worker: str,
              report: DeliveryReport) -> None:
    ending = threading.Event()          # set once the end of the message may be on its way

    def before_end() -> bool:
        ending.set()
        return bool(OutboxMessage.objects.filter(id=row.id, status=Status.SENDING, claimed_by=worker).update(
            status=Status.COMMITTING))

    try:
        refused = smtp.transmit(conn, connection.prep(row.sender), [connection.prep(r) for r in row.recipients],
                                bytes(row.mime), before_end)
    except smtp.EndRefused:
        connection.drop()
        return                      # another worker holds it now
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, ValueError) as exc:
        # The server answered with a refusal (or an address SMTP cannot carry): it has not taken the message.
        if isinstance(exc, ValueError):
            connection.drop()
        _record_failure(row, worker, exc, report)
        return
    except OSError as exc:          # the connection broke (smtplib's other errors are OSErrors too)
        connection.drop()
        if ending.is_set():         # the end may have reached the server: do not send it again
            _unknown(row, worker, f"{type(exc).__name__} after the end of the message: {exc}", report)
        else:
            _release([row], worker, f"{type(exc).__name__}: {exc}")
        return
    note = "; ".join(f"{address} refused: {code} {text(reply)}" for address, (code, reply) in refused.items())
    OutboxMessage.objects.filter(id=row.id, claimed_by=worker).update(
        status=Status.SENT, sent_at=timezone.now(), attempts=row.attempts + 1, last_error=note)
    report.sent += 1
    log.info("outbox.sent", extra={"id": row.id, "kind": row.kind})


def _release(rows: list[OutboxMessage], worker: str, why: str = "the server went away before it was sent") -> None:
    OutboxMessage.objects.filter(id__in=[r.id for r in rows], status=Status.SENDING, claimed_by=worker).update(
        status=Status.PENDING, claimed_at=None, claimed_by="", last_error=why)


def _unknown(row: OutboxMessage, worker: str, why: str, report: DeliveryReport) -> None:
    report.unknown += OutboxMessage.objects.filter(id=row.id, claimed_by=worker).update(
        status=Status.UNKNOWN, attempts=row.attempts + 1, last_error=why)
    report.errors.append(f"message {row.id}: {why}")


def _permanent(exc: Exception) -> bool:
    """5xx SMTP replies (bad address, refused recipient) will not get better by waiting; the rest may."""
    if isinstance(exc, ValueError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def text(reply: bytes | str) -> str:
    """An SMTP reply as text; bytes that are not UTF-8 become U+FFFD rather than an error."""
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def describe(exc: Exception) -> str:
    """An SMTP error as the server put it: ``SMTPDataError: 550 5.1.1 No such user``."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__}: {exc.smtp_code} {text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "SMTPRecipientsRefused: " + "; ".join(
            f"{address}: {code} {text(reply)}" for address, (code, reply) in exc.recipients.items())
    return f"{type(exc).__name__}: {exc}"


def _record_failure(row: OutboxMessage, worker: str, exc: Exception, report: DeliveryReport) -> None:
    attempts = row.attempts + 1
    error = describe(exc)
    report.errors.append(f"message {row.id}: {error}")
    mine = OutboxMessage.objects.filter(id=row.id, claimed_by=worker)
    config = settings.PAPERSIFT
    if _permanent(exc) or attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
        mine.update(status=Status.FAILED, attempts=attempts, last_error=error)
        report.failed += 1
        log.warning("outbox.failed", extra={"id": row.id, "error": error})
        return
    wait = min(config["OUTBOX_RETRY_BASE"] * 2 ** (attempts - 1), config["OUTBOX_RETRY_MAX"])
    mine.update(status=Status.PENDING, attempts=attempts, last_error=error, claimed_by="", claimed_at=None,
                next_attempt_at=timezone.now() + timedelta(seconds=wait))
    report.retried += 1


def retry(ids: list[int] | None = None) -> int:
    """Put failed or unknown messages back in the queue (all of them, or those ``ids``)."""
    rows = OutboxMessage.objects.filter(status__in=[Status.FAILED, Status.UNKNOWN])
    if ids:
        rows = rows.filter(id__in=ids)
    return rows.update(status=Status.PENDING, next_attempt_at=timezone.now(), claimed_at=None, claimed_by="")
