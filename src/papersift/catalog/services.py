"""The one place that writes papers and listings: an idempotent, version-aware upsert of parsed records.

Merge rules (table-tested in tests/catalog/test_merge.py):
- a record for an unseen id is new;
- records are ordered by version number; between equal versions, or two records without versions, by
  update date, then by when the source observed them (HF listing day, OAI datestamp, snapshot update date);
  a record that is not older by that order is *authoritative*;
- an authoritative record replaces every field it carries; a record that cannot be ordered against the stored
  paper (e.g. HF data, which has no version, against an arXiv record) only fills fields that are empty;
- a record known to be older (lower version, earlier update) changes nothing: it is counted as `stale`;
- a field a source does not carry (empty) never erases a stored value;
- the content hash of the merged fields decides between `updated` and `unchanged`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, datetime

import orjson
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from papersift.catalog.authors import authorship_rows
from papersift.catalog.models import Announcement, Authorship, DailyListing, Paper
from papersift.ingest.records import Parsed

DESCRIPTIVE = (
    "title", "abstract", "authors", "categories", "version", "versions", "published", "updated", "announced",
    "comments", "journal_ref", "doi", "license", "withdrawn", "code_url", "project_url",
)
NEW, UPDATED, UNCHANGED, STALE = "new", "updated", "unchanged", "stale"
LISTING_FIELDS = ("listed_at", "submitted_by", "submitted_at", "upvotes_imported", "comments_imported")


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value is False


def content_hash(fields: dict) -> str:
    # Sorted keys: PostgreSQL's jsonb hands objects back in its own key order, SQLite in the stored one.
    payload = orjson.dumps([fields.get(name) for name in DESCRIPTIVE], default=_json_default,
                           option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(payload).hexdigest()


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def freshness(current: dict, incoming: dict) -> str:
    """'newer', 'older', 'same' or 'unknown': how the incoming record orders against the stored one."""
    cv, iv = current.get("version"), incoming.get("version")
    if cv is not None and iv is not None and cv != iv:
        return "newer" if iv > cv else "older"
    if (cv is None) != (iv is None):
        return "unknown"  # e.g. HF data (no version) against an arXiv record
    for key in ("updated", "observed"):
        old, new = current.get(key), incoming.get(key)
        if old is not None and new is not None and old != new:
            return "newer" if new > old else "older"
    return "same"


def merge(current: dict | None, incoming: dict) -> tuple[str, dict]:
    """Pure merge of one incoming record's descriptive fields into the stored ones; returns (outcome, fields)."""
    if current is None:
        return NEW, dict(incoming)
    order = freshness(current, incoming)
    if order == "older":
        return STALE, current
    authoritative = order in {"newer", "same"}
    merged = dict(current)
    for name in DESCRIPTIVE:
        value = incoming.get(name)
        if _empty(value):
            continue
        if authoritative or _empty(current.get(name)):
            merged[name] = value
    merged["versions"] = _union_versions(current.get("versions") or [], incoming.get("versions") or [])
    if authoritative and incoming.get("observed") is not None:
        merged["observed"] = incoming["observed"]
    if content_hash(merged) == content_hash(current):
        # Same content; a later observation is still recorded so that older records keep losing to it.
        return UNCHANGED, merged
    return UPDATED, merged


def _union_versions(old: list[dict], new: list[dict]) -> list[dict]:
    by_number = {item["version"]: item for item in old}
    for item in new:
        if item.get("date") or item["version"] not in by_number:
            by_number[item["version"]] = item
    return [by_number[number] for number in sorted(by_number)]


RECORD_FIELDS = (*DESCRIPTIVE, "observed")


def record_fields(parsed: Parsed) -> dict:
    """The record's fields as a plain dict (shallow: dataclasses.asdict deep-copies and was 25% of ingest time)."""
    paper = parsed.paper
    return {name: getattr(paper, name) for name in RECORD_FIELDS}


class UpsertResult:
    def __init__(self) -> None:
        self.papers: Counter[str] = Counter()
        self.listings: Counter[str] = Counter()
        self.announcements: Counter[str] = Counter()

    def add(self, other: UpsertResult) -> None:
        self.papers.update(other.papers)
        self.listings.update(other.listings)
        self.announcements.update(other.announcements)


def upsert(items: list[Parsed], source: str, source_uri: str) -> UpsertResult:
    """Write one batch of parsed records in one transaction; callers choose the batch size."""
    result = UpsertResult()
    if not items:
        return result
    with transaction.atomic():
        ids = {item.paper.arxiv_id for item in items}
        stored = {
            row["arxiv_id"]: row
            for row in Paper.objects.select_for_update().filter(arxiv_id__in=ids)
            .values("id", "arxiv_id", "content_hash", *DESCRIPTIVE, observed=F("observed_at"))
        }
        pending: dict[str, dict] = {}
        changed: dict[str, tuple[dict, Parsed]] = {}
        for item in items:
            arxiv_id = item.paper.arxiv_id
            current = pending.get(arxiv_id) or stored.get(arxiv_id)
            outcome, fields = merge(current, record_fields(item))
            result.papers[outcome] += 1
            observed_later = outcome == UNCHANGED and fields.get("observed") != current.get("observed")
            if outcome in {NEW, UPDATED} or observed_later:
                fields.setdefault("id", current.get("id") if current else None)
                pending[arxiv_id] = fields
                changed[arxiv_id] = (fields, item)
        _write_papers(changed, stored, source, source_uri)
        listings = [item for item in items if item.listing is not None]
        announced = [item for item in items if item.announcement is not None]
        if listings or announced:
            ids_by_arxiv = {a: row["id"] for a, row in stored.items()}
            ids_by_arxiv.update({a: fields["id"] for a, (fields, _) in changed.items()})
            if listings:
                _write_listings(listings, ids_by_arxiv, source, source_uri, result)
            if announced:
                _write_announcements(announced, ids_by_arxiv, source, source_uri, result)
    return result


def _paper_values(fields: dict, item: Parsed, source: str, source_uri: str) -> dict:
    values = {name: fields[name] for name in DESCRIPTIVE}
    for name in ("comments", "journal_ref", "doi", "license", "code_url", "project_url", "abstract"):
        values[name] = values[name] or ""
    values["authors"] = values["authors"] or []
    values["categories"] = values["categories"] or []
    values["versions"] = values["versions"] or []
    values["withdrawn"] = bool(values["withdrawn"])
    values["primary_category"] = values["categories"][0] if values["categories"] else ""
    values["content_hash"] = content_hash(fields)
    values["observed_at"] = fields.get("observed")
    values.update(source=source, source_uri=source_uri[:2000], source_record=item.location[:255])
    return values


def _write_papers(changed: dict[str, tuple[dict, Parsed]], stored: dict, source: str, source_uri: str) -> None:
    creates, updates = [], []
    now = timezone.now()
    for arxiv_id, (fields, item) in changed.items():
        values = _paper_values(fields, item, source, source_uri)
        if arxiv_id in stored:
            updates.append(Paper(id=stored[arxiv_id]["id"], arxiv_id=arxiv_id, modified_at=now, **values))
        else:
            creates.append({"arxiv_id": arxiv_id, **values})
    if creates:
        _insert(Paper, creates, now)
        new_ids = Paper.objects.filter(arxiv_id__in=[row["arxiv_id"] for row in creates]).values_list("arxiv_id", "id")
        for arxiv_id, pk in new_ids:
            changed[arxiv_id][0]["id"] = pk
    if updates:
        update_fields = [*DESCRIPTIVE, "observed_at", "primary_category", "content_hash", "source", "source_uri",
                         "source_record", "modified_at"]
        Paper.objects.bulk_update(updates, update_fields, batch_size=200)
    authors_changed = {
        fields["id"]: fields.get("authors") or []
        for arxiv_id, (fields, _) in changed.items()
        if arxiv_id not in stored or (fields.get("authors") or []) != (stored[arxiv_id]["authors"] or [])
    }
    _write_authorships(authors_changed, new_papers={changed[row["arxiv_id"]][0]["id"] for row in creates})


def _write_authorships(authors_by_paper: dict[int, list], new_papers: set[int]) -> None:
    """Keep the author index (`Authorship`) in step with the papers whose author lists were just written."""
    if not authors_by_paper:
        return
    stale = [paper_id for paper_id in authors_by_paper if paper_id not in new_papers]
    for start in range(0, len(stale), 500):
        Authorship.objects.filter(paper_id__in=stale[start:start + 500]).delete()
    # Plain tuples in (key, paper) order: no per-value adapters (the columns are text and integers), and the
    # (key, paper) index is filled in order within a batch (docs/benchmarks.md, author pages).
    rows = sorted((key, paper_id, position, name) for paper_id, authors in authors_by_paper.items()
                  for position, name, key in authorship_rows(authors))
    if not rows:
        return
    meta, quote = Authorship._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("key", "paper", "position", "name"))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s)", rows)


def _removed_listings() -> set:
    """Listings moderators removed (their audit log lives with the other moderation records)."""
    from papersift.comments.selectors import removed_listings

    return removed_listings()


def _insert(model, rows: list[dict], now) -> None:
    """INSERT rows with one executemany, values adapted by the backend's own adapters.

    Measured: Django's bulk_create spent ~40% of snapshot ingest compiling the INSERT and preparing values
    field by field; this keeps the same SQL and adapters without that per-value machinery.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    adapters = [_adapter(field) for field in fields]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        ops.quote_name(model._meta.db_table), ", ".join(ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)))
    names = [f.attname for f in fields]
    defaults = {f.attname: f.get_default() for f in fields if f.has_default()}   # e.g. the community counters
    params = []
    for row in rows:
        row.setdefault("created_at", now)
        row.setdefault("modified_at", now)
        params.append([adapt(row[name] if name in row else defaults[name]) for adapt, name in zip(adapters, names)])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _adapter(field):
    kind = field.get_internal_type()
    ops = connection.ops
    if kind == "JSONField":
        return lambda value: ops.adapt_json_value(value, field.encoder)
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    return lambda value: value


def _write_listings(items: list[Parsed], ids: dict[str, int], source: str, source_uri: str,
                    result: UpsertResult) -> None:
    wanted = {(ids[item.paper.arxiv_id], item.listing.date): item for item in items}
    existing = {
        (row.paper_id, row.date): row
        for row in DailyListing.objects.filter(paper_id__in={key[0] for key in wanted},
                                               date__in={key[1] for key in wanted})
    }
    removed = _removed_listings() if wanted else set()
    creates, updates = [], []
    for (paper_id, day), item in wanted.items():
        if (item.paper.arxiv_id, day) in removed:   # a moderator took it off that day's list: keep it off
            result.listings[UNCHANGED] += 1
            continue
        listing = item.listing
        values = dict(listed_at=listing.listed_at, submitted_by=listing.submitted_by,
                      submitted_at=listing.submitted_at, upvotes_imported=listing.upvotes,
                      comments_imported=listing.comments)
        row = existing.get((paper_id, day))
        if row is None:
            creates.append(DailyListing(paper_id=paper_id, date=day, source=source, source_uri=source_uri[:2000],
                                        source_record=item.location[:255], **values))
            result.listings[NEW] += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.source, row.source_uri, row.source_record = source, source_uri[:2000], item.location[:255]
            updates.append(row)
            result.listings[UPDATED] += 1
        else:
            result.listings[UNCHANGED] += 1
    duplicates = len(items) - len(wanted)
    if duplicates:
        result.listings[UNCHANGED] += duplicates
    DailyListing.objects.bulk_create(creates, batch_size=500)
    if updates:
        DailyListing.objects.bulk_update(updates, [*LISTING_FIELDS, "source", "source_uri", "source_record"],
                                         batch_size=200)
    # Listings carry the upvotes that search sorts by: a changed listing makes its paper due for re-indexing.
    touched = {row.paper_id for row in updates} | {row.paper_id for row in creates}
    if touched:
        Paper.objects.filter(id__in=touched).update(modified_at=timezone.now())


# When two reports of one paper's announcement on one day disagree (a paper is `new` in its primary category's
# feed and `cross` in another's), the first of these wins: a new paper stays new, a replacement a replacement.
KIND_PRECEDENCE = (Announcement.NEW, Announcement.CROSS, Announcement.REPLACE, Announcement.REPLACE_CROSS)


def _write_announcements(items: list[Parsed], ids: dict[str, int], source: str, source_uri: str,
                         result: UpsertResult) -> None:
    wanted: dict[tuple[int, date], Parsed] = {}
    for item in items:
        key = (ids[item.paper.arxiv_id], item.announcement.date)
        if key not in wanted or _rank(item.announcement.kind) < _rank(wanted[key].announcement.kind):
            wanted[key] = item
    existing = {(row.paper_id, row.date): row for row in Announcement.objects.filter(
        paper_id__in={key[0] for key in wanted}, date__in={key[1] for key in wanted})}
    creates, updates = [], []
    for (paper_id, day), item in wanted.items():
        record, row = item.announcement, existing.get((paper_id, day))
        if row is None:
            creates.append(Announcement(paper_id=paper_id, date=day, kind=record.kind, version=record.version,
                                        source=source, source_uri=source_uri[:2000]))
            result.announcements[NEW] += 1
        elif _rank(record.kind) < _rank(row.kind) or (row.version is None and record.version is not None):
            if _rank(record.kind) < _rank(row.kind):
                row.kind = record.kind
            row.version = row.version or record.version
            updates.append(row)
            result.announcements[UPDATED] += 1
        else:
            result.announcements[UNCHANGED] += 1
    result.announcements[UNCHANGED] += len(items) - len(wanted)
    Announcement.objects.bulk_create(creates, batch_size=500)
    if updates:
        Announcement.objects.bulk_update(updates, ["kind", "version"], batch_size=200)


def _rank(kind: str) -> int:
    return KIND_PRECEDENCE.index(kind) if kind in KIND_PRECEDENCE else len(KIND_PRECEDENCE)


def fill_categories(categories: dict[str, list[str]], source: str, source_uri: str) -> int:
    """Give papers that have no categories the ones ``categories`` maps their ids to (primary first), in one
    transaction; papers that have categories keep theirs. The number of papers changed.

    For data that knows only categories (the bundled sample's, from arXiv's listings): an `upsert` of such a
    record would have to order it against the stored one, and an older record changes nothing.
    """
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        for paper in Paper.objects.select_for_update().filter(arxiv_id__in=list(categories), categories=[]):
            wanted = [c for c in categories[paper.arxiv_id] if isinstance(c, str) and c.strip()]
            if not wanted:
                continue
            fields = {name: getattr(paper, name) for name in DESCRIPTIVE}
            fields["categories"] = wanted
            paper.categories, paper.primary_category = wanted, wanted[0]
            paper.content_hash, paper.modified_at = content_hash(fields), now
            paper.source, paper.source_uri, paper.source_record = source, source_uri[:2000], "categories"
            paper.save(update_fields=["categories", "primary_category", "content_hash", "modified_at", "source",
                                      "source_uri", "source_record"])
            changed += 1
    return changed
