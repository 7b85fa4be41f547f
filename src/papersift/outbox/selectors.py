from __future__ import annotations

from django.db.models import Count, Min

from papersift.outbox.models import OutboxMessage


def queue_status() -> dict:
    counts = {row["status"]: row["n"] for row in OutboxMessage.objects.values("status").annotate(n=Count("id"))}
    waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).aggregate(oldest=Min("created_at"))
    status = {s.value: counts.get(s.value, 0) for s in OutboxMessage.Status}
    status["oldest_pending"] = waiting["oldest"].isoformat() if waiting["oldest"] else None
    return status
