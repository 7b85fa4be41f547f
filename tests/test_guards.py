"""Guards that no other test protects: each test here fails when its guard is removed (docs/security.md lists which
guard each one pins). Redirect checks, the signed links' purposes and expiry, who gets a digest, resubscribing,
the feed of an ended subscription, and the moderation permission."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from papersift.catalog.models import Paper
from papersift.comments.models import Comment
from papersift.comments.services import hide_comment, post_comment
from papersift.digests import tokens
from papersift.digests.models import Digest, Subscription
from papersift.digests.services import Choices, send_due, subscribe, unsubscribe
from papersift.outbox.models import OutboxMessage
from tests.digests.conftest import THURSDAY, active
from tests.forms import submit
from tests.people import PASSWORD, browser_for, make_moderator

PAPER = "2608.19880"
OFFSITE = ["https://evil.example/", "//evil.example/x", "https:evil.example", "/\\evil.example", "javascript:alert(1)"]


@pytest.fixture
def sample(db):
    from papersift.ingest.sample import load_sample

    assert load_sample(only_if_empty=True).error_count == 0


# -- redirect checks -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("post, query, expected", [
    ({"next": "/papers/date/2026-08-21"}, {}, "/papers/date/2026-08-21"),
    ({}, {"next": "/search?q=x"}, "/search?q=x"),                          # the query string when no form field
    ({"next": ""}, {"next": "/orgs/x"}, "/orgs/x"),
    ({"next": "/a"}, {"next": "/b"}, "/a"),                                 # the form field first
    ({}, {}, "/fallback"),
    *[({"next": target}, {}, "/fallback") for target in OFFSITE],
    *[({}, {"next": target}, "/fallback") for target in OFFSITE],
    ({"next": "home"}, {}, "/fallback"), ({"next": "-1"}, {}, "/fallback"),  # bare words are view names to redirect()
    ({"next": "///evil.example"}, {}, "/fallback"), ({"next": "//testserver/papers"}, {}, "/fallback"),
])
def test_a_next_target_is_followed_only_when_it_is_a_path_of_this_site(post, query, expected):
    from urllib.parse import urlencode

    from django.test import RequestFactory

    from papersift.web.params import next_path

    request = RequestFactory().post("/x" + ("?" + urlencode(query) if query else ""), post)
    assert next_path(request, "/fallback") == expected


@pytest.mark.parametrize("target", OFFSITE)
def test_a_vote_never_redirects_off_the_site(sample, ada, target):
    browser = browser_for(ada)
    html = browser.get(f"/papers/{PAPER}").content.decode()
    response = submit(browser, html, f"/papers/{PAPER}/vote", next=target)
    assert response.status_code == 302 and response["Location"] == f"/papers/{PAPER}"


def test_a_vote_goes_back_to_the_page_it_was_cast_on(sample, ada):
    browser = browser_for(ada)
    html = browser.get(f"/papers/{PAPER}").content.decode()
    assert submit(browser, html, f"/papers/{PAPER}/vote", next="/papers/date/2026-08-21")["Location"] == \
        "/papers/date/2026-08-21"


@pytest.mark.parametrize("target", OFFSITE)
def test_subscribing_never_redirects_off_the_site(sample, target):
    browser = browser_for()
    html = browser.get("/papers").content.decode()
    response = submit(browser, html, "/digests/subscribe", email="kim@example.org", next=target)
    assert response.status_code == 302 and response["Location"] == "/digests/subscribe"


def test_subscribing_goes_back_to_the_page_of_the_form(sample):
    browser = browser_for()
    html = browser.get("/papers/date/2026-08-21").content.decode()
    assert submit(browser, html, "/digests/subscribe", email="kim@example.org")["Location"] == \
        "/papers/date/2026-08-21"


# -- signed links: one purpose each, confirmation expires ----------------------------------------------------------

PAGES = {"confirm": "/digests/confirm/{}", "manage": "/digests/manage/{}", "unsubscribe": "/digests/unsubscribe/{}",
         "feed": "/digests/feed/{}.atom"}


@pytest.mark.parametrize("made_for", tokens.PURPOSES)
@pytest.mark.parametrize("used_for", tokens.PURPOSES)
def test_a_link_opens_only_the_page_it_was_signed_for(sample, made_for, used_for):
    subscription = active("lou@example.org")
    response = Client().get(PAGES[used_for].format(tokens.make(made_for, subscription.public_id)))
    if made_for == used_for:
        assert response.status_code == 200
    else:
        assert response.status_code in (400, 404), (made_for, used_for)


@pytest.mark.parametrize("made_for", ["manage", "feed", "confirm"])
def test_another_purposes_link_cannot_unsubscribe(sample, made_for):
    subscription = active("lou@example.org")
    response = Client().post(PAGES["unsubscribe"].format(tokens.make(made_for, subscription.public_id)))
    assert response.status_code == 404 and '"alert">this link is not valid (it may have been cut short' \
        in response.content.decode()                                                                # says why
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


@pytest.mark.parametrize("made_for", ["manage", "unsubscribe", "feed"])
def test_another_purposes_link_cannot_confirm(sample, made_for):
    pending = subscribe("ned@example.org", Choices())
    response = Client().post(PAGES["confirm"].format(tokens.make(made_for, pending.public_id)))
    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.status == Subscription.Status.PENDING


def test_a_confirmation_link_expires_after_seven_days(sample, time_machine):
    time_machine.move_to("2026-08-10 09:00:00+00:00", tick=False)
    pending = subscribe("ned@example.org", Choices())
    link = PAGES["confirm"].format(tokens.make("confirm", pending.public_id))
    time_machine.move_to("2026-08-17 09:00:01+00:00", tick=False)        # 7 days and a second later
    response = Client().post(link)
    assert response.status_code == 400 and "expired" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Subscription.Status.PENDING
    time_machine.move_to("2026-08-17 08:59:00+00:00", tick=False)        # within the 7 days it still works
    assert Client().post(link).status_code == 302
    pending.refresh_from_db()
    assert pending.status == Subscription.Status.ACTIVE


# -- who gets a digest ---------------------------------------------------------------------------------------------

def _account_subscription(django_user_model, *, verified: bool, is_active: bool) -> Subscription:
    user = django_user_model.objects.create_user("kim", "kim@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email="kim@example.org", verified=True, primary=True)
    subscription = subscribe("kim@example.org", Choices(), user=user)     # the verified owner: active at once
    assert subscription.status == Subscription.Status.ACTIVE
    EmailAddress.objects.filter(user=user).update(verified=verified)
    django_user_model.objects.filter(id=user.id).update(is_active=is_active)
    return subscription


@pytest.mark.parametrize("verified, is_active, outcome", [
    (True, True, None), (False, True, "unverified"), (True, False, "inactive-account"),
])
def test_an_unverified_or_inactive_account_gets_no_digest(sample, django_user_model, verified, is_active, outcome):
    subscription = _account_subscription(django_user_model, verified=verified, is_active=is_active)
    report = send_due(THURSDAY)
    if outcome is None:
        assert report.built == 1 and Digest.objects.filter(subscription=subscription).exists()
    else:
        assert report.built == 0 and report.skipped[outcome] == 1
        assert not Digest.objects.exists() and not OutboxMessage.objects.filter(kind="digest").exists()


# -- resubscribing and the feed of an ended subscription ----------------------------------------------------------

def resubscribed_events(caplog) -> list[tuple]:
    return [(r.subscription, r.confirmed) for r in caplog.records if r.getMessage() == "digest.resubscribe"]


def test_a_manage_link_resubscribes_only_after_a_new_confirmation(sample, caplog):
    subscription = active("lou@example.org")
    unsubscribe(subscription)
    manage = PAGES["manage"].format(tokens.make("manage", subscription.public_id))
    browser = browser_for()
    with caplog.at_level("INFO", logger="papersift.digests.services"):
        response = submit(browser, browser.get(manage).content.decode(), manage + "/resubscribe")
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.confirmed_at is None and subscription.unsubscribed_at is None      # as a new one
    assert resubscribed_events(caplog) == [(subscription.id, False)]
    assert OutboxMessage.objects.filter(kind="digest-confirm", recipients=["lou@example.org"]).count() == 1
    assert send_due(THURSDAY).built == 0                                  # nothing is sent meanwhile
    confirm = PAGES["confirm"].format(tokens.make("confirm", subscription.public_id))
    assert Client().post(confirm).status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE and send_due(THURSDAY).built == 1


def test_resubscribing_changes_only_an_ended_subscription(sample):
    """Only an unsubscribed subscription starts again: an active one stays active, a pending one stays pending
    (True only for the active one), neither gets a new confirmation mail, however many others have ended."""
    from papersift.digests.services import resubscribe

    unsubscribe(active("gone@example.org"))                              # someone else's ended subscription
    running = active("lou@example.org")
    waiting = subscribe("ned@example.org", Choices())
    confirmations = OutboxMessage.objects.filter(kind="digest-confirm").count()
    assert resubscribe(running) is True and resubscribe(waiting) is False
    running.refresh_from_db()
    waiting.refresh_from_db()
    assert (running.status, waiting.status) == (Subscription.Status.ACTIVE, Subscription.Status.PENDING)
    assert OutboxMessage.objects.filter(kind="digest-confirm").count() == confirmations
    assert Subscription.objects.get(email="gone@example.org").status == Subscription.Status.UNSUBSCRIBED


def test_the_signed_in_owner_of_the_verified_address_resubscribes_at_once(sample, django_user_model, caplog):
    subscription = _account_subscription(django_user_model, verified=True, is_active=True)
    unsubscribe(subscription)
    manage = PAGES["manage"].format(tokens.make("manage", subscription.public_id))
    browser = browser_for(subscription.user)
    before = timezone.now()
    with caplog.at_level("INFO", logger="papersift.digests.services"):
        submit(browser, browser.get(manage).content.decode(), manage + "/resubscribe")
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.confirmed_at >= before and subscription.unsubscribed_at is None
    assert not OutboxMessage.objects.filter(kind="digest-confirm").exists()
    assert resubscribed_events(caplog) == [(subscription.id, True)]


def test_the_feed_stops_answering_after_unsubscribe(sample):
    subscription = active("lou@example.org")
    feed = PAGES["feed"].format(tokens.make("feed", subscription.public_id))
    assert Client().get(feed).status_code == 200
    unsubscribe(subscription)
    gone = Client().get(feed)
    assert gone.status_code == 404
    assert '"alert">this subscription has ended (or is not confirmed yet): its feed is gone<' in gone.content.decode()


# -- moderation needs the permission, not staff status ------------------------------------------------------------

def test_staff_without_the_moderation_permission_cannot_hide_comments(sample, ada, django_user_model):
    comment = post_comment(ada, Paper.objects.get(arxiv_id=PAPER), "a comment")
    staff = django_user_model.objects.create_user("sam", "sam@example.org", PASSWORD, is_staff=True)
    browser = browser_for(staff)
    response = browser.get(f"/papers/{PAPER}")
    assert f"/comments/{comment.id}/hide" not in response.content.decode()    # no hide button offered
    client = Client()
    client.force_login(staff)
    assert client.post(f"/comments/{comment.id}/hide", {"reason": "spam"}).status_code == 403
    with pytest.raises(PermissionDenied):
        hide_comment(staff, comment.id, "spam")
    assert not Comment.objects.get(id=comment.id).hidden
    moderator = make_moderator(staff)
    hide_comment(moderator, comment.id, "spam")
    assert Comment.objects.get(id=comment.id).hidden
