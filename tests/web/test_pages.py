"""The daily list and the paper page, rendered from the bundled sample and from crafted records."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from papersift.catalog.models import DailyListing, Paper
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
    # Within one day trending is most upvoted first: the counts down the page never rise, and the day's top paper
    # (163 upvotes) is the first card.
    upvotes = [int(n.replace(",", "")) for n in re.findall(r'<span class="n">([\d,]+)</span>', html)]
    assert len(upvotes) == 17 and upvotes == sorted(upvotes, reverse=True) and upvotes[0] == 163
    assert len(set(upvotes)) > 5                                          # a real order, not a list of equal counts
    assert first < html.index('class="paper-card"', html.index('class="paper-card"') + 1)   # in the first card


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


PAPER_LINK = re.compile(r'<h[23] class="title"><a class="math" href="/papers/([^"]+)">')


def page_ids(html: str) -> list[str]:
    return PAPER_LINK.findall(html)


def test_week_is_the_iso_week_monday_to_sunday_and_counts_each_paper_once(client, sample):
    html = client.get("/papers/week/2026-W34").content.decode()
    in_week = set(DailyListing.objects.filter(date__range=("2026-08-17", "2026-08-23"))
                  .values_list("paper__arxiv_id", flat=True))
    assert f"{len(in_week)} papers" in html
    assert "Week 34, 2026 (Aug 17 – Aug 23)" in html
    assert len(page_ids(html)) == min(50, len(in_week)) and set(page_ids(html)) <= in_week
    assert 'href="/papers/week/2026-W33"' in html and 'rel="next"' in html   # next *page*, no later week
    pages = [page_ids(client.get(f"/papers/week/2026-W34?p={p}").content.decode()) for p in range(3)]
    every = [i for ids in pages for i in ids]
    assert pages[0] == page_ids(html) and len(every) == len(set(every)) == len(in_week)
    # The pager keeps the page's other parameters and moves only p.
    sorted_page = client.get("/papers/week/2026-W34?sort=date&p=1").content.decode()
    assert 'rel="prev" href="?sort=date&amp;p=0"' in sorted_page
    assert 'rel="next" href="?sort=date&amp;p=2"' in sorted_page


def test_month_window_and_latest_redirects(client, sample):
    html = client.get("/papers/month/2026-07").content.decode()
    assert "July 2026" in html and 'href="/papers/month/2026-08"' in html
    july = DailyListing.objects.filter(date__year=2026, date__month=7).values("paper").distinct().count()
    assert f"{july} papers" in html
    assert client.get("/papers/week")["Location"] == "/papers/week/2026-W34"
    assert client.get("/papers/month")["Location"] == "/papers/month/2026-08"
    assert client.get("/papers/week/2026-W60").status_code == 404
    assert client.get("/papers/month/2026-8").status_code == 404


def test_sort_by_date_orders_by_listing_time_and_bad_sort_is_400(client, sample):
    html = client.get("/papers/date/2026-08-21?sort=date").content.decode()
    listed = {li.paper.arxiv_id: li.listed_at for li in DailyListing.objects.filter(date="2026-08-21")
              .select_related("paper")}
    ids = page_ids(html)
    assert [listed[i] for i in ids] == sorted(listed.values(), reverse=True)
    trending = page_ids(client.get("/papers/date/2026-08-21").content.decode())
    assert sorted(ids) == sorted(trending) and ids != trending
    response = client.get("/papers/date/2026-08-21?sort=best")
    assert response.status_code == 400 and "sort: must be one of trending, date" in response.content.decode()


def test_category_filter_and_counts(client, listing_lines, tmp_path):
    (tmp_path / "list.jsonl").write_text("".join(listing_lines[:60]))
    Ingest("arxiv-listing").run([str(tmp_path / "list.jsonl")])
    papers = list(Paper.objects.all()[:30])
    day = date(2026, 8, 21)
    DailyListing.objects.bulk_create([DailyListing(paper=p, date=day, upvotes_imported=i, source="test",
                                                   source_uri="test") for i, p in enumerate(papers)])
    wanted = papers[0].primary_category
    expected = [p.arxiv_id for p in sorted(papers, key=lambda p: -papers.index(p))
                if wanted in p.categories]
    html = client.get(f"/papers/date/2026-08-21?category={wanted}").content.decode()
    assert page_ids(html) == expected
    assert f'<option value="{wanted}" selected>{wanted} ({len(expected)})</option>' in html
    archive = wanted.split(".")[0]
    in_archive = page_ids(client.get(f"/papers/date/2026-08-21?category={archive}").content.decode())
    assert set(expected) <= set(in_archive) and len(in_archive) == sum(
        any(c.split(".")[0] == archive for c in p.categories) for p in papers)


def test_paper_page_has_bibtex_listing_days_and_similar_papers(client, sample):
    html = client.get("/papers/2608.19880").content.decode()
    assert "@misc{huang2026envharness," in html
    assert "author={Chengsong Huang and Zifeng Wang and" in html and "eprint={2608.19880}" in html
    assert 'href="/papers/date/2026-08-21"' in html
    similar = page_ids(html[html.index('id="similar-heading"'):])
    assert len(similar) == 6 and "2608.19880" not in similar
    assert 'class="math"' in html   # title and abstract are marked for KaTeX


def test_search_page_shows_results_snippets_paging_and_degraded_notice(client, sample):
    html = client.get("/search?q=agent+environment&mode=hybrid").content.decode()
    assert "Semantic search is unavailable" in html     # no vectors were built: lexical only, and it says so
    assert html.count("semantic search is unavailable (no embedding model or no vectors)") == 1   # once, with why
    ids = page_ids(html)
    assert len(ids) == 20 and "<b>" in html
    second = page_ids(client.get("/search?q=agent+environment&p=1").content.decode())
    assert second and not set(second) & set(ids)
    response = client.get("/search?q=agent&since=2026-99")
    assert response.status_code == 400 and "since: &#x27;2026-99&#x27; is not a date" in response.content.decode()
    assert client.get("/search?q=" + "x" * 251).status_code == 400
    filtered = page_ids(client.get("/search?q=agent&since=2026-08-20&until=2026-08-21&sort=newest").content.decode())
    published = dict(Paper.objects.filter(arxiv_id__in=filtered).values_list("arxiv_id", "published"))
    assert filtered and all(date(2026, 8, 20) <= published[i].date() <= date(2026, 8, 21) for i in filtered)
    assert [published[i] for i in filtered] == sorted((published[i] for i in filtered), reverse=True)


def test_markup_in_search_snippets_is_escaped(client, tmp_path, shared):
    entry = json.loads((shared / "hf-daily/raw/2026-08-21.json").read_text())[0]
    entry["paper"]["summary"] = 'zebrafish <script>alert(1)</script> <img src=x onerror="alert(2)"> zebrafish'
    (tmp_path / "2026-08-21.json").write_text(json.dumps([entry]))
    Ingest("hf-daily").run([str(tmp_path / "2026-08-21.json")])
    html = client.get("/search?q=zebrafish").content.decode()
    assert "<b>zebrafish</b>" in html
    assert "<script>alert(1)" not in html and "<img src=x" not in html
