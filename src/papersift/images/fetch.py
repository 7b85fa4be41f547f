"""Downloading one remote image, safely: allowed sources only, checked addresses, a size cap (no Django here).

Server-side request forgery is what an image URL from someone else's JSON invites, so a URL is fetched only when
it starts with one of the configured source prefixes (Hugging Face's CDNs by default), and the connection is
made by a network backend that resolves the host itself and refuses loopback, private, link-local and other
non-global addresses (unless allowed: tests, a local mirror); it connects to the address it checked, so a
DNS answer cannot change between the check and the connection. Redirects are followed by hand, each hop checked
the same way. Bodies are streamed and cut off past the size cap; only ``image/*`` responses other than SVG are
read at all.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore

REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3
TRANSIENT = {408, 425, 429, 500, 502, 503, 504}


class ImageRefused(Exception):
    """This URL will not give an image: not an allowed source, a bad address, not an image, too large, 404."""


class ImageUnavailable(Exception):
    """Not now: a 5xx or 429 (``retry_after`` is the server's wish, if it said), or, with ``network``, no answer
    at all (no DNS, no connection, a timeout): then it is the network that is down, not this image."""

    def __init__(self, message: str, retry_after: float | None = None, network: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.network = network


@dataclass(frozen=True)
class Download:
    body: bytes
    content_type: str
    url: str   # after redirects


def allowed_source(url: str, sources: list[str]) -> bool:
    """True when ``url`` is an absolute http(s) URL under one of the ``sources`` prefixes (same scheme and host,
    port included; path prefix), with no user name or password in it."""
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in {"http", "https"} or not parts.hostname or "@" in parts.netloc:
        return False
    for prefix in sources:
        allowed = urlsplit(prefix)
        if (parts.scheme == allowed.scheme and parts.netloc.lower() == allowed.netloc.lower()
                and parts.path.startswith(allowed.path or "/")):
            return True
    return False


def checked_address(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to for ``host``; ImageRefused when it resolves to a non-global address."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ImageUnavailable(f"cannot resolve {host}: {exc}", network=True) from exc
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        addresses.append(address)
    if not addresses:
        raise ImageUnavailable(f"{host} has no address", network=True)
    if not allow_private:
        bad = [a for a in addresses if not a.is_global or a.is_multicast]
        if bad:
            raise ImageRefused(f"{host} resolves to a non-public address ({bad[0]}); "
                               "PAPERSIFT_IMAGE_ALLOW_PRIVATE allows that")
    return str(addresses[0])


class CheckedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to the address ``checked_address`` approved."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        address = checked_address(host, port, self.allow_private)
        return super().connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                   socket_options=socket_options)


class ImageFetcher:
    def __init__(self, *, sources: list[str], allow_private: bool, max_bytes: int, timeout: float,
                 user_agent: str):
        self.sources, self.max_bytes, self.timeout = list(sources), max_bytes, timeout
        self.user_agent = user_agent
        self.pool = httpcore.ConnectionPool(network_backend=CheckedBackend(allow_private), max_connections=2)

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> ImageFetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str) -> Download:
        for _ in range(MAX_REDIRECTS + 1):
            if not allowed_source(url, self.sources):
                raise ImageRefused(f"{url[:200]} is not under an allowed image source (PAPERSIFT_IMAGE_SOURCES)")
            location = self._get_once(url)
            if isinstance(location, Download):
                return location
            url = location
        raise ImageRefused(f"more than {MAX_REDIRECTS} redirects")

    def _get_once(self, url: str) -> Download | str:
        """The download, or the URL a redirect points to."""
        timeouts = {name: self.timeout for name in ("connect", "read", "write", "pool")}
        headers = [(b"User-Agent", self.user_agent.encode()), (b"Accept", b"image/webp,image/png,image/jpeg,image/*")]
        try:
            with self.pool.stream("GET", url, headers=headers, extensions={"timeout": timeouts}) as response:
                head = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in response.headers}
                status = response.status
                if status in REDIRECTS and head.get("location"):
                    return urljoin(url, head["location"])
                if status in TRANSIENT:
                    raise ImageUnavailable(f"HTTP {status}", retry_after=_seconds(head.get("retry-after")))
                if status != 200:
                    raise ImageRefused(f"HTTP {status}")
                content_type = head.get("content-type", "").split(";")[0].strip().lower()
                if not content_type.startswith("image/") or "svg" in content_type:
                    raise ImageRefused(f"content type {content_type or '(none)'!r} is not a raster image")
                declared = head.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise ImageRefused(f"{declared} bytes, more than the {self.max_bytes} allowed")
                body = bytearray()
                for chunk in response.iter_stream():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise ImageRefused(f"more than the {self.max_bytes} bytes allowed")
                return Download(bytes(body), content_type, url)
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError, OSError) as exc:
            raise ImageUnavailable(f"{type(exc).__name__}: {exc}", network=True) from exc
        except httpcore.UnsupportedProtocol as exc:
            raise ImageRefused(str(exc)) from exc


def _seconds(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None
