"""Submitting a paper to today's list: the one place that does it, for the page, the API and any other face.

A submission is refused, with a reason for the submitter and nothing written, when the text is not an arXiv
id, when arXiv has no such paper, when its first version is older than SUBMIT_MAX_AGE_DAYS, or when arXiv
cannot be reached. arXiv is asked before anything is written, so a refusal or a failure leaves the catalog
as it was. A paper already on a daily list (any day) is not listed again: the existing entry is returned.
A paper the catalog holds but never listed (e.g. from an arXiv harvest) is listed, its metadata refreshed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone as django_timezone

from papersift.catalog.models import DailyListing
from papersift.catalog.services import upsert
from papersift.ingest.records import ListingRecord
from papersift.submissions import selectors
from papersift.submissions.arxiv import (  # noqa: F401 (the refusals are part of this module's contract)
    ArxivUnreachable, MalformedId, NotOnArxiv, Refused, fetch_paper, parse_submitted_id,
)

log = logging.getLogger("papersift.submissions")
SOURCE = "submission"


class TooOld(Refused):
    status = 400


@dataclass(frozen=True)
class Submission:
    """The listing a submission points to; ``created`` is False when the paper was listed already."""

    listing: DailyListing
    created: bool

    @property
    def duplicate(self) -> bool:
        return not self.created


def submit(user, text: str, *, now: datetime | None = None) -> Submission:
    """List the paper ``text`` names on today's list (UTC day of ``now``) as submitted by ``user``.

    Raises a `Refused` subclass (MalformedId, NotOnArxiv, TooOld: the submitter's input; ArxivUnreachable:
    arXiv's) before writing anything. Writes the paper and its listing in one transaction and brings the
    lexical index up to date after it commits.
    """
    now = now or django_timezone.now()
    arxiv_id = parse_submitted_id(text)
    existing = selectors.listing_of(arxiv_id)
    if existing is not None:
        return Submission(existing, created=False)
    parsed, url = fetch_paper(arxiv_id)
    _check_age(parsed.paper, now)
    parsed.paper.observed = now
    today = now.astimezone(timezone.utc).date()
    parsed.listing = ListingRecord(date=today, listed_at=now, submitted_by=user.get_username(), submitted_at=now)
    try:
        with transaction.atomic():
            existing = selectors.listing_of(arxiv_id)
            if existing is not None:   # listed by someone else while arXiv was being asked
                return Submission(existing, created=False)
            upsert([parsed], SOURCE, url)
    except IntegrityError:             # a concurrent submission of the same paper committed first
        existing = selectors.listing_of(arxiv_id)
        if existing is None:
            raise
        return Submission(existing, created=False)
    transaction.on_commit(_update_index)
    log.info("submission.listed id=%s user=%s date=%s", arxiv_id, user.get_username(), today)
    return Submission(selectors.listing_of(arxiv_id), created=True)


def _check_age(paper, now: datetime) -> None:
    window = settings.PAPERSIFT["SUBMIT_MAX_AGE_DAYS"]
    first = paper.published or paper.updated
    if first is None:
        raise TooOld(f"arXiv gives no date for {paper.arxiv_id}, so its age cannot be checked against the "
                     f"{window}-day window")
    if now - first > timedelta(days=window):
        age = (now - first).days
        ago = f"{age} days ago" if age > window else f"more than {window} days ago"
        raise TooOld(f"{paper.arxiv_id} first appeared on arXiv on {first:%Y-%m-%d}, {ago}; papers can be "
                     f"submitted only within {window} days of their first version")


def _update_index() -> None:
    """Index the new paper lexically, as ingest does after writing. The catalog is committed by now and is the
    system of record: an index failure is logged, and the next ingest or `papersift index update` catches up."""
    from papersift.indexing.services import sync_lexical

    try:
        sync_lexical()
    except Exception:
        log.exception("submission.index_failed")
