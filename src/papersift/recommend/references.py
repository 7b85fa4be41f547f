"""Reading a reference manager's export (BibTeX or RIS, e.g. from Zotero or Mendeley) into what identifies each
paper: arXiv id, DOI, URL and title. Pure: no Django, no database (table-tested; matching is in services).

A file that is not BibTeX or RIS at all, or has an entry the parser had to give up on, is refused whole with
the line of the problem: a half-read library would silently leave papers out. Limits keep a hostile file
bounded: ``MAX_BYTES`` of input and ``MAX_ENTRIES`` references.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 5000
ARXIV_NEW = r"\d{4}\.\d{4,5}"
ARXIV_OLD = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = re.compile(rf"^(?:arxiv:)?({ARXIV_NEW}|{ARXIV_OLD})(?:v\d+)?$", re.I)
ARXIV_IN_TEXT = re.compile(rf"(?:arxiv[:\s./]*(?:abs/|pdf/)?)({ARXIV_NEW}|{ARXIV_OLD})(?:v\d+)?", re.I)
ARXIV_URL = re.compile(rf"arxiv\.org/(?:abs|pdf|html)/({ARXIV_NEW}|{ARXIV_OLD})(?:v\d+)?", re.I)
ARXIV_DOI = re.compile(rf"^10\.48550/arxiv\.({ARXIV_NEW}|{ARXIV_OLD})$", re.I)
DOI = re.compile(r"(10\.\d{4,9}/\S+)", re.I)


class BadReferences(ValueError):
    """The file cannot be read as references; the message names the format and the line."""


@dataclass
class Reference:
    """One entry: where it was (``line``), and whatever identifies the paper."""

    line: int
    label: str                  # the citation key or a short title, to name it in a report
    title: str = ""
    arxiv_id: str = ""
    doi: str = ""

    def describe(self) -> str:
        return f"line {self.line}: {self.label}"


def title_key(title: str) -> str:
    """A title reduced for exact matching: LaTeX braces and accents gone, case folded, punctuation dropped."""
    text = unicodedata.normalize("NFKD", re.sub(r"\\[a-zA-Z]+\s*|\\[^a-zA-Z\s]|[{}$\\]", "", title or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def arxiv_from(*values: str) -> str:
    """The first arXiv id found in ids, ``arXiv:`` mentions, arXiv URLs or arXiv DOIs (base id, no version)."""
    for value in values:
        value = (value or "").strip()
        for pattern in (ARXIV_ID, ARXIV_DOI):
            found = pattern.match(value)
            if found:
                return found.group(1)
        for pattern in (ARXIV_URL, ARXIV_IN_TEXT):
            found = pattern.search(value)
            if found:
                return found.group(1)
    return ""


def doi_from(*values: str) -> str:
    for value in values:
        found = DOI.search(value or "")
        if found:
            return found.group(1).rstrip(".,;").lower()
    return ""


def parse(data: bytes, name: str = "upload") -> list[Reference]:
    """The references in a BibTeX or RIS file (told apart by content, not by name). BadReferences otherwise."""
    if len(data) > MAX_BYTES:
        raise BadReferences(f"{name}: the file is {len(data) / 1048576:.1f} MB; at most {MAX_BYTES // (1024 * 1024)} MB "
                            "can be imported (export only the collection you want)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise BadReferences(f"{name}: line {line}: not UTF-8 text (export BibTeX or RIS as UTF-8)") from None
    if "\x00" in text:
        raise BadReferences(f"{name}: a binary file, not BibTeX or RIS")
    if re.search(r"^\s*TY\s+-", text, re.M):
        found = _ris(text, name)
    elif re.search(r"^\s*@\s*[a-zA-Z]+\s*[{(]", text, re.M):
        found = _bibtex(text, name)
    else:
        raise BadReferences(f"{name}: neither BibTeX (@article{{...}}) nor RIS (TY  - JOUR ... ER  -): nothing "
                            "to import")
    if not found:
        raise BadReferences(f"{name}: no references in the file")
    if len(found) > MAX_ENTRIES:
        raise BadReferences(f"{name}: {len(found)} references; at most {MAX_ENTRIES} can be imported at once")
    return found


def _bibtex(text: str, name: str) -> list[Reference]:
    import bibtexparser

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)   # its own report of a bad block is ours to give
    library = bibtexparser.parse_string(text)
    failed = [block for block in library.failed_blocks if _is_entry(block.raw)]
    if failed:
        block = failed[0]
        raise BadReferences(f"{name}: line {block.start_line + 1}: a BibTeX entry that cannot be read "
                            f"({_first_line(block.raw)!r}); fix or remove it and import again")
    out = []
    for entry in library.entries:
        fields = {key.lower(): str(field.value) for key, field in entry.fields_dict.items()}
        title = " ".join(re.sub(r"[{}]", "", fields.get("title", "")).split())
        eprint = fields.get("eprint", "")
        archive = fields.get("archiveprefix", fields.get("eprinttype", ""))
        arxiv = arxiv_from(eprint if not archive or archive.lower() == "arxiv" else "", fields.get("arxivid", ""),
                           fields.get("arxiv", ""), fields.get("doi", ""), fields.get("url", ""),
                           fields.get("journal", ""), fields.get("note", ""), fields.get("howpublished", ""))
        out.append(Reference(entry.start_line + 1, entry.key or title[:60], title, arxiv,
                             doi_from(fields.get("doi", ""))))
    return out


def _is_entry(raw: str) -> bool:
    """Failed blocks that are comments or preambles are not references; an @type{ block is."""
    return bool(re.match(r"\s*@\s*(?!comment|preamble|string)[a-zA-Z]+", raw or "", re.I))


def _first_line(raw: str) -> str:
    return (raw or "").strip().splitlines()[0][:80] if (raw or "").strip() else ""


def _ris(text: str, name: str) -> list[Reference]:
    """RIS: ``TY  -`` opens a reference and ``ER  -`` closes it; a reference left open is a broken file."""
    out, current, line_of = [], None, 0
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"^\s*([A-Z][A-Z0-9])\s{1,2}-\s?(.*)$", line)
        if not match:
            if line.strip() and current is None:
                raise BadReferences(f"{name}: line {number}: not a RIS line ({line.strip()[:60]!r})")
            continue        # a continuation of the previous field's value
        tag, value = match.group(1), match.group(2).strip()
        if tag == "TY":
            if current is not None:
                raise BadReferences(f"{name}: line {number}: a new reference starts before the one on line "
                                    f"{line_of} ends (ER  -)")
            current, line_of = {}, number
        elif current is None:
            raise BadReferences(f"{name}: line {number}: {tag} outside a reference (each starts with TY  -)")
        elif tag == "ER":
            out.append(_ris_reference(current, line_of))
            current = None
        else:
            current.setdefault(tag, []).append(value)
    if current is not None:
        raise BadReferences(f"{name}: line {line_of}: the reference that starts here never ends (ER  -)")
    return out


def _ris_reference(tags: dict[str, list[str]], line: int) -> Reference:
    title = " ".join((tags.get("TI") or tags.get("T1") or [""])[0].split())
    urls = tags.get("UR", []) + tags.get("L1", []) + tags.get("L2", [])
    doi = (tags.get("DO") or [""])[0]
    arxiv = arxiv_from(doi, *urls, *tags.get("M1", []), *tags.get("JO", []), *tags.get("T2", []),
                       *tags.get("N1", []), *tags.get("AN", []))
    label = (tags.get("ID") or [""])[0] or title[:60] or f"reference on line {line}"
    return Reference(line, label, title, arxiv, doi_from(doi, *[u for u in urls if "doi.org" in u]))


def ids_from_text(text: str) -> tuple[list[str], list[str]]:
    """A pasted list of arXiv ids or URLs (any separators): (ids found, in order, once each; pieces that are not)."""
    ids, bad = [], []
    for piece in re.split(r"[\s,;]+", text or ""):
        if not piece:
            continue
        found = arxiv_from(piece)
        if found:
            if found not in ids:
                ids.append(found)
        else:
            bad.append(piece[:80])
    return ids, bad
