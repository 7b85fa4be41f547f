"""Keeps the API's one error shape for errors raised outside its handlers (405 from routing, 403 from CSRF)."""

from __future__ import annotations

from http import HTTPStatus

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
