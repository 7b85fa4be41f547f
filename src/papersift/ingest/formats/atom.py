"""`arxiv-atom`: arXiv API (`export.arxiv.org/api/query`) Atom responses, id lists and search queries.

Paging counters (opensearch totalResults / startIndex) go to `PageInfo`; an arXiv API error (an entry whose
id is under `arxiv.org/api/errors`) is raised as a `SourceError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from papersift.ingest.formats import xmlstream
from papersift.ingest.validate import Limits, record_or_error
from papersift.ingest.records import (
    FormatError, InvalidRecord, PageInfo, PaperRecord, Parsed, RecordError, SourceError, clean_text, looks_withdrawn,
    parse_datetime, split_arxiv_id, versions_from,
)

NAME = "arxiv-atom"
EXTENSIONS = (".xml", ".atom")
ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ARXIV = "{http://arxiv.org/schemas/atom}"


def parse(stream: BinaryIO, name: str, page: PageInfo, limits: Limits = Limits()) -> Iterator[Parsed | RecordError]:
    tags = (ATOM + "entry", OPENSEARCH + "totalResults", OPENSEARCH + "startIndex")
    for element in xmlstream.elements(stream, NAME, ATOM + "feed", tags):
        if element.tag == OPENSEARCH + "totalResults":
            page.total_results = _int(xmlstream.text_of(element))
            continue
        if element.tag == OPENSEARCH + "startIndex":
            page.start_index = _int(xmlstream.text_of(element))
            continue
        entry_id = xmlstream.child_text(element, ATOM + "id").strip()
        if "/api/errors" in entry_id:
            raise SourceError(f"arXiv API error: {clean_text(xmlstream.child_text(element, ATOM + 'summary'))}")
        page.entries += 1
        location = f"entry {page.entries} ({entry_id or 'no id'})"
        yield record_or_error(location, lambda: Parsed(paper=convert(element), location=location))


def raise_error(body: bytes) -> None:
    """Raise the `SourceError` an arXiv API error body (an HTTP 400's) carries; FormatError when it is not one."""
    import io

    for _ in parse(io.BufferedReader(io.BytesIO(body)), "error", PageInfo()):
        pass
    raise FormatError("arXiv answered HTTP 400 without an error entry")


def convert(entry) -> PaperRecord:
    arxiv_id, version = split_arxiv_id(xmlstream.child_text(entry, ATOM + "id"))
    title = clean_text(xmlstream.child_text(entry, ATOM + "title"))
    if not title:
        raise InvalidRecord(f"paper {arxiv_id} has no title")
    published = parse_datetime(xmlstream.child_text(entry, ATOM + "published"))
    updated = parse_datetime(xmlstream.child_text(entry, ATOM + "updated")) or published
    primary = entry.find(ARXIV + "primary_category")
    categories = [primary.get("term")] if primary is not None and primary.get("term") else []
    categories += [c.get("term") for c in entry.findall(ATOM + "category") if c.get("term") not in categories]
    pairs = [(1, published)] + ([(version, updated)] if version and version > 1 else [])
    comments = clean_text(xmlstream.child_text(entry, ARXIV + "comment"))
    abstract = clean_text(xmlstream.child_text(entry, ATOM + "summary"))
    return PaperRecord(
        arxiv_id=arxiv_id, title=title, abstract=abstract,
        authors=[clean_text(xmlstream.child_text(a, ATOM + "name")) for a in entry.findall(ATOM + "author")],
        categories=[c for c in categories if c], version=version,
        versions=versions_from(pairs) if version else [], published=published, updated=updated,
        comments=comments, journal_ref=clean_text(xmlstream.child_text(entry, ARXIV + "journal_ref")),
        doi=clean_text(xmlstream.child_text(entry, ARXIV + "doi")), withdrawn=looks_withdrawn(comments, abstract),
    )


def _int(text: str | None) -> int | None:
    return int(text.strip()) if text and text.strip().isdigit() else None
