"""schemathesis against the API through its WSGI app: generated requests to every operation in the OpenAPI
document, valid and invalid, answer no 5xx, only documented status codes, and bodies in the documented shapes."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from papersift.accounts.services import create_token
from papersift.ingest.sample import load_sample
from papersift.web.api import api

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 6        # per operation (22 of them) and mode: the whole module takes well under a minute on 2 cores
OPERATIONS = sorted((method.upper(), path.removeprefix("/api")) for path, methods in
                    api.get_openapi_schema(path_prefix="/api")["paths"].items() for method in methods)


@pytest.fixture
def wsgi_schema(db, settings, django_user_model):
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    load_sample(only_if_empty=True)
    # Writes past the rate limits answer 429 (documented); high limits let generated writes reach deeper code.
    settings.PAPERSIFT = {**settings.PAPERSIFT, **{name: "10000/m/user" for name in (
        "COMMENT_RATE_LIMIT", "VOTE_RATE_LIMIT", "LIST_RATE_LIMIT", "SUBMIT_RATE_LIMIT", "WRITE_RATE_LIMIT")}}
    # Submissions ask arXiv: a closed loopback port makes them fail fast, with the documented 502.
    settings.PAPERSIFT["ARXIV_API_URL"] = "http://127.0.0.1:9/api/query"
    # As Django's test client does: the test's transaction holds the connection, so the end of a request must
    # not close it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, django_user_model) -> str:
    user = django_user_model.objects.create_user("fuzz", "fuzz@example.org", "pw-fuzz-123456")
    return create_token(user, "schemathesis")[1]


def test_every_route_is_in_the_run():
    assert len(OPERATIONS) >= 22 and ("POST", "/papers/index") in OPERATIONS


def test_the_api_answers_as_documented(wsgi_schema, token):
    """Valid and invalid requests to every operation (one sample catalog for them all: loading it is the slow part)."""
    headers = {"Authorization": f"Bearer {token}"}
    statuses: dict[str, set[int]] = {}
    for method, path in OPERATIONS:
        operation = wsgi_schema["/api" + path][method]
        seen = statuses.setdefault(f"{method} {path}", set())
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                                 suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def conforms(case):
                seen.add(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

            try:
                conforms()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE    # an operation with nothing to get wrong (no parameters)
    # The run reached past parameter checking: successes and refusals both, across the operations.
    everything = set().union(*statuses.values())
    assert {200, 201, 400, 404} <= everything, statuses


def test_the_served_document_names_each_key_once(client):
    """JSON.parse takes a repeated key, but Swagger UI reads the document with a YAML parser that refuses it and
    then draws no operation at all (integer and string status keys once gave `400` twice)."""
    import json

    repeated = []

    def pairs(items):
        keys = [key for key, _ in items]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(items)

    response = client.get("/api/openapi.json")
    json.loads(response.content, object_pairs_hook=pairs)
    assert response.status_code == 200 and repeated == []
