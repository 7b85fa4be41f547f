"""Reading lists in real Chromium: log in from a card's Save link, make a list, save, share, and an axe audit
of every lists page and of the paper pages as they look with save buttons."""

from __future__ import annotations

import re

import pytest

from tests.people import PASSWORD
from tests.web.test_browser import accessibility_problems, page, shoot, site, sync_api  # noqa: F401 (fixtures)

DAY = "/papers/date/2026-08-21"
expect = sync_api.expect


@pytest.fixture
def ada(site, django_user_model):  # noqa: F811
    """A verified user, made before Playwright starts (under its event loop Django would open a new connection)."""
    from allauth.account.models import EmailAddress

    user = django_user_model.objects.create_user("ada", "ada@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_save_share_and_audit_in_the_browser(ada, page, site):  # noqa: F811
    # No database access in here: under Playwright's event loop Django would open a new connection.
    page.goto(f"{site}{DAY}")
    card = page.locator(".paper-card").filter(has=page.locator('a[href="/papers/2608.19880"]'))
    card.get_by_role("link", name="Save").click()                          # anonymous: log in, then back
    page.get_by_label("User name or e-mail").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(f"**{DAY}")
    assert accessibility_problems(page) == []                              # cards with "Save to a new list"

    card.get_by_role("link", name="Save to a new reading list").click()
    page.wait_for_url(re.compile(r".*/lists\?save=2608\.19880&next=.*"))
    assert accessibility_problems(page) == []
    page.get_by_label("Name").fill("Agents <b>bold</b>")
    page.get_by_role("button", name="Create list and save").click()
    page.wait_for_url(f"**{DAY}")
    assert "Created “Agents <b>bold</b>” and saved 2608.19880 to it." in page.locator(".messages").inner_text()
    assert accessibility_problems(page) == []                              # cards with the save menu
    shoot(page, "lists-1-saved")

    other = page.locator(".paper-card").nth(3)
    other_id = other.locator("h2 a").get_attribute("href").rsplit("/", 1)[1]
    other.get_by_label("Save to").select_option(label="Agents <b>bold</b>")
    other.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{DAY}")
    assert "(saved)" in page.locator(".paper-card").nth(3).get_by_label("Save to").inner_text()

    page.goto(f"{site}/lists")
    assert accessibility_problems(page) == []
    page.get_by_role("link", name="Agents <b>bold</b>").click()
    page.wait_for_url(re.compile(r".*/lists/[\w-]{12}$"))
    slug = page.url.rsplit("/", 1)[1]
    assert page.locator("h1").inner_text() == "Agents <b>bold</b>"
    assert page.locator(".paper-card").count() == 2 and page.locator("b", has_text="bold").count() == 0
    page.get_by_role("button", name="Make public and get a link to share").click()
    share = page.get_by_label("Public: anyone with this link can see the list").input_value()
    assert share == f"{site}/lists/{slug}"
    assert accessibility_problems(page) == []
    shoot(page, "lists-2-owner")

    page.locator(".paper-card").filter(has=page.locator(f'a[href="/papers/{other_id}"]')) \
        .get_by_role("button", name=re.compile("Remove")).click()
    expect(page.locator(".paper-card")).to_have_count(1)

    stranger = page.context.browser.new_page()
    stranger.goto(share)
    assert stranger.locator("h1").inner_text() == "Agents <b>bold</b>"
    assert stranger.locator(".paper-card").count() == 1
    assert stranger.get_by_role("button", name="Make private").count() == 0
    assert accessibility_problems(stranger) == []
    stranger.close()
    assert page.problems == []
