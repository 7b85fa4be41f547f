"""Exports are downloads: a paper's and a reading list's BibTeX, and a list's JSON, come with
`Content-Disposition: attachment` and a file name, so a browser saves them instead of showing them."""

from __future__ import annotations

import pytest
from django.test import Client

from papersift.ingest.sample import load_sample
from papersift.lists import services
from tests.people import browser_for

pytestmark = pytest.mark.django_db

FIRST = "2608.19880"


@pytest.fixture
def sample():
    load_sample(only_if_empty=True)


def test_a_papers_bibtex_is_a_download_named_after_it(client: Client, sample):
    response = client.get(f"/papers/{FIRST}.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{FIRST}.bib"'
    pybtex = pytest.importorskip("pybtex.database", reason="pybtex (a BibTeX parser) is not installed")
    (entry,) = pybtex.parse_string(response.content.decode(), "bibtex").entries.values()
    assert entry.fields["eprint"] == FIRST
    page = client.get(f"/papers/{FIRST}").content.decode()
    assert entry.fields["title"].replace("{", "").replace("}", "") in page.replace("{", "").replace("}", "")
    assert client.get(f"/papers/{FIRST}v2.bib")["Content-Disposition"] == f'attachment; filename="{FIRST}.bib"'


def test_an_unknown_papers_bibtex_is_404(client: Client, sample):
    assert client.get("/papers/2101.00001.bib").status_code == 404


def test_an_old_style_id_gives_a_file_name_without_a_slash(client: Client, shared):
    from papersift.ingest.services import Ingest

    Ingest("arxiv-atom").run([str(shared / "arxiv-raw/atom-2026/arxiv.py-id_list-quant-ph_0201082v1-oldstyle-"
                                           "2026-04-12.xml")])
    response = client.get("/papers/quant-ph/0201082.bib")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="quant-ph-0201082.bib"'


@pytest.mark.parametrize("name, filename", [
    ("Cites", 'filename="cites.bib"'),
    ("Über Graphs — 2026", 'filename="uber-graphs-2026.bib"'),
])
def test_a_lists_exports_are_downloads(ada, sample, name, filename):
    from papersift.catalog.models import Paper

    reading_list = services.create_list(ada, name)
    services.add_paper(ada, reading_list, Paper.objects.get(arxiv_id=FIRST))
    me = browser_for(ada)
    bib = me.get(f"/lists/{reading_list.slug}.bib")
    assert bib.status_code == 200 and bib["Content-Disposition"] == f"attachment; {filename}"
    exported = me.get(f"/lists/{reading_list.slug}.json")
    assert exported.status_code == 200
    assert exported["Content-Disposition"] == f"attachment; {filename.replace('.bib', '.json')}"
    assert exported.json()["papers"][0]["id"] == FIRST


def test_a_list_whose_name_has_no_latin_letters_is_named_by_its_link(ada, sample):
    reading_list = services.create_list(ada, "数学")
    response = browser_for(ada).get(f"/lists/{reading_list.slug}.bib")
    assert response["Content-Disposition"] == f'attachment; filename="{reading_list.slug}.bib"'
