"""Read queries over the catalog, shared by the pages, the JSON API, the feeds and the CLI."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from django.db.models import Count, F, Max, Min, Prefetch, Value
from django.db.models.functions import Coalesce

from papersift.catalog import trending
from papersift.catalog.authors import clean, name_key
from papersift.catalog.models import Announcement, Authorship, DailyListing, Organization, Paper

WINDOW_KINDS = ("day", "week", "month")
LISTING_SORTS = ("trending", "date")
AUTHOR_SORTS = ("newest", "upvotes")
ORGANIZATION_SORTS = ("newest", "upvotes")
TRENDING_DAYS = 7   # the trending page and feed rank the papers listed in the last week of listing days
WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})$")
MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")


def catalog_stats() -> dict:
    listing_span = DailyListing.objects.aggregate(first=Min("date"), last=Max("date"),
                                                  days=Count("date", distinct=True))
    categories = {
        row["primary_category"] or "(none)": row["n"]
        for row in Paper.objects.values("primary_category").annotate(n=Count("id")).order_by("-n", "primary_category")
    }
    sources = {row["source"]: row["n"] for row in Paper.objects.values("source").annotate(n=Count("id"))
               .order_by("source")}
    return {
        "papers": Paper.objects.count(),
        "listings": DailyListing.objects.count(),
        "listing_days": listing_span["days"],
        "first_listing_day": listing_span["first"].isoformat() if listing_span["first"] else None,
        "last_listing_day": listing_span["last"].isoformat() if listing_span["last"] else None,
        "withdrawn": Paper.objects.filter(withdrawn=True).count(),
        "categories": categories,
        "sources": sources,
        "announcements": announcement_stats(),
    }


def announcement_stats() -> dict:
    """arXiv announcements held: how many, over which days, by announce type."""
    span = Announcement.objects.aggregate(first=Min("date"), last=Max("date"), days=Count("date", distinct=True))
    by_kind = {row["kind"]: row["n"] for row in Announcement.objects.values("kind").annotate(n=Count("id"))
               .order_by("kind")}
    return {"total": sum(by_kind.values()), "days": span["days"],
            "first_day": span["first"].isoformat() if span["first"] else None,
            "last_day": span["last"].isoformat() if span["last"] else None, "by_kind": by_kind}


@dataclass(frozen=True)
class Window:
    """A span of listing days: one day, an ISO week (Monday to Sunday), a calendar month, or "days": the last
    few days up to the newest listing day (`recent_window`)."""

    kind: str
    start: date
    end: date  # inclusive

    @classmethod
    def containing(cls, kind: str, day: date) -> Window:
        if kind == "day":
            return cls("day", day, day)
        if kind == "week":
            monday = day - timedelta(days=day.weekday())
            # The calendar's last week (9999-W52) has only its first five days before date.max.
            return cls("week", monday, monday + timedelta(days=min(6, (date.max - monday).days)))
        if kind == "month":
            last = calendar.monthrange(day.year, day.month)[1]
            return cls("month", day.replace(day=1), day.replace(day=last))
        raise ValueError(f"unknown window kind {kind!r} (day, week or month)")

    @property
    def key(self) -> str:
        """The window as it appears in URLs and API parameters: 2026-08-21, 2026-W34, 2026-08."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        return self.start.isoformat()

    @property
    def label(self) -> str:
        if self.kind == "days":   # a span of the last days (trending), not a calendar unit
            return f"{self.start:%b} {self.start.day} – {self.end:%b} {self.end.day}, {self.end.year}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"Week {week}, {year} ({self.start:%b} {self.start.day} – {self.end:%b} {self.end.day})"
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        return f"{self.start:%A, %B} {self.start.day}, {self.start.year}"


def parse_window(kind: str, value: str) -> Window:
    """``value`` as a window of ``kind``; ValueError naming the expected form when it is not one."""
    text = (value or "").strip()
    try:
        if kind == "day":
            return Window.containing("day", date.fromisoformat(text))
        if kind == "week":
            match = WEEK_KEY.match(text)
            if match:
                return Window.containing("week", date.fromisocalendar(int(match[1]), int(match[2]), 1))
        elif kind == "month":
            match = MONTH_KEY.match(text)
            if match:
                return Window.containing("month", date(int(match[1]), int(match[2]), 1))
    except ValueError:
        pass
    example = {"day": "2026-08-21", "week": "2026-W34", "month": "2026-08"}.get(kind)
    if example is None:
        raise ValueError(f"unknown window kind {kind!r} (day, week or month)")
    raise ValueError(f"{value!r} is not a {kind} (expected the form {example})")


def latest_window(kind: str) -> Window | None:
    """The window of ``kind`` holding the newest listing day, or None when nothing is listed."""
    last = DailyListing.objects.aggregate(last=Max("date"))["last"]
    return Window.containing(kind, last) if last else None


def neighbour_windows(window: Window) -> tuple[Window | None, Window | None]:
    """The nearest earlier and later windows of the same kind that have listings (empty ones are skipped)."""
    earlier = DailyListing.objects.filter(date__lt=window.start).aggregate(d=Max("date"))["d"]
    later = DailyListing.objects.filter(date__gt=window.end).aggregate(d=Min("date"))["d"]
    return (Window.containing(window.kind, earlier) if earlier else None,
            Window.containing(window.kind, later) if later else None)


class _Paged:
    """Page arithmetic shared by the list, author and organisation pages (``total``, ``page``, ``limit``)."""

    total: int
    page: int
    limit: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def first_rank(self) -> int:
        return self.page * self.limit + 1


@dataclass
class ListingPage(_Paged):
    """One page of a window's list, ordered and filtered, with what the page around it needs."""

    window: Window | None
    entries: list[DailyListing]  # with .paper loaded and .upvotes/.num_comments set (see annotate_counts)
    total: int
    page: int
    limit: int
    sort: str
    category: str = ""
    submitter: str = ""
    categories: list[tuple[str, int]] = field(default_factory=list)  # facet over the whole window
    earlier: Window | None = None
    later: Window | None = None


def in_category(categories: list[str], wanted: str) -> bool:
    """``cs.CL`` matches that category; ``cs`` matches the whole archive (cs.CL, cs.LG, ...)."""
    return any(c == wanted or c.split(".", 1)[0] == wanted for c in categories)


def _listed_at(row: dict) -> datetime:
    return row["listed_at"] or datetime.combine(row["date"], time(), tzinfo=timezone.utc)


def _ordered(rows: list[dict], sort: str, reference: datetime) -> list[dict]:
    """Trending: the decayed score of `catalog.trending` (within one day: most upvoted first); date: newest
    listing first. A paper listed twice in a window is shown once, where the order puts it first."""
    if sort == "trending":
        rows.sort(key=lambda r: trending.sort_key(r["upvotes"], r["comments"], r["date"], r["paper__arxiv_id"],
                                                  reference))
    elif sort == "date":
        rows.sort(key=lambda r: (_listed_at(r), r["paper__arxiv_id"]), reverse=True)
    else:
        raise ValueError(f"unknown sort {sort!r} ({' or '.join(LISTING_SORTS)})")
    seen, unique = set(), []
    for row in rows:
        if row["paper_id"] not in seen:
            seen.add(row["paper_id"])
            unique.append(row)
    return unique


def _reference_time(window: Window) -> datetime:
    """Trending is measured at the end of the window, or now if the window has not ended."""
    now = datetime.now(timezone.utc)
    if window.end >= now.date():
        return now   # also keeps the day after a window ending 9999-12-31 from being computed
    return datetime.combine(window.end + timedelta(days=1), time(), tzinfo=timezone.utc)


def listing_page(window: Window | None, *, sort: str = "trending", category: str = "", submitter: str = "",
                 page: int = 0, limit: int = 50, neighbours: bool = True, hidden: frozenset = frozenset()) -> ListingPage:
    """A window's papers in ``sort`` order, optionally one category (or archive) or one submitter's, paged.

    The window's rows are read as small tuples and ordered here, then only the page's papers are loaded, so a
    month costs one narrow query plus one page of papers. ``hidden``: paper ids left out (a reader's dismissed).
    """
    if sort not in LISTING_SORTS:
        raise ValueError(f"unknown sort {sort!r} ({' or '.join(LISTING_SORTS)})")
    result = ListingPage(window, [], 0, page, limit, sort, category, submitter)
    if window is None:
        return result
    rows = list(DailyListing.objects.filter(date__gte=window.start, date__lte=window.end).values(
        "id", "paper_id", "date", "listed_at", "upvotes_imported", "comments_imported", "submitted_by",
        "paper__arxiv_id", "paper__categories", "paper__community_votes", "paper__community_comments"))
    for row in rows:
        row["upvotes"] = row["upvotes_imported"] + row["paper__community_votes"]
        row["comments"] = row["comments_imported"] + row["paper__community_comments"]
    if submitter:
        rows = [r for r in rows if r["submitted_by"].lower() == submitter.lower()]
    if hidden:
        rows = [r for r in rows if r["paper_id"] not in hidden]
    rows = _ordered(rows, sort, _reference_time(window))
    result.categories = _facet(rows)
    if category:
        rows = [r for r in rows if in_category(r["paper__categories"] or [], category)]
    result.total = len(rows)
    chosen = [r["id"] for r in rows[page * limit:(page + 1) * limit]]
    loaded = DailyListing.objects.select_related("paper", "paper__organization").in_bulk(chosen)
    result.entries = annotate_counts([loaded[i] for i in chosen])
    if neighbours:
        result.earlier, result.later = neighbour_windows(window)
    return result


def _facet(rows: list[dict], top: int = 30) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for row in rows:
        for category in row["paper__categories"] or []:
            counts[category] = counts.get(category, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def annotate_counts(listings: list[DailyListing]) -> list[DailyListing]:
    """The counts a list shows: those imported with the listing plus papersift users' votes and comments."""
    for listing in listings:
        listing.upvotes = listing.upvotes_imported + listing.paper.community_votes
        listing.num_comments = listing.comments_imported + listing.paper.community_comments
        listing.hf_comments = listing.comments_imported   # shown apart from papersift's own comments
    return listings


def paper_detail(arxiv_id: str) -> Paper | None:
    """A paper with its listings (oldest first) and ``upvotes``/``num_comments``: the most any listing carried."""
    paper = (Paper.objects.select_related("organization").prefetch_related(_listings_oldest_first())
             .filter(arxiv_id=arxiv_id).first())
    return _with_counts(paper) if paper is not None else None


def papers_after(cursor: int, limit: int) -> list[Paper]:
    """Papers in catalog order (by internal id) after ``cursor``, for the cursor-paged paper list."""
    return [_with_counts(p) for p in Paper.objects.filter(id__gt=cursor).order_by("id")
            .select_related("organization").prefetch_related(_listings_oldest_first())[:limit]]


def papers_by_id(ids) -> dict[int, Paper]:
    """Papers by internal id with their listings and counts loaded (for search results: two queries in all)."""
    return {key: _with_counts(p) for key, p in Paper.objects.select_related("organization")
            .prefetch_related(_listings_oldest_first()).in_bulk(list(ids)).items()}


def _listings_oldest_first() -> Prefetch:
    return Prefetch("listings", queryset=DailyListing.objects.order_by("date"))


def _with_counts(paper: Paper) -> Paper:
    shown = list(paper.listings.all())
    paper.upvotes = max((listing.upvotes_imported for listing in shown), default=0) + paper.community_votes
    paper.hf_comments = max((listing.comments_imported for listing in shown), default=0)
    paper.num_comments = paper.hf_comments + paper.community_comments
    return paper


def listing_days(start: date, end: date) -> dict[date, int]:
    """Papers listed on each day from ``start`` to ``end`` (inclusive) that has any, for the month calendar."""
    return {row["date"]: row["n"] for row in DailyListing.objects.filter(date__gte=start, date__lte=end)
            .values("date").annotate(n=Count("id")).order_by("date")}


def listing_span() -> tuple[date | None, date | None]:
    """The first and the last listing day (None, None when nothing is listed): the date picker's bounds."""
    span = DailyListing.objects.aggregate(first=Min("date"), last=Max("date"))
    return span["first"], span["last"]


def recent_window(days: int) -> Window | None:
    """The last ``days`` days up to the newest listing day (the trending page and feed), or None when empty."""
    latest = latest_window("day")
    if latest is None:
        return None
    return Window("days", latest.start - timedelta(days=days - 1), latest.end)


@dataclass
class AuthorPage(_Paged):
    """One page of the papers with an author of a name (folded: `catalog.authors.name_key`)."""

    name: str                  # as asked, cleaned
    key: str
    spellings: list[str]       # the ways the papers write it
    papers: list[Paper]        # with counts (see _with_counts)
    total: int
    page: int
    limit: int
    sort: str


def author_page(name: str, *, sort: str = "newest", page: int = 0, limit: int = 50) -> AuthorPage:
    """Every paper in the catalog with an author of this name, newest first or most upvoted first, paged.

    Reads the `Authorship` index (key, paper): a name's rows, then its papers by primary key, so the cost
    grows with that author's papers, not with the catalog (docs/benchmarks.md, author pages).
    """
    if sort not in AUTHOR_SORTS:
        raise ValueError(f"unknown sort {sort!r} ({' or '.join(AUTHOR_SORTS)})")
    key = name_key(name)
    result = AuthorPage(clean(name), key, [], [], 0, page, limit, sort)
    if not key:
        return result
    papers = Paper.objects.filter(id__in=Authorship.objects.filter(key=key).values("paper_id"))
    result.total = papers.count()
    if not result.total:
        return result
    result.spellings = sorted(set(Authorship.objects.filter(key=key).values_list("name", flat=True)[:200]))
    if sort == "upvotes":
        papers = papers.annotate(shown=Coalesce(Max("listings__upvotes_imported"), Value(0)) + F("community_votes")
                                 ).order_by("-shown", F("published").desc(nulls_last=True), "arxiv_id")
    else:
        papers = papers.order_by(F("published").desc(nulls_last=True), "arxiv_id")
    chosen = list(papers.values_list("id", flat=True)[page * limit:(page + 1) * limit])
    loaded = papers_by_id(chosen)
    result.papers = [loaded[i] for i in chosen]
    return result


def organization(name: str) -> Organization | None:
    """The organisation with this hub name (exactly, else ignoring case)."""
    name = (name or "").strip()
    if not name or len(name) > 96:
        return None
    return (Organization.objects.filter(name=name).first()
            or Organization.objects.filter(name__iexact=name).order_by("name").first())


@dataclass
class OrganizationPage(_Paged):
    """One page of the papers Hugging Face credits to an organisation."""

    organization: Organization
    papers: list[Paper]        # with listings and upvotes/num_comments loaded
    total: int
    page: int
    limit: int
    sort: str


def organization_papers(org: Organization, *, sort: str = "newest", page: int = 0,
                        limit: int = 50) -> OrganizationPage:
    """An organisation's papers, newest first (first version) or most upvoted first, paged."""
    if sort not in ORGANIZATION_SORTS:
        raise ValueError(f"unknown sort {sort!r} ({' or '.join(ORGANIZATION_SORTS)})")
    papers = Paper.objects.filter(organization=org)
    if sort == "upvotes":
        papers = papers.annotate(score=Coalesce(Max("listings__upvotes_imported"), Value(0)) + F("community_votes"))
        order = [F("score").desc(), F("published").desc(nulls_last=True), "arxiv_id"]
    else:
        order = [F("published").desc(nulls_last=True), "arxiv_id"]
    total = papers.count()
    chosen = (papers.order_by(*order).select_related("organization").prefetch_related(_listings_oldest_first())
              [page * limit:(page + 1) * limit])
    return OrganizationPage(org, [_with_counts(p) for p in chosen], total, page, limit, sort)


def category_counts() -> list[tuple[str, int]]:
    """Papers per primary category, most first."""
    return [(row["primary_category"], row["n"]) for row in
            Paper.objects.exclude(primary_category="").values("primary_category").annotate(n=Count("id"))
            .order_by("-n", "primary_category")]


def is_empty() -> bool:
    return not Paper.objects.exists()


# Marks an announcement carries on the page: `new` papers, `cross`-lists (a paper of another primary category, or
# one newly cross-listed), `replaced` (a new version; arXiv's replace and replace-cross).
ANNOUNCEMENT_MARKS = ("new", "cross", "replaced")


def announcement_mark(kind: str, categories: list[str], category: str = "") -> str:
    """How an announcement reads in a category's view: a new paper whose primary category is elsewhere is a
    cross-list there, as on arXiv's own listing pages."""
    if kind in (Announcement.REPLACE, Announcement.REPLACE_CROSS):
        return "replaced"
    if kind == Announcement.CROSS:
        return "cross"
    if category and categories and not in_category(categories[:1], category):
        return "cross"
    return "new"


@dataclass
class AnnouncementPage:
    """One announcement day, optionally one category or archive and one mark, paged."""

    day: date | None
    entries: list[Announcement]      # with .paper loaded and .mark set
    total: int
    page: int
    limit: int
    category: str = ""
    mark: str = ""
    counts: dict[str, int] = field(default_factory=dict)          # marks in the category, before the mark filter
    categories: list[tuple[str, int]] = field(default_factory=list)   # facet over the whole day
    earlier: date | None = None
    later: date | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))


def latest_announcement_day() -> date | None:
    return Announcement.objects.aggregate(last=Max("date"))["last"]


def announcement_page(day: date | None, *, category: str = "", mark: str = "", page: int = 0,
                      limit: int = 50) -> AnnouncementPage:
    """arXiv's announcement of ``day`` (the latest when None): new papers first, then cross-lists, then
    replacements, each in arXiv's id order, as arXiv lists them."""
    day = day or latest_announcement_day()
    result = AnnouncementPage(day, [], 0, page, limit, category, mark)
    if day is None:
        return result
    rows = list(Announcement.objects.filter(date=day).values("id", "kind", "paper__arxiv_id", "paper__categories"))
    result.categories = _facet(rows)
    if category:
        rows = [r for r in rows if in_category(r["paper__categories"] or [], category)]
    for row in rows:
        row["mark"] = announcement_mark(row["kind"], row["paper__categories"] or [], category)
    result.counts = {m: sum(1 for r in rows if r["mark"] == m) for m in ANNOUNCEMENT_MARKS}
    if mark:
        rows = [r for r in rows if r["mark"] == mark]
    rows.sort(key=lambda r: (ANNOUNCEMENT_MARKS.index(r["mark"]), r["paper__arxiv_id"]))
    result.total = len(rows)
    chosen = rows[page * limit:(page + 1) * limit]
    loaded = Announcement.objects.select_related("paper", "paper__organization").in_bulk([r["id"] for r in chosen])
    for row in chosen:
        loaded[row["id"]].mark = row["mark"]
        result.entries.append(loaded[row["id"]])
    result.earlier = Announcement.objects.filter(date__lt=day).aggregate(d=Max("date"))["d"]
    result.later = Announcement.objects.filter(date__gt=day).aggregate(d=Min("date"))["d"]
    return result
