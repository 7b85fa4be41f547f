"""The search query language, parsed into a plain structure (no search engine here).

    free text            graph neural networks
    "phrases"            "diffusion model"
    -exclude             -survey  -"large language"
    fields               ti:transformer  au:"Yann LeCun"  abs:protein  id:2401.00001
    categories           cat:cs.CL  cat:cs  (an archive matches all its categories)
    date ranges          since:2025-01-01  until:2025-06  (YYYY, YYYY-MM or YYYY-MM-DD)

Anything malformed (an unknown field, a bad date, an unclosed quote, an empty value) never fails:
it is read as plain text, or dropped, and a warning says what happened.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

FIELDS = {"ti": "title", "title": "title", "au": "authors", "author": "authors", "abs": "abstract",
          "abstract": "abstract", "id": "id", "arxiv": "id"}
CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[a-z]{1,3}(-[a-z]+)?)?$", re.IGNORECASE)
ARXIV_ID = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?$", re.IGNORECASE)
_TOKEN = re.compile(r'(-?)(?:([A-Za-z]+):)?("([^"]*)("?)|[^\s"]*)')


@dataclass(frozen=True)
class Clause:
    """One piece of text to match: ``field`` None means title, abstract and authors."""
    text: str
    field: str | None = None
    phrase: bool = False


@dataclass
class ParsedQuery:
    must: list[Clause] = field(default_factory=list)
    exclude: list[Clause] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    since: date | None = None
    until: date | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def free_text(self) -> str:
        """The words a person typed to describe the topic: what is embedded and matched against titles."""
        return " ".join(c.text for c in self.must if c.field in (None, "title", "abstract"))

    @property
    def has_text(self) -> bool:
        return bool(self.must or self.ids)


def parse_date(value: str, end: bool) -> date:
    """``2025``, ``2025-06`` or ``2025-06-30``; an open period is widened to its first or last day."""
    parts = value.split("-")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError(value)
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
    if len(parts) == 3:
        return date(year, month, int(parts[2]))
    return date(year, month, calendar.monthrange(year, month)[1] if end else 1)


def parse(text: str) -> ParsedQuery:
    query = ParsedQuery()
    if text.count('"') % 2:
        query.warnings.append("unbalanced quote: the last phrase was closed at the end of the query")
    for match in _TOKEN.finditer(text):
        negate, prefix, raw, quoted, closing = match.groups()
        phrase = quoted is not None
        value = (quoted if phrase else raw).strip()
        if prefix and prefix.lower() not in FIELDS and prefix.lower() not in ("cat", "since", "until"):
            query.warnings.append(f"unknown field {prefix}: read as plain text")
            value, prefix = f"{prefix} {value}".strip(), None
        if not value:
            if prefix:
                query.warnings.append(f"{prefix}: has no value and was ignored")
            continue
        _add(query, negate == "-", prefix.lower() if prefix else None, value, phrase)
    return query


def _add(query: ParsedQuery, negate: bool, prefix: str | None, value: str, phrase: bool) -> None:
    if prefix in ("since", "until"):
        try:
            day = parse_date(value, end=prefix == "until")
        except ValueError:
            query.warnings.append(f"{prefix}:{value} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD); ignored")
            return
        setattr(query, prefix, day)
        return
    if prefix == "cat":
        if not CATEGORY.match(value):
            query.warnings.append(f"cat:{value} is not an arXiv category (like cs.CL or math); ignored")
        elif negate:
            query.exclude.append(Clause(value, "categories"))
        else:
            query.categories.append(value)
        return
    target = FIELDS.get(prefix) if prefix else None
    if target == "id" or (target is None and not negate and not phrase and ARXIV_ID.match(value)):
        found = ARXIV_ID.match(value)
        if found:
            query.ids.append(found.group(1).lower() if "/" in found.group(1) else found.group(1))
            return
        query.warnings.append(f"id:{value} is not an arXiv id; read as plain text")
        target = None
    bare = value.lstrip("-")
    if not bare:
        return
    clause = Clause(bare, target, phrase or " " in bare)
    (query.exclude if negate else query.must).append(clause)
