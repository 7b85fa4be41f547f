"""The reader's private "For you" Atom feed, behind an unguessable link (``Reader.feed_key``) that the reader can
replace on "Your interests" (the old link then answers 404). It lists the week's recommendations with reasons."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from papersift.recommend import selectors
from papersift.web.feeds import PaperFeed

FEED_ITEMS = 30


class ForYouFeed(PaperFeed):
    def get_object(self, request, key: str):
        user = selectors.reader_by_feed_key(key)
        if user is None:
            raise Http404("no such feed (the link may have been replaced on “Your interests”)")
        return user

    def title(self, user) -> str:
        return f"papersift: for {user.username}"

    def subtitle(self, user) -> str:
        return "Papers of the week ranked for you, from your upvotes, lists, seeds and follows"

    def link(self, user) -> str:
        return reverse("for-you")

    def items(self, user) -> list:
        found = selectors.window_papers("week")
        if found is None:
            return []
        result = selectors.for_user(user, found[0], FEED_ITEMS)
        for item in result.items:
            item.paper.feed_reasons = "; ".join(r.text for r in item.reasons)
        return [item.paper for item in result.items]

    def item_description(self, item) -> str:
        return f"Why: {item.feed_reasons}.\n\n{item.abstract}"


for_you_feed = ForYouFeed()
