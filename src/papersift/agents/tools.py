"""What the MCP server's tools do: thin, read-only faces over the catalog and search selectors.

Plain functions returning JSON-ready dicts (no MCP import here, so they are tested on their own). Lists are
compact (an agent's context is small): id, title, a few authors, the AI summary or the abstract's start,
counts and links; `paper_details` has everything. Bad arguments raise `ToolProblem` with a message naming the
argument, which the server hands back to the agent as the tool's error.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from papersift.catalog import selectors as catalog
from papersift.catalog.models import DailyListing, Paper
from papersift.indexing import selectors as search
from papersift.ingest.records import InvalidRecord, split_paper_id
from papersift.web import hf, params
from papersift.web.params import BadParameter

MAX_LIST = 50
SHOWN_AUTHORS = 8
TEASER_CHARS = 300


class ToolProblem(ValueError):
    """A tool cannot answer these arguments; the message says which and why."""


def site_url(path: str = "/") -> str:
    return settings.PAPERSIFT["SITE_URL"].rstrip("/") + path


def paper_brief(paper: Paper, listing: DailyListing | None = None) -> dict:
    """One paper in a list: enough to choose which to read (`paper_details` has the rest)."""
    authors = paper.authors[:SHOWN_AUTHORS] + ([f"and {len(paper.authors) - SHOWN_AUTHORS} more"]
                                               if len(paper.authors) > SHOWN_AUTHORS else [])
    teaser = paper.ai_summary or (paper.abstract[:TEASER_CHARS] + ("…" if len(paper.abstract) > TEASER_CHARS else ""))
    brief = {
        "id": paper.arxiv_id,
        "title": paper.title,
        "authors": authors,
        "published": paper.published.date().isoformat() if paper.published else None,
        "categories": paper.categories,
        "upvotes": getattr(listing, "upvotes", None) if listing is not None else getattr(paper, "upvotes", None),
        "summary": teaser,
        "summary_is_ai": bool(paper.ai_summary),
        "organization": paper.organization.name if paper.organization_id else None,
        "github": paper.code_url or None,
        "github_stars": paper.github_stars,
        "url": site_url(reverse("paper", args=[paper.arxiv_id])),
    }
    if listing is not None:
        brief["listed_on"] = listing.date.isoformat()
    return brief


def _listing(kind: str, key: str | None, *, sort: str, category: str | None, page: int, limit: int) -> dict:
    try:
        found = params.listing(**{kind: key}, sort=sort, category=category, p=page, limit=min(limit, MAX_LIST))
    except BadParameter as exc:
        raise ToolProblem(str(exc)) from None
    return {
        "window": found.window.key if found.window else None,
        "label": found.window.label if found.window else None,
        "sort": found.sort, "category": found.category or None, "total": found.total, "page": found.page,
        "pages": found.pages,
        "papers": [paper_brief(listing.paper, listing) for listing in found.entries],
    }


def daily_papers(date: str | None = None, *, sort: str = "trending", category: str | None = None, page: int = 0,
                 limit: int = 20) -> dict:
    return _listing("date", date, sort=sort, category=category, page=page, limit=limit)


def weekly_papers(week: str | None = None, *, sort: str = "trending", category: str | None = None, page: int = 0,
                  limit: int = 20) -> dict:
    return _listing("week", week or _latest("week"), sort=sort, category=category, page=page, limit=limit)


def monthly_papers(month: str | None = None, *, sort: str = "trending", category: str | None = None,
                   page: int = 0, limit: int = 20) -> dict:
    return _listing("month", month or _latest("month"), sort=sort, category=category, page=page, limit=limit)


def _latest(kind: str) -> str | None:
    window = catalog.latest_window(kind)
    return window.key if window else None


def trending_papers(days: int = 7, limit: int = 20) -> dict:
    """The most upvoted papers of the last ``days`` listing days, decayed by age (the trending formula)."""
    window = catalog.recent_window(days)
    found = catalog.listing_page(window, sort="trending", limit=min(limit, MAX_LIST), neighbours=False)
    return {"from": window.start.isoformat() if window else None, "to": window.end.isoformat() if window else None,
            "papers": [paper_brief(listing.paper, listing) for listing in found.entries]}


def search_papers(query: str, *, mode: str = "hybrid", sort: str = "relevance", category: str | None = None,
                  since: str | None = None, until: str | None = None, limit: int = 10, offset: int = 0) -> dict:
    try:
        request = params.search_request(query, mode=mode, sort=sort, category=category, since=since, until=until)
        found = search.search(request.q, mode=request.mode, sort=request.sort, limit=min(limit, MAX_LIST),
                              offset=offset, categories=request.categories, since=request.since,
                              until=request.until)
    except BadParameter as exc:
        raise ToolProblem(str(exc)) from None
    except search.IndexMissing as exc:
        raise ToolProblem(str(exc)) from None
    return {"query": request.q, "total": found.total, "total_is_floor": found.total_is_floor, "mode": found.mode,
            "warnings": found.warnings,
            "papers": [{**paper_brief(hit.paper), "score": round(hit.score, 4), "snippet": hit.snippet}
                       for hit in found.hits]}


def _paper(paper_id: str) -> Paper:
    try:
        arxiv_id, _ = split_paper_id(paper_id)
    except InvalidRecord:
        raise ToolProblem(f"paper_id: {paper_id[:100]!r} is not an arXiv id (such as 2405.15738)") from None
    paper = catalog.paper_detail(arxiv_id)
    if paper is None:
        raise ToolProblem(f"paper_id: no paper {arxiv_id} in this catalog")
    return paper


def paper_details(paper_id: str) -> dict:
    """Everything papersift knows of a paper, in the shape of its Hugging Face–compatible API."""
    paper = _paper(paper_id)
    body = hf.paper_info(paper, site_url("").rstrip("/"))
    body["url"] = site_url(reverse("paper", args=[paper.arxiv_id]))
    return body


def paper_markdown(paper_id: str) -> str:
    paper = _paper(paper_id)
    return hf.markdown(paper, site_url(reverse("paper", args=[paper.arxiv_id])))


def similar_papers(paper_id: str, limit: int = 10) -> dict:
    paper = _paper(paper_id)
    try:
        found = search.similar_to(paper.id, min(limit, MAX_LIST))
    except search.IndexMissing as exc:
        raise ToolProblem(str(exc)) from None
    return {"id": paper.arxiv_id, "mode": found.mode,
            "papers": [{**paper_brief(hit.paper), "score": round(hit.score, 4)} for hit in found.hits]}


def organization_papers(name: str, *, sort: str = "newest", page: int = 0, limit: int = 20) -> dict:
    try:
        found = params.organization_papers(name, sort=sort, p=page, limit=min(limit, MAX_LIST))
    except BadParameter as exc:
        raise ToolProblem(str(exc)) from None
    if found is None:
        raise ToolProblem(f"name: no organisation {name[:100]!r} in this catalog")
    org = found.organization
    return {"organization": {"name": org.name, "fullname": org.fullname or org.name,
                             "url": site_url(reverse("organization", args=[org.name]))},
            "total": found.total, "sort": found.sort, "page": found.page, "pages": found.pages,
            "papers": [paper_brief(paper) for paper in found.papers]}
