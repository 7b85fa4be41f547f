"""The site's look: the reader's light/dark choice, the web app manifest and /favicon.ico.

The theme is a cookie, not an account setting: it works for visitors too, and the server puts it on
``<html data-theme>`` so a page never flashes in the other theme. Without the cookie the device's
``prefers-color-scheme`` decides (site.css), which needs no JavaScript.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from papersift.web.params import next_path

THEMES = ("light", "dark")
COOKIE = "theme"
COOKIE_AGE = 365 * 24 * 3600
ICONS = (("icon.svg", "any", "image/svg+xml", "any"), ("icon-192.png", "192x192", "image/png", "any"),
         ("icon-512.png", "512x512", "image/png", "any"), ("maskable-512.png", "512x512", "image/png", "maskable"))


def theme_of(request: HttpRequest) -> str:
    """The reader's chosen theme, or "" to follow the device."""
    value = request.COOKIES.get(COOKIE, "")
    return value if value in THEMES else ""


def theme(request: HttpRequest) -> dict:
    """Context processor: `theme` for base.html's <html data-theme>."""
    return {"theme": theme_of(request)}


@require_POST
def set_theme(request: HttpRequest) -> HttpResponse:
    """The toggle without JavaScript: store the choice and go back to the page it was made on (a POST with
    CSRF like every other form; `next` must be on this site). "system" forgets the choice."""
    choice = request.POST.get("theme", "")
    response = redirect(next_path(request, "/papers"))
    if choice in THEMES:
        response.set_cookie(COOKIE, choice, max_age=COOKIE_AGE, samesite="Lax")
    elif choice == "system":
        response.delete_cookie(COOKIE, samesite="Lax")
    else:
        return render(request, "papersift/error.html", {
            "status": 400, "message": f"theme: must be one of {', '.join(THEMES)} or system, got {choice[:40]!r}"},
            status=400)
    return response


@require_GET
@cache_control(max_age=86400, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest (installable on a phone's home screen), with the icons' static URLs."""
    return JsonResponse({
        "name": "papersift", "short_name": "papersift",
        "description": "Research papers: daily lists, trending, search and e-mail digests.",
        "start_url": "/papers", "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#0b57d0",
        "icons": [{"src": static(f"papersift/icons/{name}"), "sizes": sizes, "type": kind, "purpose": purpose}
                  for name, sizes, kind, purpose in ICONS],
    }, content_type="application/manifest+json")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and feed readers ask for whatever the page says."""
    return redirect(static("papersift/icons/favicon.ico"), permanent=True)
