"""People and a paper for the comments tests: the bundled sample's top paper on 2026-08-21 (one imported comment)."""

from __future__ import annotations

import pytest
from django.test import Client

from papersift.catalog.models import Paper
from papersift.ingest.sample import load_sample

PAPER = "2608.19880"
PAGE = f"/papers/{PAPER}"


@pytest.fixture
def paper(db) -> Paper:
    report = load_sample(only_if_empty=True)
    assert report is not None and report.error_count == 0
    return Paper.objects.get(arxiv_id=PAPER)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_user("ada", "ada@example.org", "pw-ada-123456")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.org", "pw-bob-123456")


@pytest.fixture
def mod(django_user_model):
    from tests.people import make_moderator

    return make_moderator(django_user_model.objects.create_user("mod", "mod@example.org", "pw-mod-123456",
                                                                 is_staff=True))


@pytest.fixture
def as_ada(ada) -> Client:
    return _client_for(ada)


@pytest.fixture
def as_bob(bob) -> Client:
    return _client_for(bob)


@pytest.fixture
def as_mod(mod) -> Client:
    return _client_for(mod)


def num_comments(client: Client) -> int:
    """What the API says the paper's comment count is (imported + papersift's visible comments)."""
    return client.get(f"/api/papers/{PAPER}").json()["numComments"]
