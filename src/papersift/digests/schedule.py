"""When a subscription's digests fall due. Pure functions over a schedule; no Django, no database.

A *slot* is the moment a digest is due, as an aware UTC datetime: for a daily subscription, every weekday
(Monday to Friday) at ``hour`` o'clock in ``timezone``; for a weekly one, the chosen ``weekday`` at that hour.
Each slot belongs to a *period* with a stable key (``daily:2026-08-20``, ``weekly:2026-W34``, from the local
date), and a digest is built at most once per subscription and period (a unique constraint holds that).

The digest due at ``now`` is the one for the latest slot at or before ``now``; earlier missed slots are not
built one by one (a worker that was down for three days sends one digest covering the three days, not three).
Local times that do not exist (the hour skipped when clocks go forward) resolve to the hour after the jump;
repeated ones (clocks going back) to their first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAILY = "daily"
WEEKLY = "weekly"
FREQUENCIES = (DAILY, WEEKLY)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ValueError naming it when there is no such zone."""
    try:
        if name and name in _zone_names():
            return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise ValueError(f"{name!r} is not a time zone name (IANA names such as Europe/Paris, America/New_York, UTC)")


_ZONES: frozenset[str] | None = None


def _zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones()) | {"UTC"}
    return _ZONES


def zone_names() -> list[str]:
    return sorted(_zone_names())


@dataclass(frozen=True)
class Schedule:
    frequency: str
    hour: int
    timezone: str = "UTC"
    weekday: int = 0  # Monday = 0; weekly subscriptions only

    def __post_init__(self):
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"frequency must be {' or '.join(FREQUENCIES)}, got {self.frequency!r}")
        if not 0 <= self.hour <= 23:
            raise ValueError(f"hour must be between 0 and 23, got {self.hour}")
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be between 0 (Monday) and 6 (Sunday), got {self.weekday}")
        zone(self.timezone)

    def runs_on(self, day: date) -> bool:
        if self.frequency == DAILY:
            return day.weekday() < 5
        return day.weekday() == self.weekday

    def slot_on(self, day: date) -> datetime:
        """The slot on local date ``day`` (whether or not the schedule runs that day), in UTC."""
        # fold=0: a skipped wall time takes the offset from before the jump, which lands on the jump itself;
        # a repeated one is its first occurrence.
        return datetime.combine(day, time(self.hour), tzinfo=zone(self.timezone)).astimezone(timezone.utc)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(zone(self.timezone)).date()

    def latest_slot(self, now: datetime) -> datetime:
        """The latest slot at or before ``now`` (an aware datetime)."""
        day = self.local_date(now)
        for back in range(0, 15):
            candidate = day - timedelta(days=back)
            if self.runs_on(candidate):
                slot = self.slot_on(candidate)
                if slot <= now:
                    return slot
        raise AssertionError("every schedule runs at least once a week")  # pragma: no cover

    def previous_slot(self, slot: datetime) -> datetime:
        """The slot before ``slot``."""
        return self.latest_slot(slot - timedelta(seconds=1))

    def next_slot(self, now: datetime) -> datetime:
        """The first slot after ``now``."""
        day = self.local_date(now)
        for ahead in range(0, 15):
            candidate = day + timedelta(days=ahead)
            if self.runs_on(candidate):
                slot = self.slot_on(candidate)
                if slot > now:
                    return slot
        raise AssertionError("every schedule runs at least once a week")  # pragma: no cover

    def period(self, slot: datetime) -> str:
        """The period key of ``slot``: ``daily:YYYY-MM-DD`` or ``weekly:YYYY-Www`` (ISO week), local dates."""
        day = self.local_date(slot)
        if self.frequency == DAILY:
            return f"{DAILY}:{day.isoformat()}"
        year, week, _ = day.isocalendar()
        return f"{WEEKLY}:{year}-W{week:02d}"

    def describe(self) -> str:
        when = "every weekday" if self.frequency == DAILY else f"every {WEEKDAYS[self.weekday]}"
        return f"{when} at {self.hour:02d}:00 ({self.timezone})"
