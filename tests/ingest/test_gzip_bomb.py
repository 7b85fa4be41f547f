"""Finding 5 of issue 16: a gzip bomb (a small file that inflates to 1 GiB) of any format is refused with a clear
error, and the ingest's peak memory (measured in a subprocess with getrusage) stays under 500 MB."""

from __future__ import annotations

import subprocess
import sys
import zlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.same_on_any_database   # refused while reading, before any write

GIB = 1 << 30
LIMIT_KB = 500 * 1000   # ru_maxrss is in KiB on Linux

# Each format's bomb: a plausible start, then 1 GiB of one byte (an endless line, title, array or text node).
BOMBS = {
    "arxiv-snapshot": (b'{"id": "2401.00001", "title": "', b"a", "PAPERSIFT_INGEST_MAX_LINE"),
    "arxiv-listing": (b'{"id": "2401.00001", "listing_date": "2024-01-01", "title": "x"}\n', b"[", "PAPERSIFT_INGEST_MAX_LINE"),
    "hf-daily": (b"[", b"[", "PAPERSIFT_INGEST_MAX_DOCUMENT"),
    "arxiv-oai": (b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>'
                  b"<identifier>", b"a", "XML is malformed"),
    "arxiv-atom": (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>', b"a", "XML is malformed"),
    "arxiv-rss": (b"<rss><channel><item><title>", b" ", "XML is malformed"),
}


def write_bomb(path, head: bytes, filler: bytes) -> None:
    chunk = filler * (1 << 20)
    with open(path, "wb") as out:
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        out.write(packer.compress(head))
        for _ in range(GIB // len(chunk)):
            out.write(packer.compress(chunk))
        out.write(packer.flush())


@pytest.mark.parametrize("format_name", sorted(BOMBS))
def test_gzip_bomb_is_refused_in_bounded_memory(format_name, tmp_path, cli_env):
    head, filler, message = BOMBS[format_name]
    suffix = {"hf-daily": ".json", "arxiv-snapshot": ".json", "arxiv-listing": ".jsonl"}.get(format_name, ".xml")
    path = tmp_path / f"2024-01-01-bomb{suffix}.gz"
    write_bomb(path, head, filler)
    assert path.stat().st_size < 8 << 20
    result, peak = run_measured(cli_env, "ingest", format_name, str(path))
    assert result.returncode == 1
    assert f"error: {path}" in result.stderr and message in result.stderr, result.stderr[-2000:]
    assert peak < LIMIT_KB, f"an ingest child reached {peak} KiB"


# A fresh process runs the CLI and reports the peak RSS of its one child: this test process's own RUSAGE_CHILDREN
# would also hold every earlier test's children (a server, an embedding run) in a full test run.
MEASURE = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
           "print(f'maxrss={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr); "
           "sys.exit(done.returncode)")


def run_measured(env: dict, *args: str) -> tuple[subprocess.CompletedProcess, int]:
    exe = Path(sys.executable).parent / "papersift"
    result = subprocess.run([sys.executable, "-c", MEASURE, str(exe), *args], env=env, capture_output=True,
                            text=True, timeout=600)
    peak = int(result.stderr.rstrip().rsplit("maxrss=", 1)[1])
    return result, peak
