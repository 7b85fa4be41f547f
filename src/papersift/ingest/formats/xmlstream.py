"""Streaming XML shared by the OAI-PMH and Atom parsers: bounded memory, a clear error for non-XML input."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from lxml import etree

from papersift.ingest.records import FormatError, sniff_html


MAX_RECORD_ELEMENTS = 100_000   # elements in one record: the largest collaborations' author lists have ~5,000


def elements(stream: BinaryIO, format_name: str, root_tag: str | tuple[str, ...],
             tags: tuple[str, ...] | Callable[[etree._Element], bool]) -> Iterator[etree._Element]:
    """Yield each completed element named in `tags` (or for which `tags(element)` is true); check first that
    the document's root is `root_tag` (or one of them).

    Elements are cleared after the consumer is done with them, so a 1000-record page or a large file is
    read in constant memory.
    """
    roots = (root_tag,) if isinstance(root_tag, str) else root_tag
    wanted = tags if callable(tags) else (lambda element: element.tag in tags)
    head = stream.peek(256)[:256] if hasattr(stream, "peek") else b""
    if sniff_html(head):
        raise FormatError(f"is an HTML page, not {format_name} XML")
    # huge_tree stays off: libxml2 then refuses a text node over 10 MB and nesting deeper than 256, which bounds
    # what one record can hold in memory (a decompressed bomb of one endless title is stopped there).
    events = etree.iterparse(
        stream, events=("start", "end"), remove_blank_text=True, huge_tree=False, resolve_entities=False,
        no_network=True,
    )
    root_seen = False
    open_wanted = 0      # wanted elements under construction (a record and what it holds must be kept)
    in_record = 0        # elements in the record under construction
    try:
        for event, element in events:
            if not root_seen:
                root_seen = True
                if element.tag not in roots:
                    expected = " or ".join(f"<{_local(tag)}>" for tag in roots)
                    raise FormatError(f"root element is <{_local(element.tag)}>, not {expected}: "
                                      f"not {format_name} XML")
                continue
            if event == "start":
                if open_wanted:
                    in_record += 1
                    if in_record > MAX_RECORD_ELEMENTS:
                        raise FormatError(f"a record at line {element.sourceline} has more than "
                                          f"{MAX_RECORD_ELEMENTS} elements; not {format_name} XML")
                if wanted(element):
                    open_wanted += 1
                continue
            if wanted(element):
                open_wanted -= 1
                if not open_wanted:
                    in_record = 0
                yield element
            elif open_wanted:
                continue
            # Done with it (yielded, or outside every record): drop it and the finished elements before it, so
            # that neither records nor anything else between them piles up.
            element.clear(keep_tail=False)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        if not root_seen:
            raise FormatError(f"is not XML ({exc.msg}); not {format_name}") from exc
        raise FormatError(f"XML is malformed or cut short at line {exc.lineno}: {exc.msg}") from exc
    if not root_seen:
        raise FormatError(f"is empty, not {format_name} XML")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def text_of(element: etree._Element) -> str:
    """All the text in ``element``, its children's included. Entities are not expanded (``resolve_entities=False``:
    no XXE, no billion laughs), so a reference to one declared in a DTD is a node of its own in the text; it is
    kept as written (``&xxe;``) with the text around it, where ``element.text`` would stop before it."""
    return "".join(element.itertext())


def child_text(element: etree._Element, tag: str) -> str:
    found = element.find(tag)
    return text_of(found) if found is not None else ""
