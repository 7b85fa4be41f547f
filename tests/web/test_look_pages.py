"""The look and the new pages, through Django's test client: theme choice, icons and manifest, empty days, the date
picker, the calendar, trending and author pages, comment counts, and templates that a strict CSP allows."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papersift.catalog import selectors
from papersift.catalog.authors import name_key
from papersift.catalog.models import Authorship, DailyListing, Paper
from papersift.ingest.sample import load_sample
from papersift.ingest.services import Ingest
from papersift.web.templatetags.papersift_look import author_url, compact
from tests.web.test_pages import page_ids

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "papersift"


@pytest.fixture
def sample():
    report = load_sample(only_if_empty=True)
    assert report is not None and report.error_count == 0
    return report


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# Theme ------------------------------------------------------------------------------------------------------------

def test_theme_choice_is_a_cookie_the_pages_apply(client, sample):
    assert "data-theme" not in html(client.get("/papers")).split(">", 2)[1]      # <html>: the device decides
    response = client.post("/theme", {"theme": "dark", "next": "/papers/trending"})
    assert response.status_code == 302 and response["Location"] == "/papers/trending"
    assert response.cookies["theme"].value == "dark" and response.cookies["theme"]["samesite"] == "Lax"
    assert '<html lang="en" data-theme="dark">' in html(client.get("/papers"))
    client.post("/theme", {"theme": "system"})
    assert 'data-theme=' not in html(client.get("/papers")).split("<head>")[0]
    client.cookies["theme"] = "<script>"                                          # a forged cookie is ignored
    assert "data-theme" not in html(client.get("/papers")).split("<head>")[0]


def test_theme_guards(sample):
    client = Client()
    response = client.post("/theme", {"theme": "neon"})
    assert response.status_code == 400 and "theme: must be one of light, dark" in response.content.decode()
    assert "theme" not in response.cookies
    response = client.post("/theme", {"theme": "dark", "next": "https://evil.example/"})   # no open redirect
    assert response.status_code == 302 and response["Location"] == "/papers"
    assert client.get("/theme").status_code == 405                               # no change by GET
    strict = Client(enforce_csrf_checks=True)                                    # CSRF like every other form
    assert strict.post("/theme", {"theme": "dark"}).status_code == 403


# Icons and manifest -----------------------------------------------------------------------------------------------

def png_size(path: str) -> tuple[int, int]:
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_manifest_names_icons_that_exist_in_their_sizes(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "papersift" and manifest["start_url"] == "/papers"
    assert {icon["purpose"] for icon in manifest["icons"]} == {"any", "maskable"}
    for icon in manifest["icons"]:
        found = finders.find(icon["src"].removeprefix("/static/"))
        assert found, icon["src"]
        if icon["type"] == "image/png":
            width, height = png_size(found)
            assert f"{width}x{height}" == icon["sizes"]
        else:
            assert "<svg" in Path(found).read_text()


def test_pages_link_the_icons_and_favicon_ico_is_a_real_icon(client, sample):
    page = html(client.get("/papers"))
    for name in ("icon.svg", "icon-32.png", "apple-touch-icon.png"):
        assert f"/static/papersift/icons/{name}" in page
    assert png_size(finders.find("papersift/icons/apple-touch-icon.png")) == (180, 180)
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/papersift/icons/favicon.ico"
    data = Path(finders.find("papersift/icons/favicon.ico")).read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, 3)
    sizes = []
    for i in range(count):
        width, _, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i:22 + 16 * i])
        assert data[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(data)
        sizes.append(width)
    assert sizes == [16, 32, 48]


# Lists: empty days, date picker, calendar, trending -----------------------------------------------------------------

def test_an_empty_day_says_so_and_links_the_nearest_day_with_papers(client, sample):
    page = html(client.get("/papers/date/2026-08-22"))                           # a Saturday
    assert "No papers listed this day." in page
    assert '<a href="/papers/date/2026-08-21">Friday, August 21, 2026</a>' in page
    page = html(client.get("/papers/date/2026-08-16"))                           # Sunday: Monday the 17th is nearer
    assert '<a href="/papers/date/2026-08-17">Monday, August 17, 2026</a>' in page
    page = html(client.get("/papers/date/2027-01-04"))                           # after the last day
    assert '<a href="/papers/date/2026-08-21">' in page


def test_visitors_never_see_operator_instructions(client, sample):
    Paper.objects.all().delete()
    for url in ("/papers", "/papers/date/2026-08-21", "/papers/trending", "/search?q=agents"):
        page = client.get(url).content.decode()
        assert "papersift ingest" not in page and "papersift index" not in page and "<code>papersift" not in page
    assert "No papers are listed yet" in html(client.get("/papers"))


def test_date_picker_goes_to_the_day_and_refuses_a_bad_date(client, sample):
    response = client.get("/papers/date", {"date": "2026-08-20"})
    assert response.status_code == 302 and response["Location"] == "/papers/date/2026-08-20"
    response = client.get("/papers/date", {"date": "2026-08-20", "sort": "date"})
    assert response["Location"] == "/papers/date/2026-08-20?sort=date"
    assert client.get("/papers/date", {"date": "2026-08-20", "sort": "evil"})["Location"] == "/papers/date/2026-08-20"
    assert client.get("/papers/date")["Location"] == "/papers"
    response = client.get("/papers/date", {"date": "2026-02-30"})
    assert response.status_code == 400 and "date: &#x27;2026-02-30&#x27; is not a day" in response.content.decode()
    page = html(client.get("/papers/date/2026-08-20"))
    assert 'type="date" name="date" required value="2026-08-20" min="2026-06-29" max="2026-08-21"' in page


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(max_size=40))
def test_date_picker_never_fails_on_any_input(client, value):
    response = client.get("/papers/date", {"date": value})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert re.fullmatch(r"/papers(/date/\d{4}-\d{2}-\d{2})?", response["Location"])


def test_month_calendar_links_days_with_papers(client, sample):
    page = html(client.get("/papers/date/2026-08-20"))
    days = {d: n for d, n in selectors.listing_days(*_august()).items()}
    assert len(days) == 15                                                       # the weekdays Aug 3 – 21
    for day in days:
        assert f'href="/papers/date/{day:%Y-%m-%d}"' in page
    assert '<a href="/papers/date/2026-08-20" aria-current="date"' in page
    assert '<span>22</span>' in page and '<span>31</span>' in page               # no papers: not a link
    assert 'href="/papers/month/2026-07"' in page                               # the month before has papers


def _august():
    from datetime import date

    return date(2026, 8, 1), date(2026, 8, 31)


def test_trending_page_ranks_the_last_week_by_the_trending_formula(client, sample):
    page = html(client.get("/papers/trending"))
    window = selectors.recent_window(selectors.TRENDING_DAYS)
    assert (window.start.isoformat(), window.end.isoformat()) == ("2026-08-15", "2026-08-21")
    expected = [listing.paper.arxiv_id for listing in selectors.listing_page(window, sort="trending",
                                                                             limit=50, neighbours=False).entries]
    assert page_ids(page) == expected and len(expected) == 50
    listed = set(DailyListing.objects.filter(date__gte=window.start).values_list("paper__arxiv_id", flat=True))
    assert set(expected) <= listed
    assert "Aug 15 – Aug 21, 2026" in page
    assert client.get("/papers/trending", {"p": "x"}).status_code == 400


# Authors ----------------------------------------------------------------------------------------------------------

def test_author_page_lists_every_paper_by_that_name(client, sample):
    name = "Chengsong Huang"
    expected = {p.arxiv_id for p in Paper.objects.all() if any(name_key(a) == name_key(name) for a in p.authors)}
    page = html(client.get(f"/authors/{name}"))
    assert set(page_ids(page)) == expected and expected
    assert "A name is not an identity" in page
    assert html(client.get("/authors/chengsong   HUANG")).count('class="paper-card"') == len(expected)
    assert client.get("/authors/Nobody%20Here%20Atall").status_code == 404
    assert client.get("/authors/Chengsong%20Huang", {"sort": "nope"}).status_code == 400
    card = html(client.get("/papers/date/2026-08-21"))
    assert '<a href="/authors/Chengsong%20Huang">Chengsong Huang</a>' in card    # names link from cards
    assert '<a href="/authors/Chengsong%20Huang">Chengsong Huang</a>' in html(client.get("/papers/2608.19880"))


def test_author_page_sorts_by_upvotes_and_pages(client, sample):
    counts = {}
    for authorship in Authorship.objects.values("key"):
        counts[authorship["key"]] = counts.get(authorship["key"], 0) + 1
    key = max(counts, key=counts.get)
    name = Authorship.objects.filter(key=key).values_list("name", flat=True).first()
    page = selectors.author_page(name, sort="upvotes", limit=2)
    assert page.total == counts[key] >= 3 and len(page.papers) == 2
    votes = [p.upvotes for p in selectors.author_page(name, sort="upvotes", limit=100).papers]
    assert votes == sorted(votes, reverse=True)
    newest = [p.published for p in selectors.author_page(name, limit=100).papers]
    assert newest == sorted(newest, reverse=True)


def test_author_index_follows_the_upsert(client, sample, tmp_path, shared):
    entry = json.loads((shared / "hf-daily/raw/2026-08-21.json").read_text())[0]
    assert entry["paper"]["id"] == "2608.19880"
    entry["paper"]["authors"] = [{"name": "Zoë Quill"}, {"name": "Chengsong Huang"}]
    entry["paper"]["id"] = "2608.99991"
    (tmp_path / "2026-08-21.json").write_text(json.dumps([entry]))
    assert Ingest("hf-daily").run([str(tmp_path / "2026-08-21.json")]).error_count == 0
    assert "2608.99991" in page_ids(html(client.get("/authors/zoe quill")))      # accents and case folded
    entry["paper"]["authors"] = [{"name": "Ada Lovelace"}]                       # a newer record changes them
    entry["paper"]["title"] += " (v2)"
    entry["publishedAt"] = "2026-08-22T00:00:00.000Z"
    (tmp_path / "2026-08-22.json").write_text(json.dumps([entry]))
    Ingest("hf-daily").run([str(tmp_path / "2026-08-22.json")])
    authors = Paper.objects.get(arxiv_id="2608.99991").authors
    rows = list(Authorship.objects.filter(paper__arxiv_id="2608.99991").order_by("position")
                .values_list("name", flat=True))
    assert authors == ["Ada Lovelace"] and rows == authors                       # the index says what the paper says
    assert client.get("/authors/zoe quill").status_code == 404                   # her row went with the old list
    assert "2608.99991" in page_ids(html(client.get("/authors/Ada Lovelace")))


def test_migration_backfill_and_name_keys():
    from importlib import import_module

    from django.apps import apps as django_apps
    from django.db import connection

    paper = Paper.objects.create(arxiv_id="2601.00001", title="t", content_hash="x", source="test", source_uri="-",
                                 authors=["Jürgen  Schmidhuber", "", "  ", "Yann LeCun", 7])
    import_module("papersift.catalog.migrations.0005_authorship").fill(django_apps, connection.schema_editor())
    rows = list(Authorship.objects.filter(paper=paper).order_by("position").values_list("position", "name", "key"))
    assert rows == [(0, "Jürgen Schmidhuber", "jurgen schmidhuber"), (3, "Yann LeCun", "yann lecun")]


@given(st.text(max_size=60))
def test_name_keys_fold_case_accents_and_spaces(name):
    key = name_key(name)
    assert key == name_key(key) == name_key(name.upper()) == name_key(f"  {name}  ")
    assert len(key) <= 300 and "  " not in key


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=80))
def test_any_author_name_gives_a_page_or_a_404_never_an_error(client, name):
    url = author_url(name)
    if not url:
        assert not " ".join(name.split())
        return
    assert client.get(url).status_code in (200, 404)


def test_compact_counts():
    assert [compact(n) for n in (0, 999, 1000, 1234, 9999, 25_300, 1_250_000, "x", None)] == \
        ["0", "999", "1k", "1.2k", "10k", "25k", "1.2M", "", ""]


# Comment counts ---------------------------------------------------------------------------------------------------

def card_of(page: str, arxiv_id: str) -> str:
    return next(card for card in page.split('<li class="paper-card">') if f'href="/papers/{arxiv_id}"' in card)


def test_comment_counts_keep_papersift_and_hugging_face_apart(client, sample, ada):
    from papersift.comments.services import post_comment

    paper = Paper.objects.get(arxiv_id="2608.18580")
    hf = DailyListing.objects.get(paper=paper).comments_imported
    assert hf == 2
    assert "2 comments on Hugging Face</a>" in card_of(html(client.get("/papers/date/2026-08-21")), "2608.18580")
    post_comment(ada, paper, "A first comment here")
    card = card_of(html(client.get("/papers/date/2026-08-21")), "2608.18580")
    assert "1 comment · 2 on Hugging Face</a>" in card and "3 comments" not in card
    page = html(client.get("/papers/2608.18580"))
    assert "1 comment</a>" in page and "2 comments on Hugging Face" in page


# Templates a strict Content-Security-Policy allows ------------------------------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style[\s>]", re.I), "inline <style>"),
    (re.compile(r"\sstyle=\"", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+=\"", re.I), "event handler attribute"),
]


def test_page_templates_have_no_inline_script_style_or_handlers():
    found = []
    for template in SRC.rglob("templates/**/*.html"):
        if "/email/" in str(template):      # mails carry their CSS inline, as mail clients need
            continue
        text = template.read_text()
        found += [f"{template.relative_to(SRC)}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert found == []
