"""Every route of the site, read from Django's URL resolver, as a template a test can fill.

The URL-safety walk (`tests/test_url_safety.py`) and the fuzz (`tests/test_fuzz.py`) both start here, so a route
that any app adds is walked and fuzzed without a list to update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import get_converters

#: A value for each path parameter that names something in the test data (test_url_safety's `site`).
VALUES = {"arxiv_id": "2608.19880", "key": "2026-08-21", "category": "cs.CL", "app_label": "catalog",
          "uidb36": "1", "object_id": "1", "url": "papers"}


@dataclass(frozen=True)
class Slot:
    """A path parameter: its name and the regular expression its pattern accepts."""
    name: str
    regex: str
    converter: str = ""


@dataclass(frozen=True)
class Route:
    name: str | None
    parts: tuple[str | Slot, ...]

    @property
    def slots(self) -> list[Slot]:
        return [part for part in self.parts if isinstance(part, Slot)]

    def url(self, values: Mapping[str, str] | None = None) -> str:
        """The route's URL with ``values`` (else `VALUES`, else "1") in its path parameters."""
        chosen = {**VALUES, **(values or {})}
        return "/" + "".join(p if isinstance(p, str) else chosen.get(p.name, "1") for p in self.parts)

    @property
    def template(self) -> str:
        """``/api/papers/{arxiv_id}/similar``: the form OpenAPI documents use for paths."""
        return "/" + "".join(p if isinstance(p, str) else "{%s}" % p.name for p in self.parts)


def _route_parts(route: str) -> list[str | Slot]:
    converters = get_converters()
    parts: list[str | Slot] = []
    for index, piece in enumerate(re.split(r"<(?:(\w+):)?(\w+)>", route)):
        if index % 3 == 0:
            parts.append(piece)
        elif index % 3 == 1:
            converter = piece or "str"
        else:
            parts.append(Slot(piece, converters[converter].regex, converter))
    return [p for p in parts if p != ""]


def _closing(regex: str, start: int) -> int:
    """Index of the parenthesis closing the group that opens at ``start``."""
    depth, j = 0, start
    while True:
        if regex[j] == "\\":
            j += 2
            continue
        depth += {"(": 1, ")": -1}.get(regex[j], 0)
        if depth == 0:
            return j
        j += 1


def _first_alternative(regex: str) -> str:
    depth, j = 0, 0
    while j < len(regex):
        if regex[j] == "\\":
            j += 2
            continue
        if regex[j] == "|" and depth == 0:
            return regex[:j]
        depth += {"(": 1, ")": -1}.get(regex[j], 0)
        j += 1
    return regex


def _regex_parts(regex: str) -> list[str | Slot]:
    """A regex pattern as literal text and slots: named groups are slots, optional groups are dropped, other
    groups give their first alternative."""
    parts: list[str | Slot] = []
    i = 0
    while i < len(regex):
        if regex.startswith("(?P<", i) or regex.startswith("(?:", i):
            j = _closing(regex, i)
            optional = j + 1 < len(regex) and regex[j + 1] == "?"
            if regex.startswith("(?P<", i):
                name_end = regex.index(">", i)
                parts.append(Slot(regex[i + 4:name_end], regex[name_end + 1:j]))
            elif not optional:
                parts.extend(_regex_parts(_first_alternative(regex[i + 3:j])))
            i = j + (2 if optional else 1)
        elif regex[i] == "\\":
            parts.append(regex[i + 1])
            i += 2
        elif regex[i] in "^$":
            i += 1
        else:
            parts.append(regex[i])
            i += 1
    merged: list[str | Slot] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


def routes() -> list[Route]:
    out: list[Route] = []

    def walk(patterns, prefix: list) -> None:
        for entry in patterns:
            pattern = entry.pattern
            parts = _route_parts(str(pattern)) if hasattr(pattern, "_route") else _regex_parts(pattern.regex.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + parts)
            elif isinstance(entry, URLPattern):
                out.append(Route(entry.name, tuple(prefix + parts)))

    walk(get_resolver().url_patterns, [])
    return out


def example_urls() -> list[str]:
    return sorted({route.url() for route in routes()})
