"""Papers and listings in the JSON shape of Hugging Face's papers API, so its clients work against papersift.

Keys, nesting and date format follow huggingface.co (`/api/daily_papers`, `/api/papers/{id}`), as read by
`huggingface_hub.PaperInfo`. Fields papersift knows and Hugging Face does not (categories, versions, links)
are added under their own names. What Hugging Face adds to a paper (AI summary and keywords, GitHub stars,
organisation, thumbnail, media) is in the paper object, where huggingface.co puts it, and also at the top
level of daily and search entries, where huggingface_hub reads it. Image URLs (thumbnail, avatars) are
papersift's own copies (`/images/...`), absolute when the caller passes its ``base`` URL.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

from papersift.catalog.models import DailyListing, Organization, Paper


def stamp(value: datetime | None) -> str | None:
    """Hugging Face's timestamp form: UTC, milliseconds, a Z suffix (2026-08-20T00:00:00.000Z)."""
    if value is None:
        return None
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def user(name: str, fullname: str = "", avatar: str = "") -> dict | None:
    """A submitter. ``user`` is what huggingface_hub reads as the user name, ``name`` what the website sends."""
    if not name:
        return None
    body = {"name": name, "user": name, "fullname": fullname or name, "type": "user"}
    if avatar:
        body["avatarUrl"] = avatar
    return body


def submitter(listing: DailyListing, base: str = "") -> dict | None:
    return user(listing.submitted_by, listing.submitter_fullname, base + listing.submitter_avatar_src)


def organization(org: Organization | None, base: str = "") -> dict | None:
    """``avatar`` is Hugging Face's key, ``avatarUrl`` the one huggingface_hub's Organization reads."""
    if org is None:
        return None
    avatar = base + org.avatar_src
    return {"name": org.name, "fullname": org.fullname or org.name, "avatar": avatar, "avatarUrl": avatar}


def hugging_face_fields(paper: Paper, base: str = "") -> dict:
    """AI summary and keywords (and the model), GitHub stars, organisation, thumbnail, media: the ones it has."""
    fields = {
        "ai_summary": paper.ai_summary or None,
        "ai_keywords": paper.ai_keywords or None,
        "ai_summary_model": paper.ai_summary_model or None,
        "githubStars": paper.github_stars,
        "organization": organization(paper.organization, base),
        "thumbnail": base + paper.thumbnail_src if paper.thumbnail_url else None,
        "mediaUrls": paper.media_urls or None,
    }
    return {key: value for key, value in fields.items() if value is not None}


def listed_at(listing: DailyListing) -> datetime:
    return listing.listed_at or datetime.combine(listing.date, time(), tzinfo=timezone.utc)


def paper_object(paper: Paper, listing: DailyListing | None = None, *, upvotes: int = 0, base: str = "") -> dict:
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
        body["submittedOnDailyBy"] = submitter(listing, base)
    body.update(_links(paper))
    body.update(hugging_face_fields(paper, base))
    body.update({  # papersift's own fields
        "version": paper.version,
        "updatedAt": stamp(paper.updated),
        "categories": paper.categories,
        "withdrawn": paper.withdrawn,
        "arxivUrl": paper.abs_url or None,
        "pdfUrl": paper.pdf_url or None,
    })
    return body


def daily_entry(listing: DailyListing, base: str = "") -> dict:
    """One entry of `/api/daily_papers`: the listing's own fields around the nested paper."""
    paper = listing.paper
    return {
        "paper": paper_object(paper, listing, upvotes=listing.upvotes, base=base),
        "publishedAt": stamp(listed_at(listing)),
        "title": paper.title,
        "summary": paper.abstract,
        "numComments": listing.num_comments,
        "submittedBy": submitter(listing, base),
        "isAuthorParticipating": False,
        **_links(paper),
        **hugging_face_fields(paper, base),
    }


def paper_info(paper: Paper, base: str = "") -> dict:
    """`/api/papers/{id}`: the paper object with its upvotes and comment count."""
    listings = list(paper.listings.all())
    latest = listings[-1] if listings else None
    body = paper_object(paper, latest, upvotes=paper.upvotes, base=base)
    body["numComments"] = paper.num_comments
    body["listedOn"] = [listing.date.isoformat() for listing in listings]
    return body


def search_entry(paper: Paper, *, score: float | None = None, snippet: str | None = None, base: str = "") -> dict:
    """One result of `/api/papers/search`: the daily-entry shape (huggingface_hub reads both), plus the score.

    ``paper`` comes with its listings and counts loaded (`catalog.selectors.papers_by_id`).
    """
    listings = list(paper.listings.all())
    entry = {
        "paper": paper_object(paper, listings[-1] if listings else None, upvotes=paper.upvotes, base=base),
        "publishedAt": stamp(listed_at(listings[0]) if listings else paper.published),
        "title": paper.title,
        "summary": paper.abstract,
        "numComments": paper.num_comments,
        **_links(paper),
        **hugging_face_fields(paper, base),
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
    org = paper.organization
    facts = [f"arXiv: {paper.abs_url}" if paper.abs_url else "",
             f"PDF: {paper.pdf_url}" if paper.pdf_url else "",
             f"Published: {paper.published:%Y-%m-%d}" if paper.published else "",
             f"Categories: {', '.join(paper.categories)}" if paper.categories else "",
             f"Organization: {org.fullname or org.name}" if org is not None else "",
             f"Code: {paper.code_url}" + (f" ({paper.github_stars} stars)" if paper.github_stars is not None else "")
             if paper.code_url else "",
             f"Project page: {paper.project_url}" if paper.project_url else "",
             f"Page: {base_url}"]
    lines += [f"- {fact}" for fact in facts if fact]
    lines += ["", "## Abstract", "", paper.abstract or "(no abstract)", ""]
    if paper.ai_summary:
        by = f" by {paper.ai_summary_model}" if paper.ai_summary_model else ""
        lines += ["## AI summary", "", f"{paper.ai_summary}", "", f"_Generated{by} for Hugging Face; not written "
                  "by the authors._", ""]
    if paper.ai_keywords:
        lines += ["## Keywords", "", ", ".join(paper.ai_keywords), ""]
    return "\n".join(lines)
