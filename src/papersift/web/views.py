"""The pages: thin views over the catalog and search selectors, sharing parameter checks with the API."""

from __future__ import annotations

import calendar
import logging
import re
from datetime import date
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from papersift.catalog import selectors as catalog
from papersift.catalog.cite import bibtex
from papersift.community.services import voted_ids
from papersift.indexing import selectors as search
from papersift.recommend.selectors import dismissed_ids
from papersift.web import hf, params
from papersift.web.pagecache import shared_page
from papersift.web.params import BadParameter

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 20
WINDOW_URLS = {"day": "daily-date", "week": "weekly", "month": "monthly"}
WINDOW_PARAMS = {"day": "date", "week": "week", "month": "month"}


def bad_request(request: HttpRequest, exc: BadParameter) -> HttpResponse:
    return render(request, "papersift/error.html", {"status": 400, "message": str(exc)}, status=400)


def window_url(window: catalog.Window | None) -> str:
    return reverse(WINDOW_URLS[window.kind], args=[window.key]) if window else ""


@shared_page
def listing(request: HttpRequest, kind: str = "day", key: str | None = None) -> HttpResponse:
    """`/papers`, `/papers/date/D`, `/papers/week/YYYY-Www`, `/papers/month/YYYY-MM`."""
    if key is not None:
        try:
            catalog.parse_window(kind, key)
        except ValueError as exc:
            raise Http404(str(exc)) from None
    elif kind != "day":
        latest = catalog.latest_window(kind)
        return redirect(window_url(latest)) if latest else redirect("daily")
    try:
        page = params.listing(**{WINDOW_PARAMS[kind]: key}, sort=request.GET.get("sort"),
                              category=request.GET.get("category"),
                              p=params.integer("p", request.GET.get("p"), 0, 0, 10_000), limit=PAGE_SIZE,
                              neighbours=True, hidden=frozenset(dismissed_ids(request.user)))
    except BadParameter as exc:
        return bad_request(request, exc)
    nearest = _nearest(page) if page.window and not page.entries and not page.category else None
    first, last = catalog.listing_span()
    return render(request, "papersift/listing.html", {
        "page": page, "kind": kind, "window": page.window,
        "earlier_url": window_url(page.earlier), "later_url": window_url(page.later),
        "nearest": nearest, "nearest_url": window_url(nearest), "first_day": first, "last_day": last,
        "calendar": month_calendar(page.window) if page.window and kind in ("day", "month") else None,
        "api_url": _api_twin(page), "sorts": (("trending", "Trending"), ("date", "Newest")),
        "voted": voted_ids(request.user, (listing.paper_id for listing in page.entries)),
    })


def _nearest(page: catalog.ListingPage) -> catalog.Window | None:
    """Of the nearest earlier and later windows with papers, the closer one (the earlier on a tie)."""
    earlier, later = page.earlier, page.later
    if earlier is None or later is None:
        return earlier or later
    return earlier if (page.window.start - earlier.end) <= (later.start - page.window.end) else later


def month_calendar(window: catalog.Window) -> dict:
    """The month around a day (or a month's own days) as weeks of days, each linked when papers are listed."""
    month = catalog.Window.containing("month", window.start)
    counts = catalog.listing_days(month.start, month.end)
    weeks = [[{"day": day, "in_month": day.month == month.start.month, "papers": counts.get(day, 0),
               "current": window.kind == "day" and day == window.start}
              for day in week]
             for week in _weeks(month.start.year, month.start.month)]
    earlier, later = catalog.neighbour_windows(month)
    return {"month": month, "weeks": weeks, "month_url": window_url(month),
            "earlier": earlier, "earlier_url": window_url(earlier), "later": later, "later_url": window_url(later)}


def _weeks(year: int, month: int) -> list[list[date]]:
    """The month's weeks, Monday first, padded with the neighbouring months' days; at the ends of the calendar
    (January of year 1, December of 9999) the padding would fall outside dates, so the month's own days only."""
    try:
        return calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    except (ValueError, OverflowError):
        days = [date(year, month, number) for number in range(1, calendar.monthrange(year, month)[1] + 1)]
        return [days[start:start + 7] for start in range(0, len(days), 7)]


def pick_date(request: HttpRequest) -> HttpResponse:
    """`/papers/date?date=YYYY-MM-DD`: the date picker's form (a GET) goes to that day's page."""
    value = request.GET.get("date", "").strip()
    if not value:
        return redirect("daily")
    try:
        day = params.window(value)
    except BadParameter as exc:
        return bad_request(request, exc)
    target = reverse("daily-date", args=[day.key])
    sort = request.GET.get("sort", "")
    return redirect(f"{target}?sort={sort}" if sort in catalog.LISTING_SORTS else target)


@shared_page
def trending(request: HttpRequest) -> HttpResponse:
    """`/papers/trending`: the last week of listing days by the trending formula (`catalog/trending.py`)."""
    try:
        page = catalog.listing_page(catalog.recent_window(catalog.TRENDING_DAYS), sort="trending",
                                    category=(request.GET.get("category") or "").strip(),
                                    page=params.integer("p", request.GET.get("p"), 0, 0, 10_000), limit=PAGE_SIZE,
                                    neighbours=False)
    except BadParameter as exc:
        return bad_request(request, exc)
    return render(request, "papersift/trending.html", {
        "page": page, "window": page.window, "days": catalog.TRENDING_DAYS,
        "voted": voted_ids(request.user, (listing.paper_id for listing in page.entries)),
    })


@shared_page
def author(request: HttpRequest, name: str) -> HttpResponse:
    """`/authors/<name>`: every paper in the catalog with an author of that name (names are not identities)."""
    try:
        sort = params.choice("sort", request.GET.get("sort"), catalog.AUTHOR_SORTS, "newest")
        page = catalog.author_page(name[:500], sort=sort, page=params.integer("p", request.GET.get("p"), 0, 0, 10_000),
                                   limit=PAGE_SIZE)
    except BadParameter as exc:
        return bad_request(request, exc)
    if not page.total:
        raise Http404(f"no paper in this catalog has an author named {page.name!r}")
    return render(request, "papersift/author.html", {
        "page": page, "sorts": (("newest", "Newest"), ("upvotes", "Most upvoted")),
        "author_query": 'au:"{}"'.format(page.name.replace('"', " ")),
        "voted": voted_ids(request.user, (paper.id for paper in page.papers)),
    })


def _api_twin(page: catalog.ListingPage) -> str:
    if page.window is None:
        return reverse("api:daily_papers")
    query = f"{WINDOW_PARAMS[page.window.kind]}={page.window.key}&sort={'trending' if page.sort == 'trending' else 'publishedAt'}"
    if page.category:
        query += f"&category={page.category}"
    return f"{reverse('api:daily_papers')}?{query}&p={page.page}&limit={page.limit}"


@shared_page
def announcements(request: HttpRequest, key: str | None = None) -> HttpResponse:
    """`/announcements` (the latest day arXiv announced) and `/announcements/YYYY-MM-DD`: everything announced in
    the followed categories, by category, new / cross-listed / replaced marked."""
    try:
        page = params.announcements(date=key, category=request.GET.get("category"), kind=request.GET.get("kind"),
                                    p=params.integer("p", request.GET.get("p"), 0, 0, 10_000), limit=PAGE_SIZE)
    except BadParameter as exc:
        if key is not None and exc.field == "date":
            raise Http404(str(exc)) from None
        return bad_request(request, exc)
    query = {"category": page.category, "kind": page.mark}
    return render(request, "papersift/announcements.html", {
        "page": page, "mark_counts": [(m, page.counts.get(m, 0)) for m in catalog.ANNOUNCEMENT_MARKS],
        "api_url": reverse("api:announcements") + f"?date={page.day or ''}&category={page.category}"
                                                  f"&kind={page.mark}&p={page.page}",
        "feed_url": reverse("feed-announcements-atom") + (f"?category={page.category}" if page.category else ""),
        "filters": "&".join(f"{k}={v}" for k, v in query.items() if v),
    })


@shared_page
def paper(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    found = catalog.paper_detail(arxiv_id)
    if found is None:
        raise Http404(f"no paper {arxiv_id} in this catalog")
    try:
        similar = search.similar_to(found.id, 6)
    except search.IndexMissing:
        similar = None
    shown = [found.id] + [hit.paper.id for hit in similar.hits] if similar else [found.id]
    return render(request, "papersift/paper.html", {
        "paper": found, "listings": list(found.listings.all()), "similar": similar, "bibtex": bibtex(found),
        "voted": voted_ids(request.user, shown),
    })


@shared_page
def organization(request: HttpRequest, name: str) -> HttpResponse:
    """`/orgs/<name>`: the papers Hugging Face credits to an organisation, newest or most upvoted first."""
    try:
        page = params.organization_papers(name, sort=request.GET.get("sort"),
                                          p=params.integer("p", request.GET.get("p"), 0, 0, 10_000), limit=PAGE_SIZE)
    except BadParameter as exc:
        return bad_request(request, exc)
    if page is None:
        raise Http404(f"no organisation {name!r} in this catalog")
    return render(request, "papersift/organization.html", {
        "page": page, "org": page.organization, "sorts": (("newest", "Newest"), ("upvotes", "Most upvoted")),
        "api_url": f"{reverse('api:organization_papers', args=[page.organization.name])}?sort={page.sort}"
                   f"&p={page.page}&limit={page.limit}",
        "voted": voted_ids(request.user, (paper.id for paper in page.papers)),
    })


def paper_markdown(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    found = catalog.paper_detail(arxiv_id)
    if found is None:
        raise Http404(f"no paper {arxiv_id} in this catalog")
    text = hf.markdown(found, request.build_absolute_uri(reverse("paper", args=[found.arxiv_id])))
    return HttpResponse(text, content_type="text/markdown; charset=utf-8")


def paper_bibtex(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """The paper's BibTeX entry as a download, ``<id>.bib`` (an old-style id's slash becomes a dash)."""
    found = catalog.paper_detail(arxiv_id)
    if found is None:
        raise Http404(f"no paper {arxiv_id} in this catalog")
    response = HttpResponse(bibtex(found) + "\n", content_type="text/x-bibtex; charset=utf-8")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", found.arxiv_id).strip("-.") or "paper"
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.bib")
    return response


@shared_page
def search_page(request: HttpRequest) -> HttpResponse:
    form = {name: request.GET.get(name, "") for name in ("q", "mode", "sort", "category", "since", "until")}
    context = {"form": form, "modes": params.SEARCH_MODES, "search_sorts": params.SEARCH_SORTS}
    if not form["q"].strip():
        return render(request, "papersift/search.html", context)
    try:
        query = params.search_request(form["q"], mode=form["mode"], sort=form["sort"], category=form["category"],
                                      since=form["since"], until=form["until"])
        page = params.integer("p", request.GET.get("p"), 0, 0, 500)
        found = search.search(query.q, mode=query.mode, sort=query.sort, limit=SEARCH_PAGE_SIZE,
                              offset=page * SEARCH_PAGE_SIZE, categories=query.categories, since=query.since,
                              until=query.until)
    except BadParameter as exc:
        context["error"] = str(exc)
        return render(request, "papersift/search.html", context, status=400)
    except search.IndexMissing:
        # The operator's fix (`papersift index update`) is in the API's message and the logs, not on the page.
        context["error"] = "Search is not ready yet: this site's search index is still being built. Try again later."
        return render(request, "papersift/search.html", context, status=503)
    hidden = dismissed_ids(request.user)       # "not interested" papers leave this reader's result pages too
    found.hits = [hit for hit in found.hits if hit.paper.id not in hidden]
    pages = max(1, -(-found.total // SEARCH_PAGE_SIZE))
    degraded = [w for w in found.warnings if w.startswith("semantic search")]   # said once, as the notice
    context.update({
        "degraded_reason": degraded[0] if degraded else "",
        "warnings": [w for w in found.warnings if w not in degraded],
        "subscribe_query": query.q + "".join(f" cat:{c}" for c in query.categories if f"cat:{c}" not in query.q),
        "query": query, "found": found, "p": page, "pages": pages, "first_rank": page * SEARCH_PAGE_SIZE + 1,
        "has_next": (page + 1) * SEARCH_PAGE_SIZE < found.total, "querystring": _without_page(request),
        "voted": voted_ids(request.user, (hit.paper.id for hit in found.hits)),
    })
    if found.total == 0:
        context["nothing"] = _nothing_found(form, query)
    return render(request, "papersift/search.html", context)


FILTER_WORD = re.compile(r"^-?(?:cat|since|until):\S+$", re.IGNORECASE)


def _nothing_found(form: dict, query: params.SearchRequest) -> dict:
    """What the "no results" state suggests: the same words without filters, wider categories, spelling."""
    words = " ".join(word for word in query.q.split() if not FILTER_WORD.match(word))
    filters = [f"{name}: {form[name]}" for name in ("category", "since", "until") if form[name].strip()]
    filters += [word for word in query.q.split() if FILTER_WORD.match(word)]
    unfiltered = f"{reverse('search')}?{urlencode({'q': words})}" if filters and words else ""
    wanted = [c for c in query.categories] + [w.split(":", 1)[1] for w in query.q.split()
                                              if w.lower().startswith("cat:")]
    wider = sorted({c.split(".")[0] for c in wanted if "." in c} - set(wanted))
    return {"filters": filters, "unfiltered_url": unfiltered, "wider": wider, "words": words,
            "excluded": any(word.startswith("-") for word in query.q.split()),
            "popular": [name for name, _ in catalog.category_counts()[:6]] if not wider else []}


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("p", None)
    return query.urlencode()


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """Pages' 404 (the API's errors are reshaped as JSON by ApiErrorShapeMiddleware)."""
    message = str(exception.args[0]) if exception is not None and exception.args else "page not found"
    return render(request, "papersift/error.html", {"status": 404, "message": message}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 of an unhandled exception, which Django has logged with its request line (``papersift.logs``).

    The API's is answered in its error shape here, not reshaped by ApiErrorShapeMiddleware: a replaced response
    would be logged a second time."""
    if request.path.startswith("/api/"):
        from papersift.web.api import error_response

        return error_response(500, "internal_error", "internal error; the server log has the details")
    context = {"status": 500, "message": "internal error", "catalog_updated_at": None}   # no query for the footer
    try:
        return render(request, "papersift/error.html", context, status=500)
    except Exception:                # the database that failed the view may fail the layout too (a reader's session)
        logger.exception("the 500 page could not be rendered; answering the plain one")
        return HttpResponseServerError(PLAIN_500, content_type="text/html; charset=utf-8")


PLAIN_500 = ('<!doctype html><html lang="en"><meta charset="utf-8"><title>Internal error · papersift</title>'
             '<h1>Internal error</h1><p>Something went wrong on our side; the server log has the details.</p>'
             '<p><a href="/">papersift</a></p></html>')
