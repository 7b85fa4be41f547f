"""Users for the tests, and a client that checks CSRF tokens as the real site does."""

from __future__ import annotations

from django.test import Client

PASSWORD = "correct horse battery staple"


def make_moderator(user):
    """Give ``user`` the moderation permission (``comments.moderate``), as an operator does in the admin."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="moderate", content_type__app_label="comments"))
    return type(user).objects.get(pk=user.pk)     # a fresh object: permissions are cached on the instance


def browser_for(user=None) -> Client:
    """A client that checks CSRF tokens as the real site does, logged in as ``user`` (if any)."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client
