"""What a digest holds: the papers new in its window, chosen and ranked per section. Reads only.

*New* means arrived in the window ``(start, end]``: put on a daily list then (the listing's submission time,
else the start of its day in UTC), announced by arXiv then (new, or newly cross-listed; the announcement day's
start), or first published then. Listings ingested after the previous digest was built, for days that digest covered, are new too (the
``listing_watermark``), so a late harvest is not missed. Sections, in this order, each skipping papers already
shown above it and every paper this address was ever sent:

- trending: the window's daily-list papers by the trending formula (``catalog.trending``) at the slot, top N;
- a saved search: the window's papers matching the query (``SearchEngine.rank_among``: every word present,
  ranked by BM25 fused with embedding similarity, below ``DIGEST_MIN_SIMILARITY`` dropped);
- a category: the window's papers in that category or archive, most upvoted first, then newest.

One ``WindowPapers`` serves every subscriber with the same window (in a run, most share one), so a run
costs a few queries per schedule and one ranking per distinct saved search, plus one query per subscriber.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Max, Q
from django.urls import reverse

from papersift.catalog import trending
from papersift.catalog.models import Announcement, DailyListing, Paper
from papersift.catalog.selectors import in_category, papers_by_id
from papersift.digests.models import Digest, DigestItem, Subscription

LATE_LISTING_DAYS = 7   # how far back a late-ingested listing still counts as new


@dataclass(frozen=True)
class Window:
    start: datetime   # exclusive
    end: datetime     # inclusive: the slot
    listing_watermark: int = 0   # listings with a higher id, of days since start - LATE_LISTING_DAYS, are new


def _day_start(day) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def window_for(subscription: Subscription, slot: datetime) -> Window:
    """From the end of the subscription's previous digest (before this slot) to the slot; for a first digest,
    or one after a long gap, from the schedule's previous slot."""
    earliest = slot - timedelta(days=14)
    previous = (Digest.objects.filter(subscription=subscription, window_end__lt=slot, window_end__gte=earliest)
                .order_by("-window_end").first())
    if previous is not None:
        return Window(previous.window_end, slot, previous.listing_watermark)
    return Window(subscription.schedule.previous_slot(slot), slot)


def next_due(subscription: Subscription, now: datetime) -> datetime:
    """When its next digest is due: its latest slot if that period's digest is not built yet (a new
    subscription's first digest goes out at the worker's next check), else its next slot."""
    schedule = subscription.schedule
    latest = schedule.latest_slot(now)
    if not Digest.objects.filter(subscription=subscription, period=schedule.period(latest)).exists():
        return latest
    return schedule.next_slot(now)


def local_time(subscription: Subscription, moment: datetime) -> str:
    """``Monday 7 December 2026, 08:00 (Asia/Tokyo)``: a moment as the subscriber reads it."""
    from papersift.digests.schedule import zone

    local = moment.astimezone(zone(subscription.timezone))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({subscription.timezone})"


def listing_watermark() -> int:
    return DailyListing.objects.aggregate(top=Max("id"))["top"] or 0


@dataclass
class Section:
    key: str            # trending | search:<query> | category:<category>
    title: str
    paper_ids: list[int]
    more: int = 0       # matches not shown (the cap, or already sent)
    more_url: str = ""  # the page with all of them
    notes: list[str] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)   # paper id -> why (the "For you" section)


class WindowPapers:
    """The papers new in one window, and each section's full ranking over them (computed once, on first use)."""

    def __init__(self, window: Window, *, batch: bool = False):
        self.window = window
        self.batch = batch      # "For you" for every such subscriber at once (digest runs), else one at a time
        self._searches: dict[str, tuple[list[int], list[str]]] = {}
        self._loaded: dict[int, Paper] = {}
        self._for_you: dict | None = None

    def load(self, ids) -> dict[int, Paper]:
        """Papers with their counts, each loaded once per window: most subscribers get the same trending ones."""
        wanted = list(ids)
        missing = [pid for pid in wanted if pid not in self._loaded]
        if missing:
            self._loaded.update(papers_by_id(missing))
        return {pid: self._loaded[pid] for pid in wanted if pid in self._loaded}

    @cached_property
    def seen_up_to(self) -> int:
        """The highest listing id when the window's listings were read (read before them, so a listing that
        arrives meanwhile counts as late for the next digest instead of being lost)."""
        return listing_watermark()

    @cached_property
    def listing_rows(self) -> list[dict]:
        _ = self.seen_up_to          # read before the listings (see seen_up_to)
        start, end = self.window.start, self.window.end
        recent = Q(date__gte=(start - timedelta(days=1)).date(), date__lte=end.date())
        late = Q(id__gt=self.window.listing_watermark, date__gte=(start - timedelta(days=LATE_LISTING_DAYS)).date(),
                 date__lte=end.date()) if self.window.listing_watermark else Q(pk__in=[])
        rows = DailyListing.objects.filter(recent | late).values(
            "id", "paper_id", "date", "submitted_at", "upvotes_imported", "comments_imported", "paper__arxiv_id",
            "paper__community_votes", "paper__community_comments")
        out = []
        for row in rows:
            arrived = row["submitted_at"] or _day_start(row["date"])
            if arrived <= end and (arrived > start or row["id"] > self.window.listing_watermark > 0):
                row["upvotes"] = row["upvotes_imported"] + row["paper__community_votes"]
                row["comments"] = row["comments_imported"] + row["paper__community_comments"]
                out.append(row)
        return out

    @cached_property
    def trending_ids(self) -> list[int]:
        rows = sorted(self.listing_rows, key=lambda r: trending.sort_key(
            r["upvotes"], r["comments"], r["date"], r["paper__arxiv_id"], self.window.end))
        return list(dict.fromkeys(r["paper_id"] for r in rows))

    @cached_property
    def paper_ids(self) -> list[int]:
        """Every paper new in the window: listed, announced (first, or newly cross-listed) or first published in it."""
        start, end = self.window.start, self.window.end
        announced = Paper.objects.filter(announced__gt=start.date() - timedelta(days=1), announced__lte=end.date())
        ids = {pid for pid, day in announced.values_list("id", "announced") if start < _day_start(day) <= end}
        crossed = Announcement.objects.filter(kind__in=(Announcement.NEW, Announcement.CROSS),
                                              date__gt=start.date() - timedelta(days=1), date__lte=end.date())
        ids.update(pid for pid, day in crossed.values_list("paper_id", "date") if start < _day_start(day) <= end)
        ids.update(Paper.objects.filter(published__gt=start, published__lte=end).values_list("id", flat=True))
        ids.update(r["paper_id"] for r in self.listing_rows)
        return sorted(ids)

    @cached_property
    def _facts(self) -> dict[int, tuple]:
        """Per new paper: (categories, upvotes, published) for the category sections."""
        upvotes = {r["paper_id"]: r["upvotes"] for r in self.listing_rows}
        return {pid: (cats or [], upvotes.get(pid, votes), published) for pid, cats, votes, published in
                Paper.objects.filter(id__in=self.paper_ids).values_list(
                    "id", "categories", "community_votes", "published")}

    def in_category(self, category: str) -> list[int]:
        facts = self._facts
        chosen = [pid for pid, (cats, _, _) in facts.items() if in_category(cats, category)]
        oldest = datetime.min.replace(tzinfo=timezone.utc)
        return sorted(chosen, key=lambda pid: (-facts[pid][1], -(facts[pid][2] or oldest).timestamp(), pid))

    def matching(self, query: str) -> tuple[list[int], list[str]]:
        """Papers matching a saved search, best first, and the engine's warnings (IndexMissing propagates)."""
        if query not in self._searches:
            from papersift.indexing.selectors import rank_among

            ranked, warnings, _ = rank_among(query, self.paper_ids,
                                             min_similarity=settings.PAPERSIFT["DIGEST_MIN_SIMILARITY"] or None)
            self._searches[query] = ([pid for pid, _ in ranked], warnings)
        return self._searches[query]


    def for_you(self, user_id: int) -> tuple[list[int], dict[int, str], str]:
        """A reader's "For you" ranking of the window's papers, with reasons and a note. Computed on first use for
        every account with an active "For you" subscription at once (one matrix product for all of them)."""
        from papersift.recommend import selectors as recommend

        limit = 3 * settings.PAPERSIFT["DIGEST_MAX_PER_SECTION"]   # room for what was already sent
        if self._for_you is None:
            self._for_you = {}
            if self.batch:
                users = set(Subscription.objects.filter(status=Subscription.Status.ACTIVE, for_you=True,
                                                        user__isnull=False).values_list("user_id", flat=True))
                self._for_you = recommend.recommend(list(recommend.interests(sorted(users)).values()),
                                                    self.paper_ids, limit)
        if user_id not in self._for_you:
            self._for_you.update(recommend.recommend([recommend.interests([user_id])[user_id]], self.paper_ids,
                                                     limit))
        result = self._for_you[user_id]
        reasons = {item.paper_id: "; ".join(r.text for r in item.reasons) for item in result.items}
        return [item.paper_id for item in result.items], reasons, result.note


    @cached_property
    def _author_keys(self) -> dict[int, dict[str, str]]:
        """Per new paper: its authors' folded names (as follows are matched) -> the name as written."""
        from papersift.recommend.references import title_key

        return {pid: {title_key(name): name for name in authors or []}
                for pid, authors in Paper.objects.filter(id__in=self.paper_ids).values_list("id", "authors")}

    def by_authors(self, keys: set[str]) -> tuple[list[int], dict[int, str]]:
        """The window's papers by any of the followed authors (folded names), trending first, and whom each is by."""
        if not keys:
            return [], {}
        order = {pid: i for i, pid in enumerate(self.trending_ids)}
        found = {pid: [name for key, name in names.items() if key in keys]
                 for pid, names in self._author_keys.items()}
        ranked = sorted((pid for pid, names in found.items() if names), key=lambda p: (order.get(p, len(order)), p))
        return ranked, {pid: f"by {', '.join(found[pid])}, whom you follow" for pid in ranked}


def followed_authors(subscription: Subscription) -> set[str]:
    """The folded names of the authors the subscription's account follows (none for an address-only one)."""
    if not subscription.user_id:
        return set()
    from papersift.recommend.models import Follow

    return set(Follow.objects.filter(user_id=subscription.user_id, kind=Follow.Kind.AUTHOR)
               .values_list("key", flat=True))


def dismissed(subscription: Subscription) -> set[int]:
    """Papers the account said "not interested" to: left out of every section of its digests."""
    if not subscription.user_id:
        return set()
    from papersift.recommend.selectors import dismissed_ids

    return dismissed_ids(subscription.user)


def sent_to(recipient: str, paper_ids) -> set[int]:
    return set(DigestItem.objects.filter(recipient=recipient.lower(), paper_id__in=list(paper_ids))
               .values_list("paper_id", flat=True))


def sections(subscription: Subscription, papers: WindowPapers, *, history: bool = True) -> list[Section]:
    """The digest's sections for ``subscription`` over ``papers``' window, papers loaded, empty ones dropped.

    ``history``: leave out what this address was already sent (digests); off for the subscription's feed.
    """
    limit = settings.PAPERSIFT["DIGEST_MAX_PER_SECTION"]
    already = sent_to(subscription.recipient, papers.paper_ids) if history else set()
    already |= dismissed(subscription)
    out: list[Section] = []

    def take(section: Section, ranked: list[int], cap: int) -> None:
        fresh = [pid for pid in ranked if pid not in already]
        section.paper_ids = fresh[:cap]
        section.more = len(fresh) - len(section.paper_ids)
        already.update(section.paper_ids)
        if section.paper_ids:
            out.append(section)

    if subscription.for_you and subscription.user_id:
        ranked, reasons, note = papers.for_you(subscription.user_id)
        take(Section("for-you", "For you", [], notes=[note] if note else [], reasons=reasons,
                     more_url=site_url(reverse("for-you") + "?window=week")), ranked, limit)
    authors = followed_authors(subscription)
    if authors:
        ranked, reasons = papers.by_authors(authors)
        take(Section("authors", "Authors you follow", [], reasons=reasons,
                     more_url=site_url(reverse("interests"))), ranked, limit)
    if subscription.trending_top:
        take(Section("trending", "Trending", [], more_url=_list_url(papers)), papers.trending_ids,
             subscription.trending_top)
    for search in subscription.searches.all():
        ranked, warnings = papers.matching(search.query)
        take(Section(f"search:{search.query}", f"New for “{search.query}”", [], notes=warnings,
                     more_url=_search_url(search.query, papers.window)), ranked, limit)
    for category in subscription.categories:
        take(Section(f"category:{category}", f"New in {category}", [],
                     more_url=_search_url(f"cat:{category}", papers.window)), papers.in_category(category), limit)
    loaded = papers.load(pid for section in out for pid in section.paper_ids)
    for section in out:
        section.papers = [loaded[pid] for pid in section.paper_ids if pid in loaded]
    return out


def by_link(purpose: str, token: str) -> Subscription:
    """The subscription a signed link of ``purpose`` names. ``tokens.BadToken`` when the link does not verify,
    ``Subscription.DoesNotExist`` when the subscription is gone; each says so in words."""
    from papersift.digests import tokens

    found = Subscription.objects.select_related("user").prefetch_related("searches").filter(
        public_id=tokens.read(purpose, token)).first()
    if found is None:
        raise Subscription.DoesNotExist("this subscription no longer exists")
    return found


def of_account(user) -> list[tuple[Subscription, str]]:
    """A signed-in user's confirmed subscriptions (the account's, or to its address), with their manage links."""
    from papersift.digests import tokens

    found = Subscription.objects.filter(Q(user=user) | Q(email__iexact=user.email)).exclude(
        status=Subscription.Status.PENDING).prefetch_related("searches").order_by("id")
    return [(s, reverse("digest-manage", args=[tokens.make("manage", s.public_id)])) for s in found]


def overview(days: int = 7) -> dict:
    """For operators: subscriptions by status and frequency; digests of the last ``days`` by outcome."""
    by_status = {f"{r['status']} {r['frequency']}": r["n"] for r in Subscription.objects.values(
        "status", "frequency").annotate(n=Count("id")).order_by("status", "frequency")}
    since = datetime.now(timezone.utc) - timedelta(days=days)
    outcomes = {(r["skip_reason"] or "built"): r["n"] for r in Digest.objects.filter(built_at__gte=since).values(
        "skip_reason").annotate(n=Count("id")).order_by("skip_reason")}
    return {"subscriptions": by_status, f"digests_last_{days}_days": outcomes,
            "papers_sent": DigestItem.objects.count()}


def site_url(path: str) -> str:
    return settings.PAPERSIFT["SITE_URL"].rstrip("/") + path


def _list_url(papers: WindowPapers) -> str:
    """The newest daily list in the window (the week's list when the window spans several days)."""
    days = sorted({r["date"] for r in papers.listing_rows})
    if not days:
        return site_url(reverse("daily"))
    if len(days) == 1:
        return site_url(reverse("daily-date", args=[days[0].isoformat()]))
    year, week, _ = days[-1].isocalendar()
    return site_url(reverse("weekly", args=[f"{year}-W{week:02d}"]))


def _search_url(query: str, window: Window) -> str:
    params = {"q": query, "sort": "newest", "since": window.start.date().isoformat()}
    return site_url(reverse("search") + "?" + urlencode(params))
