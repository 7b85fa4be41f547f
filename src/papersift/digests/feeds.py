"""A subscription's digests as an Atom feed: the same sections, the same ranking, for the recent periods.

The feed walks the schedule's latest slots back (two weeks of weekdays, or eight weeks) and lists what each
period's digest holds, newest period first, each paper dated by its period's slot. It does not leave out what
was mailed (a feed reader keeps its own read marks), so it is the digest without the address's history. Its
link is signed with its own salt: shared with a feed reader, it can read and nothing else, and only while the
subscription is active.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from papersift.catalog.models import Paper
from papersift.digests import selectors
from papersift.digests.models import Subscription
from papersift.digests.schedule import DAILY
from papersift.web.feeds import PaperFeed

PERIODS = {"daily": 10, "weekly": 8}


def recent_papers(subscription: Subscription, now=None) -> list[Paper]:
    now = now or timezone.now()
    schedule = subscription.schedule
    slot = schedule.latest_slot(now)
    seen: set[int] = set()
    papers: list[Paper] = []
    for _ in range(PERIODS[schedule.frequency]):
        previous = schedule.previous_slot(slot)
        window = selectors.Window(previous, slot)
        for section in selectors.sections(subscription, selectors.WindowPapers(window), history=False):
            for paper in section.papers:
                if paper.id not in seen:
                    seen.add(paper.id)
                    paper.feed_date = slot
                    paper.feed_section = section.title
                    papers.append(paper)
        slot = previous
    return papers


class SubscriptionFeed(PaperFeed):
    def get_object(self, request, token: str) -> Subscription:
        """The subscription, while it is active: an unsubscribed one (or one never confirmed) has no feed."""
        from django.http import Http404

        from papersift.digests.views import subscription_or_404

        subscription = subscription_or_404("feed", token)
        if subscription.status != Subscription.Status.ACTIVE:
            raise Http404("this subscription has ended (or is not confirmed yet): its feed is gone")
        return subscription

    def title(self, subscription: Subscription) -> str:
        kind = "daily" if subscription.frequency == DAILY else "weekly"
        return f"papersift: your {kind} digest"

    def subtitle(self, subscription: Subscription) -> str:
        from papersift.digests.mail import describe_sections

        return f"{subscription.schedule.describe()}: " + "; ".join(describe_sections(subscription))

    def link(self, subscription: Subscription) -> str:
        return reverse("daily")

    def items(self, subscription: Subscription) -> list[Paper]:
        from papersift.indexing.selectors import IndexMissing

        try:
            return recent_papers(subscription)
        except IndexMissing:
            return []

    def item_categories(self, item: Paper) -> list[str]:
        return [getattr(item, "feed_section", ""), *item.categories]


subscription_feed = SubscriptionFeed()
