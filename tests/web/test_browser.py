"""Real Chromium (Debian's, driven by Playwright) through daily page → search → paper page.

Screenshots of each step are kept under artifacts/screenshots/ (or $PAPERSIFT_ARTIFACTS) for CI to publish.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from papersift.ingest.sample import load_sample
from papersift.ingest.services import Ingest
from tests.conftest import ON_CI, REPO

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium", shutil.which("chromium") or "")
                 if p and os.path.exists(p)), None)
if CHROMIUM is None:
    if ON_CI:
        raise RuntimeError("Chromium is required when CI=true: ./scripts/test installs Debian's chromium package")
    pytest.skip("Chromium not installed (./scripts/test installs Debian's chromium package)", allow_module_level=True)

ARTIFACTS = Path(os.environ.get("PAPERSIFT_ARTIFACTS", REPO / "artifacts")) / "screenshots"
HOSTILE_TITLE = ('Linear attention in $\\mathcal{O}(n)$ memory <script>window.__xss = 1</script> '
                 '<img src=x onerror="window.__xss = 2">')
ABSTRACT = ('We bound the cost by $E = mc^2$ and show $$\\sum_{i=1}^{n} x_i \\le n$$ for every '
            'sequence. <img src=y onerror="window.__xss = 3"> Quokka attention is linear.')


@pytest.fixture
def site(transactional_db, live_server, shared, tmp_path, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the live server's DB work happens in its own.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    assert load_sample(only_if_empty=True).error_count == 0
    entry = json.loads((shared / "hf-daily/raw/2026-08-21.json").read_text())[0]
    entry["paper"].update(id="2608.99990", title=HOSTILE_TITLE, summary=ABSTRACT, upvotes=999)
    (tmp_path / "2026-08-21.json").write_text(json.dumps([entry]))
    assert Ingest("hf-daily").run([str(tmp_path / "2026-08-21.json")]).error_count == 0
    return live_server.url


def failed_requests(problems: list[str]):
    """A `requestfailed` listener noting requests that failed, except loads cut short by the test's own next
    navigation (net::ERR_ABORTED: on a busy machine fonts and avatars are often still loading when it comes)."""
    def note(request) -> None:
        if request.failure != "net::ERR_ABORTED":
            problems.append(f"failed: {request.url} ({request.failure})")
    return note


@pytest.fixture
def page(site):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1100, "height": 900})
        tab.problems = []
        tab.on("pageerror", lambda exc: tab.problems.append(f"page error: {exc}"))
        tab.on("dialog", lambda dialog: (tab.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        tab.on("requestfailed", failed_requests(tab.problems))
        tab.on("response", lambda r: r.status >= 400 and tab.problems.append(f"{r.status}: {r.url}"))
        yield tab
        browser.close()


def shoot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_daily_page_to_search_to_paper_page_with_rendered_math(page, site):
    page.goto(f"{site}/papers")
    shoot(page, "1-daily")
    first = page.locator(".paper-card .title a").first
    assert first.get_attribute("href") == "/papers/2608.99990"          # 999 upvotes: first on its day
    assert first.locator(".katex").count() == 1                         # $\mathcal{O}(n)$ typeset
    assert "<script>window.__xss = 1</script>" in first.inner_text()    # markup shown as text
    assert page.locator("main nav, header nav").count() >= 1 and page.get_by_role("search").count() == 1

    page.get_by_label("Search papers").fill("quokka attention")
    page.get_by_label("Search papers").press("Enter")
    page.wait_for_url("**/search?q=quokka+attention")
    shoot(page, "2-search")
    result = page.locator(".results .paper-card .title a").first
    assert result.get_attribute("href") == "/papers/2608.99990"
    assert page.locator(".snippet b").first.inner_text().lower() in ("quokka", "attention")
    assert page.locator(".degraded").count() == 1                      # no vectors built: it says so

    result.click()
    page.wait_for_url("**/papers/2608.99990")
    shoot(page, "3-paper")
    assert page.locator("h1 .katex").count() == 1
    abstract = page.locator(".abstract")
    assert abstract.locator(".katex").count() == 2 and abstract.locator(".katex-display").count() == 1
    assert 'onerror="window.__xss = 3"' in abstract.inner_text()
    assert page.locator("#bibtex").input_value().startswith("@misc{")
    assert page.evaluate("window.__xss") is None and page.locator("img[src=x], img[src=y]").count() == 0
    assert page.problems == []


def test_week_and_month_pages_navigate_and_filter(page, site):
    page.goto(f"{site}/papers")
    page.get_by_role("link", name="Weekly").click()
    page.wait_for_url("**/papers/week/2026-W34")
    page.get_by_label("Sort by").select_option("date")                      # sent on change (forms.js)
    page.wait_for_url("**/papers/week/2026-W34?sort=date*")
    shoot(page, "4-week")
    page.locator('.day-nav a[rel="prev"]').click()                           # the week before
    page.wait_for_url("**/papers/week/2026-W33")
    assert page.locator(".paper-card").count() == 50
    page.set_viewport_size({"width": 390, "height": 800})                   # a phone
    page.goto(f"{site}/papers/month/2026-07")
    shoot(page, "5-month-narrow")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    assert page.problems == []


AXE = Path(__file__).parent / "assets" / "axe.min.js"


def accessibility_problems(page) -> list[str]:
    """axe-core's WCAG 2 A/AA audit of the page as rendered (labels, landmarks, contrast, names, ...)."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern (a
    # <script> tag added to the page would be refused as inline script, as it should be).
    page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}" for v in result["violations"]]


@pytest.mark.parametrize("path", ["/papers", "/papers/week/2026-W34", "/search?q=quokka+attention",
                                  "/papers/2608.99990", "/search?q=agents&since=nope", "/accounts/login/",
                                  "/accounts/signup/", "/accounts/password/reset/"])
def test_pages_pass_an_accessibility_audit(page, site, path):
    page.goto(f"{site}{path}")
    assert accessibility_problems(page) == []


@pytest.fixture
def member(site, django_user_model):
    """A verified user, made before Playwright starts (its event loop would make Django open a new connection)."""
    from allauth.account.models import EmailAddress

    user = django_user_model.objects.create_user("ada", "ada@example.org", "correct horse battery staple")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_log_in_and_upvote_in_the_browser(member, page, site):
    page.goto(f"{site}/papers/date/2026-08-20")
    card = page.locator(".paper-card").nth(2)
    before = int(card.locator(".votes .n").inner_text().replace(",", ""))
    card.locator("button.vote").click()                                     # anonymous: to the login page
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=%2Fpapers%2Fdate%2F2026-08-20$|.*/accounts/login/\?next=/papers/date/2026-08-20$"))
    page.get_by_label("User name or e-mail").fill("ada")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url("**/papers/date/2026-08-20")                          # and back
    card = page.locator(".paper-card").nth(2)
    card.locator("button.vote").click()
    page.wait_for_url("**/papers/date/2026-08-20")
    voted = page.locator("button.vote.voted")
    assert voted.count() == 1 and voted.get_attribute("aria-pressed") == "true"
    assert int(voted.locator("xpath=..").locator(".n").inner_text().replace(",", "")) == before + 1
    shoot(page, "6-upvoted")
    assert page.problems == []
