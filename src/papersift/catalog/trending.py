"""The trending score: upvotes decayed by age, Hacker News style but on a scale of days. Pure; no Django.

    score = upvotes / (age_days + OFFSET_DAYS) ** GRAVITY        (OFFSET_DAYS = 2, GRAVITY = 1.5)

Hacker News divides by (hours + 2) ** 1.8, tuned for a front page that turns over within hours; papers are
listed once a day and read over days, so age is counted in days: a paper listed a day earlier needs 1.4-1.8x the
votes to stay level, and at the end of an ISO week a Monday paper needs 2.4x the votes of a Friday one.

``upvotes`` is the displayed total (imported Hugging Face votes plus papersift users' votes). ``age_hours`` is
counted from the start of the paper's listing day (UTC) to the reference time: now, or the end of the window
being shown when that is in the past, so an old week ranks as it did at its end. Counting from the listing *day*
keeps one day's list in plain upvote order (every paper on it is the same age), while across a week, a month or
the trending feed a newer paper with fewer votes can pass an older one. Ties go to more comments, then the arXiv id.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

GRAVITY = 1.5
OFFSET_DAYS = 2.0


def age_hours(listed_on: date, reference: datetime) -> float:
    start = datetime.combine(listed_on, time(), tzinfo=timezone.utc)
    return max(0.0, (reference - start).total_seconds() / 3600)


def score(upvotes: int, hours: float, gravity: float = GRAVITY) -> float:
    return max(upvotes, 0) / (max(hours, 0.0) / 24 + OFFSET_DAYS) ** gravity


def sort_key(upvotes: int, comments: int, listed_on: date, arxiv_id: str, reference: datetime) -> tuple:
    """Ascending sort key: highest score first, then most upvotes, most comments, arXiv id."""
    return (-score(upvotes, age_hours(listed_on, reference)), -upvotes, -comments, arxiv_id)
