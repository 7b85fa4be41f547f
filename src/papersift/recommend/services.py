"""Every change to a reader's interests: signals on papers, seeds imported, follows, the private feed key.

Each function is one transaction and acts on the given user's own rows only: a row of another reader is
``Signal.DoesNotExist`` / ``Follow.DoesNotExist`` (a 404 to the faces), never changed. Bad input raises
``InvalidInterest`` naming the field; an import that cannot be read stores nothing.

For other apps (issue 15's follow buttons and "authors you follow" digest section): ``follow(user, kind,
value)``, ``unfollow(user, kind, value)`` here, ``selectors.followed(user)`` to read.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from papersift.catalog.models import Paper
from papersift.recommend import references, selectors
from papersift.recommend.models import Follow, Reader, Signal, new_feed_key

log = logging.getLogger(__name__)
Kind = Signal.Kind
CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z\-]{2,})?$")


class InvalidInterest(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _signed_in(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise PermissionError("log in to tell papersift what you like")


@transaction.atomic
def mark(user, paper: Paper, kind: str, source: str = "") -> Signal:
    """Set the reader's signal on ``paper`` to ``kind`` (more / seed / dismiss), replacing any other one."""
    _signed_in(user)
    if kind not in Kind.values:
        raise InvalidInterest("kind", f"must be one of {', '.join(Kind.values)}")
    signal, _ = Signal.objects.update_or_create(user=user, paper=paper,
                                                defaults={"kind": kind, "source": source[:120]})
    log.info("recommend.signal", extra={"user": user.id, "paper": paper.id, "kind": kind})
    return signal


def more_like_this(user, paper: Paper) -> Signal:
    return mark(user, paper, Kind.MORE, "button")


def dismiss(user, paper: Paper) -> Signal:
    """"Not interested": the paper leaves every list of this reader and counts against papers like it."""
    return mark(user, paper, Kind.DISMISS, "button")


@transaction.atomic
def forget(user, paper: Paper) -> bool:
    """Undo any signal on ``paper`` (an undismiss, or taking back a "more like this")."""
    _signed_in(user)
    return Signal.objects.filter(user=user, paper=paper).delete()[0] > 0


@transaction.atomic
def remove_signal(user, signal_id: int) -> Signal:
    """Remove one of the reader's own signals by id; another reader's is DoesNotExist (a 404)."""
    signal = Signal.objects.select_related("paper").get(id=signal_id, user=user)
    signal.delete()
    return signal


# -- seeds ----------------------------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    source: str
    added: list[str] = field(default_factory=list)          # arXiv ids seeded now
    already: list[str] = field(default_factory=list)        # had a signal already (kept as it was)
    unmatched: list[str] = field(default_factory=list)      # "line 12: key" or the pasted piece

    def as_dict(self) -> dict:
        return {"source": self.source, "added": self.added, "already": self.already, "unmatched": self.unmatched}


def _match(found: list[references.Reference]) -> dict[int, Paper]:
    """Each reference's paper: by arXiv id, else DOI, else exact normalised title. Three queries in all."""
    by_arxiv = Paper.objects.in_bulk([r.arxiv_id for r in found if r.arxiv_id], field_name="arxiv_id")
    out = {i: by_arxiv[r.arxiv_id] for i, r in enumerate(found) if r.arxiv_id in by_arxiv}
    dois = {r.doi for i, r in enumerate(found) if i not in out and r.doi}
    by_doi = {p.doi.lower(): p for p in Paper.objects.filter(doi__in=dois)} if dois else {}
    by_doi.update({f"10.48550/arxiv.{p.arxiv_id}".lower(): p for p in by_doi.values()})
    for i, r in enumerate(found):
        if i not in out and r.doi in by_doi:
            out[i] = by_doi[r.doi]
    titled = {i: r.title for i, r in enumerate(found) if i not in out and r.title}
    if titled:
        query = Q()
        for title in set(titled.values()):
            query |= Q(title__iexact=title)
        by_key = {references.title_key(p.title): p for p in Paper.objects.filter(query)}
        for i, title in titled.items():
            paper = by_key.get(references.title_key(title))
            if paper is not None:
                out[i] = paper
    return out


@transaction.atomic
def _seed(user, papers: list[Paper], source: str, report: ImportReport) -> ImportReport:
    existing = set(Signal.objects.filter(user=user, paper__in=papers).values_list("paper_id", flat=True))
    fresh = list({p.id: p for p in papers if p.id not in existing}.values())
    Signal.objects.bulk_create([Signal(user=user, paper=p, kind=Kind.SEED, source=source[:120]) for p in fresh])
    report.added = [p.arxiv_id for p in fresh]
    report.already = sorted({p.arxiv_id for p in papers if p.id in existing})
    log.info("recommend.seeds", extra={"user": user.id, "source": source, "added": len(fresh)})
    return report


def import_references(user, data: bytes, name: str) -> ImportReport:
    """Seeds from a BibTeX or RIS file. A file that cannot be read raises InvalidInterest and stores nothing."""
    _signed_in(user)
    name = (name or "upload").rsplit("/", 1)[-1][:80]
    try:
        found = references.parse(data, name)
    except references.BadReferences as exc:
        raise InvalidInterest("file", str(exc)) from None
    matched = _match(found)
    report = ImportReport(f"import: {name}")
    report.unmatched = [r.describe() for i, r in enumerate(found) if i not in matched]
    return _seed(user, [matched[i] for i in sorted(matched)], report.source, report)


def import_ids(user, text: str) -> ImportReport:
    """Seeds from pasted arXiv ids or URLs; pieces that are not ids, or not in the catalog, are reported."""
    _signed_in(user)
    if len(text or "") > 100_000:
        raise InvalidInterest("ids", "at most 100,000 characters of ids can be pasted at once")
    ids, bad = references.ids_from_text(text)
    if not ids and not bad:
        raise InvalidInterest("ids", "paste arXiv ids or URLs (2405.15738, https://arxiv.org/abs/2405.15738)")
    found = Paper.objects.in_bulk(ids, field_name="arxiv_id")
    report = ImportReport("pasted ids")
    report.unmatched = [f"{piece} (not an arXiv id)" for piece in bad] + [
        f"{i} (not in this catalog)" for i in ids if i not in found]
    return _seed(user, [found[i] for i in ids if i in found], report.source, report)


def import_list(user, reading_list) -> ImportReport:
    """Seeds from one of the reader's reading lists (its papers count already; this makes them explicit seeds
    that stay when the list changes)."""
    _signed_in(user)
    if reading_list.owner_id != user.id:
        raise PermissionError("only your own reading lists can seed your recommendations")
    papers = list(Paper.objects.filter(reading_list_items__reading_list=reading_list))
    return _seed(user, papers, f"list: {reading_list.name}", ImportReport(f"list: {reading_list.name}"))


# -- follows --------------------------------------------------------------------------------------------------------

follow_key = selectors.follow_key


def _clean_follow(kind: str, value: str) -> tuple[str, str]:
    if kind not in Follow.Kind.values:
        raise InvalidInterest("kind", f"must be one of {', '.join(Follow.Kind.values)}")
    value = " ".join((value or "").split())
    if not value:
        raise InvalidInterest("value", f"name the {kind} to follow")
    if len(value) > 200 or any(ord(c) < 32 for c in value):
        raise InvalidInterest("value", "at most 200 characters, and no control characters")
    if kind == Follow.Kind.CATEGORY and not CATEGORY.match(value):
        raise InvalidInterest("value", f"{value!r} is not an arXiv category or archive (cs.CL, math.AP, cs)")
    if kind == Follow.Kind.AUTHOR and not follow_key(kind, value):
        raise InvalidInterest("value", f"{value!r} is not a name")
    return value, follow_key(kind, value)


@transaction.atomic
def follow(user, kind: str, value: str) -> tuple[Follow, bool]:
    """Follow an author (by name) or a category; idempotent. Returns (the follow, whether it is new)."""
    _signed_in(user)
    value, key = _clean_follow(kind, value)
    return Follow.objects.get_or_create(user=user, kind=kind, key=key, defaults={"value": value})


@transaction.atomic
def unfollow(user, kind: str, value: str) -> bool:
    _signed_in(user)
    return Follow.objects.filter(user=user, kind=kind, key=follow_key(kind, value)).delete()[0] > 0


@transaction.atomic
def remove_follow(user, follow_id: int) -> Follow:
    found = Follow.objects.get(id=follow_id, user=user)
    found.delete()
    return found


# -- the private feed -----------------------------------------------------------------------------------------------

@transaction.atomic
def feed_key(user) -> str:
    _signed_in(user)
    reader, _ = Reader.objects.get_or_create(user=user)
    return reader.feed_key


@transaction.atomic
def rotate_feed_key(user) -> str:
    """A new private feed link; the old one stops working at once."""
    _signed_in(user)
    reader, _ = Reader.objects.get_or_create(user=user)
    reader.feed_key = new_feed_key()
    reader.save(update_fields=["feed_key"])
    return reader.feed_key
