"""Papers and listings in the JSON shape of Hugging Face's papers API, so its clients work against papersift.

Keys, nesting and date format follow huggingface.co (`/api/daily_papers`, `/api/papers/{id}`), as read by
`huggingface_hub.PaperInfo`. Fields papersift knows and Hugging Face does not (categories, versions, links)
are added under their own names; fields papersift does not have (thumbnails, AI summaries) are left out.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

from papersift.catalog.models import DailyListing, Paper


def stamp(value: datetime | None) -> str | None:
    """Hugging Face's timestamp form: UTC, milliseconds, a Z suffix (2026-08-20T00:00:00.000Z)."""
    if value is None:
        return None
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def user(name: str) -> dict | None:
    """A submitter. ``user`` is what huggingface_hub reads as the user name, ``name`` what the website sends."""
    if not name:
        return None
    return {"name": name, "user": name, "fullname": name, "type": "user"}


def listed_at(listing: DailyListing) -> datetime:
    return listing.listed_at or datetime.combine(listing.date, time(), tzinfo=timezone.utc)


def paper_object(paper: Paper, listing: DailyListing | None = None, *, upvotes: int = 0) -> dict:
    """The ``paper`` object: what `/api/papers/{id}` returns and what each daily entry nests."""
    body = {
        "id": paper.arxiv_id,
        "authors": [{"name": name, "hidden": False} for name in paper.authors],
        "publishedAt": stamp(paper.published),
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": upvotes,
    }
    if listing is not None:
        body["submittedOnDailyAt"] = stamp(listing.submitted_at or listed_at(listing))
        body["submittedOnDailyBy"] = user(listing.submitted_by)
    body.update(_links(paper))
    body.update({  # papersift's own fields
        "version": paper.version,
        "updatedAt": stamp(paper.updated),
        "categories": paper.categories,
        "withdrawn": paper.withdrawn,
        "arxivUrl": paper.abs_url or None,
        "pdfUrl": paper.pdf_url or None,
    })
    return body


def daily_entry(listing: DailyListing) -> dict:
    """One entry of `/api/daily_papers`: the listing's own fields around the nested paper."""
    paper = listing.paper
    return {
        "paper": paper_object(paper, listing, upvotes=listing.upvotes),
        "publishedAt": stamp(listed_at(listing)),
        "title": paper.title,
        "summary": paper.abstract,
        "numComments": listing.num_comments,
        "submittedBy": user(listing.submitted_by),
        "isAuthorParticipating": False,
        **_links(paper),
    }


def paper_info(paper: Paper) -> dict:
    """`/api/papers/{id}`: the paper object with its upvotes and comment count."""
    listings = list(paper.listings.all())
    latest = listings[-1] if listings else None
    body = paper_object(paper, latest, upvotes=paper.upvotes)
    body["numComments"] = paper.num_comments
    body["listedOn"] = [listing.date.isoformat() for listing in listings]
    return body


def search_entry(paper: Paper, *, score: float | None = None, snippet: str | None = None) -> dict:
    """One result of `/api/papers/search`: the daily-entry shape (huggingface_hub reads both), plus the score.

    ``paper`` comes with its listings and counts loaded (`catalog.selectors.papers_by_id`).
    """
    listings = list(paper.listings.all())
    entry = {
        "paper": paper_object(paper, listings[-1] if listings else None, upvotes=paper.upvotes),
        "publishedAt": stamp(listed_at(listings[0]) if listings else paper.published),
        "title": paper.title,
        "summary": paper.abstract,
        "numComments": paper.num_comments,
        **_links(paper),
    }
    if score is not None:
        entry["score"] = round(score, 6)
    if snippet is not None:
        entry["highlight"] = snippet
    return entry


def _links(paper: Paper) -> dict:
    """Code and project links at the entry's top level too: that is where huggingface_hub reads them."""
    links = {"projectPage": paper.project_url, "githubRepo": paper.code_url}
    return {key: value for key, value in links.items() if value}


def markdown(paper: Paper, base_url: str) -> str:
    """`/papers/{id}.md`: the paper as Markdown (title, authors, links, abstract), as Hugging Face serves it."""
    lines = [f"# {paper.title}", ""]
    if paper.authors:
        lines += [f"Authors: {', '.join(paper.authors)}", ""]
    facts = [f"arXiv: {paper.abs_url}" if paper.abs_url else "",
             f"PDF: {paper.pdf_url}" if paper.pdf_url else "",
             f"Published: {paper.published:%Y-%m-%d}" if paper.published else "",
             f"Categories: {', '.join(paper.categories)}" if paper.categories else "",
             f"Code: {paper.code_url}" if paper.code_url else "",
             f"Project page: {paper.project_url}" if paper.project_url else "",
             f"Page: {base_url}"]
    lines += [f"- {fact}" for fact in facts if fact]
    lines += ["", "## Abstract", "", paper.abstract or "(no abstract)", ""]
    return "\n".join(lines)
