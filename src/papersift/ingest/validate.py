"""The one gate between the parsers and the catalog: every parsed record's fields checked into typed, bounded values.

Parsers turn bytes into records as faithfully as they can; this module decides whether a record may be written.
Whatever it lets through fits the catalog's columns on SQLite and PostgreSQL alike (lengths, integer ranges, no
NUL characters, valid UTF-8), so a batch of checked records does not fail in the database. Pure; no Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from papersift.ingest.records import (
    ANNOUNCE_TYPES, PAPER_ID_MAX, InvalidRecord, Parsed, RecordError,
)

INT_MAX = 2**31 - 1          # PositiveIntegerField on PostgreSQL (integer)
SHORT = {"doi": 255, "license": 255, "code_url": 500, "project_url": 500}   # the CharField/URLField lengths
LONG = ("title", "abstract", "comments", "journal_ref")
CATEGORY_MAX = 32            # Paper.primary_category
MAX_CATEGORIES = 100
MAX_AUTHORS = 10_000         # the largest collaborations sign ~5,000 names
SUBMITTER_MAX = 150          # DailyListing.submitted_by


@dataclass(frozen=True)
class Limits:
    """How large an input may be; the defaults are the settings' (PAPERSIFT_INGEST_MAX_*)."""

    max_field: int = 100_000         # characters in a title, abstract, comment or journal ref
    max_line: int = 4 << 20          # bytes in one line of a JSON-lines file
    max_document: int = 64 << 20     # bytes of a whole JSON document (hf-daily) or a fetched page, decompressed

    @classmethod
    def from_settings(cls, config: dict) -> Limits:
        return cls(max_field=config["INGEST_MAX_FIELD"], max_line=config["INGEST_MAX_LINE"],
                   max_document=config["INGEST_MAX_DOCUMENT"])


# What a parser's conversion of one malformed record can raise (wrong types, out-of-range dates and numbers);
# InvalidRecord is a ValueError. Anything else is a bug and is left to the caller's per-input handler.
RECORD_FAULTS = (ValueError, TypeError, OverflowError, AttributeError, LookupError, RecursionError)


def record_or_error(location: str, build: Callable[[], Parsed]) -> Parsed | RecordError:
    """``build()``'s record, or a RecordError at ``location`` saying what is wrong with it."""
    try:
        return build()
    except InvalidRecord as exc:
        return RecordError(location, str(exc))
    except RECORD_FAULTS as exc:
        return RecordError(location, f"malformed record ({type(exc).__name__}: {exc})")


def check(parsed: Parsed, limits: Limits = Limits()) -> Parsed:
    """``parsed`` with every field checked; InvalidRecord naming the first field that cannot be stored."""
    paper = parsed.paper
    paper.arxiv_id = _text(paper.arxiv_id, "id", PAPER_ID_MAX)
    if not paper.arxiv_id:
        raise InvalidRecord("the paper has no id")
    paper.title = _text(paper.title, "title", limits.max_field, setting=True)
    if not paper.title.strip():
        raise InvalidRecord(f"paper {paper.arxiv_id} has no title")
    for name in LONG[1:]:
        setattr(paper, name, _text(getattr(paper, name), name, limits.max_field, setting=True))
    for name, most in SHORT.items():
        setattr(paper, name, _text(getattr(paper, name), name, most))
    paper.authors = _names(paper.authors, "authors", MAX_AUTHORS, limits.max_field)   # the author index cuts them
    paper.categories = _names(paper.categories, "categories", MAX_CATEGORIES, CATEGORY_MAX)
    paper.version = _count(paper.version, "version", low=1)
    paper.versions = [_version(item) for item in _list(paper.versions, "versions", MAX_CATEGORIES)]
    for name in ("published", "updated", "observed"):
        setattr(paper, name, _moment(getattr(paper, name), name))
    paper.announced = _day(paper.announced, "announced")
    if not isinstance(paper.withdrawn, bool):
        raise InvalidRecord(f"withdrawn should be true or false, got {type(paper.withdrawn).__name__}")
    if parsed.listing is not None:
        listing = parsed.listing
        listing.date = _day(listing.date, "listing date", required=True)
        listing.listed_at = _moment(listing.listed_at, "listed_at")
        listing.submitted_at = _moment(listing.submitted_at, "submitted_at")
        listing.submitted_by = _text(listing.submitted_by, "submitted_by", SUBMITTER_MAX)
        listing.upvotes = _count(listing.upvotes, "upvotes", low=0) or 0
        listing.comments = _count(listing.comments, "comments", low=0) or 0
    if parsed.announcement is not None:
        announcement = parsed.announcement
        announcement.date = _day(announcement.date, "announcement date", required=True)
        if announcement.kind not in ANNOUNCE_TYPES:
            raise InvalidRecord(f"announce type {str(announcement.kind)[:40]!r} is not one of {', '.join(ANNOUNCE_TYPES)}")
        announcement.version = _count(announcement.version, "announced version", low=1)
    return parsed


def _text(value, name: str, most: int, *, setting: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRecord(f"{name} should be text, got {type(value).__name__}")
    if len(value) > most:
        where = f"PAPERSIFT_INGEST_MAX_FIELD={most}" if setting else f"the {most} the catalog keeps"
        raise InvalidRecord(f"{name} is {len(value)} characters long, more than {where}; the record was not stored")
    if "\x00" in value:
        value = value.replace("\x00", "")   # PostgreSQL stores no NUL in text; it is never meaningful here
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRecord(f"{name} is not valid Unicode text (a lone surrogate at {exc.start})") from exc
    return value


def _list(value, name: str, most: int) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRecord(f"{name} should be a list, got {type(value).__name__}")
    if len(value) > most:
        raise InvalidRecord(f"{name} has {len(value)} entries, more than {most}")
    return value


def _names(value, name: str, most: int, longest: int) -> list[str]:
    items = _list(value, name, most)
    checked = []
    for item in items:
        if not isinstance(item, str):
            raise InvalidRecord(f"each of {name} should be text, got {type(item).__name__}: {str(item)[:40]!r}")
        text = _text(item, f"an entry of {name}", longest)
        if text.strip():
            checked.append(text)
    return checked


def _count(value, name: str, *, low: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRecord(f"{name} should be a whole number, got {type(value).__name__}")
    if not low <= value <= INT_MAX:
        raise InvalidRecord(f"{name} {value if abs(value) < 10**20 else str(value)[:20] + '...'} is out of range "
                            f"({low} to {INT_MAX})")
    return value


def _version(item) -> dict:
    if not isinstance(item, dict):
        raise InvalidRecord(f"each of versions should be an object, got {type(item).__name__}")
    number = _count(item.get("version"), "version", low=1)
    if number is None:
        raise InvalidRecord("a version has no number")
    when = item.get("date")
    if when is not None and not (isinstance(when, str) and len(when) <= 64):
        raise InvalidRecord(f"version {number} has a malformed date")
    return {"version": number, "date": when}


def _moment(value, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidRecord(f"{name} should be a date and time, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidRecord(f"{name} {value.isoformat()} has no time zone")
    return value


def _day(value, name: str, *, required: bool = False) -> date | None:
    if value is None and not required:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidRecord(f"{name} should be a date, got {type(value).__name__}")
    return value
