"""The daily list and the paper page, rendered from the bundled sample and from crafted records."""

from __future__ import annotations

import json

import pytest

from papersift.catalog.models import Paper
from papersift.ingest.sample import load_sample
from papersift.ingest.services import Ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample():
    report = load_sample(only_if_empty=True)
    assert report is not None and report.error_count == 0
    return report


def test_latest_day_lists_titles_authors_and_upvotes_most_upvoted_first(client, sample):
    response = client.get("/papers")
    assert response.status_code == 200
    html = response.content.decode()
    assert "August 21, 2026" in html
    first = html.index("EnvHarness: Awakening Static Worlds for Agent Learning")
    assert ">163<" in html
    assert 'href="/papers/2608.19880"' in html
    cards = html.count('class="paper-card"')
    assert cards == Paper.objects.filter(listings__date="2026-08-21").count() == 17
    assert html.index('rel="prev"') > 0 and 'rel="next"' not in html   # the newest day has no next day
    assert first < html.rindex('class="paper-card"')


def test_previous_day_navigation_skips_empty_days(client, sample):
    html = client.get("/papers/date/2026-08-17").content.decode()
    assert 'href="/papers/date/2026-08-14"' in html    # Friday before the weekend
    assert 'href="/papers/date/2026-08-18"' in html


def test_paper_page_shows_abstract_authors_categories_and_links(client, sample):
    html = client.get("/papers/2608.19880").content.decode()
    assert "LLM agents learn by interacting with environments" in html
    assert "taesiri" in html
    assert 'href="https://arxiv.org/abs/2608.19880"' in html and 'href="https://arxiv.org/pdf/2608.19880"' in html
    assert 'href="https://github.com/google-research/envharness"' in html
    assert client.get("/papers/2608.19880v2").status_code == 200   # a versioned id finds the paper


def test_unknown_paper_and_bad_date_are_404(client, sample):
    assert client.get("/papers/2101.00001").status_code == 404
    assert client.get("/papers/date/2026-13-45").status_code == 404


def test_old_style_ids_and_categories_render(client, shared):
    Ingest("arxiv-oai").run([str(shared / "arxiv-raw/oai-pmh/arXiv_arxiv-physics-hep-th.xml")])
    html = client.get("/papers/1412.8323").content.decode()
    assert "quant-ph" in html and "Philipp A Hoehn" in html


def test_markup_in_ingested_titles_is_shown_as_text(client, tmp_path, shared):
    entry = json.loads((shared / "hf-daily/raw/2026-08-21.json").read_text())[0]
    entry["paper"]["title"] = 'Attack <script>alert(1)</script> <img src=x onerror="alert(2)">'
    (tmp_path / "2026-08-21.json").write_text(json.dumps([entry]))
    Ingest("hf-daily").run([str(tmp_path / "2026-08-21.json")])
    for url in ("/papers", "/papers/2608.19880"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
