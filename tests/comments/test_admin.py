"""The admin: every changelist loads for a superuser; moderation actions ask for a reason and write the log."""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.test import Client

from papersift.catalog.models import DailyListing
from papersift.comments import selectors, services
from papersift.comments.models import Comment, ModerationLog, Report
from tests.comments.conftest import PAPER, num_comments

pytestmark = pytest.mark.django_db

CHANGELISTS = ["/admin/catalog/paper/", "/admin/catalog/dailylisting/", "/admin/comments/comment/",
               "/admin/comments/report/", "/admin/comments/moderationlog/", "/admin/auth/user/"]


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-123456")


@pytest.fixture
def admin_client(root) -> Client:
    client = Client()
    client.force_login(root)
    return client


@pytest.fixture
def discussion(paper, ada, bob, mod):
    comment = services.post_comment(ada, paper, "a comment worth reporting")
    services.report_comment(bob, comment.id, "spam")
    services.hide_comment(mod, services.post_comment(ada, paper, "another").id, "off topic")
    return comment


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelists_and_change_pages_load_for_a_superuser(admin_client, discussion, url):
    response = admin_client.get(url)
    assert response.status_code == 200, url
    model = response.context["cl"].model
    first = model._default_manager.order_by("pk").first()
    assert first is not None, f"nothing listed at {url}"
    assert admin_client.get(f"{url}{first.pk}/change/").status_code == 200


def test_changelists_are_closed_to_non_staff(as_ada, discussion):
    for url in CHANGELISTS:
        response = as_ada.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url


def act(client: Client, url: str, action: str, ids, **extra):
    return client.post(url, {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(i) for i in ids], **extra})


def test_remove_from_the_daily_list_asks_for_a_reason_and_writes_the_log(admin_client, root, paper, client):
    listing = DailyListing.objects.get(paper=paper, date="2026-08-21")
    url = "/admin/catalog/dailylisting/"
    form = act(admin_client, url, "remove_from_daily_list", [listing.id])
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()   # the intermediate page
    assert DailyListing.objects.filter(id=listing.id).exists()
    again = act(admin_client, url, "remove_from_daily_list", [listing.id], reason="", apply="1")
    assert again.status_code == 200 and "This field is required" in again.content.decode()
    assert DailyListing.objects.filter(id=listing.id).exists() and ModerationLog.objects.count() == 0

    done = act(admin_client, url, "remove_from_daily_list", [listing.id], reason="duplicate of 2608.10001",
               apply="1")
    assert done.status_code == 302
    assert not DailyListing.objects.filter(id=listing.id).exists()
    entry = ModerationLog.objects.get()
    assert (entry.actor, entry.actor_name, entry.action, entry.reason, entry.paper_arxiv_id,
            str(entry.listing_date)) == (root, "root", "remove_listing", "duplicate of 2608.10001", PAPER,
                                         "2026-08-21")
    assert (PAPER, listing.date) in selectors.removed_listings()
    assert f'href="/papers/{PAPER}"' not in client.get("/papers/date/2026-08-21").content.decode()
    assert client.get(f"/papers/{PAPER}").status_code == 200              # the paper itself stays
    other = DailyListing.objects.order_by("id").first()                  # no delete without a logged reason
    assert admin_client.post(f"{url}{other.id}/delete/", {"post": "yes"}).status_code == 403
    assert act(admin_client, url, "delete_selected", [other.id], post="yes").status_code == 302
    assert DailyListing.objects.filter(id=other.id).exists() and ModerationLog.objects.count() == 1


def test_hide_action_in_the_admin_uses_the_reason_and_keeps_the_count(admin_client, root, discussion, client):
    before = num_comments(client)
    url = "/admin/comments/comment/"
    assert act(admin_client, url, "hide", [discussion.id]).status_code == 200      # asks first
    assert not Comment.objects.get(id=discussion.id).hidden
    assert act(admin_client, url, "hide", [discussion.id], reason="advertising", apply="1").status_code == 302
    comment = Comment.objects.get(id=discussion.id)
    assert comment.hidden and comment.hidden_reason == "advertising" and comment.hidden_by == root
    assert num_comments(client) == before - 1
    assert ModerationLog.objects.filter(action="hide_comment", comment_id=comment.id, actor=root).count() == 1
    assert Report.objects.get().resolved_by == root


def test_the_moderation_log_is_read_only(admin_client, discussion):
    entry = ModerationLog.objects.get()
    page = admin_client.get(f"/admin/comments/moderationlog/{entry.id}/change/").content.decode()
    assert 'name="reason"' not in page and "Save" not in page
    admin_client.post(f"/admin/comments/moderationlog/{entry.id}/change/", {"reason": "rewritten"})
    admin_client.post(f"/admin/comments/moderationlog/{entry.id}/delete/", {"post": "yes"})
    assert ModerationLog.objects.get().reason == "off topic"
    entry.reason = "rewritten"
    with pytest.raises(ValueError, match="never edited"):
        entry.save()
