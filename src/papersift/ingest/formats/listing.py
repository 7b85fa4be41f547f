"""`arxiv-listing`: the JSON-lines format of shared/data/arxiv-listings (arXiv daily "new" listings)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from papersift.ingest.formats import jsonlines
from papersift.ingest.validate import Limits
from papersift.ingest.records import (
    InvalidRecord, PageInfo, PaperRecord, Parsed, RecordError, clean_text, looks_withdrawn, parse_date,
    parse_datetime, split_categories, split_paper_id,
)

NAME = "arxiv-listing"
EXTENSIONS = (".json", ".jsonl", ".ndjson")


def parse(stream: BinaryIO, name: str, page: PageInfo, limits: Limits = Limits()) -> Iterator[Parsed | RecordError]:
    return jsonlines.read(stream, NAME, ("id", "title", "listing_date"), convert, limits.max_line)


def convert(obj: dict) -> Parsed:
    arxiv_id, version = split_paper_id(jsonlines.require(obj, "id"))
    authors = obj.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise InvalidRecord("field 'authors' should be a list of names")
    comments = clean_text(jsonlines.text(obj, "comment"))
    abstract = clean_text(jsonlines.text(obj, "abstract"))
    record = PaperRecord(
        arxiv_id=arxiv_id,
        title=clean_text(jsonlines.require(obj, "title")),
        abstract=abstract,
        authors=[clean_text(a) for a in authors if a.strip()],
        categories=split_categories(obj.get("categories")),
        version=version,
        announced=parse_date(jsonlines.require(obj, "listing_date")),
        observed=parse_datetime(obj["listing_date"]),
        comments=comments,
        withdrawn=looks_withdrawn(comments, abstract),
    )
    return Parsed(paper=record, location="")
