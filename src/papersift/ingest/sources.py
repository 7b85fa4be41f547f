"""Inputs: local files, directories, `.gz` files and http(s) URLs, all opened through the same code path.

A directory expands to the files in it (recursively, sorted) whose names end in one of the format's
extensions, optionally followed by `.gz`. Gzip is recognised by its magic bytes, not the name, and a local
gzip file is read to its end once before ingest so that a truncated one is refused before anything is written.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from papersift.ingest.records import FormatError

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Input:
    name: str            # what messages call it: the path or the URL
    path: Path | None = None
    url: str | None = None


class SourceNotFound(Exception):
    pass


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def expand(spec: str, extensions: tuple[str, ...]) -> list[Input]:
    if is_url(spec):
        return [Input(name=spec, url=spec)]
    path = Path(spec)
    if path.is_dir():
        suffixes = tuple(extensions) + tuple(ext + ".gz" for ext in extensions)
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(suffixes)
                       and not p.name.startswith("."))
        if not files:
            raise SourceNotFound(f"{spec}: directory has no files ending in {', '.join(suffixes)}")
        return [Input(name=str(p), path=p) for p in files]
    if path.is_file():
        return [Input(name=str(path), path=path)]
    raise SourceNotFound(f"{spec}: no such file or directory")


class CountingReader(io.RawIOBase):
    """Counts the (compressed) bytes read, for a byte-based progress bar."""

    def __init__(self, raw: BinaryIO, on_read=None):
        self.raw, self.on_read = raw, on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.raw.readinto(buffer)
        if count and self.on_read:
            self.on_read(count)
        return count or 0


def verify_gzip(path: Path) -> None:
    """Read a gzip file to its end; refuse it if it is truncated or corrupt."""
    try:
        with gzip.open(path, "rb") as handle:
            while handle.read(1 << 22):
                pass
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise FormatError(f"is a damaged or truncated gzip file ({exc}); nothing was read from it") from exc


@contextmanager
def open_local(path: Path, on_read=None) -> Iterator[BinaryIO]:
    """Open a local file for parsing, decompressing gzip; a truncated gzip is refused before any record."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == GZIP_MAGIC:
        verify_gzip(path)
    raw = open(path, "rb")
    try:
        counted = io.BufferedReader(CountingReader(raw, on_read), buffer_size=1 << 20)
        if magic == GZIP_MAGIC:
            yield io.BufferedReader(gzip.GzipFile(fileobj=counted, mode="rb"), buffer_size=1 << 20)
        else:
            yield counted
    finally:
        raw.close()


def open_bytes(body: bytes, max_size: int = 64 << 20) -> BinaryIO:
    """A fetched response body, decompressed if it is gzip, to at most ``max_size`` bytes (a gzip bomb is refused
    after inflating that much, never inflated whole)."""
    if body[:2] == GZIP_MAGIC:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(body, max_size + 1)
        except zlib.error as exc:
            raise FormatError(f"is a damaged gzip response ({exc})") from exc
        if len(body) > max_size:
            raise FormatError(f"inflates to more than PAPERSIFT_INGEST_MAX_DOCUMENT={max_size} bytes; refused")
        if not inflater.eof:
            raise FormatError("is a truncated gzip response")
    return io.BufferedReader(io.BytesIO(body))
