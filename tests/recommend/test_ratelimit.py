"""The shared write rate limit (papersift.ratelimit) on this app's writes: marks, follows, imports and the feed key,
on pages (a 429 page, nothing written) and in the API (the API's 429 with Retry-After, declared in OpenAPI)."""

from __future__ import annotations

import pytest
from django.test import Client

from papersift.accounts.services import create_token
from papersift.recommend.models import Follow, Reader, Signal
from tests.forms import submit
from tests.people import browser_for
from tests.recommend.conftest import reader

PAPERS = ["2608.19880", "2608.18580", "2608.15008"]
INTERESTS = "/foryou/interests"


def rates(settings, **values):
    settings.PAPERSIFT = {**settings.PAPERSIFT, **values}


def written(user) -> tuple:
    return (Signal.objects.filter(user=user).count(), Follow.objects.filter(user=user).count(),
            list(Reader.objects.filter(user=user).values_list("feed_key", flat=True)))


def _page_writes():
    def mark(browser, n):
        return browser.post("/foryou/mark", {"paper": PAPERS[n], "signal": "more", "next": "/foryou"})

    def follow(browser, n):
        return submit(browser, browser.get(INTERESTS).content.decode(), "/foryou/interests/follow",
                      kind="category", value=f"cs.C{'LVR'[n]}")

    def import_ids(browser, n):
        return submit(browser, browser.get(INTERESTS).content.decode(), "/foryou/interests/ids", ids=PAPERS[n])

    def feed_key(browser, n):
        return submit(browser, browser.get(INTERESTS).content.decode(), "/foryou/interests/feed")

    return [("interest", "papers marked", mark), ("follow", "follows", follow),
            ("import", "imports of your library", import_ids), ("feed_key", "new feed links", feed_key)]


@pytest.mark.parametrize("action, what, write", _page_writes(), ids=lambda v: getattr(v, "__name__", v))
def test_every_page_write_is_limited_with_a_429_page(sample, settings, action, what, write):
    rates(settings, WRITE_RATE_LIMIT="2/m/user")
    ada = reader("ada")
    browser = browser_for(ada)
    if action == "interest":     # the card's form: no page to read it from here, so a client without CSRF checks
        browser = Client()
        browser.force_login(ada)
    assert [write(browser, n).status_code for n in range(2)] == [302, 302]
    before = written(ada)
    refused = write(browser, 2)
    assert refused.status_code == 429 and f"Too many {what}" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert written(ada) == before


def test_every_api_write_is_limited(sample, settings):
    rates(settings, WRITE_RATE_LIMIT="2/m/user")
    ada = reader("ada")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(ada, 'script')[1]}"}
    client = Client()

    def call(method, path, body=None):
        return getattr(client, method)(path, body, content_type="application/json", **auth)

    assert call("post", f"/api/interests/papers/{PAPERS[0]}", {"signal": "more"}).status_code == 200
    assert call("delete", f"/api/interests/papers/{PAPERS[0]}").status_code == 200
    refused = call("post", f"/api/interests/papers/{PAPERS[1]}", {"signal": "dismiss"})
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert refused.json()["error"].startswith("too many papers marked") and int(refused["Retry-After"]) >= 1
    assert not Signal.objects.filter(user=ada).exists()

    made = call("post", "/api/interests/follows", {"kind": "category", "value": "cs.CL"}).json()
    assert call("delete", f"/api/interests/follows/{made['id']}").status_code == 200
    refused = call("post", "/api/interests/follows", {"kind": "author", "value": "Ada Lovelace"})
    assert refused.status_code == 429 and not Follow.objects.filter(user=ada).exists()


def test_the_api_writes_declare_their_errors(client):
    document = client.get("/api/openapi.json").json()
    for path, method in [("/api/interests/papers/{arxiv_id}", "post"), ("/api/interests/papers/{arxiv_id}", "delete"),
                         ("/api/interests/follows", "post"), ("/api/interests/follows/{follow_id}", "delete")]:
        responses = document["paths"][path][method]["responses"]
        assert {"400", "401", "403", "429"} <= set(responses), (path, method)
        assert "Retry-After" in responses["429"]["headers"]
