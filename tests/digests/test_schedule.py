"""When digests fall due: the schedule's slots, periods and time zones, table-driven (no database)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from papersift.digests.schedule import Schedule


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


DAILY_8_UTC = Schedule("daily", 8, "UTC")
WEEKLY_MONDAY_9_PARIS = Schedule("weekly", 9, "Europe/Paris", weekday=0)


@pytest.mark.parametrize("schedule, now, latest, previous, period", [
    # A weekday morning after the hour: today's slot; the previous one is yesterday's.
    (DAILY_8_UTC, "2026-08-20T09:30", "2026-08-20T08:00", "2026-08-19T08:00", "daily:2026-08-20"),
    # Exactly on the hour counts as due.
    (DAILY_8_UTC, "2026-08-20T08:00", "2026-08-20T08:00", "2026-08-19T08:00", "daily:2026-08-20"),
    # Before the hour: yesterday's slot is the latest.
    (DAILY_8_UTC, "2026-08-20T07:59", "2026-08-19T08:00", "2026-08-18T08:00", "daily:2026-08-19"),
    # Weekends have no slot: Saturday and Sunday fall back to Friday; Monday's previous slot is Friday.
    (DAILY_8_UTC, "2026-08-22T12:00", "2026-08-21T08:00", "2026-08-20T08:00", "daily:2026-08-21"),
    (DAILY_8_UTC, "2026-08-24T08:00", "2026-08-24T08:00", "2026-08-21T08:00", "daily:2026-08-24"),
    # Local time: 08:00 in Tokyo is 23:00 UTC the day before; the period is the local date.
    (Schedule("daily", 8, "Asia/Tokyo"), "2026-08-19T23:30", "2026-08-19T23:00", "2026-08-18T23:00",
     "daily:2026-08-20"),
    # Local time west of UTC: 08:00 in New York (EDT) is 12:00 UTC.
    (Schedule("daily", 8, "America/New_York"), "2026-08-20T11:00", "2026-08-19T12:00", "2026-08-18T12:00",
     "daily:2026-08-19"),
    # Weekly: Monday 09:00 Paris (CEST, +2) is 07:00 UTC; the period is the ISO week.
    (WEEKLY_MONDAY_9_PARIS, "2026-08-20T10:00", "2026-08-17T07:00", "2026-08-10T07:00", "weekly:2026-W34"),
    (WEEKLY_MONDAY_9_PARIS, "2026-08-17T06:59", "2026-08-10T07:00", "2026-08-03T07:00", "weekly:2026-W33"),
    # Across the end of summer time (25 October 2026 in Paris): the offset changes, the local hour does not.
    (WEEKLY_MONDAY_9_PARIS, "2026-10-26T09:00", "2026-10-26T08:00", "2026-10-19T07:00", "weekly:2026-W44"),
    # ISO weeks cross years: Monday 28 December 2026 is in week 53 of 2026.
    (Schedule("weekly", 8, "UTC", weekday=0), "2026-12-30T00:00", "2026-12-28T08:00", "2026-12-21T08:00",
     "weekly:2026-W53"),
])
def test_latest_and_previous_slots(schedule, now, latest, previous, period):
    slot = schedule.latest_slot(utc(now))
    assert slot == utc(latest)
    assert schedule.previous_slot(slot) == utc(previous)
    assert schedule.period(slot) == period


@pytest.mark.parametrize("schedule, now, upcoming", [
    (DAILY_8_UTC, "2026-08-20T08:00", "2026-08-21T08:00"),
    (DAILY_8_UTC, "2026-08-21T09:00", "2026-08-24T08:00"),      # Friday after the hour: next is Monday
    (WEEKLY_MONDAY_9_PARIS, "2026-08-17T06:00", "2026-08-17T07:00"),
])
def test_next_slot(schedule, now, upcoming):
    assert schedule.next_slot(utc(now)) == utc(upcoming)


def test_a_skipped_local_hour_lands_on_the_jump():
    # Clocks go forward at 02:00 on 29 March 2026 in Paris: 02:30 does not exist; the slot is 03:00 CEST.
    schedule = Schedule("daily", 2, "Europe/Paris")
    assert schedule.latest_slot(utc("2026-03-30T00:00")) == utc("2026-03-30T00:00")
    assert schedule.slot_on(datetime(2026, 3, 29).date()) == utc("2026-03-29T01:00")


@pytest.mark.parametrize("arguments, message", [
    (("hourly", 8, "UTC"), "frequency must be daily or weekly"),
    (("daily", 24, "UTC"), "hour must be between 0 and 23"),
    (("weekly", 8, "UTC", 7), "weekday must be between 0 (Monday) and 6 (Sunday)"),
    (("daily", 8, "Mars/Olympus_Mons"), "'Mars/Olympus_Mons' is not a time zone name"),
    (("daily", 8, "../etc/passwd"), "is not a time zone name"),
])
def test_bad_schedules_say_what_is_wrong(arguments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Schedule(*arguments)


def test_describe():
    assert DAILY_8_UTC.describe() == "every weekday at 08:00 (UTC)"
    assert WEEKLY_MONDAY_9_PARIS.describe() == "every Monday at 09:00 (Europe/Paris)"
