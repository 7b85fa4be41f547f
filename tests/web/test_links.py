"""Links built without `reverse()` per card (papersift.web.links) are exactly what `reverse()` gives."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix
from hypothesis import given, settings
from hypothesis import strategies as st

from papersift.web.links import fixed, link
from papersift.web.templatetags.papersift_look import author_url, paper_url, vote_url
from papersift.web.urls import ARXIV_ID

PAPER_IDS = st.one_of(st.sampled_from(["2401.00001", "2608.19880", "math/0701001", "hep-th/9901001",
                                       "math.AG/0601001", "doi:10.1000/x?y#z%20&a=b", "pmc:PMC12345",
                                       "openreview:abc_DEF-1", "doi:10.1/~:@!$'()*+,;=", "doi:10.1/é😀"]),
                      st.from_regex(ARXIV_ID.replace("?P<arxiv_id>", ""), fullmatch=True))
NAMES = st.one_of(st.sampled_from(["Ada Lovelace", "Kaiming He", "José Müller-Żółć", "O'Brien", "A. B. C",
                                   "x/y", "../x", "a?b#c%d", "李飞飞", "-1", "//evil.example"]),
                  st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))


@pytest.fixture(params=["/", "/sub/path/"], ids=["root", "under a prefix"])
def prefix(request):
    set_script_prefix(request.param)
    yield request.param
    set_script_prefix("/")


@settings(max_examples=300, deadline=None)
@given(PAPER_IDS)
def test_paper_and_vote_links_are_what_reverse_gives(arxiv_id):
    for script_prefix in ("/", "/sub/path/"):
        set_script_prefix(script_prefix)
        try:
            assert paper_url(arxiv_id) == reverse("paper", args=[arxiv_id])
            assert vote_url(arxiv_id) == reverse("vote", args=[arxiv_id])
        finally:
            set_script_prefix("/")


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_author_links_are_what_reverse_gives(name):
    text = " ".join(name.split())
    for script_prefix in ("/", "/sub/path/"):
        set_script_prefix(script_prefix)
        try:
            assert author_url(name) == (reverse("author", args=[text]) if text else "")
        finally:
            set_script_prefix("/")


def test_links_follow_the_script_prefix(prefix):
    assert link("paper", "2401.00001") == f"{prefix}papers/2401.00001"
    assert link("vote", "math/0701001") == f"{prefix}papers/math/0701001/vote"
    assert link("author", "Ada Lovelace") == f"{prefix}authors/Ada%20Lovelace"
    assert fixed("account_login") == reverse("account_login") == f"{prefix}accounts/login/"
