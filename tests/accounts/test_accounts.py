"""Accounts end to end: sign-up, the verification mail through the outbox to a real SMTP server, login, votes."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from papersift.accounts.services import create_token
from papersift.catalog.models import DailyListing, Paper
from papersift.community.models import Vote
from papersift.ingest.sample import load_sample
from papersift.outbox.models import OutboxMessage
from papersift.outbox.services import deliver
from tests.web.test_pages import page_ids

PASSWORD = "correct horse battery staple"
DAY = "/papers/date/2026-08-21"


def sign_up(client: Client, email: str = "ada@example.org", username: str = "ada") -> None:
    response = client.post("/accounts/signup/", {"email": email, "username": username,
                                                 "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def confirmation_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", body).group(1)


def tied_pair(client: Client) -> tuple[str, str]:
    """Two neighbours on the day's trending list with equal upvotes: one vote must reorder them."""
    ids = page_ids(client.get(DAY).content.decode())
    votes = {li.paper.arxiv_id: li.upvotes_imported for li in DailyListing.objects.filter(date="2026-08-21")
             .select_related("paper")}
    for first, second in zip(ids, ids[1:]):
        if votes[first] == votes[second]:
            return first, second
    pytest.fail("no tie on the sample day")


@pytest.mark.django_db
def test_sign_up_verify_by_mail_log_in_and_upvote(client, smtp_server):
    load_sample(only_if_empty=True)
    sign_up(client)
    assert OutboxMessage.objects.count() == 1 and smtp_server.messages == []   # queued, not sent in the request
    assert client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD}).status_code == 302
    assert "_auth_user_id" not in client.session                                 # unverified: not logged in

    report = deliver()
    assert report.sent == 1 and OutboxMessage.objects.get().status == "sent"
    (mail,) = smtp_server.wait_for(1)
    assert mail.envelope_to == ["ada@example.org"] and "Confirm" in mail["Subject"]
    link = confirmation_link(mail)
    assert client.get(link).status_code == 200                                   # GET only shows the form
    assert not User.objects.get(username="ada").emailaddress_set.get().verified
    client.post(link)
    assert User.objects.get(username="ada").emailaddress_set.get().verified
    assert deliver().sent == 0                                                   # nothing sent twice

    client.logout()
    assert client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD}).status_code == 302
    assert client.session.get("_auth_user_id")
    first, second = tied_pair(client)
    before = client.get(f"/api/papers/{second}").json()["upvotes"]
    for _ in range(2):                                                           # a double click
        response = client.post(f"/papers/{second}/vote", {"action": "up", "next": DAY})
        assert response.status_code == 302 and response["Location"] == DAY
    assert client.get(f"/api/papers/{second}").json()["upvotes"] == before + 1
    ids = page_ids(client.get(DAY).content.decode())
    assert ids.index(second) < ids.index(first)                                  # trending order changed
    assert 'aria-pressed="true"' in client.get(f"/papers/{second}").content.decode()
    client.post(f"/papers/{second}/vote", {"action": "down", "next": DAY})
    assert client.get(f"/api/papers/{second}").json()["upvotes"] == before


@pytest.mark.django_db
def test_anonymous_vote_goes_to_login_and_back(client):
    load_sample(only_if_empty=True)
    response = client.post("/papers/2608.19880/vote", {"action": "up", "next": DAY})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert "2026-08-21" in response["Location"] and Vote.objects.count() == 0
    assert client.post("/papers/2608.19880/vote", {"next": "https://evil.example/"}).status_code == 302
    assert client.post("/papers/2608.19880/vote")["Location"].endswith("next=/papers/2608.19880")


def test_parallel_upvotes_by_one_user_count_once(transactional_db, live_server):
    load_sample(only_if_empty=True)
    user = User.objects.create_user("grace", "grace@example.org", PASSWORD)
    _, token = create_token(user, "race")
    url = f"{live_server.url}/api/papers/2608.19880/upvote"
    barrier, results = threading.Barrier(4), []

    def vote():
        barrier.wait()
        results.append(httpx.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code)

    threads = [threading.Thread(target=vote) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 4
    assert Vote.objects.filter(user=user).count() == 1
    assert Paper.objects.get(arxiv_id="2608.19880").community_votes == 1
    assert httpx.get(f"{live_server.url}/api/papers/2608.19880").json()["upvotes"] == 163 + 1


@pytest.mark.django_db
def test_api_votes_need_a_token_or_a_session_with_csrf(client, django_user_model):
    load_sample(only_if_empty=True)
    user = django_user_model.objects.create_user("lin", "lin@example.org", PASSWORD)
    response = client.post("/api/papers/2608.19880/upvote")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert client.post("/api/papers/2608.19880/upvote", HTTP_AUTHORIZATION="Bearer ps_nope").status_code == 401
    token, plain = create_token(user, "script")
    ok = client.post("/api/papers/2608.19880/upvote", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert ok.status_code == 200 and ok.json() == {"id": "2608.19880", "upvoted": True, "upvotes": 164}
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.delete("/api/papers/2608.19880/upvote").status_code == 403      # session without CSRF token
    assert Vote.objects.filter(user=user).count() == 1
    removed = client.delete("/api/papers/2608.19880/upvote", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert removed.json()["upvotes"] == 163
    client.force_login(user)
    client.post(f"/account/tokens/{token.id}/revoke")
    client.logout()
    assert client.post("/api/papers/2608.19880/upvote", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


@pytest.mark.django_db
def test_wrong_passwords_lock_the_account_even_for_the_right_password(client, settings):
    """Five failures lock the account for five minutes (the default per-account limit), the right password too,
    and the lock ends when the five minutes have passed. On a frozen clock (time-machine moves allauth's and the
    cache's `time.time()`), so a slow machine cannot let the lock run out mid-test. The per-address limit is
    raised so that only the per-account one is at work."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "100/m/ip,5/5m/key"}
    user = User.objects.create_user("mo", "mo@example.org", PASSWORD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email="mo@example.org", verified=True, primary=True)
    locked = "Too many failed login attempts"
    with time_machine.travel(datetime(2026, 8, 21, 12, tzinfo=timezone.utc), tick=False) as clock:
        for attempt in range(5):
            response = client.post("/accounts/login/", {"login": "mo@example.org", "password": f"wrong {attempt}"})
            assert response.status_code == 200 and locked not in response.content.decode()
        response = client.post("/accounts/login/", {"login": "mo@example.org", "password": PASSWORD})
        assert response.status_code == 200 and "_auth_user_id" not in client.session
        assert locked in response.content.decode()
        clock.shift(timedelta(minutes=5) - timedelta(seconds=1))
        response = client.post("/accounts/login/", {"login": "mo@example.org", "password": PASSWORD})
        assert locked in response.content.decode() and "_auth_user_id" not in client.session
        clock.shift(timedelta(seconds=2))                                           # the lock has expired
        assert client.post("/accounts/login/", {"login": "mo@example.org", "password": PASSWORD}).status_code == 302
        assert client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_deleting_an_account_removes_personal_data(client, django_user_model):
    load_sample(only_if_empty=True)
    user = django_user_model.objects.create_user("taesiri", "t@example.org", PASSWORD)
    create_token(user, "bot")
    client.force_login(user)
    client.post("/papers/2608.19880/vote", {"action": "up"})
    assert DailyListing.objects.filter(submitted_by="taesiri").exists()
    from papersift.submissions.services import SOURCE as SUBMITTED_HERE

    mine = DailyListing.objects.create(paper=Paper.objects.get(arxiv_id="2608.19880"), date="2026-09-01",
                                       submitted_by="taesiri", source=SUBMITTED_HERE)      # submitted on papersift
    theirs = DailyListing.objects.create(paper=Paper.objects.get(arxiv_id="2608.19880"), date="2026-09-02",
                                         submitted_by="someone", source=SUBMITTED_HERE)
    assert client.post("/account/delete", {"password": "not it"}).status_code == 302
    assert django_user_model.objects.filter(username="taesiri").exists()
    imported = DailyListing.objects.filter(submitted_by="taesiri").count()
    client.post("/account/delete", {"password": PASSWORD})
    assert not django_user_model.objects.filter(username="taesiri").exists()
    assert Vote.objects.count() == 0
    # The Hugging Face submitter of the same name is data about those listings, not this account: kept.
    assert DailyListing.objects.filter(submitted_by="taesiri").count() == imported - 1 > 0
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.submitted_by, theirs.submitted_by) == ("", "someone")      # only this account's name goes
    assert Paper.objects.get(arxiv_id="2608.19880").community_votes == 0


def verified_user(django_user_model, username="kim", email="kim@example.org"):
    from allauth.account.models import EmailAddress

    user = django_user_model.objects.create_user(username, email, PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.mark.django_db
def test_password_reset_by_mail(client, smtp_server, django_user_model, settings):
    """A reset by mail works, and it ends a lock that failed logins put on the account."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "100/m/ip,3/5m/key"}
    verified_user(django_user_model)
    for attempt in range(3):
        client.post("/accounts/login/", {"login": "kim", "password": f"wrong {attempt}"})
    locked = client.post("/accounts/login/", {"login": "kim", "password": PASSWORD})
    assert "Too many failed login attempts" in locked.content.decode()
    assert client.post("/accounts/password/reset/", {"email": "kim@example.org"}).status_code == 302
    deliver()
    (mail,) = smtp_server.wait_for(1)
    body = mail.get_body(("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", body).group(1)
    form = client.get(link, follow=True)                    # allauth moves the key into the session first
    new = "an entirely new passphrase"
    response = client.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                           {"password1": new, "password2": new})
    assert response.status_code == 302
    assert client.post("/accounts/login/", {"login": "kim", "password": PASSWORD}).status_code == 200
    assert client.post("/accounts/login/", {"login": "kim", "password": new}).status_code == 302


@pytest.mark.django_db
def test_changing_the_email_takes_effect_only_once_verified(client, smtp_server, django_user_model):
    user = verified_user(django_user_model)
    client.force_login(user)
    assert client.post("/accounts/email/", {"action_add": "", "email": "kim@new.example.org"}).status_code == 302
    user.refresh_from_db()
    assert user.email == "kim@example.org"                  # not until the new address is verified
    deliver()
    (mail,) = smtp_server.wait_for(1)
    assert mail.envelope_to == ["kim@new.example.org"]
    client.post(confirmation_link(mail))
    user.refresh_from_db()
    assert user.email == "kim@new.example.org"
    assert list(user.emailaddress_set.values_list("email", flat=True)) == ["kim@new.example.org"]


@pytest.mark.django_db
def test_admin_login_goes_through_the_throttled_login_form(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code in (302, 405)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_vote_counts_once_and_taking_it_back_takes_back_only_that_vote(django_user_model):
    from papersift.community.services import set_vote

    load_sample(only_if_empty=True)
    ann, ben = (django_user_model.objects.create_user(name, f"{name}@example.org", PASSWORD) for name in ("ann", "ben"))
    paper, other = Paper.objects.get(arxiv_id="2608.19880"), Paper.objects.exclude(arxiv_id="2608.19880").first()
    assert set_vote(ann, paper, True) == (True, 1) and set_vote(ann, paper, True) == (True, 1)   # once
    assert set_vote(ben, paper, True) == (True, 2) and set_vote(ann, other, True) == (True, 1)
    assert set_vote(ann, paper, False) == (False, 1)                      # ann's vote on this paper only
    assert set(Vote.objects.values_list("user__username", "paper_id")) == {("ben", paper.id), ("ann", other.id)}
    assert set_vote(ann, paper, False) == (False, 1)                      # not voted: nothing to take back
    assert Paper.objects.get(id=other.id).community_votes == 1
