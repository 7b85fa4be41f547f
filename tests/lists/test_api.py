"""Reading lists through the JSON API with personal tokens, in the API's one error shape."""

from __future__ import annotations

import pytest
from django.test import Client

from papersift.accounts.services import create_token
from papersift.catalog.models import Paper
from papersift.lists import services
from papersift.lists.models import ReadingList, ReadingListItem
from tests.people import browser_for

pytestmark = pytest.mark.django_db

FIRST = "2608.19880"
ERROR_KEYS = {"error", "code", "status", "field"}


def bearer(user) -> dict:
    _, plain = create_token(user, "script")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def lists_state() -> tuple[list, list]:
    """Every list and item as stored (a token's last-use time moves with each request; lists must not)."""
    return (list(ReadingList.objects.order_by("id").values_list()),
            list(ReadingListItem.objects.order_by("id").values_list()))


def error(response, status: int) -> dict:
    body = response.json()
    assert response.status_code == status and set(body) == ERROR_KEYS and body["status"] == status, body
    return body


def test_a_script_makes_a_list_adds_and_removes_papers_with_a_token(ada, sample, client):
    auth = bearer(ada)
    assert client.get("/api/lists", **auth).json() == []
    made = client.post("/api/lists", {"name": "  From   a script ", "description": "nightly"},
                       content_type="application/json", **auth)
    assert made.status_code == 201
    body = made.json()
    assert (body["name"], body["public"], body["papers"], body["owner"]) == ("From a script", False, [], "ada")
    list_id = body["id"]
    assert body["url"] == f"http://testserver/lists/{list_id}"

    second = Paper.objects.exclude(arxiv_id=FIRST).order_by("arxiv_id").first().arxiv_id
    added = [client.post(f"/api/lists/{list_id}/papers", {"arxivId": pid}, content_type="application/json",
                         **auth).json() for pid in (FIRST, FIRST + "v2", second)]
    assert [(a["arxivId"], a["added"], a["paperCount"]) for a in added] == [
        (FIRST, True, 1), (FIRST, False, 1), (second, True, 2)]          # a versioned id is the same paper
    noted = client.post(f"/api/lists/{list_id}/papers", {"arxivId": FIRST, "note": "cite in §2"},
                        content_type="application/json", **auth).json()
    assert noted["added"] is False and noted["note"] == "cite in §2"

    got = client.get(f"/api/lists/{list_id}", **auth).json()
    assert [p["id"] for p in got["papers"]] == [second, FIRST] and got["papers"][1]["note"] == "cite in §2"
    assert Client().get(f"/api/lists/{list_id}").status_code == 404                   # private: not without the token
    assert [s["id"] for s in client.get("/api/lists", **auth).json()] == [list_id]
    assert client.get("/api/lists", **auth).json()[0]["paperCount"] == 2

    removed = client.delete(f"/api/lists/{list_id}/papers/{FIRST}", **auth).json()
    assert (removed["removed"], removed["paperCount"]) == (True, 1)
    assert client.delete(f"/api/lists/{list_id}/papers/{FIRST}", **auth).json()["removed"] is False
    changed = client.patch(f"/api/lists/{list_id}", {"name": "Renamed", "public": True},
                           content_type="application/json", **auth).json()
    assert (changed["name"], changed["public"], changed["description"]) == ("Renamed", True, "nightly")
    assert Client().get(f"/api/lists/{list_id}").json()["name"] == "Renamed"      # public: anyone reads it
    assert client.delete(f"/api/lists/{list_id}", **auth).json() == {"id": list_id, "deleted": True}
    assert not ReadingList.objects.exists() and not ReadingListItem.objects.exists()


def test_json_export_and_api_give_the_same_document(ada, sample):
    reading_list = services.create_list(ada, "Twins", public=True)
    services.add_paper(ada, reading_list, Paper.objects.get(arxiv_id=FIRST), note="n")
    client = Client()
    assert client.get(f"/api/lists/{reading_list.slug}").json() == client.get(f"/lists/{reading_list.slug}.json").json()


def test_bad_input_and_missing_things_get_the_one_error_shape(ada, sample, client):
    auth = bearer(ada)
    post = lambda url, body: client.post(url, body, content_type="application/json", **auth)  # noqa: E731
    assert error(post("/api/lists", {"name": " "}), 400)["field"] == "name"
    assert error(post("/api/lists", {"name": "x" * 101}), 400)["error"] == (
        "name: is 101 characters long; at most 100 are allowed")
    assert error(post("/api/lists", {}), 400)["field"] == "name"
    list_id = post("/api/lists", {"name": "Here"}).json()["id"]
    assert error(post("/api/lists", {"name": "HERE"}), 400)["error"] == "name: you already have a list named “HERE”"
    assert error(post(f"/api/lists/{list_id}/papers", {"arxivId": "2101.00001"}), 404)
    assert error(post(f"/api/lists/{list_id}/papers", {"arxivId": "not an id"}), 404)
    assert error(post(f"/api/lists/{list_id}/papers", {"paper": FIRST}), 400)["field"] == "arxivId"
    assert error(post("/api/lists/nope/papers", {"arxivId": FIRST}), 404)
    assert error(client.get("/api/lists/nope"), 404)
    assert error(client.get("/api/lists"), 401)["code"] == "unauthenticated"
    assert error(client.get(f"/api/lists/{list_id}", HTTP_AUTHORIZATION="Bearer ps_wrong"), 401)
    assert ReadingList.objects.count() == 1 and not ReadingListItem.objects.exists()


def test_others_cannot_read_private_lists_or_change_any_through_the_api(ada, bob, sample, client):
    private = services.create_list(ada, "Secret")
    public = services.create_list(ada, "Open", public=True)
    for reading_list in (private, public):
        services.add_paper(ada, reading_list, Paper.objects.get(arxiv_id=FIRST))
    theirs = bearer(bob)
    before = lists_state()
    assert error(client.get(f"/api/lists/{private.slug}", **theirs), 404)
    assert error(client.get(f"/api/lists/{private.slug}"), 404)
    assert client.get(f"/api/lists/{public.slug}", **theirs).status_code == 200
    assert client.get("/api/lists", **theirs).json() == []
    for reading_list, status in ((private, 404), (public, 403)):
        url = f"/api/lists/{reading_list.slug}"
        attempts = [
            client.post(url + "/papers", {"arxivId": "2608.19880"}, content_type="application/json", **theirs),
            client.delete(url + f"/papers/{FIRST}", **theirs),
            client.patch(url, {"public": False}, content_type="application/json", **theirs),
            client.patch(url, {}, content_type="application/json", **theirs),
            client.delete(url, **theirs),
        ]
        for response in attempts:
            body = error(response, status)
            if status == 403:
                assert body["error"] == "only the owner of “Open” can change it"
    assert lists_state() == before


def test_api_writes_from_a_browser_session_need_the_csrf_token(ada, sample):
    reading_list = services.create_list(ada, "Session")
    session = browser_for(ada)
    before = lists_state()
    assert session.get("/api/lists").status_code == 200                      # reading needs no token
    assert error(session.post("/api/lists", {"name": "Forged"}, content_type="application/json"), 403)
    assert error(session.post(f"/api/lists/{reading_list.slug}/papers", {"arxivId": FIRST},
                              content_type="application/json"), 403)
    assert error(session.delete(f"/api/lists/{reading_list.slug}"), 403)
    assert lists_state() == before
    session.get("/lists")
    token = session.cookies["csrftoken"].value
    ok = session.post(f"/api/lists/{reading_list.slug}/papers", {"arxivId": FIRST}, content_type="application/json",
                      HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200 and ok.json()["added"] is True
