"""arXiv's clock and the sources' schedules. Pure functions; no Django, no database.

arXiv announces at 20:00 US Eastern time, Sunday to Thursday, except on its holidays (shipped in
`data/arxiv-holidays.json`, taken from arXiv's published schedule). An announcement is *dated* the day after
its evening, the day arXiv's listings, mailings, RSS `pubDate` and OAI-PMH datestamps carry: the announcement
made on Wednesday 27 November 2024 at 20:00 is the announcement of 2024-11-28. This module speaks of
announcement days in that sense.

A source's schedule is ``auto`` (its kind's clock: arXiv after each announcement, Hugging Face every hour
through the day) or ``every N`` minutes or hours (``every 30m``, ``every 2h``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
ANNOUNCED_AT = time(20, 0)
ANNOUNCING_WEEKDAYS = {6, 0, 1, 2, 3}        # Sunday to Thursday evenings
RUN_AFTER = timedelta(minutes=30)            # first look at the feeds this long after the announcement
RETRY = timedelta(minutes=30)                # then again this often until the day is in (or after a failure)
OAI_GRACE = timedelta(hours=3)               # past this, a day the RSS feed does not show is taken from OAI-PMH
HF_INTERVAL = timedelta(hours=1)             # Hugging Face's list grows through its (UTC) day
MAX_CATCH_UP = 60                            # days back a catch-up reaches after a long downtime
HOLIDAYS_FILE = Path(__file__).parent / "data" / "arxiv-holidays.json"


@cache
def holidays() -> frozenset[date]:
    data = json.loads(HOLIDAYS_FILE.read_text())
    return frozenset(date.fromisoformat(day) for day in data["holidays"])


def announces_on_evening_of(day: date) -> bool:
    return day.weekday() in ANNOUNCING_WEEKDAYS and day not in holidays()


def announced_at(announcement_day: date) -> datetime:
    """The moment (UTC) the announcement of ``announcement_day`` is made: 20:00 Eastern the evening before."""
    evening = announcement_day - timedelta(days=1)
    return datetime.combine(evening, ANNOUNCED_AT, tzinfo=EASTERN).astimezone(timezone.utc)


def is_announcement_day(day: date) -> bool:
    return announces_on_evening_of(day - timedelta(days=1))


def latest_announcement_day(now: datetime) -> date:
    """The newest announcement made at or before ``now``."""
    day = now.astimezone(EASTERN).date() + timedelta(days=1)
    while not (is_announcement_day(day) and announced_at(day) <= now):
        day -= timedelta(days=1)
    return day


def next_announcement(now: datetime) -> datetime:
    """The moment of the first announcement after ``now``."""
    day = now.astimezone(EASTERN).date()
    while not (is_announcement_day(day) and announced_at(day) > now):
        day += timedelta(days=1)
    return announced_at(day)


def announcement_days(after: date, now: datetime) -> list[date]:
    """Announcement days later than ``after`` whose announcement has been made by ``now``, oldest first
    (at most MAX_CATCH_UP days back)."""
    latest = latest_announcement_day(now)
    day = max(after + timedelta(days=1), latest - timedelta(days=MAX_CATCH_UP))
    out = []
    while day <= latest:
        if is_announcement_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def covered_through(previous: date | None, expected: list[date], covered: set[date]) -> date | None:
    """How far a source is caught up: the last expected day before the first one not covered."""
    done = previous
    for day in expected:
        if day not in covered:
            break
        done = day
    return done


SCHEDULE = re.compile(r"^\s*(?:auto|every\s+(\d{1,4})\s*(m|min|minutes?|h|hours?))\s*$", re.I)


@dataclass(frozen=True)
class Schedule:
    """``every`` is None for ``auto`` (the kind's own clock)."""

    every: timedelta | None = None

    @classmethod
    def parse(cls, text: str) -> Schedule:
        match = SCHEDULE.match(text or "")
        if not match:
            raise ValueError(f"schedule {text!r} is not `auto` or `every N` minutes or hours (every 30m, every 2h)")
        if match[1] is None:
            return cls()
        minutes = int(match[1]) * (60 if match[2].lower().startswith("h") else 1)
        if not 5 <= minutes <= 7 * 24 * 60:
            raise ValueError(f"schedule {text!r}: between every 5m and every 168h")
        return cls(timedelta(minutes=minutes))

    def describe(self, kind: str) -> str:
        if self.every is not None:
            minutes = int(self.every.total_seconds() // 60)
            return f"every {minutes // 60} h" if minutes % 60 == 0 else f"every {minutes} min"
        if kind == "arxiv":
            return "after each arXiv announcement (20:00 US Eastern, Sunday to Thursday, not on arXiv's holidays)"
        return "every hour"

    def next_run(self, kind: str, now: datetime, *, waiting: bool = False, failed: bool = False) -> datetime:
        """When to run next, after a run at ``now``. ``waiting``: the latest arXiv day is not out yet;
        ``failed``: the run failed (tried again after RETRY, or the fixed interval if shorter)."""
        if self.every is not None:
            return now + (min(self.every, RETRY) if failed else self.every)
        if failed or (kind == "arxiv" and waiting):
            return now + RETRY
        if kind == "arxiv":
            return next_announcement(now) + RUN_AFTER
        return now + HF_INTERVAL


def hf_days(caught_up_to: date | None, now: datetime, first_days: int = 7) -> list[date]:
    """Hugging Face days to read at ``now``: every day after ``caught_up_to`` through today (UTC); on a first
    run the last ``first_days`` days."""
    today = now.astimezone(timezone.utc).date()
    start = caught_up_to + timedelta(days=1) if caught_up_to else today - timedelta(days=first_days - 1)
    start = max(start, today - timedelta(days=MAX_CATCH_UP))
    return [start + timedelta(days=n) for n in range((today - start).days + 1)]
