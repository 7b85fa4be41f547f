"""The Content-Security-Policy in real Chromium: every page works under it (KaTeX typesets, the time-zone script
runs, the API docs and the admin load) with no violation reported, and an inline script is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.people import make_moderator
from tests.web.test_browser import page, shoot, site  # noqa: F401  (fixtures)

PAGES = ["/papers", "/papers/2608.99990", "/search?q=quokka+attention", "/papers/week/2026-W34",
         "/digests/subscribe", "/accounts/login/", "/accounts/signup/", "/papers/submit", "/lists", "/account/",
         "/api/docs", "/admin/", "/admin/comments/comment/", "/papers/nope-404"]


@pytest.fixture
def staff_session(site, django_user_model) -> str:  # noqa: F811
    """A superuser's session (made before the browser starts, as the other browser tests do)."""
    user = make_moderator(django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-123456"))
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def violations_on(page, url: str) -> list[str]:  # noqa: F811
    found: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and found.append(message.text))
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise(requestAnimationFrame)")       # let deferred scripts run
    return found


def test_every_page_works_under_the_policy(page, site, staff_session):  # noqa: F811
    page.context.add_cookies([{"name": "sessionid", "value": staff_session, "url": site}])
    seen = {}
    for path in PAGES:
        response = page.request.get(site + path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        seen[path] = violations_on(page, site + path)
    assert seen == {path: [] for path in PAGES}
    page.goto(f"{site}/papers/2608.99990")
    assert page.locator("h1 .katex").count() == 1 and page.locator(".abstract .katex").count() >= 2
    shoot(page, "csp-paper")
    page.goto(f"{site}/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=120_000)  # Swagger UI ran from its static files (slow on a busy machine)
    shoot(page, "csp-api-docs")


def test_an_inline_script_is_refused(page, site):  # noqa: F811
    page.goto(f"{site}/papers")
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    ran = page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.__inline = 1';
        document.body.appendChild(s);
        return window.__inline === 1;
    }""")
    assert ran is False and any("Content Security Policy" in m for m in messages)
