"""One rate limit for every user write: comments, votes, lists, submissions, subscriptions, API tokens, and any
write added later (``WRITE_RATE_LIMIT`` covers an action without its own setting).

A write is limited by putting ``@rate_limited("action")`` on its page view or API endpoint (below the auth
check, so the account is known): a refused write gets a 429 page, or under ``/api/`` a 429 in the API's error
shape, both with ``Retry-After``, and the view is not run. Where the key is only known inside the view (a
subscription's address), the view calls ``check(request, "action", key=...)``, which raises ``RateLimited``
(the API answers it as above; a page view catches it and shows its form again).

Rates use django-allauth's form, ``N/period/kind`` (``5/m/user,30/h/user``): N writes per period (``30s``,
``m``, ``2h``, ``d``), counted per account (``user``; an anonymous request counts per address instead), per
client address (``ip``, read through the trusted proxies, ``papersift.proxy``) or per ``key`` (what the view
passes: an e-mail address). Each rate is a sliding window: the timestamps of the last N writes, kept in Django's
cache, which all server processes share (a file cache under DATA_DIR; ``docs/benchmarks.md`` has its cost).
"""

from __future__ import annotations

import hashlib
import inspect
import re
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from papersift.proxy import client_ip

# action -> the setting holding its rates; any other action uses WRITE_RATE_LIMIT.
SETTINGS = {
    "comment": "COMMENT_RATE_LIMIT",
    "vote": "VOTE_RATE_LIMIT",
    "list": "LIST_RATE_LIMIT",
    "submit": "SUBMIT_RATE_LIMIT",
    "subscribe": "SUBSCRIBE_RATE_LIMIT",
    "token": "TOKEN_RATE_LIMIT",
}
DEFAULT_SETTING = "WRITE_RATE_LIMIT"
WORDS = {"comment": "comments", "vote": "votes", "list": "changes to reading lists", "submit": "paper submissions",
         "subscribe": "subscriptions", "token": "new API tokens", "interest": "papers marked",
         "follow": "follows", "import": "imports of your library", "feed_key": "new feed links"}
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^\s*(\d+)/(\d*(?:\.\d+)?)([smhd])/(user|ip|key)\s*$")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
LOCK_WAIT = 1.0            # seconds to wait for another process's update of the same bucket
LOCK_TIMEOUT = 10          # a lock left by a killed process goes after this many seconds


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: float
    kind: str              # user | ip | key
    text: str

    def describe(self) -> str:
        """``5 a minute per account``, ``20 every 2 hours per address``."""
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
            if self.seconds >= size and self.seconds % size == 0:
                count = int(self.seconds // size)   # pragma: no mutate (a whole multiple: / and // agree)
                break
        else:
            unit, count = "second", self.seconds
        article = "an" if unit == "hour" else "a"
        period = f"{article} {unit}" if count == 1 else f"every {count:g} {unit}s"
        per = {"user": "per account", "ip": "per address", "key": "per e-mail address"}[self.kind]
        return f"{self.amount} {period} {per}"


def parse_rates(text: str) -> list[Rate]:
    """``"5/m/user,30/h/user"`` as rates; ValueError naming the part that is not ``N/period/kind``."""
    rates = []
    for part in filter(str.strip, (text or "").split(",")):
        match = RATE.match(part)
        if not match:
            raise ValueError(f"{part.strip()!r} is not N/period/kind with kind user, ip or key "
                             "(e.g. 5/m/user, 20/h/ip, 3/h/key)")
        amount, count, unit, kind = match.groups()
        rates.append(Rate(int(amount), float(count or 1) * UNITS[unit], kind, part.strip()))
    return rates


def rates_for(action: str) -> list[Rate]:
    """The action's rates, each once (a rate given twice would wait on its own bucket's lock)."""
    rates = parse_rates(settings.PAPERSIFT[SETTINGS.get(action, DEFAULT_SETTING)])
    return list({(r.amount, r.seconds, r.kind): r for r in rates}.values())


class RateLimited(Exception):
    """A write refused by its rate limit; ``retry_after`` is the whole seconds until it would be accepted."""

    def sentence(self) -> str:
        """The message as a sentence, for pages."""
        text = str(self)
        return text[:1].upper() + text[1:] + "."

    def __init__(self, action: str, rate: Rate, retry_after: int):
        self.action, self.rate, self.retry_after = action, rate, retry_after
        what = WORDS.get(action, "writes")
        super().__init__(f"too many {what}: at most {rate.describe()}; try again in {_wait(retry_after)}")


def _wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"


def _bucket(request: HttpRequest, action: str, rate: Rate, key: str | None) -> str:
    user = getattr(request, "user", None)
    if rate.kind == "user" and user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    elif rate.kind == "key":
        if key is None:
            raise ValueError(f"rate limit {action}: {rate.text} counts per key, and no key was given")
        # Any fixed prefix and either case fold give the same buckets: nothing here for a mutant to change.
        who = "key:" + hashlib.sha256(key.lower().encode()).hexdigest()   # pragma: no mutate
    else:                     # ip, or a per-account rate for an anonymous request
        who = f"ip:{client_ip(request)}"
    return f"papersift:rl:{action}:{rate.text}:{who}"


def _locked(bucket: str):
    """Wait for the bucket's lock (``cache.add`` is the one primitive every cache backend has); False when another
    process holds it for longer than LOCK_WAIT, in which case the write is refused rather than counted twice."""
    deadline = time.monotonic() + LOCK_WAIT
    pause = 0.005
    while not cache.add(bucket + ":lock", 1, timeout=LOCK_TIMEOUT):
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
    return True


def check(request: HttpRequest, action: str, *, key: str | None = None) -> None:
    """Count one ``action`` by whoever sends ``request``; RateLimited (and nothing counted) when any of its rates
    is used up. Every rate of the action is checked before any is counted."""
    now = time.time()
    taken: list[tuple[str, list[float], Rate]] = []
    try:
        for rate in rates_for(action):
            bucket = _bucket(request, action, rate, key)
            if not _locked(bucket):
                raise RateLimited(action, rate, 1)
            history = [t for t in cache.get(bucket, []) if t > now - rate.seconds]
            taken.append((bucket, history, rate))
            if len(history) >= rate.amount:
                oldest_counted = sorted(history, reverse=True)[rate.amount - 1]
                raise RateLimited(action, rate, max(1, int(oldest_counted + rate.seconds - now + 0.999)))
        for bucket, history, rate in taken:
            cache.set(bucket, [now, *history][: rate.amount], timeout=int(rate.seconds) + 1)
    finally:
        for bucket, _, _ in taken:
            cache.delete(bucket + ":lock")


def too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """The 429 answer: the API's error shape under /api/, else the error page; ``Retry-After`` on both."""
    from papersift.web.api import error_response

    if request.path.startswith("/api/"):
        response = error_response(429, "rate_limited", str(exc))
    else:
        response = render(request, "papersift/error.html", {"status": 429, "message": exc.sentence()},
                          status=429)
    response["Retry-After"] = str(exc.retry_after)   # pragma: no mutate  (header names have no case)
    return response


def rate_limited(action: str):
    """Decorator for a page view or an API endpoint (django-ninja passes a returned response through) whose
    unsafe requests (POST, PUT, PATCH, DELETE) are one ``action`` each: past the limit it answers ``too_many``
    and the view does not run. Put it below the login/auth check: per-account rates need the account."""

    def decorate(view):
        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs):
            if request.method not in SAFE_METHODS:
                try:
                    check(request, action)
                except RateLimited as exc:
                    return too_many(request, exc)
            return view(request, *args, **kwargs)

        # django-ninja reads the endpoint's parameters from the signature, evaluating string annotations in the
        # function's module: give it the view's, already evaluated (this module does not know the view's types).
        limited.__signature__ = inspect.signature(view, eval_str=True)
        return limited

    return decorate
