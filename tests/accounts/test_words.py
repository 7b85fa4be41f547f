"""allauth in papersift's words: its pages say "Log in", never "Sign In", and its mails say and sign papersift."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from papersift.outbox.services import deliver
from tests.people import PASSWORD

pytestmark = pytest.mark.django_db
SIGN_IN = re.compile(r"\bsign[ -]?(in|out)\b|\bsigned (in|out)\b", re.I)


def test_account_pages_say_log_in_and_never_sign_in(client, ada):
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
                "/accounts/password/reset/done/", "/accounts/confirm-email/", "/accounts/inactive/"):
        page = client.get(url).content.decode()
        assert not SIGN_IN.search(page), f"{url}: {SIGN_IN.search(page)[0]!r}"
        assert "Log in" in page, url
    login = client.get("/accounts/login/").content.decode()
    assert '<label for="id_login">User name or e-mail:</label>' in login and "<h1" in login
    response = client.post("/accounts/login/", {"login": "ada", "password": PASSWORD}, follow=True)
    client.force_login(ada)
    for url in ("/accounts/logout/", "/accounts/email/", "/accounts/password/change/", "/account/"):
        page = client.get(url).content.decode()
        assert not SIGN_IN.search(page), f"{url}: {SIGN_IN.search(page)[0]!r}"
    assert "Log out" in client.get("/accounts/logout/").content.decode()
    response = client.post("/accounts/logout/", follow=True)
    assert "You have logged out." in response.content.decode()


def test_mails_say_and_sign_papersift(client, smtp_server):
    response = client.post("/accounts/signup/", {"email": "lin@example.org", "username": "lin",
                                                 "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert deliver().sent == 2
    confirm, unknown = smtp_server.wait_for(2)
    for mail in (confirm, unknown):
        body = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert body.startswith("Hello from papersift,")
        assert body.rstrip().endswith("-- \npapersift, http://testserver")
        assert "testserver!" not in body and "example.com" not in body
        assert mail["Subject"].startswith("[papersift] ")
    assert confirm["Subject"] == "[papersift] Confirm your e-mail address"
    assert "signed up to papersift as lin" in confirm.get_body(("plain",)).get_content()
    assert unknown["Subject"] == "[papersift] No papersift account with this address"
    user = User.objects.get(username="lin")
    assert not user.emailaddress_set.get().verified
