"""arXiv's clock, the holidays shipped with papersift, the schedules and the category syntax: table-driven and
property-based, no database."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from papersift.sources import arxiv, clock

MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                      "september", "october", "november", "december"], start=1)}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def holidays_on_the_pages(shared) -> set[date]:
    """Every date listed under a "YYYY Holidays" heading of arXiv's availability pages (2024, 2025, 2026)."""
    found = set()
    for page in sorted((shared / "arxiv-raw" / "schedule").glob("arxiv-docs-availability-*.md")):
        year = None
        for line in page.read_text().splitlines():
            heading = re.match(r"#+\s*(\d{4}) Holidays", line)
            if heading:
                year = int(heading[1])
                continue
            if line.startswith("#"):
                year = None
            item = re.match(r"-\s*\w+\s+(.*)$", line.strip())
            if year and item:
                text = item[1].strip()
                iso = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
                if iso:
                    found.add(date(int(iso[1]), int(iso[2]), int(iso[3])))
                else:
                    day, month = text.split()[:2]
                    found.add(date(year, MONTHS[month.lower()], int(day)))
    return found


def test_the_shipped_holidays_are_those_of_arxivs_published_schedule(shared):
    on_pages = holidays_on_the_pages(shared)
    assert len(on_pages) == 27
    assert set(clock.holidays()) == on_pages


@pytest.mark.parametrize("now, latest", [
    ("2024-11-28T02:00", "2024-11-28"),   # Wednesday 20:00 EST = Thursday 01:00 UTC: the 28th's announcement
    ("2024-11-28T00:59", "2024-11-27"),   # a minute before it
    ("2024-11-30T12:00", "2024-11-28"),   # Thanksgiving (Thursday evening) and Friday/Saturday: nothing new
    ("2024-12-02T01:30", "2024-12-02"),   # Sunday evening's announcement is Monday's
    ("2025-07-07T12:00", "2025-07-04"),   # Sunday 6 July 2025 is a holiday: no Monday announcement
    ("2026-06-10T00:30", "2026-06-10"),   # summer time: 20:00 EDT = 00:00 UTC
])
def test_latest_announcement_day(now, latest):
    assert clock.latest_announcement_day(utc(now)) == date.fromisoformat(latest)


@pytest.mark.parametrize("now, upcoming", [
    ("2024-11-27T12:00", "2024-11-28T01:00"),   # Wednesday evening, EST
    ("2024-11-28T02:00", "2024-12-02T01:00"),   # after it: Thanksgiving, Friday, Saturday skipped -> Sunday
    ("2026-06-09T12:00", "2026-06-10T00:00"),   # EDT
    ("2026-12-25T12:00", "2026-12-28T01:00"),   # Christmas Friday, then Sunday 27th
])
def test_next_announcement(now, upcoming):
    assert clock.next_announcement(utc(now)) == utc(upcoming)


def test_announcement_days_skip_weekends_and_holidays():
    days = clock.announcement_days(date(2024, 11, 26), utc("2024-12-04T12:00"))
    assert days == [date(2024, 11, 27), date(2024, 11, 28), date(2024, 12, 2), date(2024, 12, 3), date(2024, 12, 4)]
    assert clock.covered_through(date(2024, 11, 26), days, {date(2024, 11, 27), date(2024, 12, 2)}) == \
        date(2024, 11, 27)


def test_a_long_downtime_is_caught_up_at_most_max_catch_up_days_back():
    days = clock.announcement_days(date(2020, 1, 1), utc("2025-03-05T12:00"))
    assert days[0] >= date(2025, 3, 5) - timedelta(days=clock.MAX_CATCH_UP) and days[-1] == date(2025, 3, 5)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31)))
def test_the_clock_is_consistent_at_any_moment(moment):
    now = moment.replace(tzinfo=timezone.utc)
    latest = clock.latest_announcement_day(now)
    upcoming = clock.next_announcement(now)
    assert clock.announced_at(latest) <= now < upcoming
    assert upcoming - now <= timedelta(days=6)
    local = upcoming.astimezone(clock.EASTERN)
    assert (local.hour, local.minute) == (20, 0) and local.weekday() in clock.ANNOUNCING_WEEKDAYS
    assert local.date() not in clock.holidays()
    # Every announcement between the latest and the next is skipped for a reason: none exists.
    assert clock.announcement_days(latest, upcoming - timedelta(seconds=1)) == []


@pytest.mark.parametrize("text, kind, now, waiting, failed, expected", [
    ("auto", "arxiv", "2024-11-27T12:00", False, False, "2024-11-28T01:30"),
    ("auto", "arxiv", "2024-11-28T01:40", True, False, "2024-11-28T02:10"),      # the feed is late: look again
    ("auto", "hf-daily", "2026-08-21T10:00", False, False, "2026-08-21T11:00"),
    ("auto", "hf-daily", "2026-08-21T10:00", False, True, "2026-08-21T10:30"),
    ("every 2h", "arxiv", "2026-08-21T10:00", False, False, "2026-08-21T12:00"),
    ("every 10m", "hf-daily", "2026-08-21T10:00", False, True, "2026-08-21T10:10"),
])
def test_next_run(text, kind, now, waiting, failed, expected):
    assert clock.Schedule.parse(text).next_run(kind, utc(now), waiting=waiting, failed=failed) == utc(expected)


@pytest.mark.parametrize("text", ["hourly", "every", "every 0m", "every 2d", "every 9999h", ""])
def test_bad_schedules_are_refused_with_the_text(text):
    with pytest.raises(ValueError, match="schedule"):
        clock.Schedule.parse(text)


def test_hf_days_read_every_missed_day_through_today():
    assert clock.hf_days(date(2026, 8, 18), utc("2026-08-21T10:00")) == [
        date(2026, 8, 19), date(2026, 8, 20), date(2026, 8, 21)]
    assert len(clock.hf_days(None, utc("2026-08-21T10:00"))) == 7


@pytest.mark.parametrize("category, oai_set", [
    ("cs.CL", "cs:cs:CL"), ("cs", "cs:cs"), ("math.NA", "math:math:NA"), ("hep-th", "physics:hep-th"),
    ("physics.atom-ph", "physics:physics:atom-ph"), ("astro-ph.CO", "physics:astro-ph:CO"),
    ("stat.ML", "stat:stat:ML"), ("quant-ph", "physics:quant-ph"), ("math-ph", "physics:math-ph"),
    ("q-bio.NC", "q-bio:q-bio:NC"), ("eess.AS", "eess:eess:AS"),
])
def test_categories_become_oai_sets_in_the_2025_syntax(category, oai_set):
    assert arxiv.oai_set(category) == oai_set


@pytest.mark.parametrize("text, message", [
    ("astroph", "'astroph' is not one of"), ("cs.CL; drop table", "not an arXiv category"), ("", "at least one"),
])
def test_bad_categories_are_named(text, message):
    with pytest.raises(ValueError, match=message):
        arxiv.parse_categories(text)


def test_urls_for_a_source():
    assert arxiv.parse_categories("cs.CL, cs.LG+cs.CL") == ["cs.CL", "cs.LG"]
    assert arxiv.rss_url("https://rss.arxiv.org/rss/", ["cs.CL", "cs.LG"]) == "https://rss.arxiv.org/rss/cs.CL+cs.LG"
    assert arxiv.oai_url("https://oaipmh.arxiv.org/oai", "cs.CL", date(2025, 7, 1), date(2025, 7, 2)) == (
        "https://oaipmh.arxiv.org/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=cs%3Acs%3ACL"
        "&from=2025-07-01&until=2025-07-02")
