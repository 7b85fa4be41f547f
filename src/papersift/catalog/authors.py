"""Author names as lookup keys. Pure; no Django.

A name is not an identity: two people can share a name, and one person's name is written in several ways. The
key only folds what never tells two names apart: letter case, accents (NFKD, combining marks dropped), and
spacing; "Jürgen  Schmidhuber" and "jurgen schmidhuber" meet, "J. Schmidhuber" does not.
"""

from __future__ import annotations

import unicodedata

MAX_NAME = 300   # longer "names" (whole collaboration lists in one string) are cut to this


def clean(name: str) -> str:
    """The name as shown: one line, single spaces, at most MAX_NAME characters."""
    return " ".join(str(name).split())[:MAX_NAME]


def name_key(name: str) -> str:
    """The lookup key of a name ("" for a name with no letters or digits)."""
    name = str(name)
    if name.isascii():    # most names: no accents to drop, and lower() is casefold() for ASCII (4x faster)
        key = " ".join(name.lower().split())[:MAX_NAME]
        return key if any(ch.isalnum() for ch in key) else ""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    key = " ".join(stripped.casefold().split())[:MAX_NAME]
    return key if any(ch.isalnum() for ch in key) else ""


def authorship_rows(authors) -> list[tuple[int, str, str]]:
    """(position, name, key) for each author with a usable name, in the paper's order."""
    rows = []
    for position, name in enumerate(authors or []):
        if not isinstance(name, str):
            continue
        key = name_key(name)
        if key:
            rows.append((position, clean(name), key))
    return rows
