"""In real Chromium: sign up (verified by the mailed link), upvote three papers, dismiss one, import a BibTeX file
with two arXiv entries; "For you" lists papers with reasons, the dismissed paper is gone from the daily list for
this reader only, and "Your interests" shows every signal and removes one. Pages audited with axe-core."""

from __future__ import annotations

import re

from papersift.outbox.services import deliver
from tests.digests.test_browser import db
from tests.people import PASSWORD
from tests.recommend.conftest import DAY, TWO_ARXIV_BIB
from tests.web.test_browser import accessibility_problems, page, shoot, site  # noqa: F401 (fixtures)


def test_sign_up_signal_import_and_see_recommendations_in_the_browser(page, site, smtp_server, tmp_path):  # noqa: F811
    page.goto(f"{site}/accounts/signup/")
    for field, value in (("email", "ada@example.org"), ("username", "ada"), ("password1", PASSWORD),
                         ("password2", PASSWORD)):
        page.locator(f"#id_{field}").fill(value)
    page.get_by_role("button", name="Sign Up").click()
    assert db(deliver).sent == 1
    (mail,) = smtp_server.wait_for(1)
    confirm = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.get_body(("plain",)).get_content())
    page.goto(site + confirm.group(1))
    page.get_by_role("button", name="Confirm").click()
    page.goto(f"{site}/accounts/login/?next={DAY}")
    if "/accounts/login/" in page.url:                  # (allauth may have logged in on confirmation)
        page.get_by_label("Login").fill("ada")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"**{DAY}")
    assert page.get_by_role("link", name="ada").count() == 1

    cards = page.locator(".paper-card")
    ids = [a.get_attribute("href").rsplit("/", 1)[1] for a in cards.locator("h2 a").all()]
    for arxiv_id in ids[:3]:
        card = page.locator(".paper-card").filter(has=page.locator(f'h2 a[href="/papers/{arxiv_id}"]'))
        card.get_by_role("button", name="Upvote").click()
        page.wait_for_url(f"**{DAY}")
    dismissed = ids[3]
    card = page.locator(".paper-card").filter(has=page.locator(f'h2 a[href="/papers/{dismissed}"]'))
    card.get_by_role("button", name="Not interested").click()
    page.wait_for_url(f"**{DAY}")
    assert f"Hidden {dismissed}" in page.locator(".messages").inner_text()
    assert page.locator(f'h2 a[href="/papers/{dismissed}"]').count() == 0            # gone for this reader
    assert accessibility_problems(page) == []
    shoot(page, "foryou-1-daily-dismissed")

    stranger = page.context.browser.new_page()                                      # no session: still there
    stranger.goto(f"{site}{DAY}")
    assert stranger.locator(f'h2 a[href="/papers/{dismissed}"]').count() == 1
    stranger.close()

    page.goto(f"{site}/foryou/interests")
    bib = tmp_path / "zotero.bib"
    bib.write_bytes(TWO_ARXIV_BIB)
    page.get_by_label("A BibTeX or RIS file").set_input_files(str(bib))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/foryou/interests")
    assert "2 seeds added" in page.locator(".messages").inner_text()

    page.get_by_role("link", name="For you").first.click()
    page.wait_for_url("**/foryou")
    page.get_by_role("link", name="Week", exact=True).click()
    reasons = page.locator(".paper-card .reasons")
    assert reasons.count() >= 10 and reasons.first.inner_text().startswith("like ")
    shown = [a.get_attribute("href").rsplit("/", 1)[1] for a in page.locator(".paper-card h2 a").all()]
    assert not set(shown) & (set(ids[:4]) | {"2608.13606", "2608.15008"})
    assert accessibility_problems(page) == []
    shoot(page, "foryou-2-week")

    page.goto(f"{site}/foryou/interests")
    text = page.locator("main").inner_text()
    for arxiv_id in ids[:4] + ["2608.13606", "2608.15008"]:
        assert arxiv_id in text
    assert accessibility_problems(page) == []
    shoot(page, "foryou-3-interests")
    page.get_by_role("button", name=f"Remove Not interested on {dismissed}").click()
    page.wait_for_url("**/foryou/interests")
    assert page.locator(".signals-dismiss").count() == 0
    page.goto(f"{site}{DAY}")
    assert page.locator(f'h2 a[href="/papers/{dismissed}"]').count() == 1             # undone: back on the list
    assert page.problems == []
