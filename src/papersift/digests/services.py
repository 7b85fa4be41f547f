"""Every change to subscriptions and digests: subscribe, confirm, change, unsubscribe; build the due digests.

A digest is built in one transaction that writes its ``Digest`` row (unique per subscription and period), one
``DigestItem`` per paper (unique per address and paper: no address gets a paper twice) and its outbox row
(unique ``dedupe_key``). Whatever runs it, however often and from however many processes, a period's digest is
built at most once, and a process killed half-way leaves each subscription either with its digest or without;
the next run builds the rest. Choosing the papers happens before that transaction, so SQLite's write lock is
held only for the inserts.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from papersift.digests import mail, selectors
from papersift.digests.models import Digest, DigestItem, SavedSearch, Subscription
from papersift.digests.schedule import DAILY, Schedule
from papersift.outbox.services import enqueue

log = logging.getLogger(__name__)
Status = Subscription.Status


class InvalidSubscription(ValueError):
    """A subscription the form or the caller described cannot be kept; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class Choices:
    """What a subscriber chose; checked by ``forms.SubscriptionForm`` (pages) before it gets here."""

    frequency: str = DAILY
    hour: int = 8
    timezone: str = "UTC"
    weekday: int = 0
    trending_top: int = 10
    categories: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)   # queries of the search language
    for_you: bool = False                                # a "For you" section (account subscriptions only)

    def check(self) -> None:
        try:
            Schedule(self.frequency, self.hour, self.timezone, self.weekday)
        except ValueError as exc:
            raise InvalidSubscription("schedule", str(exc)) from None
        if not (self.trending_top or self.categories or self.searches or self.for_you):
            raise InvalidSubscription("sections", "choose at least one section: trending papers, a saved search, "
                                                  "a category or “For you”")


def _apply(subscription: Subscription, choices: Choices) -> None:
    choices.check()
    if choices.for_you and not subscription.user_id:
        raise InvalidSubscription("for_you", "“For you” needs a subscription tied to your account: log in and "
                                             "subscribe your verified address")
    for name in ("frequency", "hour", "timezone", "weekday", "trending_top", "categories", "for_you"):
        setattr(subscription, name, getattr(choices, name))
    subscription.save()
    subscription.searches.all().delete()
    SavedSearch.objects.bulk_create(SavedSearch(subscription=subscription, query=query, position=i)
                                    for i, query in enumerate(choices.searches))


@transaction.atomic
def subscribe(email: str, choices: Choices, *, user=None) -> Subscription:
    """A new subscription. An address the signed-in ``user`` has verified is active at once; any other waits
    for its confirmation link (double opt-in), and its confirmation mail is queued in this transaction."""
    email = email.strip()
    verified = user is not None and user.is_authenticated and _verified(user, email)
    subscription = Subscription(email=email, user=user if verified else None,
                                status=Status.ACTIVE if verified else Status.PENDING,
                                confirmed_at=timezone.now() if verified else None)
    _apply(subscription, choices)
    if not verified:
        enqueue(mail.confirmation(subscription), kind="digest-confirm")
    log.info("digest.subscribe", extra={"subscription": subscription.id, "confirmed": verified})
    return subscription


def _verified(user, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def confirm(subscription: Subscription) -> bool:
    """Follow the confirmation link: the subscription becomes active. False when it already was (or was ended)."""
    with transaction.atomic():
        changed = Subscription.objects.filter(id=subscription.id, status=Status.PENDING).update(
            status=Status.ACTIVE, confirmed_at=timezone.now())
        subscription.refresh_from_db()
        return bool(changed)


@transaction.atomic
def change(subscription: Subscription, choices: Choices) -> Subscription:
    _apply(subscription, choices)
    return subscription


def unsubscribe(subscription: Subscription) -> bool:
    """End the subscription (one click, no login). Its digest history stays, so a paper is still never resent
    if the address subscribes again."""
    with transaction.atomic():
        changed = Subscription.objects.filter(id=subscription.id).exclude(status=Status.UNSUBSCRIBED).update(
            status=Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
        subscription.refresh_from_db()
        if changed:
            log.info("digest.unsubscribe", extra={"subscription": subscription.id})
        return bool(changed)


def resubscribe(subscription: Subscription, *, user=None) -> bool:
    """Subscribe an ended subscription again. Like a new one: active at once only when the signed-in ``user`` has
    verified its address; otherwise it waits for a new confirmation link, queued here (a manage link can be
    forwarded, and whoever holds it must not be able to start mail to an address that asked for none).
    Returns True when it is active now. A subscription that is not unsubscribed is left as it is."""
    with transaction.atomic():
        ended = Subscription.objects.select_for_update().filter(id=subscription.id, status=Status.UNSUBSCRIBED)
        if not ended.exists():
            subscription.refresh_from_db()
            return subscription.status == Status.ACTIVE
        verified = user is not None and user.is_authenticated and _verified(user, subscription.recipient)
        Subscription.objects.filter(id=subscription.id).update(
            status=Status.ACTIVE if verified else Status.PENDING, unsubscribed_at=None,
            confirmed_at=timezone.now() if verified else None)
        subscription.refresh_from_db()
        if not verified:
            enqueue(mail.confirmation(subscription), kind="digest-confirm")
        log.info("digest.resubscribe", extra={"subscription": subscription.id, "confirmed": verified})
        return verified


# -- building digests -------------------------------------------------------------------------------------------

@dataclass
class RunReport:
    now: str
    built: int = 0
    papers: int = 0
    skipped: Counter = field(default_factory=Counter)   # reason -> subscriptions
    built_for: list[str] = field(default_factory=list)  # "address period papers" (dry runs: what would be)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {"now": self.now, "dry_run": self.dry_run, "built": self.built, "papers": self.papers,
                "skipped": dict(sorted(self.skipped.items())), "digests": self.built_for}


def due(now: datetime, *, to: str | None = None) -> list[tuple[Subscription, datetime]]:
    """Active subscriptions whose latest slot at or before ``now`` has no digest yet, with that slot.

    Subscriptions are grouped by schedule, so each group costs one query whatever its size.
    """
    active = Subscription.objects.filter(status=Status.ACTIVE).select_related("user")
    if to:
        active = active.filter(_to(to))
    groups = active.values("frequency", "hour", "timezone", "weekday").annotate(n=Count("id"))
    out = []
    for group in groups:
        schedule = Schedule(group["frequency"], group["hour"], group["timezone"], group["weekday"])
        slot = schedule.latest_slot(now)
        members = active.filter(frequency=group["frequency"], hour=group["hour"], timezone=group["timezone"],
                                weekday=group["weekday"]).exclude(digests__period=schedule.period(slot))
        out.extend((subscription, slot) for subscription in members.prefetch_related("searches"))
    return sorted(out, key=lambda pair: (pair[1], pair[0].id))


def _to(address: str) -> Q:
    """Subscriptions whose digests go to ``address``: made with it, or belonging to an account that has it."""
    return Q(email__iexact=address) | Q(user__email__iexact=address)


def send_due(now: datetime | None = None, *, to: str | None = None, dry_run: bool = False) -> RunReport:
    """Build (or, ``dry_run``, only describe) every digest due at ``now``; each in its own transaction."""
    from papersift.indexing.selectors import IndexMissing

    now = now or timezone.now()
    report = RunReport(now=now.isoformat(), dry_run=dry_run)
    _count_not_due(report, to)
    windows: dict[selectors.Window, selectors.WindowPapers] = {}
    for subscription, slot in due(now, to=to):
        reason = _not_deliverable(subscription)
        if reason:
            report.skipped[reason] += 1
            log.info("digest.skip", extra={"subscription": subscription.id, "reason": reason})
            continue
        window = selectors.window_for(subscription, slot)
        papers = windows.setdefault(window, selectors.WindowPapers(window, batch=True))
        try:
            outcome, count = _build(subscription, slot, papers, dry_run)
        except IndexMissing:
            outcome, count = "no-index", 0   # saved searches need the index: retried on the next run
        if outcome == "built":
            report.built += 1
            report.papers += count
            report.built_for.append(f"{subscription.recipient} {subscription.schedule.period(slot)} {count}")
        else:
            report.skipped[outcome] += 1
            log.info("digest.skip", extra={"subscription": subscription.id, "reason": outcome})
    return report


def _count_not_due(report: RunReport, to: str | None) -> None:
    others = Subscription.objects.exclude(status=Status.ACTIVE)
    if to:
        others = others.filter(email__iexact=to)
    for status, reason in ((Status.PENDING, "unconfirmed"), (Status.UNSUBSCRIBED, "unsubscribed")):
        count = others.filter(status=status).count()
        if count:
            report.skipped[reason] += count


def _not_deliverable(subscription: Subscription) -> str:
    if subscription.user_id:
        if not subscription.user.is_active:
            return "inactive-account"
        if not _verified(subscription.user, subscription.recipient):
            return "unverified"
    return ""


def _build(subscription: Subscription, slot: datetime, papers: selectors.WindowPapers,
           dry_run: bool) -> tuple[str, int]:
    """``("built", papers)`` or ``(skip reason, 0)``. A lost race on a paper (another subscription of the same
    address took it first) is retried once with a fresh choice; a race on the digest itself (another worker wrote
    it first) ends there too, as `_write` finds it written."""
    for retried in (False, True):
        content = mail.DigestContent(subscription, slot, papers.window, selectors.sections(subscription, papers))
        if dry_run:
            return ("built", content.count) if content.count or _send_empty() else ("nothing-new", 0)
        try:
            return _write(content, papers.seen_up_to)
        except IntegrityError:
            if retried:
                return "already-built", 0
    raise AssertionError("the second attempt always returns")   # pragma: no mutate (never reached)


def _send_empty() -> bool:
    return settings.PAPERSIFT["DIGEST_SEND_EMPTY"]


def _write(content: mail.DigestContent, seen_up_to: int) -> tuple[str, int]:
    with transaction.atomic():
        subscription = content.subscription
        if Digest.objects.filter(subscription=subscription, period=content.period).exists():
            return "already-built", 0
        digest = Digest(subscription=subscription, period=content.period, slot_at=content.slot,
                        window_start=content.window.start, window_end=content.window.end,
                        listing_watermark=max(content.window.listing_watermark, seen_up_to))
        if not content.count and not _send_empty():
            digest.status, digest.skip_reason = Digest.Status.SKIPPED, "nothing-new"
            digest.save()
            return "nothing-new", 0
        digest.status, digest.papers = Digest.Status.QUEUED, content.count
        digest.message = enqueue(mail.digest(content), kind="digest",
                                 dedupe_key=f"digest:{subscription.id}:{content.period}")
        digest.save()
        recipient = subscription.recipient.lower()
        position = 0
        items = []
        for section in content.sections:
            for paper in section.papers:
                items.append(DigestItem(digest=digest, recipient=recipient, paper=paper, section=section.key[:80],
                                        position=position))
                position += 1
        DigestItem.objects.bulk_create(items)
        log.info("digest.built", extra={"subscription": subscription.id, "period": content.period,
                                        "papers": content.count})
        return "built", content.count


def preview(email: str, now: datetime | None = None) -> list[mail.DigestContent]:
    """The digest each subscription of ``email`` (confirmed or not yet) would get at ``now``; writes nothing."""
    now = now or timezone.now()
    out = []
    subscriptions = Subscription.objects.filter(_to(email), status__in=[Status.ACTIVE, Status.PENDING]) \
        .prefetch_related("searches")
    for subscription in subscriptions:
        slot = subscription.schedule.latest_slot(now)
        window = selectors.window_for(subscription, slot)
        out.append(mail.DigestContent(subscription, slot, window,
                                      selectors.sections(subscription, selectors.WindowPapers(window))))
    return out


def account_deleted(sender, instance, **kwargs) -> None:
    """``pre_delete`` of a user: its subscriptions go by cascade; those to its verified addresses go too."""
    from allauth.account.models import EmailAddress

    addresses = list(EmailAddress.objects.filter(user=instance, verified=True).values_list("email", flat=True))
    query = Q(user=instance)
    for address in addresses + ([instance.email] if instance.email else []):
        query |= Q(email__iexact=address)
    Subscription.objects.filter(query).delete()


def purge_unconfirmed(older_than_days: int = 30) -> int:
    """Forget subscriptions never confirmed: an address someone typed is not kept for ever."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Subscription.objects.filter(status=Status.PENDING, created_at__lt=cutoff).delete()
    return deleted
