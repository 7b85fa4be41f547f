"""Links to the routes a page draws many times (each paper card links its paper, its vote, its authors), built
without a `reverse()` per link.

`reverse()` matches every argument against the route's pattern and takes about 30 µs; a search page has some 150
such links. Here each route is reversed once per URL configuration and script prefix, around an example argument,
and later arguments are quoted into that place exactly as `reverse()` quotes them (tests/web/test_links.py holds
the two equal for any paper id and author name). The argument is not matched against the pattern: these links are
built from stored paper ids and names, which the pattern accepts.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS, escape_leading_slashes

#: What `reverse()` leaves unquoted in a path (django.urls.resolvers).
SAFE = RFC3986_SUBDELIMS + "/~:@"
#: An argument each route accepts, with no character that quoting changes.
EXAMPLES = {"paper": "0000.00000", "vote": "0000.00000", "author": "Example"}


@lru_cache(maxsize=64)
def _around(name: str, urlconf: str | None, prefix: str) -> tuple[str, str]:
    example = EXAMPLES[name]
    head, tail = reverse(name, urlconf=urlconf, args=[example]).split(example, 1)
    return head, tail


def link(name: str, argument: str) -> str:
    """``reverse(name, args=[argument])`` for the routes of ``EXAMPLES``."""
    head, tail = _around(name, get_urlconf(), get_script_prefix())
    return escape_leading_slashes(head + quote(str(argument), safe=SAFE) + tail)


@lru_cache(maxsize=64)
def _fixed(name: str, urlconf: str | None, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


def fixed(name: str) -> str:
    """``reverse(name)`` of a route without arguments, once per URL configuration and script prefix."""
    return _fixed(name, get_urlconf(), get_script_prefix())
