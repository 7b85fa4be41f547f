"""Recommendation test helpers: the bundled sample, verified readers, a BibTeX file of two sample papers."""

from __future__ import annotations

import pytest

from tests.people import PASSWORD

DAY = "/papers/date/2026-08-21"
TWO_ARXIV_BIB = b"""@article{mobilemem,
  title = {{MobileMem}: Learning from a Year of Mobile Experiences},
  eprint = {2608.13606}, archivePrefix = {arXiv},
}
@misc{harness,
  title = {Harness the Memory},
  url = {https://arxiv.org/abs/2608.15008v1},
}
"""


@pytest.fixture
def sample(db):
    from papersift.ingest.sample import load_sample

    assert load_sample(only_if_empty=True).error_count == 0


def reader(name: str):
    """A user with a verified address (as after sign-up and the confirmation link)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import User

    user = User.objects.create_user(name, f"{name}@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def paper(arxiv_id: str):
    from papersift.catalog.models import Paper

    return Paper.objects.get(arxiv_id=arxiv_id)


@pytest.fixture(autouse=True)
def fresh_catalog_reference():
    """Each test reads its own catalog's reference sample (the process keeps one between rankings)."""
    import sys

    selectors = sys.modules.get("papersift.recommend.selectors")
    if selectors is not None:
        selectors.forget_catalog_reference()
    yield
