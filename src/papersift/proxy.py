"""Who is really asking: the client's address behind the reverse proxies the operator trusts, and whether the
request reached the first of them over HTTPS.

``X-Forwarded-For`` is a list each proxy appends to: ``client, proxy1, proxy2``, the last hop being the
connection's own peer (``REMOTE_ADDR``). Anyone can send the header with anything in it, so only the entries
written by the ``TRUSTED_PROXY_HOPS`` proxies in front of papersift are believed: the client is the entry that
many places from the right. With no trusted hops (the default) the header is ignored and the peer's address is
the client's, which is right when papersift is reached directly and makes spoofed headers worthless.

Every rate limit (papersift's writes, django-allauth's failed-login and sign-up limits through
``accounts.adapter``) keys on this address.
"""

from __future__ import annotations

import ipaddress
import re

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "0.0.0.0"   # a peer with no usable address (a Unix socket): all such requests share one bucket
BRACKETED = re.compile(r"\[([^\[\]]*)\](?::[0-9]{1,5})?")   # [v6] or [v6]:port, nothing before or after
V4_PORT = re.compile(r"([0-9.]+):[0-9]{1,5}")                  # v4:port


def _address(text: str | None) -> str | None:
    if not text:
        return None
    text = text.strip()
    if text.startswith("["):
        bracketed = BRACKETED.fullmatch(text)
        if bracketed is None:
            return None
        text = bracketed.group(1)
    elif (with_port := V4_PORT.fullmatch(text)) is not None:
        text = with_port.group(1)
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def trusted_hops() -> int:
    return settings.PAPERSIFT["TRUSTED_PROXY_HOPS"]


def client_ip(request: HttpRequest) -> str:
    """The client's address, read through at most ``TRUSTED_PROXY_HOPS`` proxies.

    With N trusted hops, the N-th entry from the right of ``X-Forwarded-For`` was written by the outermost
    trusted proxy, about the peer it saw. A header with fewer entries came through fewer proxies (a health check
    from an inner one): every entry in it was then written by a trusted proxy, so its leftmost is believed. An
    entry that is not an address is not believed either: the peer's address is used.
    """
    peer = _address(request.META.get("REMOTE_ADDR")) or UNKNOWN
    hops = trusted_hops()
    header = request.META.get("HTTP_X_FORWARDED_FOR")
    if hops <= 0 or not header:
        return peer
    entries = [entry for entry in header.split(",") if entry.strip()]
    if not entries:
        return peer
    return _address(entries[-min(hops, len(entries))]) or peer   # fewer entries than hops: the leftmost
