"""The "For you" and "Your interests" pages, the card buttons, the private feed and the API (real client, CSRF)."""

from __future__ import annotations

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from papersift.accounts.services import create_token
from papersift.community.services import set_vote
from papersift.recommend import services
from papersift.recommend.models import Reader, Signal
from tests.forms import forms, submit
from tests.people import browser_for
from tests.recommend.conftest import DAY, TWO_ARXIV_BIB, paper, reader
from tests.web.test_pages import page_ids

WEEK_VIEW = "/foryou?window=week&date=2026-08-21"


def test_for_you_lists_papers_with_reasons_and_buttons_that_post_with_csrf(sample):
    ada = reader("ada")
    set_vote(ada, paper("2608.15008"), True)
    client = browser_for(ada)
    html = client.get(WEEK_VIEW).content.decode()
    assert 'class="reasons"' in html and "Harness the Memory" in html
    ids = page_ids(html)
    assert ids and "2608.15008" not in ids
    first = ids[0]
    response = submit(client, html, "/foryou/mark", paper=first, signal="dismiss", next=WEEK_VIEW)
    assert response.status_code == 302 and response["Location"] == WEEK_VIEW
    assert first not in page_ids(client.get(WEEK_VIEW).content.decode())
    assert browser_for(ada).post("/foryou/mark", {"paper": first, "signal": "more"}).status_code == 403   # no CSRF
    assert Signal.objects.get(user=ada).kind == "dismiss"


def test_a_dismissed_paper_leaves_that_readers_lists_and_search_only(sample):
    ada, bob = reader("ada"), reader("bob")
    gone = page_ids(browser_for(ada).get(DAY).content.decode())[0]
    services.dismiss(ada, paper(gone))
    assert gone not in page_ids(browser_for(ada).get(DAY).content.decode())
    assert gone not in page_ids(browser_for(ada).get("/papers/week/2026-W34").content.decode())
    assert gone in page_ids(browser_for(bob).get(DAY).content.decode())
    assert gone in page_ids(browser_for().get(DAY).content.decode())
    search = f"/search?q={gone}"                                     # an arXiv id puts that paper first
    assert gone not in page_ids(browser_for(ada).get(search).content.decode())
    assert gone in page_ids(browser_for(bob).get(search).content.decode())


def test_the_interests_page_shows_every_signal_and_removes_one(sample):
    from papersift.lists import services as lists

    ada = reader("ada")
    set_vote(ada, paper("2608.15008"), True)
    lists.add_paper(ada, lists.create_list(ada, "Reading"), paper("2608.17050"))
    services.more_like_this(ada, paper("2607.00394"))
    services.dismiss(ada, paper("2608.13606"))
    services.follow(ada, "category", "cs.CL")
    client = browser_for(ada)
    html = client.get("/foryou/interests").content.decode()
    for shown in ("2608.15008", "2608.17050", "2607.00394", "2608.13606", "cs.CL"):
        assert shown in html
    dismissal = Signal.objects.get(user=ada, kind="dismiss")
    action = f"/foryou/interests/signals/{dismissal.id}/remove"
    assert submit(client, html, action).status_code == 302
    assert not Signal.objects.filter(id=dismissal.id).exists()
    after = client.get("/foryou/interests").content.decode()
    assert 'class="signals signals-dismiss"' not in after and 'class="signals signals-more"' in after


def test_another_readers_signals_are_404_and_never_shown(sample):
    ada, bob = reader("ada"), reader("bob")
    signal = services.dismiss(ada, paper("2608.13606"))
    follow, _ = services.follow(ada, "author", "Ada Lovelace")
    client = browser_for(bob)
    html = client.get("/foryou/interests").content.decode()
    assert "2608.13606" not in html and "Ada Lovelace" not in html
    token = forms(html)[-1].fields["csrfmiddlewaretoken"]
    for action in (f"/foryou/interests/signals/{signal.id}/remove", f"/foryou/interests/follows/{follow.id}/remove"):
        assert client.post(action, {"csrfmiddlewaretoken": token}).status_code == 404
    assert Signal.objects.filter(id=signal.id).exists() and ada.follows.exists()


def test_pages_need_a_login(sample):
    for path in ("/foryou", "/foryou/interests", "/foryou/interests.json"):
        response = browser_for().get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_importing_a_bibtex_file_from_the_page_reports_what_matched(sample):
    ada = reader("ada")
    client = browser_for(ada)
    html = client.get("/foryou/interests").content.decode()
    upload = SimpleUploadedFile("zotero.bib", TWO_ARXIV_BIB + b"@book{missing, title={Nowhere}}\n")
    response = submit(client, html, "/foryou/interests/import", file=upload)
    assert response.status_code == 302
    page = client.get("/foryou/interests").content.decode()
    assert "2 seeds added" in page and "line 9: missing" in page
    assert set(Signal.objects.filter(user=ada).values_list("kind", flat=True)) == {"seed"}


@pytest.mark.parametrize("name, data, message", [
    ("huge.bib", b"@misc{a, title={x}}\n" + b"%" * (50 * 1024 * 1024), "50.0 MB; at most 5 MB"),
    ("broken.bib", b"@article{a,\n title = {unclosed\n@misc{b, title={c}}\n", "line 1: a BibTeX entry that cannot"),
])
def test_a_bad_or_huge_upload_gets_a_clear_error_and_stores_nothing(sample, name, data, message):
    ada = reader("ada")
    client = browser_for(ada)
    html = client.get("/foryou/interests").content.decode()
    response = submit(client, html, "/foryou/interests/import", file=SimpleUploadedFile(name, data))
    assert response.status_code == 302
    assert message in client.get("/foryou/interests").content.decode()
    assert not Signal.objects.filter(user=ada).exists()


def test_the_private_feed_works_by_its_link_until_it_is_replaced(sample):
    ada = reader("ada")
    set_vote(ada, paper("2608.15008"), True)
    key = services.feed_key(ada)
    feed = feedparser.parse(browser_for().get(f"/foryou/feed/{key}.atom").content)
    assert feed.entries and all(e.summary.startswith("Why: ") for e in feed.entries)
    assert browser_for().get(f"/foryou/feed/{key[:-1]}x.atom").status_code == 404
    client = browser_for(ada)
    submit(client, client.get("/foryou/interests").content.decode(), "/foryou/interests/feed")
    assert browser_for().get(f"/foryou/feed/{key}.atom").status_code == 404


def test_the_private_feed_link_is_made_on_request_not_by_viewing_the_page(sample):
    ada = reader("ada")
    client = browser_for(ada)
    html = client.get("/foryou/interests").content.decode()
    assert "Make my private feed link" in html and "/foryou/feed/" not in html
    assert not Reader.objects.filter(user=ada).exclude(feed_key="").exists()
    submit(client, html, "/foryou/interests/feed")
    key = Reader.objects.get(user=ada).feed_key
    assert f"/foryou/feed/{key}.atom" in client.get("/foryou/interests").content.decode()


def test_the_export_holds_every_signal(sample):
    ada = reader("ada")
    set_vote(ada, paper("2608.15008"), True)
    services.dismiss(ada, paper("2608.13606"))
    services.follow(ada, "category", "cs.CL")
    data = browser_for(ada).get("/foryou/interests.json").json()
    assert [v["arxivId"] for v in data["upvoted"]] == ["2608.15008"]
    assert [(s["arxivId"], s["kind"]) for s in data["signals"]] == [("2608.13606", "dismiss")]
    assert data["follows"][0]["value"] == "cs.CL"


def test_the_api_ranks_with_a_token_or_session_and_writes_need_a_token_or_csrf(sample, client):
    ada, bob = reader("ada"), reader("bob")
    set_vote(ada, paper("2608.15008"), True)
    _, token = create_token(ada, "script")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/recommendations").status_code == 401
    body = client.get("/api/recommendations?window=week&date=2026-08-21&limit=5", **auth).json()
    assert body["method"] == "profile-lexical" and len(body["items"]) == 5
    assert all({"id", "title", "score", "reasons"} <= set(i) for i in body["items"])
    page2 = client.get("/api/recommendations?window=week&date=2026-08-21&limit=5&p=1", **auth).json()
    assert not {i["id"] for i in page2["items"]} & {i["id"] for i in body["items"]}
    bad = client.get("/api/recommendations?window=year", **auth)
    assert bad.status_code == 400 and bad.json()["field"] == "window"
    assert client.get("/api/recommendations?date=soon", **auth).json()["field"] == "date"

    target = body["items"][0]["id"]
    session = browser_for(ada)
    assert session.post(f"/api/interests/papers/{target}", {"signal": "dismiss"},
                        content_type="application/json").status_code == 403          # session without CSRF
    done = client.post(f"/api/interests/papers/{target}", {"signal": "dismiss"}, content_type="application/json",
                       **auth)
    assert done.status_code == 200 and Signal.objects.get(user=ada).kind == "dismiss"
    made = client.post("/api/interests/follows", {"kind": "category", "value": "cs.CL"},
                       content_type="application/json", **auth).json()
    _, bob_token = create_token(bob, "other")
    assert client.delete(f"/api/interests/follows/{made['id']}",
                         HTTP_AUTHORIZATION=f"Bearer {bob_token}").status_code == 404
    assert client.delete(f"/api/interests/follows/{made['id']}", **auth).status_code == 200


def test_the_openapi_document_declares_the_endpoint_and_its_errors(client):
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"]["/api/recommendations"]["get"]
    assert {"200", "400", "401"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} >= {"window", "date", "limit", "p"}
