"""`services.submit` against a real loopback server answering with recorded arXiv API responses."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from papersift.catalog.models import DailyListing, Paper
from papersift.indexing import selectors as search
from papersift.ingest.services import Ingest
from papersift.submissions import services
from papersift.submissions.arxiv import parse_submitted_id
from tests.submissions.conftest import (
    ATOM, DATA_SCIENCE, DATA_SCIENCE_PUBLISHED, OLD_STYLE, RECORDED_FEED, UNKNOWN, catalog_rows,
)

pytestmark = pytest.mark.django_db

SOON_AFTER = DATA_SCIENCE_PUBLISHED + timedelta(days=3, hours=22)   # 2015-01-25 00:41 UTC


@pytest.mark.parametrize("typed, expected", [
    ("2405.15738", "2405.15738"),
    ("  2405.15738v2 ", "2405.15738"),
    ("arXiv:2405.15738", "2405.15738"),
    ("arxiv:2405.15738v3", "2405.15738"),
    ("https://arxiv.org/abs/2405.15738", "2405.15738"),
    ("http://export.arxiv.org/abs/2405.15738v1", "2405.15738"),
    ("https://arxiv.org/pdf/2405.15738v2.pdf", "2405.15738"),
    ("https://arxiv.org/pdf/2405.15738", "2405.15738"),
    ("arxiv.org/abs/2405.15738/", "2405.15738"),
    ("https://arxiv.org/abs/2405.15738?context=cs.CL#abstract", "2405.15738"),
    ("1312.7288", "1312.7288"),                       # 4-digit numbers before 2015
    ("math/0701001", "math/0701001"),
    ("hep-th/9901001v3", "hep-th/9901001"),
    ("https://arxiv.org/abs/math.GT/0309136", "math.GT/0309136"),
])
def test_ids_and_urls_a_submitter_may_type(typed, expected):
    assert parse_submitted_id(typed) == expected


@pytest.mark.parametrize("typed, reason", [
    ("", "give an arXiv id or URL"),
    ("attention is all you need", "“attention is all you need” is not an arXiv id or arXiv URL"),
    ("https://example.org/abs/2405.15738", "“https://example.org/abs/2405.15738” is not an arXiv id"),
    ("2405.157", "“2405.157” is not an arXiv id"),
    ("1234.56789", "1234 is not a year and month"),
    ("0612.1234", "new-style ids start in April 2007"),
    ("2405.1573", "ids from 1501 on have 5-digit numbers, such as 2405.01573"),
    ("1412.12345", "ids before 1501 have 4-digit numbers"),
])
def test_malformed_input_is_named_in_the_reason(typed, reason):
    with pytest.raises(services.MalformedId) as refused:
        parse_submitted_id(typed)
    assert reason in refused.value.reason


def test_a_recorded_paper_is_fetched_and_listed_today_with_its_submitter(arxiv, ada):
    done = services.submit(ada, f"https://arxiv.org/abs/{DATA_SCIENCE}v1", now=SOON_AFTER)
    assert arxiv.requested() == [f"/api/query?id_list={DATA_SCIENCE}"]
    assert done.created and not done.duplicate
    listing = DailyListing.objects.select_related("paper").get()
    assert (listing.paper.arxiv_id, listing.date.isoformat()) == (DATA_SCIENCE, "2015-01-25")   # the UTC day of now
    assert (listing.submitted_by, listing.submitted_at, listing.listed_at) == ("ada", SOON_AFTER, SOON_AFTER)
    assert listing.source == "submission" and listing.source_uri == arxiv.url + f"?id_list={DATA_SCIENCE}"
    paper = listing.paper
    assert paper.title == "Defining Data Science" and paper.authors == ["Yangyong Zhu", "Yun Xiong"]
    assert paper.categories == ["cs.DB", "cs.CY"] and paper.published == DATA_SCIENCE_PUBLISHED
    assert paper.abstract.startswith("Data science is gaining more and more and widespread attention")
    assert done.listing.id == listing.id and done.listing.upvotes == 0 and done.listing.num_comments == 0


def test_an_old_style_id_is_asked_for_as_it_is_written(arxiv, ada, settings):
    settings.PAPERSIFT = {**settings.PAPERSIFT, "SUBMIT_MAX_AGE_DAYS": 30}
    done = services.submit(ada, f"arXiv:{OLD_STYLE}v1", now=_after_first_version(arxiv, OLD_STYLE, days=29))
    assert arxiv.requested() == [f"/api/query?id_list={OLD_STYLE}"]
    assert done.created and Paper.objects.get(arxiv_id=OLD_STYLE).title == "Science,technology and society"


def _after_first_version(arxiv, arxiv_id: str, *, days: int) -> datetime:
    """``days`` after the paper's first version, read from the recorded entry (not from the code under test)."""
    stamp = re.search(rb"<published>(.+?)</published>", arxiv.entries[arxiv_id]).group(1).decode()
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) + timedelta(days=days)


def test_a_paper_already_listed_points_to_its_entry_and_writes_nothing(arxiv, ada, bob):
    first = services.submit(ada, DATA_SCIENCE, now=SOON_AFTER)
    before = catalog_rows()
    again = services.submit(bob, f"arXiv:{DATA_SCIENCE}v1", now=SOON_AFTER + timedelta(days=1))
    assert again.duplicate and again.listing.id == first.listing.id and again.listing.submitted_by == "ada"
    assert catalog_rows() == before
    assert len(arxiv.requested()) == 1   # arXiv is not asked again for a listed paper


def test_a_harvested_paper_that_was_never_listed_is_listed_with_its_metadata_refreshed(arxiv, ada, shared):
    Ingest("arxiv-atom").run([str(shared / RECORDED_FEED)])
    Paper.objects.filter(arxiv_id=DATA_SCIENCE).update(title="A stale title")
    papers = Paper.objects.count()
    done = services.submit(ada, DATA_SCIENCE, now=SOON_AFTER)
    assert done.created and Paper.objects.count() == papers
    assert Paper.objects.get(arxiv_id=DATA_SCIENCE).title == "Defining Data Science"
    assert list(DailyListing.objects.values_list("paper__arxiv_id", "submitted_by")) == [(DATA_SCIENCE, "ada")]


@pytest.mark.parametrize("age, accepted", [(timedelta(days=14), True), (timedelta(days=14, seconds=1), False)])
def test_the_window_is_counted_from_the_first_version(arxiv, ada, age, accepted):
    now = DATA_SCIENCE_PUBLISHED + age
    if accepted:
        assert services.submit(ada, DATA_SCIENCE, now=now).created
        return
    with pytest.raises(services.TooOld) as refused:
        services.submit(ada, DATA_SCIENCE, now=now)
    assert refused.value.reason == (f"{DATA_SCIENCE} first appeared on arXiv on 2015-01-21, more than 14 days ago; "
                                    f"papers can be submitted only within 14 days of their first version")
    assert refused.value.status == 400


def test_refusals_give_their_reason_and_write_nothing(arxiv, ada):
    before = catalog_rows()
    refusals = []
    for typed, now in ((UNKNOWN, SOON_AFTER), ("not-a-paper", SOON_AFTER),
                       (DATA_SCIENCE, DATA_SCIENCE_PUBLISHED + timedelta(days=4000))):
        with pytest.raises(services.Refused) as refused:
            services.submit(ada, typed, now=now)
        refusals.append((type(refused.value), refused.value.reason))
    assert refusals == [
        (services.NotOnArxiv, f"arXiv has no paper {UNKNOWN}"),
        (services.MalformedId, ("“not-a-paper” is not an arXiv id or arXiv URL (such as 2405.15738, "
                                "arXiv:2405.15738, https://arxiv.org/abs/2405.15738 or math/0701001)")),
        (services.TooOld, (f"{DATA_SCIENCE} first appeared on arXiv on 2015-01-21, 4000 days ago; papers can be "
                           f"submitted only within 14 days of their first version")),
    ]
    assert catalog_rows() == before
    # The malformed id never reached arXiv; the unknown one and the too-old one were asked for.
    assert arxiv.requested() == [f"/api/query?id_list={UNKNOWN}", f"/api/query?id_list={DATA_SCIENCE}"]


@pytest.mark.parametrize("status", [200, 400])   # the classic API's status, and the current one's
def test_an_id_arxiv_refuses_gets_arxivs_reason(arxiv, ada, status):
    arxiv.answers["2402.99999"] = (status, ATOM, arxiv.error)
    before = catalog_rows()
    with pytest.raises(services.NotOnArxiv) as refused:
        services.submit(ada, "2402.99999", now=SOON_AFTER)
    assert refused.value.reason == ("arXiv has no paper 2402.99999 (arXiv says: incorrect id format for "
                                    "https://arxiv.org/abs/2402.13284)")
    assert refused.value.status == 404 and catalog_rows() == before


def test_arxiv_answering_503_is_retried_once_then_reported_and_nothing_is_written(arxiv, ada):
    arxiv.everything = (503, {"Content-Type": "text/html"}, b"<html>Service Unavailable</html>")
    before = catalog_rows()
    with pytest.raises(services.ArxivUnreachable) as refused:
        services.submit(ada, DATA_SCIENCE, now=SOON_AFTER)
    assert refused.value.reason == "could not reach arXiv (HTTP 503 Service Unavailable); try again later"
    assert arxiv.url not in refused.value.reason and "127.0.0.1" not in refused.value.reason   # the operator's URL
    assert refused.value.status == 502
    assert arxiv.requested() == [f"/api/query?id_list={DATA_SCIENCE}"] * 2 and catalog_rows() == before


def test_a_long_retry_after_is_not_waited_for(arxiv, ada):
    arxiv.everything = (503, {"Retry-After": "120"}, b"")
    with pytest.raises(services.ArxivUnreachable) as refused:
        services.submit(ada, DATA_SCIENCE, now=SOON_AFTER)
    assert "asks to wait 120 s" in refused.value.reason and len(arxiv.requested()) == 1


def test_an_html_page_instead_of_atom_is_reported_as_arxiv_failing(arxiv, ada):
    arxiv.answers[DATA_SCIENCE] = (200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html><body>Captcha</body>")
    with pytest.raises(services.ArxivUnreachable) as refused:
        services.submit(ada, DATA_SCIENCE, now=SOON_AFTER)
    assert "is an HTML page" in refused.value.reason and not Paper.objects.exists()


def test_arxiv_refusing_connections_is_reported_and_nothing_is_written(closed_port_url, ada, settings):
    settings.PAPERSIFT = {**settings.PAPERSIFT, "ARXIV_API_URL": closed_port_url}
    with pytest.raises(services.ArxivUnreachable) as refused:
        services.submit(ada, DATA_SCIENCE, now=SOON_AFTER)
    assert refused.value.reason.startswith("could not reach arXiv (ConnectError")
    assert not Paper.objects.exists() and not DailyListing.objects.exists()


def test_a_submitted_paper_is_found_by_search_once_committed(arxiv, ada, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.submit(ada, DATA_SCIENCE, now=SOON_AFTER)
    # The index catches up after the commit, and then the kept pages start afresh (papersift.changes).
    assert [callback.__name__ for callback in callbacks] == ["_update_index", "renew"]
    found = search.search("datanature", mode="lexical")
    assert [hit.paper.arxiv_id for hit in found.hits] == [DATA_SCIENCE]
