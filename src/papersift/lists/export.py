"""A reading list as JSON (its page's twin, and the API's answer) and as a BibTeX file."""

from __future__ import annotations

from string import ascii_lowercase

from papersift.catalog.cite import bibtex, cite_key
from papersift.lists.models import ReadingList
from papersift.lists.selectors import Entry
from papersift.web import hf


def summary(reading_list: ReadingList, url: str, paper_count: int) -> dict:
    """What a list of lists shows of each: no papers."""
    return {
        "id": reading_list.slug,
        "name": reading_list.name,
        "description": reading_list.description,
        "public": reading_list.public,
        "owner": reading_list.owner.username,
        "url": url,
        "paperCount": paper_count,
        "createdAt": hf.stamp(reading_list.created_at),
        "updatedAt": hf.stamp(reading_list.updated_at),
    }


def document(reading_list: ReadingList, entries: list[Entry], url: str) -> dict:
    """The list and its papers, newest addition first; each paper in the shape of `/api/papers/{id}`'s paper
    object, with ``addedAt`` and ``note``."""
    body = summary(reading_list, url, len(entries))
    body["papers"] = [{**hf.paper_object(entry.paper, upvotes=getattr(entry.paper, "upvotes", 0)),
                       "addedAt": hf.stamp(entry.added_at), "note": entry.note} for entry in entries]
    return body


def bibliography(entries: list[Entry]) -> str:
    """One BibTeX entry per paper (catalog.cite's), in list order. A key already used in the file (same first
    author, year and title word) gets a suffix, b, c, ..., so every key in the file is distinct.

    Nothing else goes in the file: a list name with an `@` in it would start a bogus entry."""
    used: set[str] = set()
    out = []
    for entry in entries:
        key = cite_key(entry.paper)
        text = bibtex(entry.paper)
        unique, n = key, 1
        while unique in used:                       # the 2nd gets b, ..., the 26th z, then 27, 28, ...
            n += 1
            unique = key + (ascii_lowercase[n - 1] if n <= 26 else str(n))
        if unique != key:
            text = text.replace(f"{{{key},", f"{{{unique},", 1)
        used.add(unique)
        out.append(text)
    return "\n\n".join(out) + ("\n" if out else "")
