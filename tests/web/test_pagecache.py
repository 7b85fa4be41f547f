"""Pages kept for readers who are not signed in (web/pagecache.py): served again without a render or a query,
each reader with their own CSRF token, never to a signed-in reader, and renewed by any write."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from papersift import changes
from papersift.catalog.models import Paper
from papersift.web import pagecache
from papersift.web.pagecache import MARKER
from tests.forms import submit
from tests.people import browser_for

pytestmark = pytest.mark.django_db
PAPER = "2608.19880"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def sample(db):
    from papersift.ingest.sample import load_sample

    assert load_sample(only_if_empty=True).error_count == 0


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAPERSIFT = {**settings.PAPERSIFT, "PAGE_CACHE_SECONDS": 60}
    pagecache.store().clear()
    changes.renew()
    yield pagecache.store()
    pagecache.store().clear()


def kept_pages(page_cache) -> int:
    return len(page_cache._list_cache_files())


def fetch(client, path: str) -> tuple[str, int]:
    """The page's HTML and the number of SQL queries its request made."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.mark.parametrize("path", [f"/papers/{PAPER}", "/search?q=agents", "/papers", "/papers/week/2026-W34",
                                  "/papers/trending"])
def test_a_page_is_rendered_once_and_then_served_without_a_query(sample, page_cache, path):
    first, queries = fetch(browser_for(), path)
    assert queries > 0 and kept_pages(page_cache) == 1
    again, queries = fetch(browser_for(), path)
    assert queries == 0
    assert TOKEN.sub("", again) == TOKEN.sub("", first)


def test_every_reader_gets_their_own_working_csrf_token_in_a_kept_page(sample):
    first, second = browser_for(), browser_for()
    html_first, _ = fetch(first, f"/papers/{PAPER}")
    html_second, queries = fetch(second, f"/papers/{PAPER}")
    assert queries == 0
    assert MARKER not in html_first and MARKER not in html_second
    tokens_first, tokens_second = set(TOKEN.findall(html_first)), set(TOKEN.findall(html_second))
    assert tokens_first and tokens_second and not tokens_first & tokens_second
    assert second.cookies["csrftoken"].value != first.cookies["csrftoken"].value
    # The kept page's form works for the second reader (the theme switch: a CSRF-checked POST open to all) ...
    response = submit(second, html_second, "/theme", theme="dark", next=f"/papers/{PAPER}")
    assert response.status_code == 302
    # ... and the first reader's token does not work with the second reader's cookie.
    stranger = browser_for()
    stranger.cookies["csrftoken"] = second.cookies["csrftoken"].value
    assert submit(stranger, html_first, "/theme", theme="dark").status_code == 403


def test_a_signed_in_reader_never_gets_a_kept_page_and_their_write_renews_it_for_everyone(sample, ada):
    anonymous = browser_for()
    before, _ = fetch(anonymous, f"/papers/{PAPER}")
    reader = browser_for(ada)
    html, queries = fetch(reader, f"/papers/{PAPER}")
    assert queries > 0
    assert submit(reader, html, f"/papers/{PAPER}/vote").status_code == 302
    assert Paper.objects.get(arxiv_id=PAPER).community_votes == 1
    after, queries = fetch(anonymous, f"/papers/{PAPER}")
    assert queries > 0                                              # rendered anew, with the new count
    counts = [re.findall(r'<span class="n">([\d,]+)</span>', html)[0] for html in (before, after)]
    assert int(counts[1].replace(",", "")) == int(counts[0].replace(",", "")) + 1


def test_a_new_generation_renews_every_page_once_its_change_commits(sample, django_capture_on_commit_callbacks):
    fetch(browser_for(), f"/papers/{PAPER}")
    assert fetch(browser_for(), f"/papers/{PAPER}")[1] == 0
    with django_capture_on_commit_callbacks(execute=True):
        changes.changed()                                           # an ingest or an index update does this
        assert fetch(browser_for(), f"/papers/{PAPER}")[1] == 0     # not before the commit
    assert fetch(browser_for(), f"/papers/{PAPER}")[1] > 0


def test_what_is_not_kept(sample, settings, page_cache):
    for path in ("/papers/2101.00001", "/search?q=x&p=-1"):       # not found; a bad parameter
        browser_for().get(path)
    session = browser_for()
    session.cookies[settings.SESSION_COOKIE_NAME] = "whatever"    # may be signed in: rendered for them alone
    session.get(f"/papers/{PAPER}")
    browser_for().get("/search?q=" + "a" * 5000)                   # an address too long to keep
    assert kept_pages(page_cache) == 0
    settings.PAPERSIFT = {**settings.PAPERSIFT, "PAGE_CACHE_SECONDS": 0}
    fetch(browser_for(), f"/papers/{PAPER}")
    assert kept_pages(page_cache) == 0


def test_the_theme_is_part_of_what_a_page_is_kept_under(sample):
    fetch(browser_for(), f"/papers/{PAPER}")
    dark = browser_for()
    dark.cookies["theme"] = "dark"
    html, queries = fetch(dark, f"/papers/{PAPER}")
    assert queries > 0 and 'data-theme="dark"' in html


def test_a_page_that_read_the_token_itself_is_never_kept(page_cache):
    """A token read outside the template's csrf_token (say, by a view) is that reader's secret: not for sharing."""
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    @pagecache.shared_page
    def view(request):
        return HttpResponse(f"<p>{get_token(request)}</p>")

    request = RequestFactory().get("/x")
    response = view(request)
    assert response.status_code == 200 and kept_pages(page_cache) == 0


def test_kept_pages_are_shared_by_the_server_processes_and_bounded(sample, page_cache, settings):
    """Kept pages are files every process reads (a page rendered by one worker is served by the other), and their
    number stays under PAGE_CACHE_ENTRIES."""
    import subprocess
    import sys

    fetch(browser_for(), f"/papers/{PAPER}")
    location = settings.CACHES["pages"]["LOCATION"]
    script = ("import pickle, sys, zlib; from pathlib import Path; pages = list(Path(sys.argv[1]).glob('*.djcache'));"
              " handle = open(pages[0], 'rb'); pickle.load(handle);"
              " content, headers = pickle.loads(zlib.decompress(handle.read()));"
              " print(len(pages), dict(headers)['Content-Type'], b'2608.19880' in content)")
    other = subprocess.run([sys.executable, "-c", script, location], capture_output=True, text=True, check=True)
    assert other.stdout.split() == ["1", "text/html;", "charset=utf-8", "True"]
    assert page_cache._max_entries == settings.PAPERSIFT["PAGE_CACHE_ENTRIES"] > 0
    page_cache._max_entries = 3
    try:
        for day in ("2026-08-17", "2026-08-18", "2026-08-19", "2026-08-20", "2026-08-21"):
            fetch(browser_for(), f"/papers/date/{day}")
        assert kept_pages(page_cache) <= 3
    finally:
        page_cache._max_entries = settings.PAPERSIFT["PAGE_CACHE_ENTRIES"]
