"""Citations: a BibTeX entry for a paper, as arXiv's own "Export BibTeX citation" writes one."""

from __future__ import annotations

import re
import unicodedata

from papersift.catalog.models import Paper

STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "towards", "toward", "via", "is"}


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def cite_key(paper: Paper) -> str:
    """``huang2026envharness``: first author's family name, year, first significant title word."""
    family = _ascii_word(paper.authors[0].split()[-1]) if paper.authors and paper.authors[0].split() else "anon"
    year = str(paper.published.year) if paper.published else ""
    words = [w for w in (_ascii_word(t) for t in paper.title.split()) if w and w not in STOPWORDS]
    return f"{family or 'anon'}{year}{words[0] if words else ''}"


def _braced(value: str) -> str:
    """A field value inside braces: balanced braces kept, stray ones and backslash escapes neutralised."""
    value = " ".join(value.split())
    if value.count("{") != value.count("}"):
        value = value.replace("{", "").replace("}", "")
    return value


def bibtex(paper: Paper) -> str:
    fields = [("title", _braced(paper.title)), ("author", " and ".join(_braced(a) for a in paper.authors))]
    if paper.published:
        fields.append(("year", str(paper.published.year)))
    if paper.is_arxiv:
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
        if paper.primary_category:
            fields.append(("primaryClass", paper.primary_category))
    if paper.doi:
        fields.append(("doi", paper.doi))
    if paper.journal_ref:
        fields.append(("journal", _braced(paper.journal_ref)))
    if paper.abs_url:
        fields.append(("url", paper.abs_url))
    entry = "@article" if paper.journal_ref else "@misc"
    body = ",\n".join(f"  {name}={{{value}}}" for name, value in fields if value)
    return f"{entry}{{{cite_key(paper)},\n{body}\n}}"
