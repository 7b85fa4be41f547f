"""`hf-daily`: bodies of Hugging Face `GET /api/daily_papers` responses, with the archive's quirks.

Quirks handled (see shared/data/hf-daily/README.md): entries that are Python-repr strings instead of objects,
the `{status, date, count, data}` wrapper, hard line breaks in `paper.title`/`paper.summary`, and missing
fields in older files. The listing day is taken from the file name or URL (`YYYY-MM-DD`), then the wrapper's
`date`, then the entry's `submittedOnDailyAt` / `publishedAt`.

What Hugging Face adds to the paper is kept too: `paper.ai_summary`, `ai_keywords`, `ai_summary_model`,
`githubStars`, `organization` (the paper's, else the entry's), the entry's `thumbnail` (`mediaUrl` in the
oldest files) and `mediaUrls` (the entry's, else the paper's), and the submitter's `fullname` and `avatarUrl`.
Only absolute http(s) URLs are kept: the relative `/avatars/<hash>.svg` Hugging Face gives users without a
picture is its own placeholder, and papersift shows its own.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime, time, timezone
from collections.abc import Iterator
from typing import BinaryIO

import orjson

from papersift.ingest.records import (
    FormatError, InvalidRecord, ListingRecord, OrganizationRecord, PageInfo, PaperRecord, Parsed, RecordError,
    clean_text, parse_date, parse_datetime, sniff_html, split_arxiv_id,
)
from papersift.ingest.validate import Limits, record_or_error

NAME = "hf-daily"
EXTENSIONS = (".json",)
DAY_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})(?!.*\d{4}-\d{2}-\d{2})")
ORG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")   # a Hugging Face organisation's hub name


# A day's response has a few thousand objects and arrays; a document with more than this many is refused before
# it is parsed, since every one becomes a Python object (a 16 MiB file of `{},` would need ~400 MB).
MAX_CONTAINERS = 500_000


def parse(stream: BinaryIO, name: str, page: PageInfo, limits: Limits = Limits()) -> Iterator[Parsed | RecordError]:
    body = stream.read(limits.max_document + 1)
    if sniff_html(body[:256]):
        raise FormatError("is an HTML page, not a Hugging Face daily_papers JSON response")
    if len(body) > limits.max_document:
        raise FormatError(f"is larger than PAPERSIFT_INGEST_MAX_DOCUMENT={limits.max_document} bytes "
                          f"(decompressed); a {NAME} response is a few hundred KB")
    if body.count(b"{") + body.count(b"[") > MAX_CONTAINERS:
        raise FormatError(f"has more than {MAX_CONTAINERS} JSON objects and arrays; not a {NAME} response body")
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise FormatError(f"is not valid JSON ({exc}); not a {NAME} response body") from exc
    del body
    entries, wrapper_day = _entries(document)
    day = None
    name_match = DAY_IN_NAME.search(name)
    if name_match:
        try:
            day = parse_date(name_match.group(1))
        except InvalidRecord:
            yield RecordError("file name", f"{name_match.group(1)!r} in the name is not a date; the listing day "
                                           "is taken from the wrapper or each entry instead")
    if day is None and wrapper_day is not None:
        try:
            day = parse_date(wrapper_day)
        except (InvalidRecord, TypeError) as exc:
            yield RecordError("wrapper", f"'date' {str(wrapper_day)[:40]!r} is not a date ({exc}); the listing day "
                                         "is taken from each entry instead")
    for index, entry in enumerate(entries):
        location = f"entry {index}"
        yield record_or_error(location, lambda: convert(_as_dict(entry), day, location))


def _entries(document) -> tuple[list, str | None]:
    if isinstance(document, list):
        return document, None
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        return document["data"], document.get("date")
    raise FormatError("is JSON but not a daily_papers response (expected a list of entries or {data: [...]})")


def _as_dict(entry) -> dict:
    if isinstance(entry, dict):
        return entry
    if isinstance(entry, str):
        try:
            value = ast.literal_eval(entry)
        except (ValueError, SyntaxError) as exc:
            raise InvalidRecord(f"string entry is not a Python literal: {exc}") from exc
        if isinstance(value, dict):
            return value
    raise InvalidRecord(f"entry should be an object, got {type(entry).__name__}")


def convert(entry: dict, day, location: str) -> Parsed:
    paper = entry.get("paper")
    if not isinstance(paper, dict):
        raise InvalidRecord("entry has no 'paper' object")
    arxiv_id, version = split_arxiv_id(paper.get("id") or "")
    title = clean_text(paper.get("title") or entry.get("title"))
    if not title:
        raise InvalidRecord(f"paper {arxiv_id} has no title")
    submitted_at = parse_datetime(paper.get("submittedOnDailyAt"))
    listed_at = parse_datetime(entry.get("publishedAt"))
    listing_day = day or (submitted_at or listed_at or None)
    if listing_day is None:
        raise InvalidRecord(f"paper {arxiv_id}: no listing date in the file name, wrapper or entry")
    if isinstance(listing_day, datetime):
        listing_day = listing_day.date()
    record = PaperRecord(
        arxiv_id=arxiv_id,
        title=title,
        abstract=clean_text(paper.get("summary") or entry.get("summary")),
        authors=_authors(paper.get("authors")),
        version=version,
        published=parse_datetime(paper.get("publishedAt")),
        code_url=_url(paper.get("githubRepo")),
        project_url=_url(paper.get("projectPage")),
        observed=datetime.combine(listing_day, time(), tzinfo=timezone.utc),
        ai_summary=clean_text(_string(paper.get("ai_summary"), "paper.ai_summary")),
        ai_keywords=_keywords(paper.get("ai_keywords")),
        ai_summary_model=_string(paper.get("ai_summary_model"), "paper.ai_summary_model").strip()[:200],
        github_stars=_count(paper.get("githubStars"), "paper.githubStars", missing=None),
        organization=_organization(paper.get("organization") or entry.get("organization")),
        thumbnail_url=_url(entry.get("thumbnail") or entry.get("mediaUrl")),
        media_urls=_urls(entry.get("mediaUrls") or paper.get("mediaUrls"), "mediaUrls"),
    )
    who = _submitter_object(entry, paper)
    listing = ListingRecord(
        date=listing_day,
        listed_at=listed_at,
        submitted_by=_submitter(who),
        submitted_at=submitted_at,
        upvotes=_count(paper.get("upvotes"), "paper.upvotes"),
        comments=_count(entry.get("numComments"), "numComments"),
        submitter_fullname=clean_text(_string(who.get("fullname"), "submittedBy.fullname"))[:150],
        submitter_avatar_url=_url(who.get("avatarUrl")),
    )
    return Parsed(paper=record, location=location, listing=listing)


def _authors(value) -> list[str]:
    if not value:
        return []
    if not isinstance(value, list):
        raise InvalidRecord("paper.authors should be a list")
    names = []
    for author in value:
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and name.strip():
            names.append(clean_text(name))
    return names


def _submitter_object(entry: dict, paper: dict) -> dict:
    """The first of `submittedBy` / `paper.submittedOnDailyBy` that names someone ({} when neither does)."""
    for who in (entry.get("submittedBy"), paper.get("submittedOnDailyBy")):
        if isinstance(who, dict) and (who.get("name") or who.get("user") or who.get("fullname")):
            return who
    return {}


def _submitter(who: dict) -> str:
    name = who.get("name") or who.get("user") or who.get("fullname")
    return str(name)[:150] if name else ""


def _url(value) -> str:
    text = value.strip() if isinstance(value, str) else ""
    return text if text.startswith(("http://", "https://")) and len(text) <= 500 else ""


def _urls(value, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRecord(f"{field} should be a list of URLs, got {type(value).__name__}")
    return list(dict.fromkeys(url for url in map(_url, value) if url))


def _string(value, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRecord(f"{field} should be a string, got {type(value).__name__}")
    return value


def _keywords(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
        raise InvalidRecord(f"paper.ai_keywords should be a list of strings, got {value!r:.80}")
    return list(dict.fromkeys(clean_text(word)[:100] for word in value if word.strip()))


def _organization(value) -> OrganizationRecord | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidRecord(f"organization should be an object, got {type(value).__name__}")
    name = value.get("name")
    if not isinstance(name, str) or not ORG_NAME.match(name):
        raise InvalidRecord(f"organization.name should be a Hugging Face organisation name, got {name!r:.80}")
    return OrganizationRecord(name=name,
                              fullname=clean_text(_string(value.get("fullname"), "organization.fullname"))[:200],
                              avatar_url=_url(value.get("avatar") or value.get("avatarUrl")))


def _count(value, field: str, missing: int | None = 0) -> int | None:
    if value is None:
        return missing
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRecord(f"{field} should be a non-negative integer, got {value!r}")
    return value
