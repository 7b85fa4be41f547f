"""The submit page: log in to see it, CSRF to post it, and the paper's page (or the reason) after."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from papersift.catalog.models import DailyListing
from tests.people import browser_for
from tests.submissions.conftest import DATA_SCIENCE, UNKNOWN, catalog_rows

pytestmark = pytest.mark.django_db


def csrf_token(client) -> str:
    page = client.get("/papers/submit")
    assert page.status_code == 200
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


def post(client, typed: str, **extra):
    return client.post("/papers/submit", {"paper": typed, "csrfmiddlewaretoken": csrf_token(client)}, **extra)


def test_anonymous_visitors_log_in_first_and_come_back():
    response = browser_for().get("/papers/submit")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/papers/submit"


def test_the_form_names_the_window_and_keeps_an_id_from_the_link(ada):
    page = browser_for(ada).get(f"/papers/submit?id={DATA_SCIENCE}").content.decode()
    assert 'action="/papers/submit"' in page and f'value="{DATA_SCIENCE}"' in page
    assert "within 14 days of their first version" in page


def test_a_submitted_paper_is_on_todays_list_with_its_submitter(arxiv, ada, window_for_recorded):
    browser = browser_for(ada)
    response = post(browser, f"https://arxiv.org/abs/{DATA_SCIENCE}", follow=True)
    assert response.redirect_chain == [(f"/papers/{DATA_SCIENCE}", 302)]
    page = response.content.decode()
    today = timezone.now().date()
    assert f"Added {DATA_SCIENCE} to the list of {today:%B} {today.day}, {today.year}. Thank you!" in page
    assert "Defining Data Science" in page and "(submitted by ada)" in page
    listing = DailyListing.objects.get()
    assert (listing.paper.arxiv_id, listing.date, listing.submitted_by) == (DATA_SCIENCE, today, "ada")
    daily = browser.get("/papers").content.decode()
    assert "Defining Data Science" in daily and "submitted by ada" in daily
    assert arxiv.requested() == [f"/api/query?id_list={DATA_SCIENCE}"]


def test_a_duplicate_goes_to_the_existing_entry_and_writes_nothing(arxiv, ada, bob, window_for_recorded):
    post(browser_for(ada), DATA_SCIENCE)
    before = catalog_rows()
    response = post(browser_for(bob), f"arXiv:{DATA_SCIENCE}v1", follow=True)
    assert response.redirect_chain == [(f"/papers/{DATA_SCIENCE}", 302)]
    today = timezone.now().date()
    assert (f"{DATA_SCIENCE} is already on the list of {today:%B} {today.day}, {today.year} (submitted by ada)."
            in response.content.decode())
    assert catalog_rows() == before


@pytest.mark.parametrize("typed, status, reason", [
    ("not a paper", 400, "“not a paper” is not an arXiv id or arXiv URL"),
    (UNKNOWN, 404, f"arXiv has no paper {UNKNOWN}"),
    (DATA_SCIENCE, 400, f"{DATA_SCIENCE} first appeared on arXiv on 2015-01-21"),   # the window is 14 days
])
def test_a_refused_submission_shows_the_form_again_with_the_reason(arxiv, ada, typed, status, reason):
    before = catalog_rows()
    response = post(browser_for(ada), typed)
    page = response.content.decode()
    assert response.status_code == status and reason in page and 'role="alert"' in page
    assert f'value="{typed}"' in page                    # what was typed is kept for correcting
    assert catalog_rows() == before


def test_arxiv_being_down_is_said_and_nothing_is_written(arxiv, ada, window_for_recorded):
    arxiv.everything = (503, {}, b"")
    response = post(browser_for(ada), DATA_SCIENCE)
    assert response.status_code == 502 and "could not reach arXiv" in response.content.decode()
    assert not DailyListing.objects.exists()


def test_posting_without_the_csrf_token_is_refused(arxiv, ada, window_for_recorded):
    response = browser_for(ada).post("/papers/submit", {"paper": DATA_SCIENCE})
    assert response.status_code == 403 and not DailyListing.objects.exists() and arxiv.requested() == []
