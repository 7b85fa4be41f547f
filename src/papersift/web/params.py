"""Request parameters shared by the pages, the JSON API and the feeds, checked in one place.

Each check raises `BadParameter` naming the parameter and what was expected; the API answers it with a 400
in its one error shape, the pages with a 400 page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from papersift.catalog import selectors as catalog
from papersift.catalog.selectors import (
    LISTING_SORTS, ORGANIZATION_SORTS, ListingPage, OrganizationPage, Window, parse_window,
)
from papersift.search.query import parse_date

SEARCH_MODES = ("hybrid", "lexical", "dense")
SEARCH_SORTS = ("relevance", "newest", "upvotes")
MAX_QUERY_CHARS = 250


class BadParameter(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def window(day: str | None = None, week: str | None = None, month: str | None = None) -> Window | None:
    """The window named by at most one of date / week / month; None when none is given."""
    given = [(kind, name, value) for kind, name, value in
             (("day", "date", day), ("week", "week", week), ("month", "month", month)) if value is not None]
    if len(given) > 1:
        raise BadParameter(given[1][1], f"give only one of date, week and month (got {', '.join(g[1] for g in given)})")
    if not given:
        return None
    kind, name, value = given[0]
    try:
        return parse_window(kind, value)
    except ValueError as exc:
        raise BadParameter(name, str(exc)) from None


def bounded(name: str, value: int | None, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    if not low <= value <= high:
        raise BadParameter(name, f"must be between {low} and {high}, got {value}")
    return value


def integer(name: str, text: str | None, default: int, low: int, high: int) -> int:
    """An integer from a query string (pages get raw strings; the API gets ints already)."""
    if text in (None, ""):
        return default
    try:
        value = int(text)
    except ValueError:
        raise BadParameter(name, f"must be a whole number, got {text!r}") from None
    return bounded(name, value, default, low, high)


def choice(name: str, value: str | None, allowed: tuple[str, ...], default: str) -> str:
    if value in (None, ""):
        return default
    if value not in allowed:
        raise BadParameter(name, f"must be one of {', '.join(allowed)}, got {value!r}")
    return value


def listing_sort(value: str | None, default: str = "trending") -> str:
    """Page sorts are trending / date; the API's `publishedAt` is the same order as `date`."""
    value = {"publishedAt": "date"}.get(value or "", value)
    return choice("sort", value, LISTING_SORTS, default)


def listing(*, date=None, week=None, month=None, sort=None, category=None, submitter=None, p: int | None = None,
            limit: int | None = None, default_sort: str = "trending", neighbours: bool = False,
            hidden: frozenset = frozenset()) -> ListingPage:
    """The list named by daily-papers parameters (the latest day when no window is given). The page and
    `/api/daily_papers` both call this, so the same parameters give the same papers in the same order."""
    chosen = window(date, week, month)
    return catalog.listing_page(
        chosen or catalog.latest_window("day"), sort=listing_sort(sort, default_sort),
        category=(category or "").strip(), submitter=(submitter or "").strip(),
        page=bounded("p", p, 0, 0, 10_000), limit=bounded("limit", limit, 50, 1, 100), neighbours=neighbours,
        hidden=hidden)


def organization_papers(name: str, *, sort=None, p: int | None = None,
                        limit: int | None = None) -> OrganizationPage | None:
    """An organisation's papers by `/orgs/<name>`'s and `/api/organizations/{name}/papers`' parameters; None
    when there is no such organisation."""
    sort = choice("sort", sort, ORGANIZATION_SORTS, "newest")
    page, limit = bounded("p", p, 0, 0, 10_000), bounded("limit", limit, 50, 1, 100)
    org = catalog.organization(name)
    return catalog.organization_papers(org, sort=sort, page=page, limit=limit) if org is not None else None


@dataclass(frozen=True)
class SearchRequest:
    q: str
    mode: str = "hybrid"
    sort: str = "relevance"
    categories: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None


def search_request(q: str | None, *, mode=None, sort=None, category=None, since=None, until=None,
                   max_chars: int = MAX_QUERY_CHARS) -> SearchRequest:
    text = (q or "").strip()
    if not text:
        raise BadParameter("q", "a search query is required")
    if len(text) > max_chars:
        raise BadParameter("q", f"is {len(text)} characters long; at most {max_chars} are allowed")
    categories = tuple(c for c in (category or "").replace(",", " ").split() if c)
    return SearchRequest(text, choice("mode", mode, SEARCH_MODES, "hybrid"),
                         choice("sort", sort, SEARCH_SORTS, "relevance"), categories,
                         _day("since", since, end=False), _day("until", until, end=True))


def _day(name: str, value: str | None, *, end: bool) -> date | None:
    if not value:
        return None
    try:
        return parse_date(value.strip(), end=end)
    except ValueError:
        raise BadParameter(name, f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") from None


def announcements(*, date=None, category=None, kind=None, p: int | None = None,
                  limit: int | None = None) -> catalog.AnnouncementPage:
    """An announcement day's page: `date` YYYY-MM-DD (default: the latest), `category` (`cs.CL` or a whole
    archive `cs`), `kind` new|cross|replaced. The page, the API and the feed all call this."""
    day = None
    if date not in (None, ""):
        try:
            day = parse_window("day", date).start
        except ValueError as exc:
            raise BadParameter("date", str(exc)) from None
    return catalog.announcement_page(
        day, category=(category or "").strip()[:40], mark=choice("kind", kind, catalog.ANNOUNCEMENT_MARKS, ""),
        page=bounded("p", p, 0, 0, 10_000), limit=bounded("limit", limit, 50, 1, 100))


def next_path(request: HttpRequest, fallback: str) -> str:
    """Where a form sends the reader back: its `next` (form field, else query string) when that is a path on this
    site, else ``fallback``. A path only: another host (`//evil.example`, `https://…`) would be an open redirect,
    and `redirect()` reads a bare word (`-1`, `home`) as a view name and fails on it."""
    target = request.POST.get("next") or request.GET.get("next")
    # No host is allowed at all: a path that names one (`//host/…`, `/\\host`), even this site's, falls back.
    if target and target.startswith("/") and url_has_allowed_host_and_scheme(target, None):
        return target
    return fallback
