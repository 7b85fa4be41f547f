"""Ingest: inputs -> one streaming parser per format -> the catalog's one idempotent upsert.

Units of work: non-strict, records are written in batches of PAPERSIFT_INGEST_BATCH, each one transaction, so
a crash loses at most the batch in flight and never leaves half a paper; a bad record is reported with its
file and line and skipped. `strict`, a whole file (or harvested page) is one transaction and its first bad
record rolls it back. A paged URL harvest writes each page together with the URL of the next one, so a
killed harvest resumes after the last committed page.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import datetime, timezone as dt_timezone
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import DatabaseError, transaction

from papersift import changes
from papersift.catalog.services import UpsertResult, upsert
from papersift.ingest import polite, sources
from papersift.ingest.fetch import FetchError, Fetcher
from papersift.ingest.formats import FORMATS, PAGED, atom, oai
from papersift.ingest.models import HarvestState
from papersift.ingest.records import FormatError, OAIError, PageInfo, Parsed, RecordError, SourceError
from papersift.ingest.validate import Limits, check, record_or_error

log = logging.getLogger("papersift.ingest")


class StrictAbort(Exception):
    pass


@dataclass
class FileReport:
    name: str
    result: UpsertResult = field(default_factory=UpsertResult)
    errors: list[RecordError] = field(default_factory=list)
    failure: str | None = None     # the whole input was refused or stopped
    aborted: bool = False          # strict mode rolled the input back
    page: PageInfo | None = None   # what the (last) page said about itself (feed day, resumption token)

    @property
    def error_count(self) -> int:
        return len(self.errors) + (1 if self.failure else 0)


@dataclass
class IngestReport:
    format: str
    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0
    indexed: int | None = None  # papers (re)indexed lexically after the run; None when the index was busy
    index_seconds: float = 0.0

    def totals(self) -> UpsertResult:
        total = UpsertResult()
        for report in self.files:
            total.add(report.result)
        return total

    @property
    def error_count(self) -> int:
        return sum(report.error_count for report in self.files)

    def as_dict(self) -> dict:
        totals = self.totals()
        return {
            "format": self.format,
            "papers": {k: totals.papers.get(k, 0) for k in ("new", "updated", "unchanged", "stale")},
            "listings": {k: totals.listings.get(k, 0) for k in ("new", "updated", "unchanged")},
            "announcements": {k: totals.announcements.get(k, 0) for k in ("new", "updated", "unchanged")},
            "errors": self.error_count,
            "inputs": len(self.files),
            "seconds": round(self.seconds, 3),
            "indexed": self.indexed,
            "problems": [
                {"input": r.name, "location": e.location, "message": e.message} for r in self.files for e in r.errors
            ] + [{"input": r.name, "location": None, "message": r.failure} for r in self.files if r.failure],
        }


class Ingest:
    """One ingest run over several sources of one format."""

    def __init__(self, format_name: str, *, strict: bool = False, batch_size: int | None = None,
                 fetcher: Fetcher | None = None, on_progress: Callable[[int, int], None] | None = None,
                 index: bool = True):
        if format_name not in FORMATS:
            raise ValueError(f"unknown format {format_name!r}; choose from {', '.join(FORMATS)}")
        config = settings.PAPERSIFT
        self.module = FORMATS[format_name]
        self.format = format_name
        self.strict = strict
        self.batch_size = batch_size or config["INGEST_BATCH"]
        self.limits = Limits.from_settings(config)
        self.fetcher = fetcher
        self.on_progress = on_progress or (lambda read_bytes, papers: None)
        self.index = index   # off: the caller brings the indexes up to date itself (a source run, once at its end)

    def _fetcher(self) -> Fetcher:
        if self.fetcher is None:
            config = settings.PAPERSIFT
            self.fetcher = Fetcher(delay=config["HARVEST_DELAY"], timeout=config["HTTP_TIMEOUT"],
                                   retries=config["HTTP_RETRIES"], max_retry_after=config["MAX_RETRY_AFTER"],
                                   contact=config["CONTACT_EMAIL"], gate=polite.for_settings(config))
        return self.fetcher

    def run(self, specs: Iterable[str]) -> IngestReport:
        report = IngestReport(format=self.format)
        started = time.monotonic()
        for spec in specs:
            try:
                inputs = sources.expand(spec, self.module.EXTENSIONS)
            except sources.SourceNotFound as exc:
                report.files.append(FileReport(name=spec, failure=str(exc)))
                continue
            for item in inputs:
                report.files.append(self._one(item))
        changes.changed()               # a paper page may show what was written, even before the index has it
        indexing = time.monotonic()
        report.indexed = self.sync_index() if self.index else None
        report.index_seconds = time.monotonic() - indexing
        report.seconds = time.monotonic() - started
        return report

    def sync_index(self) -> int | None:
        """Bring the lexical index up to date (embeddings are left to `papersift index update`).

        The catalog is already committed: an indexing failure is logged and reported, never undoes the ingest.
        """
        from papersift.indexing.services import IndexBusy, sync_lexical

        try:
            return sync_lexical()
        except IndexBusy as exc:
            log.warning("ingest.index_busy", extra={"error": str(exc)})
            return None

    def _one(self, item: sources.Input) -> FileReport:
        file_report = FileReport(name=item.name)
        try:
            if item.url and self.format in PAGED:
                self._harvest(item.url, file_report)
            elif item.url:
                self._download_and_read(item.url, file_report)
            else:
                with sources.open_local(item.path, on_read=lambda n: self.on_progress(n, 0)) as stream:
                    file_report.page = self._read(stream, item.name, file_report)
        except (FormatError, SourceError, FetchError, OSError) as exc:
            file_report.failure = str(exc)
        except Exception as exc:   # a bug must not cost the other inputs nor the index catching up: say so, go on
            log.exception("ingest.input_failed input=%s", item.name)
            file_report.failure = f"stopped by an unexpected error ({type(exc).__name__}: {exc}); see the log"
        log.debug("ingest.file input=%s papers=%s errors=%d failure=%s", item.name, dict(file_report.result.papers),
                 len(file_report.errors), file_report.failure)
        return file_report

    def _read(self, stream, name: str, report: FileReport) -> PageInfo:
        """Parse one stream and write it in batches (or as one transaction when strict)."""
        page = PageInfo()
        batch: list[Parsed] = []
        try:
            with transaction.atomic() if self.strict else nullcontext():
                try:
                    for parsed in self.module.parse(stream, name, page, self.limits):
                        if isinstance(parsed, Parsed):
                            parsed = record_or_error(parsed.location, lambda: check(parsed, self.limits))
                        if isinstance(parsed, RecordError):
                            report.errors.append(parsed)
                            if self.strict:
                                raise StrictAbort()
                            continue
                        batch.append(parsed)
                        if len(batch) >= self.batch_size:
                            self._write(batch, name, report)
                            batch = []
                except (FormatError, SourceError):
                    if self.strict:
                        raise
                    self._write(batch, name, report)  # the complete records before the damage are kept
                    raise
                self._write(batch, name, report)
        except (StrictAbort, FormatError, SourceError) as exc:
            if self.strict:
                report.aborted = True
                report.result = UpsertResult()
            if not isinstance(exc, StrictAbort):
                raise
        return page

    def _write(self, batch: list[Parsed], name: str, report: FileReport) -> None:
        """Write a batch in one transaction; should the database refuse it (checked records should never make it),
        write its records one by one, each in its own savepoint, so that only the refused one is lost."""
        if not batch:
            return
        try:
            report.result.add(upsert(batch, self.format, name))
        except DatabaseError:
            if self.strict:
                raise
            log.warning("ingest.batch_refused input=%s records=%d: retrying one by one", name, len(batch))
            for item in batch:
                try:
                    report.result.add(upsert([item], self.format, name))
                except DatabaseError as exc:
                    report.errors.append(RecordError(item.location, f"refused by the database: {exc}"))
        self.on_progress(0, len(batch))

    def _download_and_read(self, url: str, report: FileReport) -> None:
        spool = Path(settings.PAPERSIFT["DATA_DIR"]) / "spool"
        spool.mkdir(parents=True, exist_ok=True)
        target = spool / hashlib.sha256(url.encode()).hexdigest()[:16]
        self._fetcher().download(url, target)
        try:
            with sources.open_local(target) as stream:
                report.page = self._read(stream, url, report)
        finally:
            target.unlink(missing_ok=True)

    def _harvest(self, start_url: str, report: FileReport) -> None:
        key = hashlib.sha256(f"{self.format} {start_url}".encode()).hexdigest()
        state, _ = HarvestState.objects.get_or_create(url_key=key, defaults=dict(
            format=self.format, start_url=start_url, next_url=start_url))
        if state.status == HarvestState.DONE or not state.next_url:
            state.status, state.next_url, state.pages, state.records = HarvestState.RUNNING, start_url, 0, 0
            state.last_datestamp = ""
            state.save()
        elif state.pages:
            log.info("harvest.resume url=%s pages_done=%d next=%s", start_url, state.pages, state.next_url)
        url, restarted = state.next_url, False
        if self.format == oai.NAME and token_expired(url, state.updated_at):
            url, restarted = restart_url(start_url, state.last_datestamp), True
            log.info("harvest.token_expired url=%s restart=%s", start_url, url)
        while url:
            body = self._get_page(url)
            page_report = FileReport(name=url)
            try:
                with transaction.atomic():
                    page = self._read(sources.open_bytes(body, self.limits.max_document), url, page_report)
                    if page_report.aborted:
                        report.errors.extend(page_report.errors)
                        report.aborted = True
                        return
                    next_url = next_page_url(self.format, start_url, url, page)
                    state.next_url = next_url or ""
                    state.status = HarvestState.RUNNING if next_url else HarvestState.DONE
                    state.pages += 1
                    state.records += page.entries
                    state.last_datestamp = page.last_datestamp or state.last_datestamp
                    state.save()
            except OAIError as exc:
                # arXiv's resumption tokens expire at the next UTC midnight: start again from the datestamp of
                # the last committed page (inclusive, so nothing between is skipped; repeats are unchanged).
                if exc.code != "badResumptionToken" or "resumptionToken=" not in url or restarted:
                    raise
                url, restarted = restart_url(start_url, state.last_datestamp), True
                log.info("harvest.token_expired url=%s restart=%s", start_url, url)
                continue
            url = next_url
            report.page = page
            report.result.add(page_report.result)
            report.errors.extend(page_report.errors)
            log.debug("ingest.page url=%s entries=%d next=%s", page_report.name, page.entries, url)

    def _get_page(self, url: str) -> bytes:
        try:
            return self._fetcher().get(url, self.limits.max_document)
        except FetchError as exc:
            # The arXiv API answers a malformed query with HTTP 400 and an Atom error entry saying why.
            if self.format == atom.NAME and exc.status == 400 and exc.body:
                atom.raise_error(exc.body)
            raise


def token_expired(url: str, issued_at) -> bool:
    """An OAI-PMH resumption token from before the last UTC midnight (arXiv's expire then)."""
    if "resumptionToken=" not in (url or "") or issued_at is None:
        return False
    now = datetime.now(dt_timezone.utc)
    return issued_at.astimezone(dt_timezone.utc).date() < now.date()


def restart_url(start_url: str, datestamp: str) -> str:
    """The harvest's first request, from ``datestamp`` on (the start URL itself when nothing was committed)."""
    if not datestamp:
        return start_url
    parts = urlsplit(start_url)
    params = [(k, v) for k, v in parse_qsl(parts.query) if k != "from"]
    params.append(("from", datestamp[:10] if "T" not in datestamp else datestamp))
    return urlunsplit(parts._replace(query=urlencode(params)))


def next_page_url(format_name: str, start_url: str, current_url: str, page: PageInfo) -> str | None:
    """The URL of the page after `current_url`, or None when the harvest is complete."""
    if format_name == oai.NAME:
        if not page.resumption_token:
            return None
        parts = urlsplit(start_url)
        verb = dict(parse_qsl(parts.query)).get("verb", "ListRecords")
        query = urlencode({"verb": verb, "resumptionToken": page.resumption_token})
        return urlunsplit(parts._replace(query=query))
    if format_name == atom.NAME:
        if page.entries == 0:
            return None
        parts = urlsplit(current_url)
        params = dict(parse_qsl(parts.query))
        requested = int(params.get("start", 0) or 0)
        start = page.start_index if page.start_index is not None else requested
        next_start = start + page.entries
        if page.total_results is not None and next_start >= page.total_results:
            return None
        if next_start <= requested:
            return None  # the server ignored `start`: stop rather than fetch the same page forever
        params["start"] = str(next_start)
        return urlunsplit(parts._replace(query=urlencode(params)))
    return None
