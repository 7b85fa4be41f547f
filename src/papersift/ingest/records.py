"""What every parser produces: source-neutral paper and listing records, and the errors it can report.

Parsers never touch the database. They turn bytes into `Parsed` items (or `RecordError`s for records they
must skip) and raise `FormatError` when the input is not the stated format at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime

NEW_STYLE_ID = re.compile(r"^(\d{4}\.\d{4,5})(?:v(\d+))?$")
OLD_STYLE_ID = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(\d+))?$")
ID_PREFIXES = re.compile(r"^(?:https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|oai:arxiv\.org:|arxiv:)", re.I)


class FormatError(Exception):
    """The input is not the stated format at all (wrong format, HTML page, truncated gzip): refuse it whole."""


class SourceError(Exception):
    """The source answered with an error of its own (an OAI-PMH error code, an arXiv API error entry)."""


class OAIError(SourceError):
    """An OAI-PMH `<error code=...>` response other than noRecordsMatch."""

    def __init__(self, code: str, message: str):
        super().__init__(f"OAI-PMH error {code}: {message}")
        self.code = code


@dataclass(slots=True)
class RecordError:
    """One record that was skipped, and where it was."""

    location: str
    message: str


@dataclass(slots=True, frozen=True)
class OrganizationRecord:
    """The organisation Hugging Face credits a paper to (its hub name is the key)."""

    name: str
    fullname: str = ""
    avatar_url: str = ""


@dataclass(slots=True)
class PaperRecord:
    arxiv_id: str
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    version: int | None = None
    versions: list[dict] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    announced: date | None = None
    observed: datetime | None = None   # when the source saw this record; orders records of the same version
    comments: str = ""
    journal_ref: str = ""
    doi: str = ""
    license: str = ""
    withdrawn: bool = False
    code_url: str = ""
    project_url: str = ""
    # What Hugging Face adds to a paper (catalog.services.HF_FIELDS, ordered among themselves by `observed`).
    ai_summary: str = ""
    ai_keywords: list[str] = field(default_factory=list)
    ai_summary_model: str = ""
    github_stars: int | None = None
    organization: OrganizationRecord | None = None
    thumbnail_url: str = ""
    media_urls: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ListingRecord:
    date: date
    listed_at: datetime | None = None
    submitted_by: str = ""
    submitted_at: datetime | None = None
    upvotes: int = 0
    comments: int = 0
    submitter_fullname: str = ""
    submitter_avatar_url: str = ""


ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")


@dataclass(slots=True)
class AnnouncementRecord:
    """The paper was in arXiv's announcement of ``date`` (the mailing day, as arXiv's feeds date it).

    ``kind`` is arXiv's announce type: ``new`` (first announced that day), ``cross`` (a new cross-listing),
    ``replace`` / ``replace-cross`` (a new version of an announced paper).
    """

    date: date
    kind: str
    version: int | None = None


@dataclass(slots=True)
class Parsed:
    paper: PaperRecord
    location: str
    listing: ListingRecord | None = None
    announcement: AnnouncementRecord | None = None


@dataclass(slots=True)
class PageInfo:
    """What a paged response says about the next page (OAI resumption token, Atom opensearch counters)."""

    resumption_token: str | None = None
    complete_list_size: int | None = None
    total_results: int | None = None
    start_index: int | None = None
    entries: int = 0
    last_datestamp: str | None = None   # OAI-PMH: the datestamp of the last record on the page
    feed_day: date | None = None        # arXiv RSS: the announcement day the feed holds


class InvalidRecord(ValueError):
    """Raised inside a parser for a record it must skip; the parser turns it into a RecordError."""


def split_arxiv_id(raw: str) -> tuple[str, int | None]:
    """'arXiv:2405.15738v2' -> ('2405.15738', 2); old-style ids keep their archive: 'math/0701001'."""
    if raw is not None and not isinstance(raw, str):
        raise InvalidRecord(f"the id should be text, got {type(raw).__name__}")
    text = ID_PREFIXES.sub("", (raw or "").strip())
    text = text.removesuffix(".pdf")
    for pattern in (NEW_STYLE_ID, OLD_STYLE_ID):
        match = pattern.match(text)
        if match:
            return match.group(1), int(match.group(2)) if match.group(2) else None
    raise InvalidRecord(f"not an arXiv id: {raw!r}")


# Registries whose ids papersift keeps for papers arXiv does not have, each with the strict shape of its ids. The
# id becomes part of the paper's address (/papers/doi:10.1088/...), so nothing else may get through: no path
# segments such as `..`, no white space, and the whole id fits Paper.arxiv_id (64 characters).
EXTERNAL_SCHEMES = {
    "s2": re.compile(r"[0-9a-f]{40}"),                                  # Semantic Scholar paper sha
    "doi": re.compile(r"10\.\d{4,9}/[-._;()/:A-Za-z0-9<>\[\]]+"),       # Crossref's recommended DOI shape
    "openalex": re.compile(r"W\d{1,12}"),
    "pubmed": re.compile(r"[1-9]\d{0,8}"),
    "acl": re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,39}"),              # ACL Anthology: 2023.acl-long.1, P19-1001
}
PAPER_ID_MAX = 64
SCHEME = re.compile(r"^([a-z][a-z0-9]{1,15}):(.*)$", re.S)


def split_paper_id(raw: str) -> tuple[str, int | None]:
    """An arXiv id, or a namespaced id from another registry for papers arXiv does not have
    ('s2:<sha>', 'openalex:W7159160036', 'doi:10.1088/2632-2153/ace30a'), kept as given when it has its scheme's
    shape (EXTERNAL_SCHEMES); InvalidRecord saying what is wrong otherwise."""
    try:
        return split_arxiv_id(raw)
    except InvalidRecord:
        pass
    text = (raw or "").strip()
    shown = repr(text) if len(text) <= 80 else repr(text[:77] + "...")
    match = SCHEME.match(text)
    if not match or match.group(1) in ("arxiv", "oai"):
        raise InvalidRecord(f"not an arXiv id or a scheme:id paper id: {shown}")
    scheme, rest = match.groups()
    pattern = EXTERNAL_SCHEMES.get(scheme)
    if pattern is None:
        raise InvalidRecord(f"unknown paper id scheme {scheme!r} in {shown} (known: arXiv ids and "
                            f"{', '.join(f'{name}:' for name in EXTERNAL_SCHEMES)})")
    if len(text) > PAPER_ID_MAX:
        raise InvalidRecord(f"paper id {shown} is {len(text)} characters long; at most {PAPER_ID_MAX} are allowed")
    if not pattern.fullmatch(rest) or any(part in (".", "..") for part in rest.split("/")):
        raise InvalidRecord(f"{shown} is not a {scheme} id")
    return text, None


def clean_text(text: str | None) -> str:
    """Collapse arXiv's hard line breaks and indentation into single spaces."""
    if text is not None and not isinstance(text, str):
        raise InvalidRecord(f"expected text, got {type(text).__name__}: {str(text)[:40]!r}")
    return " ".join(text.split()) if text else ""


def parse_datetime(value: str | None) -> datetime | None:
    """ISO-8601 ('2024-05-24T17:34:15.000Z', '2014-12-29') or RFC-822 ('Mon, 2 Apr 2007 19:18:42 GMT'), as UTC."""
    if not value:
        return None
    if not isinstance(value, str):
        raise InvalidRecord(f"not a date: {value!r:.80} (a {type(value).__name__}, not text)")
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError) as exc:
            raise InvalidRecord(f"not a date: {value[:80]!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError as exc:   # 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise InvalidRecord(f"date {value[:80]!r} is out of range in UTC") from exc


def parse_date(value: str | None) -> date | None:
    parsed = parse_datetime(value)
    return parsed.date() if parsed else None


def version_number(label: str | int | None) -> int:
    """'v3' -> 3."""
    text = str(label).strip().lstrip("vV")
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise InvalidRecord(f"not a version label: {str(label)[:40]!r}")
    number = int(text)
    if number < 1:
        raise InvalidRecord(f"not a version label: {str(label)[:40]!r} (versions start at v1)")
    return number


def versions_from(pairs: list[tuple[int, datetime | None]]) -> list[dict]:
    """Sorted, de-duplicated version list as stored on Paper.versions."""
    by_number = {number: when for number, when in pairs}
    return [
        {"version": number, "date": when.isoformat() if when else None}
        for number, when in sorted(by_number.items())
    ]


def split_categories(value: str | list[str] | None) -> list[str]:
    if not value:
        return []
    if not isinstance(value, (str, list)):
        raise InvalidRecord(f"categories should be text or a list of text, got {type(value).__name__}")
    items = value.split() if isinstance(value, str) else value
    seen: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise InvalidRecord(f"each category should be text, got {type(item).__name__}: {str(item)[:40]!r}")
        item = item.strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)


_AUTHOR_SEPARATORS = re.compile(r",\s*(?:and\s+)?|\s+and\s+|;\s*")
_PARENTHESISED = re.compile(r"\([^()]*\)")


def split_author_string(value: str | None) -> list[str]:
    """arXiv's flat author string 'A. One, B. Two (MIT), and C. Three' -> ['A. One', 'B. Two', 'C. Three']."""
    if not value:
        return []
    text = clean_text(value)
    while _PARENTHESISED.search(text):  # affiliations, possibly nested
        text = _PARENTHESISED.sub("", text)
    return [name.strip() for name in _AUTHOR_SEPARATORS.split(text) if name and name.strip()]


def looks_withdrawn(comments: str, abstract: str) -> bool:
    """arXiv marks withdrawals in the comments ('This paper has been withdrawn by the author')."""
    text = f"{comments} {abstract[:200]}".lower()
    return "has been withdrawn" in text or text.strip().startswith("withdrawn")


def sniff_html(head: bytes) -> bool:
    """True for an HTML page (a proxy's or server's error page saved in place of the data)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))
