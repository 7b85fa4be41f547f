"""Comments in the JSON API: read by anyone, written with a token or a session with CSRF, errors in one shape."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from papersift.accounts.services import create_token
from papersift.comments import services
from papersift.comments.models import Comment
from tests.comments.conftest import PAPER, num_comments

pytestmark = pytest.mark.django_db
SHAPE = {"error", "code", "status", "field"}


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user, 'test')[1]}"}


def send(client: Client, method: str, url: str, data: dict | None = None, **headers):
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json", **headers)


def error(response, status: int, field: str | None = None) -> str:
    body = response.json()
    assert response.status_code == status and set(body) == SHAPE and body["status"] == status, body
    if field:
        assert body["field"] == field and body["error"].startswith(f"{field}:"), body
    return body["error"]


def test_post_list_edit_delete_with_a_token(paper, ada, client):
    auth = bearer(ada)
    before = num_comments(client)
    created = send(client, "post", "/api/comments", {"paper": PAPER, "body": "Nice $x^2$ <b>bold</b>"}, **auth)
    assert created.status_code == 201
    comment = created.json()
    assert comment["author"] == "ada" and comment["paper"] == PAPER and comment["editedAt"] is None
    assert comment["html"] == '<p>Nice <span class="math">$x^2$</span> &lt;b&gt;bold&lt;/b&gt;</p>\n'
    assert num_comments(client) == before + 1

    listed = client.get(f"/api/comments?paper={PAPER}").json()
    assert listed["count"] == 1 and [c["id"] for c in listed["comments"]] == [comment["id"]]
    edited = send(client, "put", f"/api/comments/{comment['id']}", {"body": "Nicer"}, **auth).json()
    assert edited["body"] == "Nicer" and edited["editedAt"] is not None
    assert client.delete(f"/api/comments/{comment['id']}", **auth).status_code == 204
    assert Comment.objects.count() == 0 and num_comments(client) == before


def test_writes_need_auth_and_someone_elses_comment_is_403(paper, ada, bob, client):
    comment = services.post_comment(ada, paper, "ada's")
    error(send(client, "post", "/api/comments", {"paper": PAPER, "body": "anon"}), 401)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)
    error(send(strict, "post", "/api/comments", {"paper": PAPER, "body": "no csrf"}), 403)
    as_bob = bearer(bob)
    assert "only its author" in error(send(client, "put", f"/api/comments/{comment.id}", {"body": "x"}, **as_bob), 403)
    error(client.delete(f"/api/comments/{comment.id}", **as_bob), 403)
    assert list(Comment.objects.values_list("body", flat=True)) == ["ada's"]
    reported = send(client, "post", f"/api/comments/{comment.id}/report", {"reason": "spam"}, **as_bob).json()
    assert reported["new"] is True


def test_bad_input_is_400_naming_the_field_and_unknowns_are_404(paper, ada, client):
    auth = bearer(ada)
    error(client.get("/api/comments"), 400, "paper")
    error(client.get("/api/comments?paper=2101.00001"), 404)
    error(send(client, "post", "/api/comments", {"paper": PAPER, "body": "  "}, **auth), 400, "body")
    error(send(client, "post", "/api/comments", {"paper": PAPER, "body": "x" * 10_001}, **auth), 400, "body")
    error(send(client, "post", "/api/comments", {"paper": PAPER}, **auth), 400, "body")
    error(send(client, "put", "/api/comments/999999", {"body": "x"}, **auth), 404)
    error(send(client, "post", "/api/comments/999999/report", {"reason": "x"}, **auth), 404)
    assert Comment.objects.count() == 0


def test_hidden_comments_show_the_reason_and_no_text_except_to_staff(paper, ada, mod, client):
    comment = services.post_comment(ada, paper, "secret text")
    services.hide_comment(mod, comment.id, "spam")
    public = client.get(f"/api/comments?paper={PAPER}").json()
    assert public["count"] == 0
    assert public["comments"][0] | {"id": 0, "createdAt": ""} == {
        "id": 0, "paper": PAPER, "author": "ada", "createdAt": "", "editedAt": None, "hidden": True,
        "hiddenReason": "spam", "body": None, "html": None}
    client.force_login(mod)
    assert client.get(f"/api/comments?paper={PAPER}").json()["comments"][0]["body"] == "secret text"
