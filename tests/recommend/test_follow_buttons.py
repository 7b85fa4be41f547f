"""Follow / Unfollow on author pages and category pages (issue 15 through issue 14's follows): a POST form with
CSRF, no JavaScript needed, back to the page it was on; anonymous readers are sent to log in."""

from __future__ import annotations

from urllib.parse import quote

from papersift.recommend import selectors
from papersift.recommend.models import Follow
from tests.forms import forms, submit
from tests.people import browser_for
from tests.recommend.conftest import paper, reader

CATEGORY_PAGE = "/papers/date/2026-08-21?category=cs.CV"


def author_page() -> tuple[str, str]:
    name = paper("2608.15008").authors[0]
    return name, f"/authors/{quote(name)}"


def test_an_author_page_follows_and_unfollows_and_comes_back(sample):
    ada = reader("ada")
    name, url = author_page()
    browser = browser_for(ada)
    html = browser.get(url).content.decode()
    assert "Follow this author" in html
    followed = submit(browser, html, "/foryou/interests/follow")
    assert followed.status_code == 302 and followed["Location"] == url
    assert selectors.followed(ada)["author"] == [name]
    html = browser.get(url).content.decode()
    assert 'aria-pressed="true"' in html and not forms(html, "/foryou/interests/follow")
    assert browser_for(ada).post("/foryou/interests/unfollow", {"kind": "author", "value": name}).status_code == 403
    left = submit(browser, html, "/foryou/interests/unfollow")
    assert left.status_code == 302 and left["Location"] == url and not Follow.objects.filter(user=ada).exists()
    assert "Follow this author" in browser.get(url).content.decode()


def test_a_category_page_follows_the_category(sample):
    ada = reader("ada")
    browser = browser_for(ada)
    html = browser.get(CATEGORY_PAGE).content.decode()
    assert "Follow cs.CV" in html
    assert submit(browser, html, "/foryou/interests/follow")["Location"] == CATEGORY_PAGE
    assert selectors.followed(ada)["category"] == ["cs.CV"]
    assert 'aria-pressed="true"' in browser.get(CATEGORY_PAGE).content.decode()
    assert "Follow " not in browser.get("/papers/date/2026-08-21").content.decode().split('class="count"')[1][:400]


def test_anonymous_readers_get_a_login_link_and_a_forged_next_stays_on_the_site(sample):
    name, url = author_page()
    html = browser_for().get(url).content.decode()
    assert "Log in to follow" in html and not forms(html, "/foryou/interests/follow")
    ada = reader("ada")
    browser = browser_for(ada)
    html = browser.get(url).content.decode()
    away = submit(browser, html, "/foryou/interests/follow", next="https://evil.example/")
    assert away["Location"] == "/foryou/interests"
