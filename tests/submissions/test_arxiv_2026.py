"""Paper submission against arXiv's API as it answers in 2026: namespaces on the root, `arXiv Query:` titles, https
links, and HTTP 400 with an error entry for a malformed id (recorded in shared/data/arxiv-raw/atom-2026)."""

from __future__ import annotations

import pytest

from papersift.submissions.arxiv import NotOnArxiv, fetch_paper

ATOM = {"Content-Type": "application/atom+xml; charset=UTF-8"}
RECORDED = "arxiv-raw/atom-2026"


def test_a_2026_answer_gives_the_paper(arxiv, shared):
    arxiv.answers["1605.08386"] = (200, ATOM, (shared / RECORDED / "arxiv.py-id_list-1605.08386-2026-04-12.xml")
                                   .read_bytes())
    parsed, url = fetch_paper("1605.08386")
    assert parsed.paper.title == "Heat-bath random walks with Markov bases"
    assert parsed.paper.authors == ["Caprice Stanley", "Tobias Windisch"] and parsed.paper.categories[0] == "math.CO"
    assert url.endswith("id_list=1605.08386")


def test_a_2026_empty_answer_is_no_such_paper(arxiv, shared):
    arxiv.answers["0808.05394"] = (200, ATOM, (shared / RECORDED /
                                               "arxiv.py-id_list-0808.05394-nonexistent-2026-04-12.xml").read_bytes())
    with pytest.raises(NotOnArxiv, match="arXiv has no paper 0808.05394"):
        fetch_paper("0808.05394")


def test_the_2026_http_400_gives_arxivs_reason(arxiv, shared):
    arxiv.answers["1234.12345"] = (400, ATOM, (shared / RECORDED / "arxiv.py-error-400-id_list-abc-2026-04-12.xml")
                                   .read_bytes())
    with pytest.raises(NotOnArxiv, match="incorrect id format for abc"):
        fetch_paper("1234.12345")
