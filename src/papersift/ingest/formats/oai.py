"""`arxiv-oai`: OAI-PMH ListRecords / GetRecord responses in the `arXiv` and `arXivRaw` metadata prefixes.

`noRecordsMatch` means "nothing new" (no records, no error); any other OAI error code is raised as an
`OAIError` naming the code. The page's `resumptionToken` is reported through `PageInfo` for the harvester.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from papersift.ingest.formats import xmlstream
from papersift.ingest.records import (
    InvalidRecord, OAIError, PageInfo, PaperRecord, Parsed, RecordError, clean_text, looks_withdrawn,
    parse_datetime, split_arxiv_id, split_author_string, split_categories, version_number, versions_from,
)

NAME = "arxiv-oai"
EXTENSIONS = (".xml",)
OAI = "{http://www.openarchives.org/OAI/2.0/}"
RAW = "{http://arxiv.org/OAI/arXivRaw/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"


def parse(stream: BinaryIO, name: str, page: PageInfo) -> Iterator[Parsed | RecordError]:
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
        if header is not None and header.get("status") == "deleted":
            continue  # arXiv does not delete papers; a deleted header carries no metadata to keep
        try:
            record = convert(element)
            record.observed = parse_datetime(xmlstream.child_text(header, OAI + "datestamp")) if header is not None else None
            yield Parsed(paper=record, location=location)
        except InvalidRecord as exc:
            yield RecordError(location, str(exc))


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
    return PaperRecord(**fields, authors=authors, published=created, updated=updated)
