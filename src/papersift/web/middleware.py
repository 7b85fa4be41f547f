"""Request-wide rules: the API's one error shape for errors raised outside its handlers, one transaction per
page write, and (on Django 5.2) the Content-Security-Policy header."""

from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

from papersift.web.api import error_response


class ContentSecurityPolicyMiddleware:
    """Django 5.2 has no CSP support of its own (6.0 has, and settings.py uses it there): the same policy,
    ``settings.SECURE_CSP``, as one header on every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = "; ".join(
                f"{name} {' '.join(values)}" for name, values in settings.SECURE_CSP.items())
        return response


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path.startswith("/api/") and response.status_code >= 400
                and not response.get("Content-Type", "").startswith("application/json")):
            status = response.status_code
            phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "error"
            shaped = error_response(status, phrase.lower().replace(" ", "_"),
                                    f"{phrase}: {request.method} {request.path}")
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response


class AtomicWritesMiddleware:
    """Every state-changing page request (POST, PUT, PATCH, DELETE) runs its view in one database transaction.

    What a request writes, including the outbox rows of the mail it sends (django-allauth's verification mail
    among them), commits together or not at all. Reads stay outside transactions: on SQLite a transaction takes
    the write lock at BEGIN, and pages must not queue behind writers. Not wrapped: the JSON API (each endpoint
    calls one service, itself one transaction) and views marked `transaction.non_atomic_requests` (paper
    submission, which asks arXiv before it writes and must not hold the write lock meanwhile). Runs as the last
    middleware's `process_view`, after the CSRF check.
    """

    SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (request.method in self.SAFE or request.path.startswith("/api/")
                or DEFAULT_DB_ALIAS in getattr(view_func, "_non_atomic_requests", ())):
            return None
        with transaction.atomic():
            response = view_func(request, *view_args, **view_kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response
