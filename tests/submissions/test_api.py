"""`POST /api/papers/index` with personal tokens, answered in Hugging Face's daily-entry shape or the API's one
error shape."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from papersift.accounts.services import create_token
from papersift.catalog.models import DailyListing
from tests.people import browser_for
from tests.submissions.conftest import DATA_SCIENCE, UNKNOWN, catalog_rows

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"error", "code", "status", "field"}


def bearer(user) -> dict:
    _, plain = create_token(user, "script")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def index(client, body, **auth):
    return client.post("/api/papers/index", body, content_type="application/json", **auth)


def error(response, status: int) -> dict:
    body = response.json()
    assert response.status_code == status and set(body) == ERROR_KEYS and body["status"] == status, body
    return body


def test_a_token_submits_a_paper_and_a_second_submission_gets_the_same_entry(arxiv, ada, bob, window_for_recorded):
    client = Client()
    created = index(client, {"arxivId": DATA_SCIENCE}, **bearer(ada))
    assert created.status_code == 201
    entry = created.json()
    assert entry["paper"]["id"] == DATA_SCIENCE and entry["title"] == "Defining Data Science"
    assert entry["submittedBy"]["user"] == "ada" and entry["paper"]["submittedOnDailyBy"]["user"] == "ada"
    assert [a["name"] for a in entry["paper"]["authors"]] == ["Yangyong Zhu", "Yun Xiong"]
    assert (entry["paper"]["upvotes"], entry["numComments"]) == (0, 0)
    listing = DailyListing.objects.get()
    assert (listing.date, listing.submitted_by) == (timezone.now().date(), "ada")
    today = client.get("/api/daily_papers").json()
    assert [e["paper"]["id"] for e in today] == [DATA_SCIENCE] and today[0] == entry   # the list's own entry

    before = catalog_rows()
    again = index(client, {"arxivId": f"https://arxiv.org/abs/{DATA_SCIENCE}v1"}, **bearer(bob))
    assert again.status_code == 200 and again.json() == entry       # bob is pointed to ada's entry
    assert catalog_rows() == before and len(arxiv.requested()) == 1


@pytest.mark.parametrize("arxiv_id, status, field, reason", [
    ("attention is all you need", 400, "arxivId", "arxivId: “attention is all you need” is not an arXiv id"),
    ("2413.00001", 400, "arxivId", "arxivId: “2413.00001” is not an arXiv id: 2413 is not a year and month"),
    (DATA_SCIENCE, 400, "arxivId", f"arxivId: {DATA_SCIENCE} first appeared on arXiv on 2015-01-21"),
    (UNKNOWN, 404, None, f"arXiv has no paper {UNKNOWN}"),
])
def test_refusals_are_in_the_error_shape_and_write_nothing(arxiv, ada, arxiv_id, status, field, reason):
    auth = bearer(ada)
    before = catalog_rows()
    body = error(index(Client(), {"arxivId": arxiv_id}, **auth), status)
    assert body["error"].startswith(reason) and body["field"] == field
    assert catalog_rows() == before


def test_arxiv_unreachable_is_a_502_and_writes_nothing(closed_port_url, ada, settings, window_for_recorded):
    settings.PAPERSIFT = {**settings.PAPERSIFT, "ARXIV_API_URL": closed_port_url}
    body = error(index(Client(), {"arxivId": DATA_SCIENCE}, **bearer(ada)), 502)
    assert body["error"].startswith("could not reach arXiv (ConnectError")
    assert catalog_rows() == ([], [])


def test_without_a_token_it_is_a_401_and_arxiv_is_not_asked(arxiv, window_for_recorded):
    body = error(index(Client(), {"arxivId": DATA_SCIENCE}), 401)
    assert body["code"] == "unauthenticated"
    error(index(Client(), {"arxivId": DATA_SCIENCE}, HTTP_AUTHORIZATION="Bearer ps_not-a-token"), 401)
    assert arxiv.requested() == [] and catalog_rows() == ([], [])


@pytest.mark.parametrize("body, field", [({}, "arxivId"), ({"arxivId": ["2405.15738"]}, "arxivId")])
def test_a_bad_body_is_a_400_naming_the_field(arxiv, ada, body, field):
    assert error(index(Client(), body, **bearer(ada)), 400)["field"] == field
    assert arxiv.requested() == []


def test_a_browser_session_needs_its_csrf_token(arxiv, ada, window_for_recorded):
    browser = browser_for(ada)
    assert error(index(browser, {"arxivId": DATA_SCIENCE}), 403)
    assert not DailyListing.objects.exists()
    browser.get("/papers/submit")                       # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    assert index(browser, {"arxivId": DATA_SCIENCE}, HTTP_X_CSRFTOKEN=token).status_code == 201
