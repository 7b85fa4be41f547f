"""Users for the tests, and a client that checks CSRF tokens as the real site does."""

from __future__ import annotations

from django.test import Client

PASSWORD = "correct horse battery staple"


def browser_for(user=None) -> Client:
    """A client that checks CSRF tokens as the real site does, logged in as ``user`` (if any)."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client
