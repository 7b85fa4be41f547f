"""Workers killed with SIGKILL at each point of building and delivering digests, then restarted: every
subscriber ends with exactly one digest. Real processes (the installed `papersift`), a real SMTP server."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from papersift.catalog.models import DailyListing, Paper
from papersift.digests.models import Digest, Subscription
from papersift.digests.services import send_due
from papersift.ingest.sample import load_sample
from papersift.outbox.models import OutboxMessage
from tests import processes
from tests.digests.conftest import THURSDAY, paper_ids, papersift, parts
from tests.smtpserver import SmtpServer


def subscribers(count: int) -> list[Subscription]:
    """Confirmed daily subscribers (made in bulk: the subscription pages are tested elsewhere)."""
    Subscription.objects.bulk_create(Subscription(email=f"s{i:03d}@example.org", status="active", trending_top=3)
                                     for i in range(count))
    return list(Subscription.objects.all())


def finish(proc: subprocess.Popen, timeout: float = 120) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return out


def one_each(server: SmtpServer, count: int) -> Counter:
    server.wait_for(count, timeout=30)
    time.sleep(0.3)                                   # anything extra would have arrived by now
    return Counter(m.envelope_to[0] for m in server.messages)


@pytest.fixture
def loaded(worker_env):
    assert load_sample(only_if_empty=True).error_count == 0
    return worker_env


@pytest.mark.parametrize("stage, resent", [("rcpt", True), ("data", False)])
def test_a_worker_killed_mid_batch_and_restarted_delivers_each_digest_exactly_once(loaded, stage, resent):
    """Killed before the end of a message (at RCPT): nothing was delivered, so it is sent again after the
    restart. Killed after the end (the server has it, the reply is not back): it is not sent again."""
    people = subscribers(12)
    assert send_due(THURSDAY).built == 12
    server = SmtpServer()
    server.hold = (stage, 4)                          # the 4th message of the batch stops there
    server.start()
    env = {**loaded, "PAPERSIFT_SMTP_PORT": str(server.port)}
    try:
        first = papersift(env, "outbox", "send")
        assert server.held.wait(60), first.communicate(timeout=5)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        server.release.set()
        states = Counter(OutboxMessage.objects.values_list("status", flat=True))
        assert states["sent"] == 3 and states["sending"] + states["committing"] == 9   # killed mid-batch
        restart = papersift(env, "worker", "--once")
        finish(restart)
        got = one_each(server, 12)
        assert got == Counter({p.email: 1 for p in people})
        final = Counter(OutboxMessage.objects.values_list("status", flat=True))
        assert final == ({"sent": 12} if resent else {"sent": 11, "unknown": 1})   # unknown: shown, not resent
    finally:
        server.stop()


def test_a_worker_killed_while_building_digests_builds_the_rest_once_after_restart(loaded):
    """Killed inside the 100th digest's transaction (its mail queued, the digest not yet saved): the 99 before it
    are whole, the 100th left nothing, and the restart builds the other 141 once. The builder stops at that point
    and waits for the kill (tests/pause.py), so the kill lands there however fast or slow the machine is."""
    people = subscribers(240)
    server = SmtpServer().start()
    env = {**loaded, "PAPERSIFT_SMTP_PORT": str(server.port)}
    try:
        first = processes.start_paused("papersift.digests.services:enqueue", 100, "digest", "send", "--now",
                                       THURSDAY.isoformat(), "--no-deliver", env=env)
        processes.Output(first).wait_for(r"^paused$")
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        assert Digest.objects.count() == 99 and OutboxMessage.objects.count() == 99   # each digest whole, or none
        finish(papersift(env, "digest", "send", "--now", THURSDAY.isoformat()))
        assert Digest.objects.count() == 240 and OutboxMessage.objects.filter(status="sent").count() == 240
        assert one_each(server, 240) == Counter({p.email: 1 for p in people})
    finally:
        server.stop()


def test_the_cli_previews_sends_due_digests_and_a_second_run_sends_nothing(loaded, tmp_path):
    Subscription.objects.create(email="ann@example.org", status="active", trending_top=4)
    server = SmtpServer().start()
    env = {**loaded, "PAPERSIFT_SMTP_PORT": str(server.port)}
    try:
        shown = finish(papersift(env, "digest", "preview", "--to", "ANN@example.org", "--now", "2026-08-20T08:00Z",
                                 "--output", str(tmp_path / "preview.html")))
        assert "Your papers for Thursday 20 August 2026: 4 new papers" in shown
        assert len(paper_ids((tmp_path / "preview.html").read_text())) == 4
        dry = finish(papersift(env, "digest", "send", "--now", "2026-08-20T08:00:00Z", "--dry-run"))
        assert "would build 1 (4 papers)" in dry and not server.messages and not Digest.objects.exists()
        out = finish(papersift(env, "digest", "send", "--now", "2026-08-20T08:00:00Z"))
        assert "built 1 (4 papers)" in out and "sent 1" in out
        again = finish(papersift(env, "digest", "send", "--now", "2026-08-20T09:30:00Z"))
        assert "built 0" in again and "sent 0" in again
        (mail,) = server.wait_for(1)
        assert len(paper_ids(parts(mail)[1])) == 4
        status = json.loads(finish(papersift(env, "digest", "status", "--json")))
        assert status == {"subscriptions": {"active daily": 1}, "digests_last_7_days": {"built": 1}, "papers_sent": 4}
    finally:
        server.stop()


def test_with_the_smtp_server_down_digest_send_keeps_the_mail_and_it_goes_out_once_later(loaded):
    people = subscribers(3)
    server = SmtpServer()                             # not started: its port is reserved and refuses connections
    env = {**loaded, "PAPERSIFT_SMTP_PORT": str(server.port)}
    try:
        down = papersift(env, "digest", "send", "--now", THURSDAY.isoformat())
        out, err = down.communicate(timeout=120)
        assert down.returncode == 1 and "SMTP server unreachable" in err and "3 message(s) wait" in err
        assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("pending", 0)}
        server.start()
        finish(papersift(env, "digest", "send", "--now", THURSDAY.isoformat()))   # builds nothing, sends the 3
        finish(papersift(env, "outbox", "send"))
        assert one_each(server, 3) == Counter({p.email: 1 for p in people})
    finally:
        server.stop()


def test_the_worker_builds_digests_on_schedule_and_stops_on_sigterm(worker_env):
    """The scheduler itself, on the real clock: a weekly subscription due this hour, a paper listed just now."""
    now = datetime.now(timezone.utc)
    slot = now.replace(minute=0, second=0, microsecond=0)
    paper = Paper.objects.create(arxiv_id="2612.00001", title="A paper listed this hour", abstract="Fresh.",
                                 content_hash="x", source="test", source_uri="test")
    DailyListing.objects.create(paper=paper, date=slot.date(), submitted_at=slot - timedelta(minutes=1),
                                upvotes_imported=3, source="test", source_uri="test")
    Subscription.objects.create(email="zed@example.org", status="active", frequency="weekly",
                                weekday=slot.weekday(), hour=slot.hour, trending_top=5)
    server = SmtpServer().start()
    env = {**worker_env, "PAPERSIFT_SMTP_PORT": str(server.port), "PAPERSIFT_DIGEST_CHECK_INTERVAL": "0.5"}
    try:
        worker = papersift(env, "worker", "--interval", "0.5")
        (mail,) = server.wait_for(1, timeout=60)
        assert paper_ids(parts(mail)[0]) == ["2612.00001"]
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
        assert Digest.objects.get().period.startswith("weekly:")
    finally:
        server.stop()
