"""Polite HTTP fetching for harvests: one client, a delay between requests, Retry-After honoured.

arXiv asks harvesters to wait 3 seconds between requests and answers 503 with `Retry-After` for flow
control; both are obeyed here, through the installation's `polite.Gate` when one is given (every process of
the installation then keeps the same pace), else per fetcher. Transient failures (429, 5xx, connection
errors) are retried with exponential backoff; anything else stops the harvest with the status and URL in the
message (the body of a 4xx is kept on the error: arXiv's API explains a 400 in it).
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from papersift import __version__
from papersift.ingest.polite import Gate

log = logging.getLogger("papersift.ingest")
RETRYABLE = {429, 500, 502, 503, 504}


MAX_ERROR_BODY = 1 << 16


class FetchError(Exception):
    """A request that failed for good; the message names the URL and why."""

    def __init__(self, message: str, status: int | None = None, body: bytes = b""):
        super().__init__(message)
        self.status, self.body = status, body


class Fetcher:
    def __init__(self, *, delay: float, timeout: float, retries: int, max_retry_after: float,
                 contact: str = "", sleep=time.sleep, gate: Gate | None = None):
        self.client = httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": user_agent(contact)})
        self.delay, self.retries, self.max_retry_after = delay, retries, max_retry_after
        self.sleep, self.gate = sleep, gate
        self._last_request: float | None = None

    def close(self) -> None:
        self.client.close()

    def _polite_wait(self, url: str) -> None:
        if self.gate is not None:
            self.gate.wait(url)
            return
        if self._last_request is not None:
            remaining = self.delay - (time.monotonic() - self._last_request)
            if remaining > 0:
                self.sleep(remaining)

    def _pause(self, url: str, seconds: float) -> None:
        """Wait before retrying; through the gate, so that the installation's other requests wait too."""
        if self.gate is not None:
            self.gate.defer(url, seconds)
        else:
            self.sleep(seconds)

    def get(self, url: str, max_size: int = 64 << 20) -> bytes:
        """The body of a 200 response to GET url, after retries; FetchError for a body (decoded from its
        Content-Encoding) larger than ``max_size`` bytes, read no further than that."""
        return self._with_retries(url, lambda: self._get_once(url, max_size))

    def download(self, url: str, destination: Path) -> None:
        """Stream a large body (a snapshot dump) to a file, retried like `get`; written under a temporary name,
        then renamed."""
        self._with_retries(url, lambda: self._download_once(url, destination))

    def _with_retries(self, url: str, once):
        """Call ``once`` (one request: ``(True, result)``, or ``(False, response)`` for a status worth retrying)
        until it succeeds; waits through the gate, honours Retry-After, backs off after errors."""
        last_problem = ""
        for attempt in range(self.retries + 1):
            self._polite_wait(url)
            try:
                done, outcome = once()
            except httpx.TransportError as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                wait = self._backoff(attempt)
            else:
                if done:
                    return outcome
                last_problem = f"HTTP {outcome.status_code}"
                wait = retry_after(outcome.headers.get("Retry-After"))
                if wait is None:
                    wait = self._backoff(attempt)
                elif wait > self.max_retry_after:
                    raise FetchError(f"{url}: asked to retry after {wait:.0f} s, more than "
                                     f"PAPERSIFT_MAX_RETRY_AFTER={self.max_retry_after:.0f} s")
            finally:
                self._last_request = time.monotonic()
            if attempt < self.retries:
                log.warning("fetch.retry url=%s problem=%r wait=%.1fs attempt=%d", url, last_problem, wait, attempt + 1)
                self._pause(url, wait)
        raise FetchError(f"{url}: gave up after {self.retries + 1} attempts (last: {last_problem})")

    def _get_once(self, url: str, max_size: int):
        with self.client.stream("GET", url) as response:
            if response.status_code == 200:
                return True, _bounded_body(response, url, max_size)
            if response.status_code not in RETRYABLE:
                raise FetchError(f"{url}: HTTP {response.status_code} {response.reason_phrase}",
                                 response.status_code, _head(response))
            return False, response

    def _download_once(self, url: str, destination: Path):
        partial = destination.with_suffix(destination.suffix + ".part")
        with self.client.stream("GET", url) as response:
            if response.status_code in RETRYABLE:
                return False, response
            if response.status_code != 200:
                raise FetchError(f"{url}: HTTP {response.status_code} {response.reason_phrase}",
                                 response.status_code, _head(response))
            with open(partial, "wb") as handle:
                for chunk in response.iter_bytes(1 << 20):
                    handle.write(chunk)
        partial.replace(destination)
        return True, None

    def _backoff(self, attempt: int) -> float:
        return min(max(self.delay, 1.0) * (2 ** attempt), 300.0)


def _head(response: httpx.Response) -> bytes:
    """The start of a streamed error body, never more than MAX_ERROR_BODY bytes."""
    head = b""
    for chunk in response.iter_bytes(8192):
        head += chunk
        if len(head) >= MAX_ERROR_BODY:
            break
    return head[:MAX_ERROR_BODY]


def _bounded_body(response: httpx.Response, url: str, max_size: int) -> bytes:
    """The whole (decoded) body, refused once it passes ``max_size`` bytes: httpx inflates a gzip or deflate
    Content-Encoding chunk by chunk, so a compressed bomb is stopped after ``max_size``, not inflated whole."""
    chunks, size = [], 0
    for chunk in response.iter_bytes(1 << 16):
        size += len(chunk)
        if size > max_size:
            raise FetchError(f"{url}: the response is larger than PAPERSIFT_INGEST_MAX_DOCUMENT={max_size} bytes "
                             "(decompressed); refused")
        chunks.append(chunk)
    return b"".join(chunks)


def user_agent(contact: str = "") -> str:
    """papersift's User-Agent, with the operator's contact address when configured (as arXiv asks)."""
    return f"papersift/{__version__} (self-hosted paper index{'; mailto:' + contact if contact else ''})"


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
