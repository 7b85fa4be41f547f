"""Subscribing through the pages as a browser does (CSRF tokens, the real forms), with mail to a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta

import feedparser
import pytest
import time_machine

from allauth.account.models import EmailAddress

from papersift.accounts.services import delete_account
from papersift.digests.models import Digest, Subscription
from papersift.digests.services import send_due
from papersift.outbox.models import OutboxMessage
from papersift.outbox.services import deliver
from tests.digests.conftest import THURSDAY, active, link, paper_ids, parts
from tests.forms import forms, submit
from tests.people import browser_for

ACTION = "/digests/subscribe"


@pytest.mark.parametrize("page", ["/papers", "/papers/date/2026-08-20", "/papers/week/2026-W34",
                                  "/papers/month/2026-08", "/papers/2608.19880", "/search?q=agents"])
def test_every_list_page_has_a_subscription_form_with_csrf(sample, page):
    html = browser_for().get(page).content.decode()
    (form,) = forms(html, ACTION)
    assert form.method == "post" and form.fields["csrfmiddlewaretoken"] and "email" in form.fields


def test_subscribing_sends_only_the_confirmation_and_confirming_starts_digests(sample, smtp_server):
    browser = browser_for()
    response = submit(browser, browser.get("/papers").content.decode(), ACTION, email="kim@example.org",
                      frequency="daily")
    assert response.status_code == 302 and response["Location"] == "/papers"
    assert "confirmation link to kim@example.org" in browser.get("/papers").content.decode()
    subscription = Subscription.objects.get()
    assert subscription.status == "pending" and subscription.trending_top == 10
    assert send_due(THURSDAY).skipped == {"unconfirmed": 1}                  # nothing before the confirmation
    assert deliver().sent == 1
    (confirmation,) = smtp_server.wait_for(1)
    assert confirmation.envelope_to == ["kim@example.org"] and "Confirm" in confirmation["Subject"]
    text, html = parts(confirmation)
    path = link(text, "/digests/confirm/")
    assert path == link(html, "/digests/confirm/") and not paper_ids(text)

    mail_client = browser_for()                                              # a fresh browser, no login
    page = mail_client.get(path)
    assert page.status_code == 200 and Subscription.objects.get().status == "pending"   # a GET confirms nothing
    done = submit(mail_client, page.content.decode(), path)
    assert done.status_code == 302 and done["Location"].startswith("/digests/manage/")
    assert Subscription.objects.get().status == "active"

    assert send_due(THURSDAY).built == 1 and deliver().sent == 1
    digest = smtp_server.wait_for(2)[1]
    assert digest.envelope_to == ["kim@example.org"] and len(paper_ids(parts(digest)[0])) == 10


@pytest.mark.parametrize("address", ["not-an-address", "kim@", "@example.org", "kim kim@example.org",
                                     "kim@exa mple.org", "kim@example..org", '"<script>alert(1)</script>"@x',
                                     "kim@example.org\nBcc: all@example.org", "k" * 250 + "@example.org"])
def test_malformed_addresses_are_refused_with_a_clear_message_and_nothing_written(sample, address):
    browser = browser_for()
    response = submit(browser, browser.get("/papers").content.decode(), ACTION, email=address)
    body = response.content.decode()
    assert response.status_code == 400
    assert "email:" in body and ("not a valid e-mail address" in body or "at most 254 characters" in body)
    assert "<script>alert" not in body
    assert not Subscription.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.parametrize("values, message", [
    ({"timezone": "Mars/Olympus"}, "timezone: &#x27;Mars/Olympus&#x27; is not a time zone name"),
    ({"categories": "cs.CL, <b>"}, "categories: &#x27;&lt;b&gt;&#x27; is not an arXiv category"),
    ({"searches": 'good query\n"unclosed phrase'}, "line 2 (&#x27;&quot;unclosed phrase&#x27;): unbalanced quote"),
    ({"trending_top": "0"}, "Choose at least one thing to receive"),
    ({"trending_top": "500"}, "trending_top: Ensure this value is less than or equal to 50"),
    ({"frequency": "hourly"}, "frequency: Select a valid choice"),
])
def test_other_bad_choices_are_refused_naming_the_field(sample, values, message):
    browser = browser_for()
    response = submit(browser, browser.get(ACTION).content.decode(), ACTION, email="lou@example.org", **values)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Subscription.objects.exists() and not OutboxMessage.objects.exists()


def test_the_subscription_form_needs_its_csrf_token(sample):
    response = browser_for().post(ACTION, {"email": "max@example.org", "frequency": "daily"})
    assert response.status_code == 403 and not Subscription.objects.exists()


def test_confirmation_mails_to_one_address_are_rate_limited(sample, settings):
    browser = browser_for()
    html = browser.get(ACTION).content.decode()
    statuses = [submit(browser, html, ACTION, email="ned@example.org").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert OutboxMessage.objects.count() == 3


def test_manage_page_changes_the_subscription_and_shows_its_feed(sample, smtp_server):
    subscription = active("ola@example.org", trending_top=5)
    send_due(THURSDAY)
    deliver()
    (mail,) = smtp_server.wait_for(1)
    path = link(parts(mail)[0], "/digests/manage/")
    browser = browser_for()
    html = browser.get(path).content.decode()
    assert "ola@example.org" in html and "/digests/feed/" in html
    response = submit(browser, html, path, frequency="weekly", weekday="4", hour="18", timezone="Europe/Berlin",
                      trending_top="3", searches="diffusion\nau:Smith", categories="cs.CV")
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.frequency, subscription.weekday, subscription.hour, subscription.timezone,
            subscription.trending_top, subscription.categories) == ("weekly", 4, 18, "Europe/Berlin", 3, ["cs.CV"])
    assert [s.query for s in subscription.searches.all()] == ["diffusion", "au:Smith"]
    assert browser_for().get(path[:-3] + "xyz").status_code == 404             # a damaged link opens nothing
    assert browser_for().post(path, {"trending_top": "9"}).status_code == 403   # changes need the form's token


def test_the_subscriptions_feed_lists_what_its_digests_list(sample, smtp_server):
    subscription = active("pia@example.org", trending_top=5, searches=["reasoning"])
    send_due(THURSDAY)
    deliver()
    (mail,) = smtp_server.wait_for(1)
    browser = browser_for()
    html = browser.get(link(parts(mail)[0], "/digests/manage/")).content.decode()
    feed_path = re.search(r'href="https?://[^/"]+(/digests/feed/[^"]+\.atom)"', html).group(1)
    with time_machine.travel(THURSDAY + timedelta(hours=2), tick=False):
        feed = feedparser.parse(browser.get(feed_path).content)
    assert not feed.bozo and feed.feed.title == "papersift: your daily digest"
    newest = [e for e in feed.entries if e.published_parsed[:4] == THURSDAY.timetuple()[:4]]
    feed_ids = [re.search(r"/papers/([\d.]+)", e.link).group(1) for e in newest]
    assert feed_ids == paper_ids(parts(mail)[0])
    assert len(feed.entries) > len(newest)                                   # earlier periods follow
    assert Digest.objects.filter(subscription=subscription).count() == 1    # reading the feed built nothing


def test_an_account_subscribes_its_verified_address_without_confirmation(sample, ada, smtp_server):
    EmailAddress.objects.create(user=ada, email=ada.email, verified=True, primary=True)
    browser = browser_for(ada)
    html = browser.get("/papers").content.decode()
    (form,) = forms(html, ACTION)
    assert form.fields["email"] == ada.email                                 # filled in for the signed-in user
    response = submit(browser, html, ACTION, email=ada.email)
    assert response.status_code == 302 and response["Location"].startswith("/digests/manage/")
    subscription = Subscription.objects.get()
    assert subscription.status == "active" and subscription.user == ada and not OutboxMessage.objects.exists()
    settings_page = browser.get("/account/").content.decode()
    assert "Email digests" in settings_page and "/digests/manage/" in settings_page
    active(ada.email.upper(), trending_top=3)                   # one made without signing in, to the same address
    active("someone.else@example.org", trending_top=3)
    delete_account(ada)
    assert list(Subscription.objects.values_list("email", flat=True)) == ["someone.else@example.org"]


def test_the_search_page_offers_an_alert_for_its_query(sample):
    browser = browser_for()
    html = browser.get("/search?q=agents&category=cs.CL").content.decode()
    (form,) = forms(html, ACTION)
    assert form.fields["searches"] == "agents cat:cs.CL" and form.fields["trending_top"] == "0"
    assert submit(browser, html, ACTION, email="quinn@example.org").status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.trending_top == 0 and [s.query for s in subscription.searches.all()] == ["agents cat:cs.CL"]
