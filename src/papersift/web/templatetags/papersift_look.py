"""Small template helpers for the cards and pages: links to author pages, letter avatars, compact counts."""

from __future__ import annotations

from django import template

from papersift.web.links import fixed, link

register = template.Library()


@register.filter
def author_url(name) -> str:
    """The author page of ``name`` ("" for a blank name, which has none)."""
    text = " ".join(str(name or "").split())   # one line: the URL pattern matches no line breaks
    return link("author", text) if text else ""


@register.filter
def paper_url(arxiv_id) -> str:
    """``{% url 'paper' arxiv_id %}`` without a `reverse()` per card (papersift.web.links)."""
    return link("paper", arxiv_id)


@register.filter
def vote_url(arxiv_id) -> str:
    return link("vote", arxiv_id)


@register.simple_tag
def route(name: str) -> str:
    """``{% url name %}`` of a route without arguments, reversed once (papersift.web.links)."""
    return fixed(name)


@register.filter
def initial(name) -> str:
    """The first letter or digit of a name, for a letter avatar ("?" when there is none)."""
    return next((ch for ch in str(name or "") if ch.isalnum()), "?")


@register.filter
def compact(number) -> str:
    """1234 -> "1.2k", 25300 -> "25k", 999 -> "999" (GitHub's way of showing stars)."""
    try:
        value = int(number)
    except (TypeError, ValueError):
        return ""
    if value < 1000:
        return str(value)
    if value < 10_000:
        return f"{value / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    if value < 1_000_000:
        return f"{value // 1000}k"
    return f"{value / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
