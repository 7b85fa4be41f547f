"""`arxiv-snapshot`: the Kaggle / Cornell `arxiv-metadata-oai-snapshot.json` dump, one paper per line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from papersift.ingest.formats import jsonlines
from papersift.ingest.validate import Limits
from papersift.ingest.records import (
    InvalidRecord, PageInfo, PaperRecord, Parsed, RecordError, clean_text, looks_withdrawn, parse_datetime,
    split_arxiv_id, split_author_string, split_categories, version_number, versions_from,
)

NAME = "arxiv-snapshot"
EXTENSIONS = (".json", ".jsonl", ".ndjson")


def parse(stream: BinaryIO, name: str, page: PageInfo, limits: Limits = Limits()) -> Iterator[Parsed | RecordError]:
    return jsonlines.read(stream, NAME, ("id", "title", "versions"), convert, limits.max_line)


def convert(obj: dict) -> Parsed:
    arxiv_id, _ = split_arxiv_id(jsonlines.require(obj, "id"))
    raw_versions = obj.get("versions") or []
    if not isinstance(raw_versions, list) or not raw_versions:
        raise InvalidRecord("field 'versions' should be a non-empty list")
    pairs = []
    for item in raw_versions:
        if not isinstance(item, dict):
            raise InvalidRecord("each entry of 'versions' should be an object")
        pairs.append((version_number(item.get("version")), parse_datetime(item.get("created"))))
    versions = versions_from(pairs)
    latest = max(pairs, key=lambda pair: pair[0])
    first = min(pairs, key=lambda pair: pair[0])
    comments = clean_text(jsonlines.text(obj, "comments"))
    abstract = clean_text(jsonlines.text(obj, "abstract"))
    record = PaperRecord(
        arxiv_id=arxiv_id,
        title=clean_text(jsonlines.require(obj, "title")),
        abstract=abstract,
        authors=_authors(obj),
        categories=split_categories(obj.get("categories")),
        version=latest[0],
        versions=versions,
        published=first[1],
        updated=latest[1] or parse_datetime(obj.get("update_date")),
        comments=comments,
        journal_ref=clean_text(jsonlines.text(obj, "journal-ref")),
        doi=clean_text(jsonlines.text(obj, "doi")),
        license=clean_text(jsonlines.text(obj, "license")),
        withdrawn=looks_withdrawn(comments, abstract),
        observed=parse_datetime(obj.get("update_date")),
    )
    return Parsed(paper=record, location="")


def _authors(obj: dict) -> list[str]:
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            if not isinstance(parts, list) or not all(isinstance(part, str) for part in parts):
                raise InvalidRecord("each entry of 'authors_parsed' should be a list of text (last, first, suffix)")
            last, first, suffix = (list(parts) + ["", "", ""])[:3]
            names.append(clean_text(" ".join(p for p in (first, last, suffix) if p)))
        return [name for name in names if name]
    return split_author_string(jsonlines.text(obj, "authors"))
