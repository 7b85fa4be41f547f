"""Who is asking: a session (pages, with CSRF) or a personal API token (`Authorization: Bearer ...`)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from papersift.accounts.services import user_for_token


class BearerToken(HttpBearer):
    """django-ninja auth for write endpoints: a personal token. Token requests need no CSRF token (no cookie)."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


# A token, or a logged-in browser session (django-ninja's SessionAuth checks the CSRF token for cookie auth).
API_WRITE_AUTH = [BearerToken(), django_auth]
