"""Reads: a reader's signals, and their recommendations over a set of candidate papers, with reasons.

``recommend`` serves one reader (pages, API, feed, CLI) and many at once (digests, the benchmark) with the same
code: the candidates' features are computed once, readers are scored in chunks by matrix products
(``scoring.score_readers``), and only each reader's top papers are explained.

Positives: the reader's upvotes, papers on any of their reading lists, "more like this" and seeds. Negatives:
dismissed papers. Never recommended again: anything voted, saved, marked, dismissed, or mailed to the reader.
Cold start (no positive): trending papers, in the followed categories when there are some, and it says so.
"""

from __future__ import annotations

import threading
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
from django.db.models import F, Max

from papersift.catalog import trending
from papersift.catalog.models import DailyListing, Paper
from papersift.catalog.selectors import in_category as in_category_of, papers_by_id
from papersift.recommend import scoring
from papersift.recommend.models import Follow, Reader, Signal
from papersift.recommend.references import title_key
from papersift.search.embed import DIMENSIONS, MODEL_ID, document_text

MAX_SIGNALS = 300        # the reader's latest positives (and negatives) that shape the ranking
CHUNK = 256              # readers scored per matrix product (bounds memory: CHUNK x signals x candidates)
SEED_REASONS = 2         # seed papers named per recommendation
REFERENCE_MAX_AGE = 3600.0   # seconds before the reference sample is read again
REFERENCE_DRIFT = 0.02   # ... or when the catalog's paper count has changed by more than this share


@dataclass
class Reason:
    kind: str            # seed | author | category | trending
    text: str
    arxiv_id: str = ""   # the seed paper, for kind == seed
    title: str = ""

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "text": self.text}
        if self.arxiv_id:
            out.update({"arxivId": self.arxiv_id, "title": self.title})
        return out


@dataclass
class Interests:
    """What one reader's ranking uses. ``user_id`` is None for an ad-hoc reader (``--seeds``)."""

    user_id: int | None
    positives: list[int] = field(default_factory=list)         # paper ids, newest first
    negatives: list[int] = field(default_factory=list)
    excluded: set[int] = field(default_factory=set)            # never recommended
    categories: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)           # folded names (services.follow_key)


@dataclass
class Recommendation:
    paper_id: int
    score: float
    reasons: list[Reason]
    paper: Paper | None = None


@dataclass
class Result:
    items: list[Recommendation]
    method: str          # profile | profile-lexical | trending
    note: str = ""
    candidates: int = 0


# -- signals --------------------------------------------------------------------------------------------------------

def dismissed_ids(user) -> set[int]:
    """Papers the reader said "not interested" to: hidden from their lists (empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Signal.objects.filter(user=user, kind=Signal.Kind.DISMISS).values_list("paper_id", flat=True))


def signals_of(user, paper_ids) -> dict[int, str]:
    """paper id -> the reader's signal kind on it, for the buttons on cards."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(Signal.objects.filter(user=user, paper_id__in=list(paper_ids)).values_list("paper_id", "kind"))


def followed(user) -> dict[str, list[str]]:
    """``{"author": [...], "category": [...]}``: what the reader follows, as they wrote it."""
    out: dict[str, list[str]] = {kind: [] for kind in Follow.Kind.values}
    for kind, value in Follow.objects.filter(user=user).values_list("kind", "value"):
        out[kind].append(value)
    return out


def follow_key(kind: str, value: str) -> str:
    """What a follow is matched on: an author's name folded (case, accents, punctuation), a category lower-cased."""
    return title_key(value) if kind == Follow.Kind.AUTHOR else " ".join((value or "").split()).lower()


def is_following(user, kind: str, value: str) -> bool:
    return Follow.objects.filter(user=user, kind=kind, key=follow_key(kind, value)).exists()


def interests(user_ids: list[int]) -> dict[int, Interests]:
    """Every reader's signals in a handful of queries, however many readers."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from papersift.community.models import Vote
    from papersift.digests.models import DigestItem
    from papersift.lists.models import ReadingListItem

    out = {uid: Interests(uid) for uid in user_ids}
    dated: dict[int, list[tuple[datetime, int]]] = {uid: [] for uid in user_ids}
    for uid, pid, when in Vote.objects.filter(user_id__in=user_ids).values_list("user_id", "paper_id", "created_at"):
        dated[uid].append((when, pid))
    for uid, pid, when in ReadingListItem.objects.filter(reading_list__owner_id__in=user_ids).values_list(
            "reading_list__owner_id", "paper_id", "added_at"):
        dated[uid].append((when, pid))
    for uid, pid, kind, when in Signal.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "paper_id", "kind", "created_at"):
        if kind == Signal.Kind.DISMISS:
            out[uid].negatives.append(pid)
        else:
            dated[uid].append((when, pid))
    for uid, rows in dated.items():
        reader = out[uid]
        reader.positives = list(dict.fromkeys(pid for _, pid in sorted(rows, reverse=True)))
        reader.excluded = set(reader.positives) | set(reader.negatives)
        reader.positives = [p for p in reader.positives if p not in reader.negatives][:MAX_SIGNALS]
        reader.negatives = reader.negatives[:MAX_SIGNALS]
    addresses: dict[str, int] = {}
    for uid, email in get_user_model().objects.filter(id__in=user_ids).values_list("id", "email"):
        if email:
            addresses[email.lower()] = uid
    for uid, email in EmailAddress.objects.filter(user_id__in=user_ids).values_list("user_id", "email"):
        addresses[email.lower()] = uid
    if addresses:
        for recipient, pid in DigestItem.objects.filter(recipient__in=list(addresses)).values_list(
                "recipient", "paper_id"):
            out[addresses[recipient]].excluded.add(pid)
    from papersift.recommend.services import follow_key

    for uid, kind, value in Follow.objects.filter(user_id__in=user_ids).values_list("user_id", "kind", "value"):
        if kind == Follow.Kind.CATEGORY:
            out[uid].categories.append(value)
        else:
            out[uid].authors.append(follow_key(kind, value))
    return out


def seeds_interests(arxiv_ids: list[str]) -> tuple[Interests, list[str]]:
    """An ad-hoc reader from arXiv ids (``papersift recommend --seeds``); also the ids not in the catalog."""
    found = Paper.objects.in_bulk(arxiv_ids, field_name="arxiv_id")
    positives = [found[i].id for i in dict.fromkeys(arxiv_ids) if i in found]
    return Interests(None, positives, [], set(positives)), [i for i in arxiv_ids if i not in found]


# -- candidates -----------------------------------------------------------------------------------------------------

def listed_between(start: date, end: date) -> list[int]:
    """Papers on the daily lists from ``start`` to ``end`` (inclusive), or first published then."""
    ids = set(DailyListing.objects.filter(date__gte=start, date__lte=end).values_list("paper_id", flat=True))
    low = datetime.combine(start, time(), tzinfo=timezone.utc)
    high = datetime.combine(end + timedelta(days=1), time(), tzinfo=timezone.utc)
    ids.update(Paper.objects.filter(published__gte=low, published__lt=high).values_list("id", flat=True))
    return sorted(ids)


def last_listing_day() -> date | None:
    return DailyListing.objects.aggregate(last=Max("date"))["last"]


# -- document frequencies -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogReference:
    """The term document frequencies of the catalog's ``scoring.REFERENCE`` most recent papers, and their ids
    (sorted)."""

    frequencies: scoring.Frequencies
    paper_ids: np.ndarray
    catalog_size: int
    made: float                      # time.monotonic() when read

    def stale(self, catalog_size: int, now: float) -> bool:
        drift = abs(catalog_size - self.catalog_size) > REFERENCE_DRIFT * max(self.catalog_size, 1)
        return drift or now - self.made > REFERENCE_MAX_AGE


_reference: CatalogReference | None = None
_reference_lock = threading.Lock()


def catalog_reference() -> CatalogReference:
    """The reference sample that every pool's tf-idf adds to its own document frequencies (docs/recommendations.md,
    "Document frequencies from the catalog"): without it a term's rarity is judged by one reader's window.

    Reading and tokenising 5,000 abstracts takes about a second, so the sample is read once per process and kept
    (one per process, shared by the server's threads), and read again after ``REFERENCE_MAX_AGE`` or when the
    catalog has grown or shrunk by more than ``REFERENCE_DRIFT``. The lock also keeps two requests from reading it
    at once."""
    global _reference
    catalog_size = Paper.objects.count()
    with _reference_lock:
        now = clock.monotonic()
        if _reference is None or _reference.stale(catalog_size, now):
            rows = list(Paper.objects.order_by(F("published").desc(nulls_last=True), "-id")
                        .values_list("id", "title", "abstract")[:scoring.REFERENCE])
            counts = scoring.term_counts([document_text(title, abstract) for _, title, abstract in rows])
            _reference = CatalogReference(scoring.document_frequencies(counts),
                                          np.sort(np.array([pid for pid, _, _ in rows], dtype=np.int64)),
                                          catalog_size, now)
        return _reference


def forget_catalog_reference() -> None:
    """Drop the kept reference sample (the next ranking reads it again): for tests and after a bulk import."""
    global _reference
    with _reference_lock:
        _reference = None


# -- ranking --------------------------------------------------------------------------------------------------------

class Pool:
    """The candidates and every signal paper of the readers at hand: texts, vectors, facts, loaded once."""

    def __init__(self, candidate_ids: list[int], signal_ids: set[int]):
        self.candidates = list(candidate_ids)
        self.rows = {pid: i for i, pid in enumerate(self.candidates)}
        extra = sorted(signal_ids - set(self.rows))
        self.ids = self.candidates + extra
        self.row_of = {pid: i for i, pid in enumerate(self.ids)}
        facts = {p["id"]: p for p in Paper.objects.filter(id__in=self.ids).values(
            "id", "arxiv_id", "title", "abstract", "authors", "categories")}
        self.facts = facts
        texts = [document_text(facts[p]["title"], facts[p]["abstract"]) if p in facts else "" for p in self.ids]
        reference = catalog_reference()
        counted = np.isin(np.array(self.ids, dtype=np.int64), reference.paper_ids)
        self.lexical = scoring.lexical_matrix(texts, reference.frequencies, counted)
        self.vectors = self._vectors()

    def _vectors(self) -> np.ndarray | None:
        from papersift.indexing.models import Embedding

        vectors = np.zeros((len(self.ids), DIMENSIONS), dtype=np.float32)
        found = 0
        for start in range(0, len(self.ids), 5000):
            for pid, blob in Embedding.objects.filter(paper_id__in=self.ids[start:start + 5000],
                                                      model_id=MODEL_ID).values_list("paper_id", "vector"):
                vectors[self.row_of[pid]] = np.frombuffer(bytes(blob), dtype="<f2").astype(np.float32)
                found += 1
        return vectors if found else None

    def similarities(self, signal_rows: list[int]) -> scoring.Similarities:
        """The signal rows' similarities to the candidates: sliced from every pool paper's, computed once per pool.

        Readers share most of their signal papers (a chunk of 256 readers reads a third of the pool), so one
        product over the whole pool (pool x candidates, float32: 130 MB for 21,500 x 1,500) costs a tenth of one
        per chunk."""
        if not hasattr(self, "_all"):
            cand = np.arange(len(self.candidates))
            vectors = self.vectors
            self._all = scoring.Similarities.compute(
                self.lexical, self.lexical[cand], vectors, vectors[cand] if vectors is not None else None)
        return self._all.rows(signal_rows)

    def _followable(self) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
        """Candidate rows by category and archive, and by folded author name (built once, on first use)."""
        if not hasattr(self, "_by_category"):
            self._by_category: dict[str, set[int]] = {}
            self._by_author: dict[str, set[int]] = {}
            for row, pid in enumerate(self.candidates):
                fact = self.facts.get(pid, {})
                for category in fact.get("categories") or []:
                    for key in {category, category.split(".", 1)[0]}:
                        self._by_category.setdefault(key, set()).add(row)
                for name in fact.get("authors") or []:
                    self._by_author.setdefault(title_key(name), set()).add(row)
        return self._by_category, self._by_author

    def followed_rows(self, reader: Interests) -> tuple[set[int], set[int]]:
        """Candidate rows in a followed category, and by a followed author."""
        if not (reader.categories or reader.authors):
            return set(), set()
        by_category, by_author = self._followable()
        return (set().union(*(by_category.get(c, set()) for c in reader.categories)),
                set().union(*(by_author.get(a, set()) for a in reader.authors)))

    def priors(self, reader: Interests) -> np.ndarray | None:
        in_category, by_author = self.followed_rows(reader)
        if not (in_category or by_author):
            return None
        out = np.zeros(len(self.candidates), dtype=np.float32)
        out[list(in_category | by_author)] = 1.0
        return out


def recommend(readers: list[Interests], candidate_ids: list[int], limit: int = 20,
              weights: scoring.Weights = scoring.SHIPPED) -> dict[int | None, Result]:
    """Each reader's best ``limit`` candidates with scores and reasons (keyed by ``user_id``)."""
    signal_ids = {pid for r in readers for pid in r.positives + r.negatives}
    pool = Pool(candidate_ids, signal_ids)
    out: dict[int | None, Result] = {}
    cold = [r for r in readers if not r.positives]
    for reader in cold:
        out[reader.user_id] = _trending(pool, reader, limit)
    warm = [r for r in readers if r.positives]
    for start in range(0, len(warm), CHUNK):
        chunk = warm[start:start + CHUNK]
        out.update(_rank_chunk(pool, chunk, limit, weights))
    return out


def _rank_chunk(pool: Pool, chunk: list[Interests], limit: int, weights: scoring.Weights) -> dict:
    signal_rows = sorted({pool.row_of[p] for r in chunk for p in r.positives + r.negatives})
    local = {row: i for i, row in enumerate(signal_rows)}
    similar = pool.similarities(signal_rows)
    positives = [[local[pool.row_of[p]] for p in r.positives] for r in chunk]
    negatives = [[local[pool.row_of[p]] for p in r.negatives] for r in chunk]
    priors = None
    if any(r.categories or r.authors for r in chunk):
        priors = np.zeros((len(chunk), len(pool.candidates)), dtype=np.float32)
        for i, reader in enumerate(chunk):
            row = pool.priors(reader)
            if row is not None:
                priors[i] = row
    scores = scoring.score_readers(similar, positives, negatives, priors, weights)
    method = "profile" if similar.dense is not None and weights.dense else "profile-lexical"
    note = "" if method == "profile" else "ranked by shared words only: the papers have no embeddings yet"
    out = {}
    for i, reader in enumerate(chunk):
        excluded = {pool.rows[p] for p in reader.excluded if p in pool.rows}
        ranked = scoring.top(scores[i], excluded, limit)
        near = scoring.nearest_signals(similar, positives[i], ranked.order, SEED_REASONS)
        followed = pool.followed_rows(reader)
        items = []
        for position, score, rows in zip(ranked.order, ranked.scores, near):
            reasons = [_seed_reason(pool, signal_rows[row]) for row in rows]
            reasons += _follow_reasons(pool, reader, position, followed)
            items.append(Recommendation(pool.candidates[position], round(score, 4), reasons))
        out[reader.user_id] = Result(items, method, note, len(pool.candidates))
    return out


def _seed_reason(pool: Pool, row: int) -> Reason:
    """The reason a seed gives (one object per seed paper and pool: readers share seeds, reasons are read-only)."""
    cache = pool.__dict__.setdefault("_reasons", {})
    if row not in cache:
        fact = pool.facts.get(pool.ids[row], {})
        title = " ".join((fact.get("title") or "").split())
        cache[row] = Reason("seed", f"like “{title}”", fact.get("arxiv_id", ""), title)
    return cache[row]


def _follow_reasons(pool: Pool, reader: Interests, row: int, followed: tuple[set[int], set[int]]) -> list[Reason]:
    in_category, by_author = followed
    if row not in in_category and row not in by_author:
        return []
    fact = pool.facts.get(pool.candidates[row], {})
    reasons = [Reason("category", f"in {c}, which you follow") for c in reader.categories
               if row in in_category and in_category_of(fact.get("categories") or [], c)][:1]
    if row in by_author:
        name = next((n for n in fact.get("authors") or [] if title_key(n) in reader.authors), "")
        reasons.append(Reason("author", f"by {name}, whom you follow"))
    return reasons


def _trending(pool: Pool, reader: Interests, limit: int) -> Result:
    """Cold start: the candidates by the trending formula, in the followed categories if any match."""
    rows = {}
    for listing in DailyListing.objects.filter(paper_id__in=pool.candidates).values(
            "paper_id", "date", "upvotes_imported", "comments_imported", "paper__community_votes",
            "paper__community_comments", "paper__arxiv_id"):
        rows.setdefault(listing["paper_id"], listing)
    now = datetime.now(timezone.utc)

    def key(pid: int):
        row = rows.get(pid)
        if row is None:
            return (1, 0, pid)
        return (0, *trending.sort_key(row["upvotes_imported"] + row["paper__community_votes"],
                                      row["comments_imported"] + row["paper__community_comments"], row["date"],
                                      row["paper__arxiv_id"], now))

    pool_ids = [p for p in pool.candidates if p not in reader.excluded]
    in_followed, _ = pool.followed_rows(reader)
    followed_ids = [p for p in pool_ids if pool.rows[p] in in_followed]
    chosen = followed_ids or pool_ids
    ranked = sorted(chosen, key=key)[:limit]
    where = f" in {', '.join(reader.categories)}" if followed_ids else ""
    note = (f"You have no signals yet, so these are trending papers{where}. Upvote, save or mark papers "
            "“more like this” (or import your library) and this list becomes yours.")
    items = [Recommendation(pid, 0.0, [Reason("trending", f"trending{where}")]) for pid in ranked]
    return Result(items, "trending", note, len(pool.candidates))


def with_papers(result: Result) -> Result:
    """Load the recommended papers (with their counts) for display."""
    loaded = papers_by_id(item.paper_id for item in result.items)
    result.items = [item for item in result.items if item.paper_id in loaded]
    for item in result.items:
        item.paper = loaded[item.paper_id]
    return result


def for_user(user, candidate_ids: list[int], limit: int = 20) -> Result:
    return with_papers(recommend([interests([user.id])[user.id]], candidate_ids, limit)[user.id])


# -- the "Your interests" page, export, feed ------------------------------------------------------------------------

def interest_page(user) -> dict:
    """Every signal of the reader, each removable: votes, saved papers, marks, seeds, dismissals, follows."""
    from papersift.community.models import Vote
    from papersift.lists.models import ReadingListItem

    return {
        "votes": list(Vote.objects.filter(user=user).select_related("paper").order_by("-created_at")),
        "saved": list(ReadingListItem.objects.filter(reading_list__owner=user)
                      .select_related("paper", "reading_list").order_by("-added_at")),
        "signals": {kind: list(Signal.objects.filter(user=user, kind=kind).select_related("paper"))
                    for kind in Signal.Kind.values},
        "follows": list(Follow.objects.filter(user=user)),
    }


def export(user) -> dict:
    """The reader's interests as JSON (the "Your interests" page's download)."""
    page = interest_page(user)
    return {
        "user": user.username,
        "upvoted": [{"arxivId": v.paper.arxiv_id, "at": v.created_at.isoformat()} for v in page["votes"]],
        "saved": [{"arxivId": i.paper.arxiv_id, "list": i.reading_list.name, "at": i.added_at.isoformat()}
                  for i in page["saved"]],
        "signals": [{"arxivId": s.paper.arxiv_id, "kind": s.kind, "source": s.source, "at": s.created_at.isoformat()}
                    for kind in Signal.Kind.values for s in page["signals"][kind]],
        "follows": [{"kind": f.kind, "value": f.value, "at": f.created_at.isoformat()} for f in page["follows"]],
    }


def feed_key_of(user) -> str | None:
    """The reader's private feed key, or None before they asked for one (a page view creates nothing)."""
    return Reader.objects.filter(user=user).values_list("feed_key", flat=True).first()


def reader_by_feed_key(key: str):
    """The user a private feed link belongs to; None for an unknown or revoked key."""
    if not key or len(key) > 64:
        return None
    found = Reader.objects.select_related("user").filter(feed_key=key, user__is_active=True).first()
    return found.user if found else None


def window_papers(kind: str, day: date | None = None) -> tuple[list[int], date, date] | None:
    """The candidates of a day or week view (like the daily list), and its first and last day."""
    from papersift.catalog.selectors import Window

    day = day or last_listing_day()
    if day is None:
        return None
    window = Window.containing(kind, day)
    return listed_between(window.start, window.end), window.start, window.end
