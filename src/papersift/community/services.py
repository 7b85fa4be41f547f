"""Casting and withdrawing upvotes, exactly once whatever the clicks or the concurrency."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F

from papersift.catalog.models import Paper
from papersift.community.models import Vote


def set_vote(user: User, paper: Paper, up: bool) -> tuple[bool, int]:
    """Make ``user``'s vote on ``paper`` be ``up`` (idempotent: asking twice changes nothing the second time).

    The unique constraint decides between racing requests: the loser's insert fails inside its savepoint and
    its request counts nothing. ``Paper.community_votes`` moves in the same transaction as the vote row.
    Returns (voted, the paper's papersift vote count).
    """
    with transaction.atomic():
        if up:
            try:
                with transaction.atomic():
                    Vote.objects.create(user=user, paper=paper)
            except IntegrityError:
                pass                # voted already, or a racing request did: counted once
            else:
                Paper.objects.filter(id=paper.id).update(community_votes=F("community_votes") + 1)
        elif Vote.objects.filter(user=user, paper=paper).delete()[0] > 0:
            Paper.objects.filter(id=paper.id).update(community_votes=F("community_votes") - 1)
        count = Paper.objects.filter(id=paper.id).values_list("community_votes", flat=True).get()
        return up, count


def voted_ids(user, paper_ids) -> set[int]:
    """Which of these papers ``user`` has upvoted (one query; empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Vote.objects.filter(user=user, paper_id__in=list(paper_ids)).values_list("paper_id", flat=True))
