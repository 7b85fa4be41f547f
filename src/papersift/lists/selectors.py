"""Reading lists as pages, exports and the API read them. Visibility lives here: a list is seen by its owner, and
by everyone once public; to anyone else a private list does not exist (the same 404 as a list that never did)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from papersift.catalog import selectors as catalog
from papersift.catalog.models import Paper
from papersift.ingest.records import InvalidRecord, split_paper_id
from papersift.lists.models import ReadingList, ReadingListItem


def lists_of(user) -> QuerySet[ReadingList]:
    """The user's lists, most recently changed first, each with ``paper_count``."""
    return (ReadingList.objects.filter(owner=user).annotate(paper_count=Count("items"))
            .order_by("-updated_at", "-id"))


def is_owner(user, reading_list: ReadingList) -> bool:
    return getattr(user, "is_authenticated", False) and reading_list.owner_id == user.id


def visible_list(slug: str, user) -> ReadingList | None:
    """The list at ``slug`` if ``user`` may see it, else None (whether it is private or absent is not told)."""
    found = ReadingList.objects.select_related("owner").filter(slug=slug).first()
    if found is None or not (found.public or is_owner(user, found)):
        return None
    return found


@dataclass(frozen=True)
class Entry:
    """One paper on a list: the paper (with its upvote and comment counts), when it was added, the owner's note."""

    paper: Paper
    added_at: object
    note: str


def entries(reading_list: ReadingList) -> list[Entry]:
    """The list's papers, most recently added first (three queries whatever the length)."""
    rows = list(ReadingListItem.objects.filter(reading_list=reading_list).order_by("-added_at", "-id")
                .values_list("paper_id", "added_at", "note"))
    papers = catalog.papers_by_id(paper_id for paper_id, _, _ in rows)
    return [Entry(papers[paper_id], added_at, note) for paper_id, added_at, note in rows if paper_id in papers]


def save_menu(user) -> list[ReadingList]:
    """The lists a "save" button offers, most recently changed first, each with ``paper_ids`` (the papers already
    on it, so the button can say so). Two queries; none for anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return []
    lists = list(ReadingList.objects.filter(owner=user).order_by("-updated_at", "-id"))
    for reading_list in lists:
        reading_list.paper_ids = set()
    by_id = {reading_list.id: reading_list for reading_list in lists}
    for list_id, paper_id in ReadingListItem.objects.filter(reading_list__in=lists).values_list("reading_list_id",
                                                                                              "paper_id"):
        by_id[list_id].paper_ids.add(paper_id)
    return lists


def paper_by_id(raw_id: str) -> Paper | None:
    """The paper under an arXiv id as a user writes it (a version suffix is ignored); None if not in the catalog
    or not an id at all."""
    try:
        arxiv_id, _ = split_paper_id((raw_id or "").strip())
    except InvalidRecord:
        return None
    return Paper.objects.filter(arxiv_id=arxiv_id).first()
