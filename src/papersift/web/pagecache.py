"""Whole pages kept for readers who are not signed in, so a crowd on one page costs one render, not one each.

A view marked `shared_page` (paper pages, search results, the daily/weekly/monthly lists, trending, authors,
organisations) is rendered once per address and kept for ``PAGE_CACHE_SECONDS`` in Django's ``pages`` cache
(files under ``DATA_DIR/pages``, shared by every server process; ``PAGE_CACHE_ENTRIES`` at most). What is per
reader in such a page is left out of what is kept:

- the CSRF token of its forms (vote, save, theme): the kept copy holds `MARKER` where the token goes, and every
  reader gets their own token put in (Django's `get_token`, which also sets their CSRF cookie);
- the light/dark theme: the theme cookie is part of the key;
- anything of a signed-in reader: a request that carries a session or a messages cookie is never served from,
  nor stored into, the cache (so a reader who just voted sees their vote at once).

A page is kept only when it is a 200 that sets no cookie, is not marked private or no-store, and did not read
the CSRF token any other way than through the template's ``csrf_token`` (a real token must never be shared).

Freshness: a page is kept under the site's content generation (`papersift.changes`), which a successful write
request (page or API, `InvalidateOnWriteMiddleware`), an ingest and an index update move on; every process then
renders anew. A change that takes none of those paths shows within ``PAGE_CACHE_SECONDS``.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from papersift import changes
from papersift.web.look import theme_of

MARKER = "papersift-page-cache-csrf-token"
MAX_KEY = 4096                     # longer addresses are rendered every time, not kept
KEPT_HEADERS = ("Content-Type", "Content-Language", "Link")
SAFE = {"GET", "HEAD"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def store() -> BaseCache:
    """Where kept pages live: Django's ``pages`` cache, files under ``DATA_DIR/pages`` shared by every server
    process (``PAGE_CACHE_ENTRIES`` at most; a third, at random, go when it is full)."""
    return caches["pages"]


def _key(request: HttpRequest) -> str | None:
    """The kept page's key (its address and theme, under the content generation), or None for a request that
    must get its own render."""
    if request.method not in SAFE or settings.SESSION_COOKIE_NAME in request.COOKIES \
            or "messages" in request.COOKIES:
        return None
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}|{theme_of(request)}"
    if len(address) > MAX_KEY:
        return None
    return "page:" + hashlib.sha256(f"{changes.generation()}|{address}".encode()).hexdigest()


def _keepable(response: HttpResponse, token_read: bool) -> bool:
    control = response.get("Cache-Control", "")
    return (response.status_code == 200 and not response.streaming and not response.cookies and not token_read
            and "private" not in control and "no-store" not in control)


def _with_token(request: HttpRequest, content: bytes) -> bytes:
    if MARKER.encode() not in content:
        return content
    return content.replace(MARKER.encode(), get_token(request).encode())


def shared_page(view):
    """Serve ``view``'s page from the cache to readers who are not signed in (see the module's docstring)."""

    @wraps(view)
    def kept_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = settings.PAPERSIFT["PAGE_CACHE_SECONDS"]
        key = _key(request) if seconds > 0 else None
        if key is None:
            return view(request, *args, **kwargs)
        pages = store()
        kept = pages.get(key)
        if kept is not None:
            content, headers = kept
            response = HttpResponse(_with_token(request, content))
            for name, value in headers:
                response[name] = value
            return response
        request.page_cache_render = True
        token_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        try:
            response = view(request, *args, **kwargs)
        finally:
            request.page_cache_render = False
        token_read = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False) and not token_before
        if getattr(response, "streaming", True):
            return response
        if _keepable(response, token_read):
            headers = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
            pages.set(key, (response.content, headers), seconds)
        response.content = _with_token(request, response.content)
        return response

    return kept_view


def csrf(request: HttpRequest) -> dict:
    """Context processor: while a page is rendered to be kept, its forms get `MARKER` instead of a token."""
    return {"csrf_token": MARKER} if getattr(request, "page_cache_render", False) else {}


class InvalidateOnWriteMiddleware:
    """A write request that succeeded (page or API) may have changed what any page shows: start them afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in WRITES and response.status_code < 400:
            changes.renew()                 # its transaction is over: committed, or rolled back by an error
        return response
