"""Outbox delivery against a real SMTP server on 127.0.0.1: a server that is down, refusals, TLS and logins.

The crash cases (a worker killed at each step of a delivery) are in tests/digests/test_worker.py.
"""

from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from papersift.outbox.models import OutboxMessage
from papersift.outbox.services import deliver, enqueue, recover, retry, worker_id
from tests.smtpserver import SmtpServer

pytestmark = pytest.mark.django_db


def queue(count: int) -> list[OutboxMessage]:
    with transaction.atomic():
        return [enqueue(EmailMessage(f"note {i}", f"body {i}", "papersift@localhost", [f"r{i}@example.org"]),
                        kind="test") for i in range(count)]


def point_at(settings, port: int, *, security: str = "none", user: str = "", password: str = "") -> None:
    """papersift's SMTP settings (the ones PAPERSIFT_SMTP_* set) pointed at a test server."""
    options = {**settings.SMTP_OPTIONS, "host": "127.0.0.1", "port": port, "use_tls": security == "starttls",
               "use_ssl": security == "tls", "username": user or None, "password": password or None}
    settings.SMTP_OPTIONS = options
    if hasattr(settings, "MAILERS"):
        settings.MAILERS = {**settings.MAILERS, "smtp": {**settings.MAILERS["smtp"], "OPTIONS": options}}


def test_with_the_server_down_mail_waits_whole_and_goes_out_once_when_it_is_back(settings, real_mail):
    server = SmtpServer()                                             # its port reserved, not listening yet
    point_at(settings, server.port)
    rows = queue(3)
    try:
        report = deliver()
        assert report.unreachable.startswith("ConnectionRefusedError") and report.sent == 0
        assert [(r.status, r.attempts) for r in OutboxMessage.objects.all()] == [("pending", 0)] * 3  # none spent
        server.start()
        assert deliver().sent == 3
        assert deliver().sent == 0
        assert sorted(m.envelope_to[0] for m in server.wait_for(3)) == sorted(r.recipients[0] for r in rows)
        assert len(server.messages) == 3
    finally:
        server.stop()


def test_a_temporary_refusal_is_retried_later_and_a_permanent_one_fails_with_the_reason(smtp_server):
    smtp_server.replies = ["451 4.3.0 Mailbox busy, try again", "550 5.1.1 No such user here"]
    first, second = queue(2)
    now = timezone.now()
    with time_machine.travel(now, tick=False):                      # the backoff measured from a clock that stands
        report = deliver()
    assert (report.retried, report.failed, report.sent) == (1, 1, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "pending" and first.attempts == 1 and "451" in first.last_error
    assert first.next_attempt_at - now == timedelta(seconds=60)     # OUTBOX_RETRY_BASE
    assert second.status == "failed" and "550 5.1.1 No such user here" in second.last_error
    with time_machine.travel(now + timedelta(seconds=59), tick=False):
        assert deliver().sent == 0                                  # not due yet
    with time_machine.travel(now + timedelta(seconds=60), tick=False):
        assert deliver().sent == 1
    assert [m.envelope_to for m in smtp_server.messages] == [first.recipients]
    assert retry([second.id]) == 1 and deliver().sent == 1          # an operator's retry


def test_backoff_doubles_and_gives_up_after_the_configured_attempts(smtp_server, settings):
    settings.PAPERSIFT = {**settings.PAPERSIFT, "OUTBOX_MAX_ATTEMPTS": 3, "OUTBOX_RETRY_BASE": 10.0}
    smtp_server.replies = ["421 4.7.0 Slow down"] * 3
    (row,) = queue(1)
    waits, now = [], timezone.now()
    for _ in range(3):
        with time_machine.travel(now):
            deliver()
        row.refresh_from_db()
        if row.status == "pending":
            waits.append(round((row.next_attempt_at - now).total_seconds()))
            now = row.next_attempt_at + timedelta(seconds=1)
    assert waits == [10, 20] and row.status == "failed" and row.attempts == 3


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_delivers_over_starttls_and_tls_with_a_login(settings, real_mail, security, tmp_path, monkeypatch):
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))     # the client trusts the test CA only
    server = SmtpServer(tls=security, certificate=certificate, users={"mailer": "s3cret"}).start()
    try:
        point_at(settings, server.port, security=security, user="mailer", password="wrong")
        queue(1)
        report = deliver()
        assert "SMTPAuthenticationError" in report.unreachable and not server.messages   # waits, not failed
        assert OutboxMessage.objects.get().status == "pending"
        point_at(settings, server.port, security=security, user="mailer", password="s3cret")
        assert deliver().sent == 1
        assert server.wait_for(1)[0]["Subject"] == "note 0"
    finally:
        server.stop()


def test_a_claim_of_a_vanished_worker_is_released_and_a_live_one_is_left_alone():
    rows = queue(3)
    here = socket.gethostname()
    OutboxMessage.objects.filter(id=rows[0].id).update(status="sending", claimed_by=f"{here}:999999:12345",
                                                       claimed_at=timezone.now())
    OutboxMessage.objects.filter(id=rows[1].id).update(status="committing", claimed_by=f"{here}:999999:12345",
                                                       claimed_at=timezone.now())
    OutboxMessage.objects.filter(id=rows[2].id).update(status="sending", claimed_by=worker_id(),
                                                       claimed_at=timezone.now())
    report = recover()
    assert (report.released, report.unknown) == (1, 1)
    states = dict(OutboxMessage.objects.values_list("id", "status"))
    assert states == {rows[0].id: "pending", rows[1].id: "unknown", rows[2].id: "sending"}
    # Another host's claim is trusted until it is stale.
    OutboxMessage.objects.filter(id=rows[2].id).update(claimed_by="elsewhere:1:1")
    assert recover().released == 0
    OutboxMessage.objects.filter(id=rows[2].id).update(claimed_at=timezone.now() - timedelta(minutes=16))
    assert recover().released == 1


def test_a_reused_pid_does_not_keep_a_dead_claim_alive():
    (row,) = queue(1)
    pid = os.getpid()                    # alive, but started at another time than the claim says
    OutboxMessage.objects.filter(id=row.id).update(status="sending", claimed_by=f"{socket.gethostname()}:{pid}:1",
                                                   claimed_at=timezone.now())
    assert recover().released == 1


def test_whose_claim_is_dead():
    """A claim names its worker as host:pid:start. Here: dead when the process is gone or its pid was reused by a
    process started at another time; a claim without a start time asks the process table alone. Elsewhere (or
    unreadable): dead once older than STALE_CLAIM."""
    from papersift.outbox.services import STALE_CLAIM, _claim_is_dead, _process_start

    here, now = socket.gethostname(), timezone.now()
    # SIGHUP back to its default (a parent started with nohup passes it on ignored), so any real signal would end
    # it; the claims are checked once it says so.
    child = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGHUP, signal.SIG_DFL);"
                              " print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n"
        started = _process_start(child.pid)
        assert started
        assert not _claim_is_dead(f"{here}:{child.pid}:{started}", now, now)
        assert _claim_is_dead(f"{here}:{child.pid}:{int(started) + 1}", now, now)         # the pid reused
        assert not _claim_is_dead(f"{here}:{child.pid}:", None, now)                       # no start: alive
        with pytest.raises(subprocess.TimeoutExpired):                                      # only asked: alive
            child.wait(0.3)
        assert not _claim_is_dead(worker_id(), None, now)
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    assert _claim_is_dead(f"{here}:{child.pid}:{started}", now, now)                       # gone
    assert _claim_is_dead(f"{here}:{child.pid}:", now, now)
    for elsewhere in ("elsewhere:1:1", "elsewhere:1:", f"{here}:not-a-pid:1", f"{here}:1:1:1", ""):
        assert not _claim_is_dead(elsewhere, now - STALE_CLAIM, now), elsewhere
        assert _claim_is_dead(elsewhere, now - STALE_CLAIM - timedelta(microseconds=1), now), elsewhere
        assert _claim_is_dead(elsewhere, None, now), elsewhere


def test_an_operators_retry_makes_the_message_due_now_and_unclaimed():
    (row,) = queue(1)
    OutboxMessage.objects.filter(id=row.id).update(status="failed", claimed_by="gone:1:1", claimed_at=timezone.now(),
                                                   next_attempt_at=timezone.now() + timedelta(days=1))
    assert retry() == 1
    row.refresh_from_db()
    assert (row.status, row.claimed_by, row.claimed_at) == ("pending", "", None)
    assert row.next_attempt_at <= timezone.now()
    assert retry() == 0                                                   # nothing failed or unknown now


def test_refusals_are_counted_each_logged_and_leave_the_message_unclaimed(smtp_server, caplog):
    smtp_server.replies = ["451 4.3.0 Busy", "452 4.3.1 Full", "550 5.1.1 No such user", "553 5.1.3 Bad address"]
    rows = queue(4)
    with caplog.at_level("WARNING", logger="papersift.outbox.services"):
        report = deliver()
    assert (report.retried, report.failed, report.sent) == (2, 2, 0)
    assert report.errors == [f"message {rows[0].id}: SMTPDataError: 451 4.3.0 Busy",
                             f"message {rows[1].id}: SMTPDataError: 452 4.3.1 Full",
                             f"message {rows[2].id}: SMTPDataError: 550 5.1.1 No such user",
                             f"message {rows[3].id}: SMTPDataError: 553 5.1.3 Bad address"]
    failed = [(r.getMessage(), r.id, r.error) for r in caplog.records if r.getMessage() == "outbox.failed"]
    assert failed == [("outbox.failed", rows[2].id, "SMTPDataError: 550 5.1.1 No such user"),
                      ("outbox.failed", rows[3].id, "SMTPDataError: 553 5.1.3 Bad address")]
    for row in rows[:2]:
        row.refresh_from_db()
        assert (row.status, row.claimed_by, row.claimed_at) == ("pending", "", None)


def test_a_refusal_recorded_by_another_worker_leaves_the_message_alone():
    """The failure is written only while the message is still this worker's (a released claim may be another's)."""
    from papersift.outbox.services import DeliveryReport, _record_failure

    (row,) = queue(1)
    OutboxMessage.objects.filter(id=row.id).update(status="sending", claimed_by="now-theirs:1:1")
    row.refresh_from_db()
    _record_failure(row, "mine:2:2", smtplib.SMTPDataError(550, b"No"), DeliveryReport())
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sending", 0, "")


def deliver_in_background():
    import threading

    from django.db import connection

    outcome = {}

    def run():
        try:
            outcome["report"] = deliver()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_a_connection_lost_mid_message(settings, real_mail, stage):
    """Lost before the end of the message (at RCPT): nothing was delivered, it goes back to the queue with the
    reason, no attempt counted. Lost after its end (the server has it, its reply never came): marked unknown and
    never sent again. The next message finds the server gone and waits in the queue."""
    server = SmtpServer()
    server.hold = (stage, 1)
    server.start()
    point_at(settings, server.port)
    first, second = queue(2)
    try:
        thread, outcome = deliver_in_background()
        assert server.held.wait(30)
        server.controller.stop()                        # the connection drops while the message is held
        server.controller = None
        thread.join(60)
    finally:
        server.stop()
    report = outcome["report"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert report.sent == 0 and report.unreachable.startswith("ConnectionRefusedError: ")
    assert (second.status, second.claimed_by, second.claimed_at, second.attempts) == ("pending", "", None, 0)
    assert second.last_error == "the server went away before it was sent"
    if stage == "rcpt":
        assert (first.status, first.claimed_by, first.claimed_at, first.attempts) == ("pending", "", None, 0)
        assert first.last_error.startswith("SMTPServerDisconnected: ") and report.unknown == 0
    else:
        assert (first.status, first.attempts) == ("unknown", 1) and report.unknown == 1
        assert first.last_error.startswith("SMTPServerDisconnected after the end of the message: ")
        assert report.errors == [f"message {first.id}: {first.last_error}"]


def test_a_worker_releases_or_marks_unknown_only_its_own_claims():
    """Putting a message back (nothing delivered) or marking it unknown (maybe delivered) touches a message only while
    this worker holds it; a message whose end was already handed over is never put back."""
    from papersift.outbox.services import DeliveryReport, _release, _unknown

    theirs, committing, mine, also_mine = queue(4)
    OutboxMessage.objects.filter(id=theirs.id).update(status="sending", claimed_by="them:1:1")
    OutboxMessage.objects.filter(id=committing.id).update(status="committing", claimed_by="me:2:2")
    OutboxMessage.objects.filter(id__in=[mine.id, also_mine.id]).update(status="sending", claimed_by="me:2:2")
    _release([theirs, committing], "me:2:2")
    states = dict(OutboxMessage.objects.values_list("id", "status"))
    assert (states[theirs.id], states[committing.id]) == ("sending", "committing")
    report = DeliveryReport()
    _unknown(theirs, "me:2:2", "lost", report)
    assert report.unknown == 0 and OutboxMessage.objects.get(id=theirs.id).status == "sending"
    _unknown(mine, "me:2:2", "lost", report)
    _unknown(also_mine, "me:2:2", "lost", report)
    assert report.unknown == 2
    assert report.errors == ["message %d: lost" % theirs.id, "message %d: lost" % mine.id,
                             "message %d: lost" % also_mine.id]


def test_a_queued_message_keeps_its_sender_and_subject_and_one_without_recipients_is_refused(settings):
    (plain,) = queue(1)
    assert (plain.sender, plain.subject, plain.recipients) == ("papersift@localhost", "note 0", ["r0@example.org"])
    with transaction.atomic():
        defaulted = enqueue(EmailMessage("hello", "body", None, ["s@example.org"]), kind="test")
    assert defaulted.sender == settings.DEFAULT_FROM_EMAIL != "papersift@localhost"
    with pytest.raises(ValueError) as refused, transaction.atomic():
        enqueue(EmailMessage("nobody", "body", "papersift@localhost", []), kind="test")
    assert str(refused.value) == "an e-mail without recipients cannot be queued"
    assert OutboxMessage.objects.count() == 2


def test_recovery_puts_back_what_dead_workers_had_not_sent_and_marks_what_they_may_have(caplog):
    live, sending_a, sending_b, committing_a, committing_b = queue(5)
    dead = f"{socket.gethostname()}:999999:1"
    now = timezone.now()
    OutboxMessage.objects.filter(id=live.id).update(status="sending", claimed_by=worker_id(), claimed_at=now)
    OutboxMessage.objects.filter(id__in=[sending_a.id, sending_b.id]).update(status="sending", claimed_by=dead,
                                                                            claimed_at=now)
    OutboxMessage.objects.filter(id__in=[committing_a.id, committing_b.id]).update(status="committing",
                                                                                  claimed_by=dead, claimed_at=now)
    with caplog.at_level("WARNING", logger="papersift.outbox.services"):
        report = recover()
    assert (report.released, report.unknown) == (2, 2)
    rows = {r.id: r for r in OutboxMessage.objects.all()}
    assert (rows[live.id].status, rows[live.id].claimed_by) == ("sending", worker_id())
    for row_id in (sending_a.id, sending_b.id):
        assert (rows[row_id].status, rows[row_id].claimed_by, rows[row_id].claimed_at) == ("pending", "", None)
        assert rows[row_id].last_error == "its worker stopped before completing it; nothing was delivered"
    for row_id in (committing_a.id, committing_b.id):
        assert rows[row_id].status == "unknown"
        assert rows[row_id].last_error == \
            "its worker stopped while the server was taking it: probably delivered, not resent"
    assert [r.getMessage() for r in caplog.records] == ["outbox.recovered released=2 unknown=2"]


def test_a_claim_takes_the_due_messages_stamped_and_returns_only_those():
    from papersift.outbox.services import _claim

    leftover, due_a, due_b, later = queue(4)
    OutboxMessage.objects.filter(id=leftover.id).update(status="sending", claimed_by="me:1:1")   # an older claim
    OutboxMessage.objects.filter(id=later.id).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    before = timezone.now()
    claimed = _claim("me:1:1")
    assert [row.id for row in claimed] == [due_a.id, due_b.id]
    assert all(row.status == "sending" and row.claimed_by == "me:1:1" and row.claimed_at >= before
               for row in claimed)
    assert OutboxMessage.objects.get(id=later.id).status == "pending"


def stat_line(comm: bytes, state: bytes, count: int = 50) -> bytes:
    """A /proc/<pid>/stat line: pid, (comm), state, then fields numbered from 1 (the start time is "19")."""
    return b"4242 (" + comm + b") " + state + b" " + b" ".join(str(n).encode() for n in range(1, count)) + b"\n"


@pytest.mark.parametrize(("stat", "start"), [
    (stat_line(b"python3", b"S"), "19"),
    (stat_line(b"a) R (b", b"S"), "19"),                 # a command name may hold ") " itself
    (stat_line(b"worker", b"Z"), ""),                    # a zombie is gone already
    (stat_line(b"worker", b"S", 20), "19"),              # exactly twenty fields after the name
    (stat_line(b"worker", b"S", 19), ""),                # one short
    (b"", ""),
])
def test_a_process_start_time_is_read_past_the_command_name(stat, start):
    from papersift.outbox.services import start_time

    assert start_time(stat) == start


def test_a_worker_is_named_by_host_pid_and_start_and_a_missing_process_has_no_start():
    from papersift.outbox.services import _process_start

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()                                          # reaped: its pid names no process now
    assert _process_start(child.pid) == ""
    start = _process_start(os.getpid())
    assert start.isdigit()
    assert worker_id() == f"{socket.gethostname()}:{os.getpid()}:{start}"


def test_smtp_replies_read_as_text_whatever_their_bytes():
    from papersift.outbox.services import text

    assert text(b"550 5.1.1 caf\xc3\xa9") == "550 5.1.1 café"
    assert text(b"550 \xff bad") == "550 \ufffd bad"
    assert text("already text") == "already text"


def test_recovery_takes_each_dead_claim_by_its_own_row(caplog):
    """Another host's worker claims in batches: its stale rows go back, a newer batch of the same worker is left
    alone; and recovery logs what it did when it released rows only."""
    stale_sending, fresh_sending, stale_committing, fresh_committing = queue(4)
    now = timezone.now()
    old = now - timedelta(minutes=20)
    for row, status, at in ((stale_sending, "sending", old), (fresh_sending, "sending", now),
                            (stale_committing, "committing", old), (fresh_committing, "committing", now)):
        OutboxMessage.objects.filter(id=row.id).update(status=status, claimed_by="elsewhere:7:7", claimed_at=at)
    report = recover()
    assert (report.released, report.unknown) == (1, 1)
    states = dict(OutboxMessage.objects.values_list("id", "status"))
    assert states == {stale_sending.id: "pending", fresh_sending.id: "sending", stale_committing.id: "unknown",
                      fresh_committing.id: "committing"}
    OutboxMessage.objects.filter(id=fresh_sending.id).update(claimed_at=old)
    caplog.clear()
    with caplog.at_level("WARNING", logger="papersift.outbox.services"):
        assert recover().released == 1
    assert [r.getMessage() for r in caplog.records] == ["outbox.recovered released=1 unknown=0"]


@pytest.mark.parametrize(("status", "meanwhile", "after"), [
    ("sending", {"status": "committing"}, "committing"),                  # its worker went on: not resent
    ("sending", {"claimed_by": "alive:1:1"}, "sending"),                  # released and taken by another
    ("committing", {"status": "sent"}, "sent"),                           # its worker finished
    ("committing", {"status": "sending", "claimed_by": "alive:1:1"}, "sending"),  # retried and taken again
    ("committing", {"claimed_by": "alive:1:1"}, "committing"),           # ... and already being handed over
])
def test_recovery_leaves_a_row_that_changed_after_it_was_read(monkeypatch, status, meanwhile, after):
    """Between reading the claims and writing, a row can move on; the write applies only to the row as it was."""
    from papersift.outbox import services

    (row,) = queue(1)
    OutboxMessage.objects.filter(id=row.id).update(status=status, claimed_by="gone:1:1", claimed_at=timezone.now())

    def dead_but_moved_on(claimed_by, claimed_at, now):
        OutboxMessage.objects.filter(id=row.id).update(**meanwhile)
        return True

    monkeypatch.setattr(services, "_claim_is_dead", dead_but_moved_on)
    report = recover()
    assert (report.released, report.unknown) == (0, 0)
    assert OutboxMessage.objects.get(id=row.id).status == after


def test_a_claim_skips_messages_taken_between_reading_and_claiming(monkeypatch):
    """Without row locks (SQLite) a due message read by this worker may have been claimed or sent by another before
    this worker's write: it stays theirs and is not returned; one this worker sent earlier is not taken again."""
    from papersift.outbox import services

    taken, done_by_me, free = queue(3)
    OutboxMessage.objects.filter(id=taken.id).update(status="sending", claimed_by="other:1:1")
    OutboxMessage.objects.filter(id=done_by_me.id).update(status="sent", claimed_by="me:1:1")
    monkeypatch.setattr(services, "_due_ids", lambda limit: [taken.id, done_by_me.id, free.id])
    assert [row.id for row in services._claim("me:1:1")] == [free.id]
    rows = {r.id: (r.status, r.claimed_by) for r in OutboxMessage.objects.all()}
    assert rows == {taken.id: ("sending", "other:1:1"), done_by_me.id: ("sent", "me:1:1"),
                    free.id: ("sending", "me:1:1")}


@pytest.mark.django_db(transaction=True)
def test_a_claim_passes_over_a_message_another_worker_has_locked():
    """On PostgreSQL a message locked by another worker's claim is skipped, not waited for; SQLite has no row
    locks (it serialises writers), so there the claim takes it."""
    import threading

    from django.db import connection

    from papersift.outbox.services import _claim

    locked, free = queue(2)
    holding, done = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                list(OutboxMessage.objects.select_for_update().filter(id=locked.id))
                holding.set()
                done.wait(10)          # a claim that waits for the lock would get it after this
        finally:
            connection.close()

    thread = threading.Thread(target=hold_lock)
    thread.start()
    try:
        assert holding.wait(10)
        claimed = [row.id for row in _claim("me:1:1")]
    finally:
        done.set()
        thread.join()
    if connection.vendor == "postgresql":
        assert claimed == [free.id]
        assert OutboxMessage.objects.get(id=locked.id).status == "pending"
    else:
        assert claimed == [locked.id, free.id]


def test_an_unreachable_server_is_logged_with_its_error(settings, real_mail, caplog):
    server = SmtpServer()                                             # reserved, refusing connections
    point_at(settings, server.port)
    queue(1)
    try:
        with caplog.at_level("WARNING", logger="papersift.outbox.services"):
            report = deliver()
    finally:
        server.stop()
    assert report.unreachable.startswith("ConnectionRefusedError: ")
    assert [(r.getMessage(), r.error) for r in caplog.records] == [("outbox.unreachable", report.unreachable)]


def test_a_message_is_sent_from_its_sender_and_recorded_with_the_refused_recipients(smtp_server, caplog):
    smtp_server.refuse = {"gone@example.org": "550 5.1.1 No such user", "full@example.org": "452 4.2.2 Full"}
    with transaction.atomic():
        row = enqueue(EmailMessage("hi", "body", "digest@papersift.example",
                                   ["ok@example.org", "gone@example.org", "full@example.org"]), kind="digest")
    before = timezone.now()
    with caplog.at_level("INFO", logger="papersift.outbox.services"):
        report = deliver()
    assert report.sent == 1
    (message,) = smtp_server.wait_for(1)
    assert (message.envelope_from, message.envelope_to) == ("digest@papersift.example", ["ok@example.org"])
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 1, worker_id())
    assert row.sent_at >= before
    assert row.last_error == ("gone@example.org refused: 550 5.1.1 No such user; "
                              "full@example.org refused: 452 4.2.2 Full")
    sent = [(r.getMessage(), r.id, r.kind) for r in caplog.records if r.levelname == "INFO"]
    assert sent == [("outbox.sent", row.id, "digest")]


def test_a_message_no_longer_held_by_this_worker_is_not_completed(smtp_server):
    """The end of a message is sent only while its row is this worker's and still being sent: a row that another
    worker now holds, or that was settled meanwhile, is abandoned mid-DATA (the server keeps nothing)."""
    from papersift.outbox.services import DeliveryReport, _Connection, _send_one

    theirs, settled = queue(2)
    OutboxMessage.objects.filter(id=theirs.id).update(status="sending", claimed_by="them:1:1")
    OutboxMessage.objects.filter(id=settled.id).update(status="failed", claimed_by="me:2:2")
    report = DeliveryReport()
    for row in (theirs, settled):
        row.refresh_from_db()
        connection = _Connection()
        try:
            _send_one(connection, connection.open(), row, "me:2:2", report)
        finally:
            connection.drop()
    assert report.sent == 0 and not smtp_server.messages
    states = dict(OutboxMessage.objects.values_list("id", "status"))
    assert states == {theirs.id: "sending", settled.id: "failed"}


@pytest.mark.django_db(transaction=True)
def test_a_message_taken_over_while_the_server_had_it_stays_with_its_new_worker(settings, real_mail):
    """Recorded as sent only while still this worker's: if an operator's retry gave it to another worker while
    the server was taking it, that worker's claim is left as it is."""
    server = SmtpServer()
    server.hold = ("data", 1)
    server.start()
    point_at(settings, server.port)
    (row,) = queue(1)
    try:
        thread, outcome = deliver_in_background()
        assert server.held.wait(30)
        assert OutboxMessage.objects.filter(id=row.id).update(status="sending", claimed_by="them:1:1") == 1
        server.release.set()
        thread.join(60)
    finally:
        server.stop()
    row.refresh_from_db()
    assert (row.status, row.claimed_by, row.sent_at) == ("sending", "them:1:1", None)
    assert outcome["report"].sent == 1 and len(server.messages) == 1


def test_a_queued_message_keeps_its_dedupe_key_and_long_headers_whole():
    link = "<https://papersift.example/digests/unsubscribe/" + "x" * 300 + ">"
    message = EmailMessage("digest", "body", "papersift@localhost", ["r@example.org"],
                           headers={"List-Unsubscribe": link})
    with transaction.atomic():
        row = enqueue(message, kind="digest", dedupe_key="digest:7:2026-12-03")
    row.refresh_from_db()
    assert row.dedupe_key == "digest:7:2026-12-03"
    assert f"List-Unsubscribe: {link}\r\n".encode() in bytes(row.mime)    # one line, as SMTP carries it


def test_a_claim_takes_at_most_one_batch(monkeypatch):
    from papersift.outbox import services

    monkeypatch.setattr(services, "CLAIM_BATCH", 2)
    first, second, third = queue(3)
    assert [row.id for row in services._claim("me:1:1")] == [first.id, second.id]
    assert [row.id for row in services._claim("me:1:1")] == [third.id]


@pytest.mark.parametrize(("error", "permanent"), [
    (ValueError("an address SMTP cannot carry"), True),
    (smtplib.SMTPDataError(550, b"No such user"), True),
    (smtplib.SMTPDataError(500, b"Syntax error"), True),
    (smtplib.SMTPDataError(499, b"odd"), False),
    (smtplib.SMTPDataError(451, b"Try later"), False),
    (smtplib.SMTPSenderRefused(553, b"Bad sender", "s@example.org"), True),
    (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No"), "b@example.org": (500, b"No")}), True),
    (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No"), "b@example.org": (452, b"Full")}), False),
    (smtplib.SMTPRecipientsRefused({"a@example.org": (499, b"odd")}), False),
    (smtplib.SMTPServerDisconnected("gone"), False),
])
def test_which_refusals_are_final(error, permanent):
    from papersift.outbox.services import _permanent

    assert _permanent(error) is permanent


@pytest.mark.parametrize(("error", "described"), [
    (smtplib.SMTPDataError(550, b"5.1.1 No such user"), "SMTPDataError: 550 5.1.1 No such user"),
    (smtplib.SMTPSenderRefused(553, "5.1.8 Bad sender", "s@example.org"), "SMTPSenderRefused: 553 5.1.8 Bad sender"),
    (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user"), "b@example.org": (452, b"Full \xff")}),
     "SMTPRecipientsRefused: a@example.org: 550 No such user; b@example.org: 452 Full \ufffd"),
    (ConnectionRefusedError(111, "Connection refused"), "ConnectionRefusedError: [Errno 111] Connection refused"),
])
def test_an_smtp_error_is_described_as_the_server_put_it(error, described):
    from papersift.outbox.services import describe

    assert describe(error) == described
