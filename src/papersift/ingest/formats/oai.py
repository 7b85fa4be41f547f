"""`arxiv-oai`: OAI-PMH ListRecords / GetRecord responses in the `arXiv` and `arXivRaw` metadata prefixes.

`noRecordsMatch` means "nothing new" (no records, no error); any other OAI error code is raised as an
`OAIError` naming the code. The page's `resumptionToken` and the last record's `datestamp` are reported
through `PageInfo` for the harvester (an expired token is resumed from that datestamp).

An `arXivRaw` record whose newest version was submitted within ANNOUNCE_WINDOW days before its datestamp is
taken as announced on that day (the datestamp is the UTC day of the evening announcement, the day arXiv's
listings carry): `new` for a first version, `replace` for a later one. That is how a catch-up harvest fills in
announcements the RSS feed no longer holds; a record changed only in its metadata (a journal reference added
months later) is no announcement.

Both of arXiv's layouts are read: `export.arxiv.org/oai2` (until 2025) and `oaipmh.arxiv.org/oai` (since).
Dates come from the versions where the record has them (`arXivRaw`). The `arXiv` prefix has no versions, and
its `<created>` means different things: the first version's date on the old endpoint, the *latest* version's
on the new one (a paper replaced in 2025 says `created` 2025 under a 2021 id). So `<created>` is taken as the
first version's date only when it falls in the id's month or the month before (submitted before the
announcement that assigned the id); otherwise the first version's date stays unknown and `<created>` counts as
the latest version's date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import BinaryIO

from papersift.ingest.formats import xmlstream
from papersift.ingest.validate import Limits, record_or_error
from papersift.ingest.records import (
    AnnouncementRecord, InvalidRecord, OAIError, PageInfo, PaperRecord, Parsed, RecordError, clean_text, looks_withdrawn,
    parse_datetime, split_arxiv_id, split_author_string, split_categories, version_number, versions_from,
)

NAME = "arxiv-oai"
EXTENSIONS = (".xml",)
OAI = "{http://www.openarchives.org/OAI/2.0/}"
RAW = "{http://arxiv.org/OAI/arXivRaw/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"


def parse(stream: BinaryIO, name: str, page: PageInfo, limits: Limits = Limits()) -> Iterator[Parsed | RecordError]:
    tags = (OAI + "record", OAI + "error", OAI + "resumptionToken")
    for index, element in enumerate(xmlstream.elements(stream, NAME, OAI + "OAI-PMH", tags)):
        if element.tag == OAI + "error":
            code = element.get("code", "unknown")
            if code == "noRecordsMatch":
                continue
            raise OAIError(code, clean_text(xmlstream.text_of(element)))
        if element.tag == OAI + "resumptionToken":
            page.resumption_token = xmlstream.text_of(element).strip() or None
            size = element.get("completeListSize")
            page.complete_list_size = int(size) if size and size.isdigit() else None
            continue
        page.entries += 1
        identifier = xmlstream.child_text(element, f"{OAI}header/{OAI}identifier").strip()
        location = f"record {page.entries} ({identifier or 'no identifier'})"
        header = element.find(OAI + "header")
        stamp = xmlstream.child_text(header, OAI + "datestamp").strip() if header is not None else ""
        if stamp:
            page.last_datestamp = stamp[:32]
        if header is not None and header.get("status") == "deleted":
            continue  # arXiv does not delete papers; a deleted header carries no metadata to keep
        yield record_or_error(location, lambda: _parsed(element, stamp, location))


def _parsed(element, stamp: str, location: str) -> Parsed:
    record = convert(element)
    record.observed = parse_datetime(stamp) if stamp else None
    announcement = infer_announcement(record, record.observed.date() if record.observed else None)
    if announcement is not None and announcement.kind == "new":
        record.announced = announcement.date
    return Parsed(paper=record, location=location, announcement=announcement)


def convert(record) -> PaperRecord:
    raw = record.find(f"{OAI}metadata/{RAW}arXivRaw")
    if raw is not None:
        return _from_raw(raw)
    arxiv = record.find(f"{OAI}metadata/{ARXIV}arXiv")
    if arxiv is not None:
        return _from_arxiv(arxiv)
    raise InvalidRecord("record has no arXiv or arXivRaw metadata")


def _common(meta, ns: str) -> dict:
    def text(tag: str) -> str:
        return clean_text(xmlstream.child_text(meta, ns + tag))

    arxiv_id, _ = split_arxiv_id(text("id"))
    title = text("title")
    if not title:
        raise InvalidRecord(f"paper {arxiv_id} has no title")
    comments, abstract = text("comments"), text("abstract")
    return dict(
        arxiv_id=arxiv_id, title=title, abstract=abstract, categories=split_categories(text("categories")),
        comments=comments, journal_ref=text("journal-ref"), doi=text("doi"), license=text("license"),
        withdrawn=looks_withdrawn(comments, abstract),
    )


def _from_raw(meta) -> PaperRecord:
    fields = _common(meta, RAW)
    pairs = []
    for version in meta.findall(RAW + "version"):
        pairs.append((version_number(version.get("version")), parse_datetime(xmlstream.child_text(version, RAW + "date"))))
    if not pairs:
        raise InvalidRecord(f"paper {fields['arxiv_id']} has no <version> elements")
    latest = max(pairs, key=lambda pair: pair[0])
    first = min(pairs, key=lambda pair: pair[0])
    return PaperRecord(
        **fields, authors=split_author_string(xmlstream.child_text(meta, RAW + "authors")),
        version=latest[0], versions=versions_from(pairs), published=first[1], updated=latest[1],
    )


def _from_arxiv(meta) -> PaperRecord:
    fields = _common(meta, ARXIV)
    authors = []
    for author in meta.findall(f"{ARXIV}authors/{ARXIV}author"):
        parts = [xmlstream.child_text(author, ARXIV + tag) for tag in ("forenames", "keyname", "suffix")]
        name = clean_text(" ".join(p for p in parts if p))
        if name:
            authors.append(name)
    created = parse_datetime(xmlstream.child_text(meta, ARXIV + "created"))
    updated = parse_datetime(xmlstream.child_text(meta, ARXIV + "updated")) or created
    # The arXiv prefix gives dates but no version numbers: version stays unknown.
    published = created if created and is_first_version_date(fields["arxiv_id"], created) else None
    return PaperRecord(**fields, authors=authors, published=published, updated=updated)


ANNOUNCE_WINDOW = 7   # days from a version's submission to its announcement (weekends, holidays, moderation)


def infer_announcement(record: PaperRecord, day: date | None) -> AnnouncementRecord | None:
    """The announcement a record with dated versions stands for on datestamp ``day``, or None."""
    if day is None or not record.versions:
        return None
    newest = max(record.versions, key=lambda v: v["version"])
    if not newest.get("date"):
        return None
    submitted = datetime.fromisoformat(newest["date"]).date()
    if not 0 <= (day - submitted).days <= ANNOUNCE_WINDOW:
        return None
    return AnnouncementRecord(date=day, kind="new" if newest["version"] == 1 else "replace",
                              version=newest["version"])


ID_MONTH = re.compile(r"^(?:[a-z\-]+(?:\.[A-Z]{2})?/)?(\d{2})(\d{2})")


def is_first_version_date(arxiv_id: str, when: datetime) -> bool:
    """Whether ``when`` can be the first version's date of ``arxiv_id``: ids are assigned in the month of the
    first announcement, so the first version was submitted that month or (announced at its start) the one
    before. An id whose month cannot be read gives no verdict (True)."""
    match = ID_MONTH.match(arxiv_id)
    if not match:
        return True
    yy, month = int(match[1]), int(match[2])
    year = (1900 if yy >= 91 else 2000) + yy
    index = year * 12 + month - 1
    when_index = when.year * 12 + when.month - 1
    return index - 1 <= when_index <= index
