"""arXiv categories as a source names them, and the URLs that follow them. Pure; no Django.

A source follows categories (`cs.CL`, `math.NA`, `physics.atom-ph`) or whole archives (`cs`, `hep-th`). The
RSS feed takes them joined by `+`; the OAI-PMH endpoint of 2025 takes sets written `group:archive:CATEGORY`
(`cs:cs:CL`, `physics:astro-ph:CO`, `math:math:NA`) or `group:archive` for a whole archive (`physics:hep-th`).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

# Archive -> its group in arXiv's OAI-PMH set hierarchy.
GROUPS = {
    "cs": "cs", "econ": "econ", "eess": "eess", "math": "math", "q-bio": "q-bio", "q-fin": "q-fin",
    "stat": "stat", "astro-ph": "physics", "cond-mat": "physics", "gr-qc": "physics", "hep-ex": "physics",
    "hep-lat": "physics", "hep-ph": "physics", "hep-th": "physics", "math-ph": "physics", "nlin": "physics",
    "nucl-ex": "physics", "nucl-th": "physics", "physics": "physics", "quant-ph": "physics",
}
CATEGORY = re.compile(r"^([a-z][a-z-]*)(?:\.([A-Za-z][A-Za-z-]{1,15}))?$")


def parse_category(text: str) -> str:
    """A category or archive as arXiv writes it; ValueError naming the problem otherwise."""
    value = (text or "").strip()
    match = CATEGORY.match(value)
    if not match or match[1] not in GROUPS:
        archive = match[1] if match else value
        raise ValueError(f"{value!r} is not an arXiv category or archive ({archive!r} is not one of "
                         f"{', '.join(sorted(GROUPS))}; categories look like cs.CL or math.NA)")
    return value


def parse_categories(values) -> list[str]:
    """Categories from a list or a comma/space/plus-separated string, each checked, duplicates dropped."""
    items = re.split(r"[\s,+]+", values) if isinstance(values, str) else list(values or [])
    out = list(dict.fromkeys(parse_category(item) for item in items if item and item.strip()))
    if not out:
        raise ValueError("an arXiv source needs at least one category or archive (e.g. cs.CL)")
    return out


def oai_set(category: str) -> str:
    """The OAI-PMH set of a category or archive, in the 2025 endpoint's `group:archive:CATEGORY` syntax."""
    match = CATEGORY.match(parse_category(category))
    archive, subject = match[1], match[2]
    group = GROUPS[archive]
    return f"{group}:{archive}:{subject}" if subject else f"{group}:{archive}"


def rss_url(base: str, categories: list[str]) -> str:
    """`https://rss.arxiv.org/rss/cs.CL+cs.LG` (or `/atom/...`): one feed for all of a source's categories."""
    return base.rstrip("/") + "/" + "+".join(categories)


def oai_url(base: str, category: str, first: date, last: date) -> str:
    """ListRecords (arXivRaw, which dates every version) of one category for datestamps first..last."""
    return base + "?" + urlencode({"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": oai_set(category),
                                   "from": first.isoformat(), "until": last.isoformat()})


def hf_url(base: str, day: date) -> str:
    return f"{base.rstrip('/')}/daily_papers?date={day.isoformat()}"
