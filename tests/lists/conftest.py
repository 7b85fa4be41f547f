from __future__ import annotations

import pytest
from django.test import Client

from papersift.ingest.sample import load_sample

PASSWORD = "correct horse battery staple"


@pytest.fixture
def sample(db):
    load_sample(only_if_empty=True)


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_user("ada", "ada@example.org", PASSWORD)


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.org", PASSWORD)


def browser_for(user=None) -> Client:
    """A client that checks CSRF tokens as the real site does, logged in as ``user`` (if any)."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client
