"""Walk every URL pattern of the site: no GET changes anything, and every POST without a CSRF token (cookie
session) or a bearer token is refused without changing anything."""

from __future__ import annotations

import hashlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import resolve
from django.urls.exceptions import Resolver404

from allauth.account.models import EmailAddress

from papersift.accounts.services import create_token
from papersift.catalog.models import Paper
from papersift.community.services import set_vote
from papersift.ingest.sample import load_sample
from tests.routes import example_urls

# Whether a view writes on GET, or accepts a write without CSRF, is the view's doing on any database.
pytestmark = [pytest.mark.django_db, pytest.mark.same_on_any_database]

IGNORED_TABLES = {"django_session", "django_admin_log"}   # a visit may refresh a session; that is not state


def snapshot() -> str:
    """A digest of every row of every table (sessions aside)."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.db_table in IGNORED_TABLES or not model._meta.managed:
            continue
        for row in model.objects.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture
def site(django_user_model):
    load_sample(only_if_empty=True)
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "a long admin password")
    # As sign-up leaves it (allauth adds this row lazily, on a first GET, for users made by createsuperuser).
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
    set_vote(admin, Paper.objects.get(arxiv_id="2608.19880"), True)
    create_token(admin, "walker")
    return admin


def test_every_url_pattern_can_be_walked():
    urls = example_urls()
    unresolved = []
    for url in urls:
        try:
            resolve(url.split("?")[0])
        except Resolver404:
            unresolved.append(url)
    assert len(urls) > 100 and not unresolved, unresolved


def test_no_get_changes_state(site):
    client = Client()
    client.force_login(site)
    before = snapshot()
    statuses = {}
    for url in example_urls():
        if "logout" in url:
            continue          # GET on logout shows a confirmation form (ACCOUNT_LOGOUT_ON_GET is off); checked below
        statuses[url] = client.get(url).status_code
        assert snapshot() == before, f"GET {url} changed the database"
    assert client.get("/accounts/logout/").status_code == 200 and client.session.get("_auth_user_id")
    assert sum(1 for s in statuses.values() if s == 200) > 40
    assert not [url for url, s in statuses.items() if s >= 500]


#: POSTs that need neither: RFC 8058's one-click unsubscribe, which mail providers send with no cookie and no
#: form; the signed link authorises it, and it can only stop mail (checked below with a real link).
NO_CSRF_BY_DESIGN = {"digest-unsubscribe"}
#: POSTs that change nothing at all: the MCP endpoint, whose tools only read (agents/views.py). Checked below to
#: answer without a server error and to leave every table as it was.
READ_ONLY_POSTS = {"mcp"}


def test_posts_without_csrf_or_token_are_refused(site):
    session = Client(enforce_csrf_checks=True)
    session.force_login(site)
    anonymous = Client(enforce_csrf_checks=True)
    before = snapshot()
    for url in example_urls():
        if resolve(url.split("?")[0]).url_name in NO_CSRF_BY_DESIGN:
            assert anonymous.post(url).status_code == 404 and snapshot() == before   # a made-up link: nothing
            continue
        if resolve(url.split("?")[0]).url_name in READ_ONLY_POSTS:
            for client in (session, anonymous):
                assert client.post(url).status_code < 500 and client.put(url).status_code == 405
            assert snapshot() == before
            continue
        for client in (session, anonymous):
            for method in (client.post, client.put, client.delete):
                status = method(url).status_code
                assert status in (401, 403, 405), f"{method.__name__.upper()} {url} without CSRF/token: {status}"
        assert snapshot() == before, f"POST {url} without CSRF/token changed the database"


def test_signed_subscription_links_change_nothing_on_get_and_only_unsubscribe_posts_without_csrf(site):
    from papersift.digests import mail, services, tokens
    from papersift.digests.models import Subscription

    subscription = services.subscribe("walker@example.org", services.Choices(searches=["agents"]))
    links = mail.paths(subscription)
    links["confirm"] = f"/digests/confirm/{tokens.make('confirm', subscription.public_id)}"
    client = Client(enforce_csrf_checks=True)
    before = snapshot()
    for name, path in links.items():
        # A subscription has a feed only while it is active: this one is not confirmed yet.
        assert client.get(path).status_code == (404 if name == "feed" else 200), path
        assert snapshot() == before, f"GET {path} changed the database"
    for name in ("confirm", "manage"):
        assert client.post(links[name], {"trending_top": "1"}).status_code == 403 and snapshot() == before
    assert client.post(links["unsubscribe"], "List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded").status_code == 200
    assert Subscription.objects.get(id=subscription.id).status == "unsubscribed"
