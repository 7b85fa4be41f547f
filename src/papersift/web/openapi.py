"""What the OpenAPI document says of errors: every status an endpoint can answer besides its success, in the one
error shape, so that clients (and schemathesis, tests/web/test_openapi.py) find no undocumented status code.

Each router decorator takes ``openapi_extra=errors(400, 404, ...)``; django-ninja merges it into the operation.
"""

from __future__ import annotations

from ninja import NinjaAPI

ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "required": ["error", "code", "status", "field"],
    "properties": {
        "error": {"type": "string", "description": "What was wrong, in words (huggingface_hub shows this)."},
        "code": {"type": "string", "description": "bad_parameter, not_found, unauthenticated, rate_limited, ..."},
        "status": {"type": "integer", "description": "The HTTP status again."},
        "field": {"type": ["string", "null"], "description": "The parameter or body field at fault, if one is."},
    },
}
DESCRIPTIONS = {
    400: "A parameter or body field is malformed or out of bounds; `field` names it.",
    401: "No credentials: send `Authorization: Bearer <token>` or a logged-in session with its CSRF token.",
    403: "Not yours to change (someone else's comment or public list), or a missing CSRF token.",
    404: "No such paper, comment or list (a private list of someone else's is a 404 too).",
    429: "Too many writes: the rate limit of this kind of write is used up; `Retry-After` says when to retry.",
    502: "arXiv could not be asked (a submission's metadata comes from it); try again later.",
    503: "The search index is not built yet (`papersift index rebuild`).",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds until the write would be accepted.",
                               "schema": {"type": "integer", "minimum": 1}}}


def errors(*statuses: int) -> dict:
    """``openapi_extra`` documenting these error statuses of an operation."""
    responses = {}
    for status in statuses:
        response = {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": ERROR_SCHEMA}}}
        if status == 429:
            response["headers"] = RETRY_AFTER
        responses[str(status)] = response
    return {"responses": responses}


# The statuses every write endpoint can answer besides its own: bad body, credentials, CSRF, rate limit.
WRITE = (400, 401, 403, 429)


class DocumentedAPI(NinjaAPI):
    """django-ninja's API whose OpenAPI document has one entry per status: ``response={400: ...}`` gives integer
    keys and ``openapi_extra`` string ones, which JSON writes as the same key twice (Swagger UI's YAML parser then
    refuses the whole document and draws nothing)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and isinstance(operation.get("responses"), dict):
                    operation["responses"] = _one_key_per_status(operation["responses"])
        return schema


def _one_key_per_status(responses: dict) -> dict:
    merged: dict[str, dict] = {}
    for status, response in responses.items():
        merged.setdefault(str(status), {}).update(response)
    return merged
