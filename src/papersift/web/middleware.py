"""Keeps the API's one error shape for errors raised outside its handlers (405 from routing, 403 from CSRF)."""

from __future__ import annotations

from http import HTTPStatus

from django.db import transaction

from papersift.web.api import error_response


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
    """Every state-changing request (POST, PUT, PATCH, DELETE) is one database transaction.

    What a request writes, including the outbox rows of the mail it sends (django-allauth's verification mail
    among them), commits together or not at all. Reads stay outside transactions: on SQLite a transaction takes
    the write lock at BEGIN, and pages must not queue behind writers.
    """

    SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.SAFE:
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            return response
