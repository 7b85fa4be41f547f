"""`arxiv-rss`: arXiv's announcement feeds, RSS 2.0 (`rss.arxiv.org/rss/cs.CL+cs.LG`) and Atom (`/atom/...`).

Each item is one paper in one evening's announcement, with its `arxiv:announce_type`: `new` (announced for the
first time that day), `cross` (a new cross-listing of an announced paper), `replace` and `replace-cross` (a new
version of an announced paper). Authors come from `dc:creator` (one comma-separated string), categories from
every `<category>` (primary first, as arXiv writes them), the abstract from the description after its
`arXiv:ID Announce Type: ... Abstract:` preamble. The announcement day is the item's `pubDate` (`<published>`
in Atom) read in arXiv's own time zone: the day arXiv's listings and mailings carry.

A feed without items is a day without announcements (weekends, holidays). arXiv answers a bad archive name with
HTTP 200 and a channel titled "Feed error for query: ..." whose description names the bad archive and lists
the valid ones; that is raised as a `SourceError` carrying arXiv's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from typing import BinaryIO

from papersift.ingest.formats import xmlstream
from papersift.ingest.validate import Limits, record_or_error
from papersift.ingest.records import (
    ANNOUNCE_TYPES, AnnouncementRecord, InvalidRecord, PageInfo, PaperRecord, Parsed, RecordError, SourceError,
    clean_text, looks_withdrawn, split_arxiv_id, split_author_string, split_categories, versions_from,
)

NAME = "arxiv-rss"
EXTENSIONS = (".xml", ".rss", ".atom")
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
ROOTS = ("rss", ATOM + "feed")
ITEMS = ("item", ATOM + "entry")
HEAD = {"channel": ("title", "description", "pubDate"), ATOM + "feed": (ATOM + "title", ATOM + "subtitle",
                                                                        ATOM + "updated")}
ERROR_TITLE = "feed error for query"
PREAMBLE = re.compile(r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?", re.I)
MAX_FIELD = 1 << 20   # a title, abstract or author string longer than 1 MiB is not arXiv's


def _wanted(element) -> bool:
    if element.tag in ITEMS:
        return True
    parent = element.getparent()
    return parent is not None and element.tag in HEAD.get(parent.tag, ())


def parse(stream: BinaryIO, name: str, page: PageInfo, limits: Limits = Limits()) -> Iterator[Parsed | RecordError]:
    head: dict[str, str] = {}
    for element in xmlstream.elements(stream, NAME, ROOTS, _wanted):
        if element.tag not in ITEMS:
            head[element.tag.removeprefix(ATOM)] = clean_text(element.text)[:2000]
            continue
        _check_error(head)
        page.entries += 1
        guid = _text(element, "guid") or _text(element, ATOM + "id")
        location = f"item {page.entries} ({guid or 'no id'})"
        parsed = record_or_error(location, lambda: convert(element, _channel_day(head)))
        if isinstance(parsed, RecordError):
            yield parsed
            continue
        parsed.location = location
        page.feed_day = max(page.feed_day or parsed.announcement.date, parsed.announcement.date)
        yield parsed
    _check_error(head)
    if page.feed_day is None:
        page.feed_day = _channel_day(head)   # a day without items: nothing announced in these categories


def _check_error(head: dict[str, str]) -> None:
    title = head.get("title", "")
    if title.lower().startswith(ERROR_TITLE):
        detail = head.get("description") or head.get("subtitle") or title
        raise SourceError(f"arXiv refused the feed query: {detail}")


def _channel_day(head: dict[str, str]) -> date | None:
    try:
        return _day(head.get("pubDate") or head.get("updated"))
    except InvalidRecord:
        return None


def _text(element, tag: str) -> str:
    text = xmlstream.child_text(element, tag)
    if len(text) > MAX_FIELD:
        raise InvalidRecord(f"<{tag.rsplit('}', 1)[-1]}> is {len(text)} characters long, more than any arXiv field")
    return text


def _moment(value: str | None) -> datetime | None:
    """An RFC-822 (RSS) or ISO-8601 (Atom) time, keeping its own offset (arXiv's Eastern time)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError) as exc:
            raise InvalidRecord(f"not a date: {value[:80]!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)   # a time without a zone is UTC


def _day(value: str | None) -> date | None:
    moment = _moment(value)
    return moment.date() if moment else None


def convert(item, channel_day: date | None = None) -> Parsed:
    is_atom = item.tag == ATOM + "entry"
    description = _text(item, ATOM + "summary") if is_atom else _text(item, "description")
    preamble = PREAMBLE.match(description)
    raw_id = _text(item, ATOM + "id") if is_atom else _text(item, "guid")
    if not raw_id.strip() and preamble:
        raw_id = preamble["id"]
    arxiv_id, version = split_arxiv_id(raw_id)
    kind = clean_text(_text(item, ARXIV + "announce_type")) or (preamble["type"] if preamble else "")
    kind = kind.lower()
    if kind not in ANNOUNCE_TYPES:
        raise InvalidRecord(f"paper {arxiv_id}: announce type {kind[:40]!r} is not one of {', '.join(ANNOUNCE_TYPES)}"
                            if kind else f"paper {arxiv_id} has no announce type")
    title = clean_text(_text(item, ATOM + "title" if is_atom else "title"))
    if not title:
        raise InvalidRecord(f"paper {arxiv_id} has no title")
    when = _moment(_text(item, ATOM + "published" if is_atom else "pubDate"))
    day = when.date() if when else channel_day
    if day is None:
        raise InvalidRecord(f"paper {arxiv_id} has no announcement date (pubDate)")
    abstract = clean_text(description[preamble.end():] if preamble else description)
    creators = ", ".join(filter(None, (c.text or "" for c in item.findall(DC + "creator"))))
    if not creators and is_atom:
        creators = ", ".join(clean_text(xmlstream.child_text(a, ATOM + "name")) for a in item.findall(ATOM + "author"))
    if len(creators) > MAX_FIELD:
        raise InvalidRecord(f"paper {arxiv_id}: author list is longer than any arXiv field")
    categories = [c.get("term", "") for c in item.findall(ATOM + "category")] if is_atom else \
        [c.text or "" for c in item.findall("category")]
    paper = PaperRecord(
        arxiv_id=arxiv_id, title=title, abstract=abstract, authors=split_author_string(creators),
        categories=split_categories([clean_text(c) for c in categories]), version=version,
        versions=versions_from([(version, None)]) if version else [],
        announced=day if kind == "new" else None,
        observed=when.astimezone(timezone.utc) if when else None,
        journal_ref=clean_text(_text(item, ARXIV + "journal_reference")),
        doi=clean_text(_text(item, ARXIV + "DOI")), license=clean_text(_text(item, DC + "rights")),
        withdrawn=looks_withdrawn("", abstract),
    )
    return Parsed(paper=paper, location="", announcement=AnnouncementRecord(date=day, kind=kind, version=version))

