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
- what Hugging Face adds (HF_FIELDS: AI summary and keywords, GitHub stars, organisation, thumbnail, media) is
  ordered among Hugging Face records only, by the listing day they were observed on (`hf_observed`): a later
  listing replaces what it carries, an earlier one changes none of them, whatever arXiv says about versions
  (an arXiv record carries none of them, so it can neither order nor erase them);
- the content hash of the merged fields, these included, decides between `updated` and `unchanged`: new stars
  or a new summary is an update; the same file ingested twice is unchanged.
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
from papersift.catalog.models import Announcement, Authorship, DailyListing, Organization, Paper
from papersift.ingest.records import OrganizationRecord, Parsed

DESCRIPTIVE = (
    "title", "abstract", "authors", "categories", "version", "versions", "published", "updated", "announced",
    "comments", "journal_ref", "doi", "license", "withdrawn", "code_url", "project_url",
)
HF_FIELDS = ("ai_summary", "ai_keywords", "ai_summary_model", "github_stars", "organization", "thumbnail_url",
             "media_urls")
NEW, UPDATED, UNCHANGED, STALE = "new", "updated", "unchanged", "stale"
LISTING_FIELDS = ("listed_at", "submitted_by", "submitted_at", "upvotes_imported", "comments_imported",
                  "submitter_fullname", "submitter_avatar_url")
#: Listing fields a record without them leaves as they are (the submitter's picture and full name).
LISTING_KEPT_WHEN_MISSING = ("submitter_fullname", "submitter_avatar_url")


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value is False


def content_hash(fields: dict) -> str:
    # Sorted keys: PostgreSQL's jsonb hands objects back in its own key order, SQLite in the stored one.
    payload = orjson.dumps([fields.get(name) for name in (*DESCRIPTIVE, *HF_FIELDS)], default=_json_default,
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
        fields = dict(incoming)
        fields["hf_observed"] = incoming.get("observed") if _carries_hf(incoming) else None
        return NEW, fields
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
    _merge_hf(merged, current, incoming)
    if authoritative and incoming.get("observed") is not None:
        merged["observed"] = incoming["observed"]
    if content_hash(merged) == content_hash(current):
        # Same content; a later observation is still recorded so that older records keep losing to it.
        return UNCHANGED, merged
    return UPDATED, merged


def _carries_hf(fields: dict) -> bool:
    return any(not _empty(fields.get(name)) for name in HF_FIELDS)


def _merge_hf(merged: dict, current: dict, incoming: dict) -> None:
    """Hugging Face's fields: the record from the latest listing day wins, field by field; none erases."""
    if not _carries_hf(incoming):
        return
    seen, now = current.get("hf_observed"), incoming.get("observed")
    if seen is not None and now is not None and now < seen:
        return
    for name in HF_FIELDS:
        value = incoming.get(name)
        if not _empty(value):
            merged[name] = value
    if now is not None and (seen is None or now > seen):
        merged["hf_observed"] = now


def _union_versions(old: list[dict], new: list[dict]) -> list[dict]:
    by_number = {item["version"]: item for item in old}
    for item in new:
        if item.get("date") or item["version"] not in by_number:
            by_number[item["version"]] = item
    return [by_number[number] for number in sorted(by_number)]


RECORD_FIELDS = (*DESCRIPTIVE, *HF_FIELDS, "observed")


def record_fields(parsed: Parsed) -> dict:
    """The record's fields as a plain dict (shallow: dataclasses.asdict deep-copies and was 25% of ingest time);
    the organisation by its name (its details are written by _write_organizations)."""
    paper = parsed.paper
    fields = {name: getattr(paper, name) for name in RECORD_FIELDS}
    fields["organization"] = paper.organization.name if paper.organization is not None else None
    return fields


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
            row["arxiv_id"]: _stored_row(row)
            # Lock the papers only: the organisation's name comes through an outer join, which cannot be locked.
            for row in Paper.objects.select_for_update(of=("self",)).filter(arxiv_id__in=ids)
            .values("id", "arxiv_id", "content_hash", *DESCRIPTIVE, *(n for n in HF_FIELDS if n != "organization"),
                    observed=F("observed_at"), hf_observed=F("hf_observed_at"), hf_org=F("organization__name"))
        }
        pending: dict[str, dict] = {}
        changed: dict[str, tuple[dict, Parsed]] = {}
        for item in items:
            arxiv_id = item.paper.arxiv_id
            current = pending.get(arxiv_id) or stored.get(arxiv_id)
            outcome, fields = merge(current, record_fields(item))
            result.papers[outcome] += 1
            observed_later = outcome == UNCHANGED and any(fields.get(k) != current.get(k)
                                                          for k in ("observed", "hf_observed"))
            if outcome in {NEW, UPDATED} or observed_later:
                fields.setdefault("id", current.get("id") if current else None)
                pending[arxiv_id] = fields
                changed[arxiv_id] = (fields, item)
        organizations = _write_organizations(items)
        _write_papers(changed, stored, organizations, source, source_uri)
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


def _stored_row(row: dict) -> dict:
    row["organization"] = row.pop("hf_org")
    return row


def _paper_values(fields: dict, item: Parsed, organizations: dict[str, int], source: str, source_uri: str) -> dict:
    values = {name: fields.get(name) for name in (*DESCRIPTIVE, *HF_FIELDS)}
    for name in ("comments", "journal_ref", "doi", "license", "code_url", "project_url", "abstract", "ai_summary",
                 "ai_summary_model", "thumbnail_url"):
        values[name] = values[name] or ""
    for name in ("authors", "categories", "versions", "ai_keywords", "media_urls"):
        values[name] = values[name] or []
    values["organization_id"] = organizations.get(values.pop("organization") or "")
    values["hf_observed_at"] = fields.get("hf_observed")
    values["withdrawn"] = bool(values["withdrawn"])
    values["primary_category"] = values["categories"][0] if values["categories"] else ""
    values["content_hash"] = content_hash(fields)
    values["observed_at"] = fields.get("observed")
    values.update(source=source, source_uri=source_uri[:2000], source_record=item.location[:255])
    return values


def _write_papers(changed: dict[str, tuple[dict, Parsed]], stored: dict, organizations: dict[str, int],
                  source: str, source_uri: str) -> None:
    creates, updates = [], []
    now = timezone.now()
    for arxiv_id, (fields, item) in changed.items():
        values = _paper_values(fields, item, organizations, source, source_uri)
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
        update_fields = [*DESCRIPTIVE, *HF_FIELDS, "hf_observed_at", "observed_at", "primary_category",
                         "content_hash", "source", "source_uri", "source_record", "modified_at"]
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


def _write_organizations(items: list[Parsed]) -> dict[str, int]:
    """Create or refresh the batch's organisations; their ids by name. The latest listing day's details win and
    a record without a full name or avatar keeps the stored one."""
    latest: dict[str, tuple[OrganizationRecord, datetime | None]] = {}
    for item in items:
        org, seen = item.paper.organization, item.paper.observed
        if org is not None:
            kept = latest.get(org.name)
            if kept is None or (seen is not None and (kept[1] is None or seen >= kept[1])):
                latest[org.name] = (org, seen)
    if not latest:
        return {}
    stored = {o.name: o for o in Organization.objects.select_for_update().filter(name__in=list(latest))}
    for name, (org, seen) in latest.items():
        row = stored.get(name)
        if row is None:
            stored[name] = Organization.objects.create(name=name, fullname=org.fullname, avatar_url=org.avatar_url,
                                                       observed_at=seen)
            continue
        if row.observed_at is not None and seen is not None and seen < row.observed_at:
            continue
        values = {"fullname": org.fullname or row.fullname, "avatar_url": org.avatar_url or row.avatar_url,
                  "observed_at": max(filter(None, (seen, row.observed_at)), default=None)}
        if any(getattr(row, key) != value for key, value in values.items()):
            Organization.objects.filter(id=row.id).update(**values, modified_at=timezone.now())
    return {name: row.id for name, row in stored.items()}


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
                      comments_imported=listing.comments, submitter_fullname=listing.submitter_fullname,
                      submitter_avatar_url=listing.submitter_avatar_url)
        row = existing.get((paper_id, day))
        for name in LISTING_KEPT_WHEN_MISSING:
            if row is not None and not values[name]:
                values[name] = getattr(row, name)
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
