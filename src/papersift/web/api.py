"""The JSON API: Hugging Face's papers endpoints (same paths, parameters and shapes) and papersift's own.

Every error, whatever raised it, leaves as ``{"error": message, "code": ..., "status": ..., "field": ...}``
(``error`` is the key huggingface_hub reads its message from).
"""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Query, Router, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from papersift.accounts.auth import API_WRITE_AUTH
from papersift.catalog import selectors as catalog
from papersift.community import services as votes
from papersift.indexing import selectors as search
from papersift.ingest.records import InvalidRecord, split_paper_id
from papersift.ratelimit import RateLimited, rate_limited, too_many
from papersift.web import hf, params
from papersift.web.openapi import WRITE, DocumentedAPI, errors
from papersift.web.params import BadParameter


api = DocumentedAPI(
    title="papersift API",
    version="1",
    description="Hugging Face–compatible papers API (`huggingface_hub.HfApi(endpoint=...)` works against it), "
                "plus search with filters, similar papers and categories.",
    urls_namespace="api",
    # Rendered by templates/ninja/swagger.html in papersift's layout. No online validator (a third-party host); no
    # deep links (Swagger UI puts them as links inside the operation buttons, which axe rightly refuses).
    docs=Swagger(settings={"validatorUrl": None, "deepLinking": False, "layout": "BaseLayout",
                           "defaultModelsExpandDepth": -1}),   # schemas are shown with each operation
)


# papersift's and Hugging Face's read endpoints. Mounted after the community apps' routers (end of this module):
# Django tries URL patterns in order, and `/papers/{arxiv_id}` must not swallow `/papers/index`.
papers = Router(tags=["papers"])


def error_response(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "code": code, "status": status, "field": field}, status=status)


@api.exception_handler(BadParameter)
def _bad_parameter(request, exc: BadParameter):
    return error_response(400, "bad_parameter", str(exc), exc.field)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    field = str(first.get("loc", ["", "?"])[-1])
    message = first.get("msg", "invalid parameter")
    return error_response(400, "bad_parameter", f"{field}: {message}", field)


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    return error_response(404, "not_found", str(exc) or "not found")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(401, "unauthenticated", "send `Authorization: Bearer <token>` (create one on your account "
                                                  "page) or a logged-in session with its CSRF token")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return error_response(exc.status_code, "error", str(exc))


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    return too_many(request, exc)


@api.exception_handler(search.IndexMissing)
def _no_index(request, exc):
    return error_response(503, "index_missing", str(exc))


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception):
    """Not handled here: Django's own handling logs it (``django.request``, with the request line and traceback)
    and answers 500, which ApiErrorShapeMiddleware puts in the error shape; pages and API take the same path."""
    raise exc


def base_url(request: HttpRequest) -> str:
    """This server's address as the client reached it: image URLs in answers are made absolute with it."""
    return request.build_absolute_uri("/").rstrip("/")


def _paper_or_404(raw_id: str):
    try:
        arxiv_id, _ = split_paper_id(raw_id)
    except InvalidRecord:
        raise BadParameter("arxiv_id", f"{raw_id!r} is not an arXiv id (such as 2405.15738)") from None
    paper = catalog.paper_detail(arxiv_id)
    if paper is None:
        raise Http404(f"no paper {arxiv_id} in this catalog")
    return paper


SHORT = 64        # longest date, week, month, category, submitter or cursor worth reading
SORTS = "^(|publishedAt|trending|date)$"


@papers.get("/daily_papers", summary="Daily papers (Hugging Face compatible)", openapi_extra=errors(400))
def daily_papers(request: HttpRequest, date: str | None = Query(None, max_length=SHORT),
                 week: str | None = Query(None, max_length=SHORT), month: str | None = Query(None, max_length=SHORT),
                 submitter: str | None = Query(None, max_length=150), sort: str | None = Query(None, pattern=SORTS),
                 category: str | None = Query(None, max_length=SHORT), p: int | None = Query(None, ge=0, le=10_000),
                 limit: int | None = Query(None, ge=1, le=100)):
    """The papers listed on a day, an ISO week (`2026-W34`, Monday to Sunday) or a month (`2026-08`); the latest
    day when none is given. `sort=publishedAt` (default: newest listing first) or `trending` (most upvoted
    first). `p` is the 0-based page of `limit` (1–100, default 50) entries."""
    page = params.listing(date=date, week=week, month=month, sort=sort, category=category, submitter=submitter,
                          p=p, limit=limit, default_sort="date")
    base = base_url(request)
    return [hf.daily_entry(listing, base) for listing in page.entries]


@papers.get("/papers/search", summary="Search papers (Hugging Face compatible)", openapi_extra=errors(400, 503))
def search_papers(request: HttpRequest, q: str | None = Query(None, max_length=params.MAX_QUERY_CHARS),
                  limit: int | None = Query(None, ge=1, le=120)):
    """Hybrid search with papersift's query language; `q` up to 250 characters, `limit` 1–120 (default 50)."""
    query = params.search_request(q)
    found = search.search(query.q, limit=params.bounded("limit", limit, 50, 1, 120), snippets=False)  # HF has none
    base = base_url(request)
    return [hf.search_entry(hit.paper, score=hit.score, base=base) for hit in found.hits]


@papers.get("/search", summary="Search with filters, sort and paging (papersift)", openapi_extra=errors(400, 503))
def search_full(request: HttpRequest, q: str | None = Query(None, max_length=params.MAX_QUERY_CHARS),
                mode: str | None = Query(None, pattern="^(|hybrid|lexical|dense)$"),
                sort: str | None = Query(None, pattern="^(|relevance|newest|upvotes)$"),
                category: str | None = Query(None, max_length=params.MAX_QUERY_CHARS),
                since: str | None = Query(None, max_length=SHORT), until: str | None = Query(None, max_length=SHORT),
                limit: int | None = Query(None, ge=1, le=100), offset: int | None = Query(None, ge=0, le=10_000)):
    """The search page's JSON twin: `mode` hybrid|lexical|dense, `sort` relevance|newest|upvotes, `category`
    (comma-separated, `cs` for a whole archive), `since`/`until` (YYYY, YYYY-MM or YYYY-MM-DD)."""
    return search_results(params.search_request(q, mode=mode, sort=sort, category=category, since=since,
                                                until=until),
                          limit=params.bounded("limit", limit, 20, 1, 100),
                          offset=params.bounded("offset", offset, 0, 0, 10_000), base=base_url(request))


def search_results(query: params.SearchRequest, *, limit: int, offset: int, base: str = "") -> dict:
    found = search.search(query.q, mode=query.mode, sort=query.sort, limit=limit, offset=offset,
                          categories=query.categories, since=query.since, until=query.until)
    return {
        "query": query.q, "total": found.total, "total_is_floor": found.total_is_floor, "mode": found.mode,
        "semantic": found.semantic, "warnings": found.warnings, "seconds": found.seconds,
        "offset": offset, "limit": limit,
        "results": [hf.search_entry(hit.paper, score=hit.score, snippet=hit.snippet, base=base)
                    for hit in found.hits],
    }


@papers.get("/papers/{path:arxiv_id}/similar", summary="Similar papers (papersift)",
            openapi_extra=errors(400, 404, 503))
def similar_papers(request: HttpRequest, arxiv_id: str, limit: int | None = Query(None, ge=1, le=100)):
    """The nearest papers by embedding (by shared rare words while the paper has no vector yet)."""
    paper = _paper_or_404(arxiv_id)
    found = search.similar_to(paper.id, params.bounded("limit", limit, 10, 1, 100))
    base = base_url(request)
    return {"id": paper.arxiv_id, "semantic": found.semantic, "mode": found.mode,
            "results": [hf.search_entry(hit.paper, score=hit.score, base=base) for hit in found.hits]}


@papers.post("/papers/{path:arxiv_id}/upvote", auth=API_WRITE_AUTH, summary="Upvote a paper (papersift)",
             openapi_extra=errors(*WRITE, 404))
@rate_limited("vote")
def upvote(request: HttpRequest, arxiv_id: str):
    """Idempotent: upvoting twice counts once. Bearer token, or a browser session with its CSRF token."""
    return _vote(request, arxiv_id, up=True)


@papers.delete("/papers/{path:arxiv_id}/upvote", auth=API_WRITE_AUTH, summary="Withdraw an upvote (papersift)",
               openapi_extra=errors(*WRITE, 404))
@rate_limited("vote")
def withdraw_upvote(request: HttpRequest, arxiv_id: str):
    return _vote(request, arxiv_id, up=False)


def _vote(request: HttpRequest, arxiv_id: str, up: bool) -> dict:
    paper = _paper_or_404(arxiv_id)
    voted, _ = votes.set_vote(request.auth, paper, up=up)
    paper = catalog.paper_detail(paper.arxiv_id)
    return {"id": paper.arxiv_id, "upvoted": voted, "upvotes": paper.upvotes}


@papers.get("/papers/{path:arxiv_id}", summary="One paper (Hugging Face compatible)", openapi_extra=errors(400, 404))
def paper_info(request: HttpRequest, arxiv_id: str):
    return hf.paper_info(_paper_or_404(arxiv_id), base_url(request))


@papers.get("/papers", summary="All papers, cursor-paged (Hugging Face compatible)", openapi_extra=errors(400))
def list_papers(request: HttpRequest, response: HttpResponse, cursor: str | None = Query(None, max_length=SHORT),
                limit: int | None = Query(None, ge=1, le=100)):
    """Every paper in catalog order, `limit` (1–100, default 50) at a time; the next page's URL is in the
    `Link: <...>; rel="next"` header (as on huggingface.co), absent on the last page."""
    size = params.bounded("limit", limit, 50, 1, 100)
    papers = catalog.papers_after(_decode_cursor(cursor), size)
    if len(papers) == size:
        following = request.build_absolute_uri(
            f"{request.path}?cursor={_encode_cursor(papers[-1].id)}&limit={size}")
        response["Link"] = f'<{following}>; rel="next"'
    base = base_url(request)
    return [hf.paper_info(paper, base) for paper in papers]


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind == "after" and value.isdigit():
            return int(value)
    except (ValueError, UnicodeDecodeError):
        pass
    raise BadParameter("cursor", "is not a cursor from this API's Link header")


@papers.get("/organizations/{name}/papers", summary="An organisation's papers (papersift)",
            openapi_extra=errors(400, 404))
def organization_papers(request: HttpRequest, name: str, sort: str | None = None, p: int | None = None,
                        limit: int | None = None):
    """The papers Hugging Face credits to an organisation (its hub name, e.g. `google`): `sort=newest` (first
    version, the default) or `upvotes`; `p` is the 0-based page of `limit` (1–100, default 50). The JSON twin
    of `/orgs/{name}`."""
    page = params.organization_papers(name, sort=sort, p=p, limit=limit)
    if page is None:
        raise Http404(f"no organisation {name[:100]!r} in this catalog")
    base = base_url(request)
    return {"organization": hf.organization(page.organization, base), "total": page.total, "sort": page.sort,
            "p": page.page, "limit": page.limit, "papers": [hf.paper_info(paper, base) for paper in page.papers]}


@papers.get("/announcements", url_name="announcements", summary="arXiv's announcement of a day (papersift)",
            openapi_extra=errors(400))
def announcements(request: HttpRequest, date: str | None = None, category: str | None = None,
                  kind: str | None = None, p: int | None = None, limit: int | None = None):
    """Everything arXiv announced on `date` (YYYY-MM-DD; default the latest) in the followed categories:
    `category` (`cs.CL`, or an archive `cs`), `kind` new|cross|replaced, `p` (0-based) pages of `limit` (1–100)."""
    page = params.announcements(date=date, category=category, kind=kind, p=p, limit=limit)
    return {"date": page.day.isoformat() if page.day else None, "category": page.category, "kind": page.mark,
            "total": page.total, "counts": page.counts, "p": page.page, "limit": page.limit,
            "earlier": page.earlier.isoformat() if page.earlier else None,
            "later": page.later.isoformat() if page.later else None,
            "results": [{"id": a.paper.arxiv_id, "title": a.paper.title, "authors": a.paper.authors,
                         "categories": a.paper.categories, "summary": a.paper.abstract, "mark": a.mark,
                         "announce_type": a.kind, "version": a.version,
                         "url": request.build_absolute_uri(reverse("paper", args=[a.paper.arxiv_id]))}
                        for a in page.entries]}


@papers.get("/categories", summary="Categories with paper counts (papersift)")
def categories(request: HttpRequest):
    return [{"category": name, "papers": count} for name, count in catalog.category_counts()]


for _router in ("papersift.comments.api.router", "papersift.lists.api.router", "papersift.submissions.api.router",
                "papersift.recommend.api.router"):
    api.add_router("", _router)
api.add_router("", papers)
