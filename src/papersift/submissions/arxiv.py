"""What a submitter typed, as an arXiv id; and that paper's metadata from the arXiv Atom API.

Nothing here writes: `services.submit` asks this module first and writes only after it answered.

arXiv answers one id three ways, all handled: an Atom feed with the paper's entry; a feed with no entry (an id
it does not have; some responses still say totalResults 1); an "error entry" whose id is under
`arxiv.org/api/errors` (an id it refuses: `incorrect id format for ...`), sent with HTTP 200 by the classic API
and HTTP 400 by the current one. Anything else (connection errors, 429/5xx after a retry, an HTML page) means
arXiv could not be asked, which is not the submitter's fault and says so.
"""

from __future__ import annotations

import io
import logging
import re
from urllib.parse import quote, urlsplit

import httpx
from django.conf import settings

from papersift.ingest import polite
from papersift.ingest.fetch import RETRYABLE, Fetcher, retry_after
from papersift.ingest.formats import atom
from papersift.ingest.records import (
    FormatError, InvalidRecord, PageInfo, Parsed, SourceError, split_arxiv_id,
)

log = logging.getLogger("papersift.submissions")

# Someone is waiting for the page: a submission retries a transient failure once, briefly, and never waits
# out a long Retry-After or the harvest timeout (HTTP_TIMEOUT, 60 s by default, is sized for bulk pages).
RETRIES = 1
RETRY_WAIT = 1.0
LONGEST_WAIT = 5.0
LONGEST_TIMEOUT = 15.0

EXAMPLES = "2405.15738, arXiv:2405.15738, https://arxiv.org/abs/2405.15738 or math/0701001"
NEW_STYLE = re.compile(r"^(\d{2})(\d{2})\.(\d{4,5})$")
URL_PREFIX = re.compile(r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/", re.I)


class Refused(Exception):
    """A submission that was not accepted. ``reason`` is written for the submitter; ``status`` is the HTTP
    status a page or the API answers with."""

    status = 400

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class MalformedId(Refused):
    status = 400


class NotOnArxiv(Refused):
    status = 404


class ArxivUnreachable(Refused):
    status = 502


def parse_submitted_id(text: str) -> str:
    """The base arXiv id in what a submitter typed: an id with or without version or `arXiv:` prefix, an
    abs or pdf URL (with or without scheme, `.pdf`, query or trailing slash), or an old-style id."""
    raw = (text or "").strip()
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    if not raw:
        raise MalformedId(f"give an arXiv id or URL, such as {EXAMPLES}")
    candidate = raw
    if URL_PREFIX.match(candidate):
        candidate = URL_PREFIX.sub("", candidate.split("#", 1)[0].split("?", 1)[0]).rstrip("/")
    try:
        arxiv_id, _ = split_arxiv_id(candidate)
    except InvalidRecord:
        raise MalformedId(f"“{shown}” is not an arXiv id or arXiv URL (such as {EXAMPLES})") from None
    problem = _impossible(arxiv_id)
    if problem:
        raise MalformedId(f"“{shown}” is not an arXiv id: {problem}")
    return arxiv_id


def _impossible(arxiv_id: str) -> str:
    """Why a new-style id (YYMM.NNNN from 0704, YYMM.NNNNN from 1501) cannot exist; "" when it can."""
    match = NEW_STYLE.match(arxiv_id)
    if not match:
        return ""
    year, month, number = int(match[1]), int(match[2]), match[3]
    if not 1 <= month <= 12:
        return f"{match[1]}{match[2]} is not a year and month (YYMM)"
    if (year, month) < (7, 4):
        return "new-style ids start in April 2007 (0704); older papers have ids such as math/0701001"
    five_digits = (year, month) >= (15, 1)
    if five_digits and len(number) != 5:
        return f"ids from 1501 on have 5-digit numbers, such as {match[1]}{match[2]}.{number.zfill(5)}"
    if not five_digits and len(number) != 4:
        return "ids before 1501 have 4-digit numbers"
    return ""


def query_url(arxiv_id: str) -> str:
    base = settings.PAPERSIFT["ARXIV_API_URL"]
    return f"{base}{'&' if urlsplit(base).query else '?'}id_list={quote(arxiv_id, safe='/')}"


def fetch_paper(arxiv_id: str) -> tuple[Parsed, str]:
    """The paper's record from the arXiv API, and the URL asked. NotOnArxiv / ArxivUnreachable otherwise."""
    url = query_url(arxiv_id)
    response = _get(url)
    if response.status_code not in (200, 400):
        raise _unreachable(f"could not get {arxiv_id} from arXiv: it answered HTTP {response.status_code} "
                           f"{response.reason_phrase}; try again later", url)
    found = None
    try:
        for item in atom.parse(io.BufferedReader(io.BytesIO(response.content)), url, PageInfo()):
            if isinstance(item, Parsed) and item.paper.arxiv_id == arxiv_id:
                found = item
    except SourceError as exc:   # an error entry: arXiv refuses the id
        detail = str(exc).removeprefix("arXiv API error: ")
        raise NotOnArxiv(f"arXiv has no paper {arxiv_id} (arXiv says: {detail})") from None
    except FormatError as exc:
        raise _unreachable(f"could not get {arxiv_id} from arXiv: its answer {exc}; try again later", url) from None
    if response.status_code == 400:
        raise _unreachable(f"could not get {arxiv_id} from arXiv: it answered HTTP 400 Bad Request", url)
    if found is None:
        raise NotOnArxiv(f"arXiv has no paper {arxiv_id}")
    return found, url


def _get(url: str) -> httpx.Response:
    """One GET, retried once when transient. The harvester's `Fetcher` supplies the client (timeout, redirects,
    a User-Agent naming papersift and the contact address); its own `get` is not used because it backs off for
    minutes. Requests keep the installation's pace to arXiv (`ingest.polite`, shared with harvests): a turn
    further away than LONGEST_WAIT is not waited for."""
    config = settings.PAPERSIFT
    retries = min(config["HTTP_RETRIES"], RETRIES)
    gate = polite.for_settings(config)
    fetcher = Fetcher(delay=0, timeout=min(config["HTTP_TIMEOUT"], LONGEST_TIMEOUT), retries=retries,
                      max_retry_after=LONGEST_WAIT, contact=config["CONTACT_EMAIL"])
    try:
        for attempt in range(retries + 1):
            try:
                gate.wait(url, max_wait=LONGEST_WAIT)
            except polite.Busy as exc:
                raise ArxivUnreachable(f"could not ask arXiv now: papersift keeps to arXiv's pace and its next "
                                       f"request may go in {exc.seconds:.0f} s; try again later") from None
            try:
                response = fetcher.client.get(url)
            except httpx.TransportError as exc:
                problem, wait = f"{type(exc).__name__}: {exc}", RETRY_WAIT
            else:
                if response.status_code not in RETRYABLE:
                    return response
                problem = f"HTTP {response.status_code} {response.reason_phrase}"
                wait = retry_after(response.headers.get("Retry-After"))
                if wait is not None:             # every process of the installation waits, not only this one
                    gate.defer(url, min(wait, config["MAX_RETRY_AFTER"]))
                if wait is not None and wait > LONGEST_WAIT:
                    raise _unreachable(f"could not reach arXiv: it is busy and asks to wait {wait:.0f} s; "
                                       "try again later", url)
                wait = RETRY_WAIT if wait is None else wait
            if attempt < retries:
                log.warning("submission.fetch_retry url=%s problem=%r wait=%.1fs", url, problem, wait)
                gate.defer(url, wait)            # the next turn (gate.wait above) comes after it
    finally:
        fetcher.close()
    raise _unreachable(f"could not reach arXiv ({problem}); try again later", url)


def _unreachable(reason: str, url: str) -> ArxivUnreachable:
    """The refusal a submitter sees names no URL: ARXIV_API_URL is the operator's (it may point at an internal
    mirror or carry credentials). The server log has it."""
    log.warning("submission.arxiv_failed url=%s reason=%s", url, reason)
    return ArxivUnreachable(reason)
