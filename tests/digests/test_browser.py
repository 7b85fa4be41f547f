"""Subscribing in real Chromium: the short form picks up the browser's time zone, the confirmation link's button,
the manage page; each page audited with axe-core."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from papersift.digests.models import Subscription
from papersift.outbox.services import deliver
from tests.digests.conftest import link, parts
from tests.web.test_browser import ARTIFACTS, CHROMIUM, accessibility_problems, shoot, site, sync_api  # noqa: F401


def db(work):
    """Database work while Playwright's event loop runs in this thread, done in a thread of its own whose
    connection is then closed (in the loop's context Django would open another and keep it past the test)."""
    def run():
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def subscription() -> Subscription:
    return db(lambda: Subscription.objects.prefetch_related("searches").get())


@pytest.fixture
def tokyo_page(site):  # noqa: F811 (the fixture imported above)
    """A Chromium page whose clock and Intl time zone are Tokyo's."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(timezone_id="Asia/Tokyo", viewport={"width": 1100, "height": 900})
        tab = context.new_page()
        tab.problems = []
        tab.on("pageerror", lambda exc: tab.problems.append(f"page error: {exc}"))
        tab.on("response", lambda r: r.status >= 400 and tab.problems.append(f"{r.status}: {r.url}"))
        yield tab
        browser.close()


def test_subscribe_confirm_and_manage_in_the_browser(tokyo_page, site, smtp_server):  # noqa: F811
    page = tokyo_page
    page.goto(f"{site}/papers/date/2026-08-20")
    box = page.locator("aside.subscribe")
    box.get_by_label("E-mail").fill("rin@example.org")
    box.get_by_label("How often").select_option("weekly")
    box.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/papers/date/2026-08-20")
    assert "confirmation link to rin@example.org" in page.locator(".messages").inner_text()
    made = subscription()
    assert (made.status, made.frequency, made.timezone) == ("pending", "weekly", "Asia/Tokyo")
    shoot(page, "digest-1-subscribed")

    assert db(deliver).sent == 1
    (mail,) = smtp_server.wait_for(1)
    page.goto(site + link(parts(mail)[0], "/digests/confirm/"))
    assert accessibility_problems(page) == []
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/digests/manage/**")
    assert subscription().status == "active"
    assert "Subscription confirmed" in page.locator(".messages").inner_text()
    assert accessibility_problems(page) == []
    shoot(page, "digest-2-manage")

    page.get_by_label("Saved searches, one per line").fill("reasoning\nau:\"Yann LeCun\"")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/digests/manage/**")
    assert [s.query for s in subscription().searches.all()] == ["reasoning", 'au:"Yann LeCun"']
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    assert subscription().status == "unsubscribed"
    assert page.problems == []


def test_the_full_subscription_form_passes_an_accessibility_audit(tokyo_page, site):  # noqa: F811
    tokyo_page.goto(f"{site}/digests/subscribe?q=agents")
    assert tokyo_page.locator("#id_timezone").input_value() == "Asia/Tokyo"     # the browser's zone preselected
    assert accessibility_problems(tokyo_page) == []
    shoot(tokyo_page, "digest-0-form")
