"""Shared reader for the JSON-lines formats (Kaggle snapshot, arxiv-listings): one object per line.

The first non-blank line decides whether the file is the stated format at all; after that a bad line is a
`RecordError` naming its line number, and reading goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

import orjson

from papersift.ingest.records import FormatError, InvalidRecord, Parsed, RecordError, sniff_html
from papersift.ingest.validate import record_or_error


def read(
    stream: BinaryIO,
    format_name: str,
    required: tuple[str, ...],
    convert: Callable[[dict], Parsed],
    max_line: int = 4 << 20,
) -> Iterator[Parsed | RecordError]:
    first = True
    for number, line in enumerate(_lines(stream, max_line), start=1):
        if line is None:
            problem = f"line {number} is longer than PAPERSIFT_INGEST_MAX_LINE={max_line} bytes"
            if first:
                raise FormatError(f"{problem}; not {format_name} JSON lines")
            yield RecordError(f"line {number}", f"longer than PAPERSIFT_INGEST_MAX_LINE={max_line} bytes; skipped")
            continue
        if not line.strip():
            continue
        if first:
            _check_first_line(line, number, format_name, required)
            first = False
        location = f"line {number}"
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield RecordError(location, f"invalid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            yield RecordError(location, f"expected a JSON object, got {type(obj).__name__}")
            continue
        parsed = record_or_error(location, lambda: convert(obj))
        if isinstance(parsed, Parsed):
            parsed.location = location
        yield parsed
    if first:
        raise FormatError(f"empty: no {format_name} records")


def _lines(stream: BinaryIO, max_line: int) -> Iterator[bytes | None]:
    """The stream's lines, or None for a line longer than ``max_line`` bytes, which is skipped without ever being
    held whole (a decompressed gzip bomb is one endless line)."""
    while True:
        line = stream.readline(max_line + 1)
        if not line:
            return
        if len(line) <= max_line:
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = stream.readline(1 << 20)
        yield None


def _check_first_line(line: bytes, number: int, format_name: str, required: tuple[str, ...]) -> None:
    if sniff_html(line):
        raise FormatError(f"is an HTML page, not {format_name} JSON lines")
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise FormatError(f"line {number} is not JSON ({exc}); not {format_name} JSON lines") from exc
    if not isinstance(obj, dict) or not all(key in obj for key in required):
        raise FormatError(
            f"line {number} is not an {format_name} record (expected a JSON object with {', '.join(required)})"
        )


def text(obj: dict, key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRecord(f"field {key!r} should be a string, got {type(value).__name__}")
    return value


def require(obj: dict, key: str) -> str:
    value = text(obj, key)
    if not value.strip():
        raise InvalidRecord(f"missing field {key!r}")
    return value
