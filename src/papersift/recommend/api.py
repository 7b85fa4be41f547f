"""Recommendations and interests in the JSON API, mounted under /api/ by papersift.web.api.

``GET /api/recommendations`` ranks a day's, week's or month's papers for the caller (a Bearer token or a
logged-in session), each with ``score`` and ``reasons``. Writes (``/api/interests/...``) take a token, or a
session with its CSRF token. Another reader's follow is a 404, like one that does not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from papersift.accounts.auth import API_WRITE_AUTH
from papersift.lists.selectors import paper_by_id
from papersift.recommend import selectors, services
from papersift.ratelimit import rate_limited
from papersift.recommend.models import Follow
from papersift.web.openapi import WRITE, errors
from papersift.web.params import BadParameter

router = Router(tags=["recommendations"])
MAX_RANKED = 500


class ApiError(Schema):
    error: str
    code: str
    status: int
    field: str | None = None


ERRORS = {400: ApiError, 401: ApiError, 404: ApiError}


class ReasonOut(Schema):
    kind: Literal["seed", "author", "category", "trending"]
    text: str
    arxivId: str | None = None  # noqa: N815 (camelCase as the rest of the API)
    title: str | None = None


class ItemOut(Schema):
    id: str
    title: str
    score: float
    reasons: list[ReasonOut]
    url: str


class RecommendationsOut(Schema):
    window: str
    start: str | None
    end: str | None
    method: Literal["profile", "profile-lexical", "trending"]
    note: str
    candidates: int
    p: int
    limit: int
    items: list[ItemOut]


class RecommendationQuery(Schema):
    window: Literal["day", "week", "month"] = "day"
    date: str | None = Field(None, description="A day inside the window (YYYY-MM-DD); default: the latest listed")
    limit: int = Field(20, ge=1, le=100)
    p: int = Field(0, ge=0, le=99, description="Page (0-based); at most 500 papers are ranked in all")


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter("date", f"{text[:20]!r} is not a date (YYYY-MM-DD)") from None


@router.get("/recommendations", auth=API_WRITE_AUTH, response={200: RecommendationsOut, **ERRORS},
            summary="Papers ranked for you, with reasons (papersift)")
def recommendations(request: HttpRequest, query: Query[RecommendationQuery]):
    """The window's papers ranked from your upvotes, reading lists, marks, seeds and follows; never one you voted,
    saved, marked, dismissed or were mailed. `method` says which signal ranked them (`trending` when you have
    none yet). Items carry `reasons`: the seed papers that drew each, a followed author or category, or trending."""
    if (query.p + 1) * query.limit > MAX_RANKED:
        raise BadParameter("p", f"at most {MAX_RANKED} papers are ranked: p * limit must stay below that")
    found = selectors.window_papers(query.window, _day(query.date))
    if found is None:
        return {"window": query.window, "start": None, "end": None, "method": "trending", "note": "no papers yet",
                "candidates": 0, "p": query.p, "limit": query.limit, "items": []}
    candidates, start, end = found
    result = selectors.for_user(request.auth, candidates, (query.p + 1) * query.limit)
    page = result.items[query.p * query.limit:(query.p + 1) * query.limit]
    return {"window": query.window, "start": start.isoformat(), "end": end.isoformat(), "method": result.method,
            "note": result.note, "candidates": result.candidates, "p": query.p, "limit": query.limit,
            "items": [{"id": i.paper.arxiv_id, "title": " ".join(i.paper.title.split()), "score": i.score,
                       "reasons": [r.as_dict() for r in i.reasons],
                       "url": request.build_absolute_uri(f"/papers/{i.paper.arxiv_id}")} for i in page]}


class SignalIn(Schema):
    signal: Literal["more", "dismiss"]


class FollowIn(Schema):
    kind: Literal["author", "category"]
    value: str


@router.get("/interests", auth=API_WRITE_AUTH, response={200: dict, 401: ApiError},
            summary="All your interests (papersift)")
def my_interests(request: HttpRequest):
    """What recommendations learn from: upvotes, saved papers, marks, seeds, dismissals and follows."""
    return selectors.export(request.auth)


def _paper(arxiv_id: str):
    paper = paper_by_id(arxiv_id)
    if paper is None:
        raise Http404(f"no paper {arxiv_id!r} in this catalog")
    return paper


@router.post("/interests/papers/{path:arxiv_id}", auth=API_WRITE_AUTH, response={200: dict, **ERRORS},
             summary="Mark a paper: more like this, or not interested (papersift)",
             openapi_extra=errors(*WRITE))
@rate_limited("interest")
def mark_paper(request: HttpRequest, arxiv_id: str, body: SignalIn):
    """`{"signal": "more"}` or `{"signal": "dismiss"}` (hides the paper from your lists); replaces any other."""
    paper = _paper(arxiv_id)
    services.mark(request.auth, paper, body.signal, "api")
    return {"arxivId": paper.arxiv_id, "signal": body.signal}


@router.delete("/interests/papers/{path:arxiv_id}", auth=API_WRITE_AUTH, response={200: dict, **ERRORS},
               summary="Undo your mark on a paper (papersift)",
               openapi_extra=errors(*WRITE))
@rate_limited("interest")
def unmark_paper(request: HttpRequest, arxiv_id: str):
    paper = _paper(arxiv_id)
    return {"arxivId": paper.arxiv_id, "removed": services.forget(request.auth, paper)}


@router.post("/interests/follows", auth=API_WRITE_AUTH, response={200: dict, **ERRORS},
             summary="Follow an author or a category (papersift)",
             openapi_extra=errors(*WRITE))
@rate_limited("follow")
def add_follow(request: HttpRequest, body: FollowIn):
    try:
        found, new = services.follow(request.auth, body.kind, body.value)
    except services.InvalidInterest as exc:
        raise BadParameter(exc.field, exc.message) from None
    return {"id": found.id, "kind": found.kind, "value": found.value, "new": new}


@router.delete("/interests/follows/{int:follow_id}", auth=API_WRITE_AUTH, response={200: dict, **ERRORS},
               summary="Stop following (papersift)",
               openapi_extra=errors(*WRITE))
@rate_limited("follow")
def delete_follow(request: HttpRequest, follow_id: int):
    try:
        found = services.remove_follow(request.auth, follow_id)
    except Follow.DoesNotExist:
        raise Http404("no such follow of yours") from None
    return {"id": follow_id, "kind": found.kind, "value": found.value, "removed": True}
