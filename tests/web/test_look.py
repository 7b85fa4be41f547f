"""Every page a reader or a signed-in user reaches, in real Chromium, at 1280 and 390 px, light and dark.

For each: a screenshot (artifacts/screenshots/look-*.png), no sideways scrolling (documentElement.scrollWidth <=
innerWidth), an axe-core WCAG 2 A/AA audit with no violation, and no request to any host but papersift's own (every
request the browser makes is recorded). Then the theme toggle (with and without JavaScript) and the lists' sort
menus sent on change (with JavaScript) or by the Apply button (without).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.people import PASSWORD
from tests.web.test_browser import ARTIFACTS, CHROMIUM, accessibility_problems, failed_requests, site, sync_api  # noqa: F401

WIDTHS = (1280, 390)
SCHEMES = ("light", "dark")
READER_PAGES = [
    "/papers", "/papers/date/2026-08-20", "/papers/date/2026-08-22", "/papers/week/2026-W34", "/papers/month/2026-08",
    "/papers/trending", "/search", "/search?q=quokka+attention", "/search?q=xyzzyqqq", "/search?q=agents&since=nope",
    "/papers/2608.99990", "/papers/2608.19880", "/authors/Chengsong%20Huang", "/api/docs", "/digests/subscribe",
    "/digests/subscribe?q=agents", "/digests/manage/not-a-valid-link", "/papers/2101.00001",
    "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/accounts/password/reset/done/",
    "/accounts/password/reset/key/done/", "/accounts/password/reset/key/1-bad-key/", "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-key/", "/accounts/inactive/", "/orgs/google", "/orgs/google?sort=upvotes",
]
MEMBER_PAGES = [
    "/papers", "/papers/2608.19880", "/account/", "/accounts/email/", "/accounts/password/change/",
    "/accounts/logout/", "/accounts/reauthenticate/", "/lists", "/lists?save=2608.19880&next=/papers", "/papers/submit",
    "/authors/Chengsong%20Huang", "/papers/trending",
]


@pytest.fixture
def world(site, django_user_model):  # noqa: F811
    """Users, a comment, a reading list, a subscription and one-time links, made before Playwright starts (its
    event loop would make Django open a new database connection)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str

    from papersift.catalog.models import Paper
    from papersift.comments.services import post_comment
    from papersift.digests import tokens
    from papersift.digests.services import Choices, subscribe
    from papersift.lists.services import add_paper, create_list

    from papersift.images.process import normalise
    from papersift.images.services import stored
    from tests.images.test_images import picture

    paper = Paper.objects.select_related("organization").get(arxiv_id="2608.19880")   # cards with real images
    stored(paper.thumbnail_url, "thumbnail", normalise(picture("PNG"), "thumbnail"))
    stored(paper.organization.avatar_url, "avatar", normalise(picture("PNG", (96, 96)), "avatar"))
    ada = django_user_model.objects.create_user("ada", "ada@example.org", PASSWORD)
    EmailAddress.objects.create(user=ada, email=ada.email, verified=True, primary=True)
    bob = django_user_model.objects.create_user("bob", "bob@example.org", PASSWORD)
    pending = EmailAddress.objects.create(user=bob, email=bob.email, verified=False, primary=True)
    paper = Paper.objects.get(arxiv_id="2608.19880")
    comment = post_comment(ada, paper, "Does the harness scale to $n$ agents?")
    shared = create_list(ada, "Agents to read", "Environments for agent learning", public=True)
    add_paper(ada, shared, paper, note="Read section 3 first")
    private = create_list(bob, "Bob's private list")
    subscription = subscribe("rin@example.org", Choices(searches=["agents"]))
    client = Client()
    client.force_login(ada)
    links = {
        "confirm": f"/digests/confirm/{tokens.make('confirm', subscription.public_id)}",
        "manage": f"/digests/manage/{tokens.make('manage', subscription.public_id)}",
        "unsubscribe": f"/digests/unsubscribe/{tokens.make('unsubscribe', subscription.public_id)}",
        "list": shared.get_absolute_url(), "private": private.get_absolute_url(),
        "edit": reverse("comment-edit", args=[comment.id]),
        "verify": reverse("account_confirm_email", args=[EmailConfirmationHMAC(pending).key]),
        "reset": reverse("account_reset_password_from_key",
                         kwargs={"uidb36": user_pk_to_url_str(bob), "key": default_token_generator.make_token(bob)}),
    }
    return {"session": client.cookies["sessionid"].value, "links": links}


@pytest.fixture
def browser(site):  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def new_tab(browser, site, width: int, scheme: str, *, session: str | None = None, javascript: bool = True):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                  java_script_enabled=javascript)
    if session:
        context.add_cookies([{"name": "sessionid", "value": session, "url": site}])
    tab = context.new_page()
    tab.requests, tab.problems = [], []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("pageerror", lambda exc: tab.problems.append(f"page error: {exc}"))
    tab.on("requestfailed", failed_requests(tab.problems))
    tab.on("response", lambda r: r.status >= 500 and tab.problems.append(f"{r.status}: {r.url}"))
    return tab


def foreign(requests: list[str], site: str) -> list[str]:  # noqa: F811
    """Requests to anything but papersift's own origin (data: URLs load nothing from anywhere)."""
    own = urlsplit(site).netloc
    return [url for url in requests if urlsplit(url).scheme != "data" and urlsplit(url).netloc != own]


def screenshot_name(path: str, width: int, scheme: str, who: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:80] or "root"
    return f"look-{who}-{slug}-{width}-{scheme}.png"


def check_pages(browser, site, paths: list[str], who: str, session: str | None = None) -> list[str]:  # noqa: F811
    """Every path in every width and scheme; returns what went wrong, page by page (empty: all good)."""
    problems = []
    for width in WIDTHS:
        for scheme in SCHEMES:
            tab = new_tab(browser, site, width, scheme, session=session)
            for path in paths:
                tab.requests.clear()
                tab.goto(f"{site}{path}")
                if path.startswith("/api/docs"):
                    # Swagger UI draws itself from a 1.4 MB script: slow on a busy 2-core machine
                    tab.locator(".swagger-ui .opblock").first.wait_for(timeout=120_000)
                where = f"{who} {path} at {width}px {scheme}"
                tab.screenshot(path=str(ARTIFACTS / screenshot_name(path, width, scheme, who)), full_page=True)
                scroll = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if scroll[0] > scroll[1]:
                    problems.append(f"{where}: scrolls sideways ({scroll[0]}px wide)")
                problems += [f"{where}: {problem}" for problem in accessibility_problems(tab)]
                problems += [f"{where}: request to another host: {url}" for url in foreign(tab.requests, site)]
                problems += [f"{where}: {problem}" for problem in tab.problems]
                tab.problems.clear()
            tab.context.close()
    return problems


def test_every_reader_page_in_both_themes_and_widths(browser, site, world):  # noqa: F811
    links = world["links"]
    paths = READER_PAGES + [links["confirm"], links["manage"], links["unsubscribe"], links["list"], links["verify"],
                            links["reset"]]
    problems = check_pages(browser, site, paths, "reader")
    assert not problems, "\n".join(problems)


def test_every_member_page_in_both_themes_and_widths(browser, site, world):  # noqa: F811
    links = world["links"]
    paths = MEMBER_PAGES + [links["list"], links["private"], links["edit"], links["manage"]]
    problems = check_pages(browser, site, paths, "member", session=world["session"])
    assert not problems, "\n".join(problems)


def test_api_docs_operation_opened_on_a_phone(browser, site):  # noqa: F811
    tab = new_tab(browser, site, 390, "light")
    tab.goto(f"{site}/api/docs", wait_until="networkidle")
    operation = tab.locator(".swagger-ui .opblock").first
    operation.locator(".opblock-summary").click()
    tab.get_by_role("button", name="Try it out").first.click()
    tab.screenshot(path=str(ARTIFACTS / "look-api-docs-open-390.png"), full_page=True)
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"/api/docs scrolls sideways with an operation open ({width}px)"
    assert foreign(tab.requests, site) == [] and tab.problems == []


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_theme_toggle_is_remembered(browser, site, javascript):  # noqa: F811
    tab = new_tab(browser, site, 1280, "light", javascript=javascript)
    tab.goto(f"{site}/papers/date/2026-08-20")
    background = "getComputedStyle(document.body).backgroundColor"
    light = tab.evaluate(background)
    tab.get_by_role("button", name="Dark").click()
    if not javascript:
        tab.wait_for_url("**/papers/date/2026-08-20")                     # the form's POST came back here
    tab.get_by_role("button", name="Light").wait_for()
    assert tab.evaluate("document.documentElement.dataset.theme") == "dark"
    dark = tab.evaluate(background)
    assert dark != light
    tab.goto(f"{site}/papers/trending")                                   # remembered on the next page
    assert tab.evaluate("document.documentElement.dataset.theme") == "dark" and tab.evaluate(background) == dark
    assert {c["name"]: c["value"] for c in tab.context.cookies()}.get("theme") == "dark"
    tab.get_by_role("button", name="Light").click()
    tab.get_by_role("button", name="Dark").wait_for()
    assert tab.evaluate(background) == light
    assert tab.problems == []


def test_device_dark_mode_needs_no_javascript(browser, site):  # noqa: F811
    tab = new_tab(browser, site, 390, "dark", javascript=False)
    tab.goto(f"{site}/papers")
    assert tab.evaluate("document.documentElement.dataset.theme") is None
    assert tab.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(15, 18, 23)"
    assert tab.get_by_role("button", name="Light").is_visible()
    assert not tab.get_by_role("button", name="Dark").is_visible()


def test_sort_applies_on_change_with_javascript_and_by_apply_without(browser, site):  # noqa: F811
    tab = new_tab(browser, site, 1280, "light")
    tab.goto(f"{site}/papers/week/2026-W34")
    assert not tab.get_by_role("button", name="Apply").is_visible()       # not needed with JavaScript
    tab.get_by_label("Sort by").select_option("date")
    tab.wait_for_url("**/papers/week/2026-W34?sort=date*")
    assert tab.get_by_label("Sort by").input_value() == "date"

    plain = new_tab(browser, site, 1280, "light", javascript=False)
    plain.goto(f"{site}/papers/week/2026-W34")
    plain.get_by_label("Sort by").select_option("date")
    assert plain.url.endswith("/papers/week/2026-W34")                    # nothing happens on its own
    plain.get_by_role("button", name="Apply").click()
    plain.wait_for_url("**/papers/week/2026-W34?sort=date*")
    assert tab.problems == [] and plain.problems == []


def test_date_picker_and_calendar_go_to_a_day(browser, site):  # noqa: F811
    tab = new_tab(browser, site, 390, "light", javascript=False)
    tab.goto(f"{site}/papers/date/2026-08-21")
    tab.get_by_label("Date", exact=True).fill("2026-08-18")
    tab.get_by_role("button", name="Go").click()
    tab.wait_for_url("**/papers/date/2026-08-18")
    assert "August 18, 2026" in tab.locator("h1").inner_text()
    tab.locator(".calendar summary").click()
    tab.locator(".calendar").get_by_role("link", name="19", exact=True).click()
    tab.wait_for_url("**/papers/date/2026-08-19")
    assert tab.locator('.calendar a[aria-current="date"]').text_content() == "19"
    tab.goto(f"{site}/papers/date/2026-08-22")                            # a Saturday: nothing listed
    assert "No papers listed this day" in tab.locator("main").inner_text()
    tab.get_by_role("link", name="Friday, August 21, 2026").click()
    tab.wait_for_url("**/papers/date/2026-08-21")
    assert tab.problems == []
