"""Entity references in harvested XML: never expanded (no XXE, no billion laughs), never cutting the text short."""

from __future__ import annotations

import io

from papersift.ingest.formats import FORMATS
from papersift.ingest.records import PageInfo, RecordError
from tests.submissions.conftest import RECORDED_FEED

DTD = (b'<?xml version="1.0"?>\n<!DOCTYPE feed [\n<!ENTITY xxe "boom">\n<!ENTITY file SYSTEM "file:///etc/passwd">\n'
       b'<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n')


def one_entry_with(shared, title: bytes, summary: bytes):
    feed = (shared / RECORDED_FEED).read_bytes()
    start = feed.index(b"<feed")
    first = feed.index(b"  <entry>")
    end = feed.index(b"</entry>", first) + len(b"</entry>")
    entry = feed[first:end]
    entry = entry[:entry.index(b"<title>") + 7] + title + entry[entry.index(b"</title>"):]
    entry = entry[:entry.index(b"<summary>") + 9] + summary + entry[entry.index(b"</summary>"):]
    document = DTD + feed[start:first] + entry + b"\n</feed>\n"
    items = list(FORMATS["arxiv-atom"].parse(io.BufferedReader(io.BytesIO(document)), "feed.xml", PageInfo()))
    assert not [i for i in items if isinstance(i, RecordError)]
    (parsed,) = items
    return parsed.paper


def test_an_entity_reference_keeps_the_text_after_it(shared):
    paper = one_entry_with(shared, b"XXE [&xxe;] end", b"Before &file; after, and &lol2; too &amp; more.")
    assert paper.title == "XXE [&xxe;] end"                          # the text as written, nothing cut
    assert paper.abstract == "Before &file; after, and &lol2; too & more."
    assert "root:" not in paper.abstract and "lollol" not in paper.abstract   # nothing read or expanded


def test_markup_inside_a_field_keeps_its_text(shared):
    paper = one_entry_with(shared, b"A <i>nested</i> title<!-- a comment --> end", b"Plain.")
    assert paper.title == "A nested title end"
