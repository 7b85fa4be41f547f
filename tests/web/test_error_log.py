"""Every unhandled exception, on pages and in the API, leaves one line in the server log with its request line
(method, path and query) and the traceback; the reader still gets the 500 page or the API's error shape.

The fault is real: the papers table is renamed away inside the test's transaction (rolled back afterwards), so
the views fail where a broken database would make them fail. `tests/test_serve.py` checks the same under gunicorn.
"""

from __future__ import annotations

import io
import logging

import pytest
from django.db import connection
from django.test import Client

from papersift.ingest.sample import load_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_catalog():
    load_sample(only_if_empty=True)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE catalog_paper RENAME TO catalog_paper_gone")


@pytest.fixture
def server_log():
    """What the configured log handler writes (to stderr in a server), captured for the test."""
    handlers = {handler for name in ("django.request", "papersift")
                for handler in _handlers(logging.getLogger(name)) if isinstance(handler, logging.StreamHandler)}
    assert handlers, "no log handler writes requests' errors anywhere"
    stream = io.StringIO()
    previous = {handler: handler.setStream(stream) for handler in handlers}
    yield stream
    for handler, old in previous.items():
        handler.setStream(old)


def _handlers(logger: logging.Logger) -> list[logging.Handler]:
    """The handlers a record from ``logger`` reaches, following propagation as logging does."""
    found = []
    while logger is not None:
        found += logger.handlers
        logger = logger.parent if logger.propagate else None
    return found


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if " ERROR " in line]


@pytest.mark.parametrize("path", ["/papers/2608.19880?from=digest", "/papers?sort=trending&category=cs.CL"])
def test_a_page_500_is_logged_with_its_request_line_and_traceback(broken_catalog, server_log, path):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 500
    (line,) = error_lines(server_log.getvalue())
    assert f"GET {path}" in line
    assert "Traceback (most recent call last)" in server_log.getvalue()
    assert "catalog_paper" in server_log.getvalue()       # the cause, for whoever reads the log


def test_an_api_500_is_logged_once_with_its_request_line_and_answers_in_the_error_shape(broken_catalog, server_log):
    response = Client(raise_request_exception=False).get("/api/papers/2608.19880", {"fields": "all"})
    assert response.status_code == 500
    body = response.json()
    assert body["status"] == 500 and set(body) == {"error", "code", "status", "field"}
    assert "catalog_paper" not in body["error"]             # the details are for the log, not the reader
    (line,) = error_lines(server_log.getvalue())
    assert "GET /api/papers/2608.19880?fields=all" in line
    assert "Traceback (most recent call last)" in server_log.getvalue()


def test_a_failing_write_is_logged_with_its_method(broken_catalog, server_log, ada):
    client = Client(raise_request_exception=False)
    client.force_login(ada)
    response = client.post("/api/papers/2608.19880/upvote")
    assert response.status_code == 500
    (line,) = error_lines(server_log.getvalue())
    assert "POST /api/papers/2608.19880/upvote" in line


def test_control_characters_in_the_request_cannot_forge_log_lines(broken_catalog, server_log):
    Client(raise_request_exception=False).get("/papers/2608.19880", QUERY_STRING="q=x%0A\nFAKE ERROR line")
    (line,) = error_lines(server_log.getvalue())      # the text after the line break is not a line of its own
    assert "FAKE" in line and not any(text.startswith("FAKE") for text in server_log.getvalue().splitlines())


@pytest.mark.parametrize("text, shown", [
    ("GET /papers?q=x", "GET /papers?q=x"),
    ("GET /x\nFAKE 500", "GET /x\\nFAKE 500"),
    ("a\r\x1b[31mred\x00", "a\\r\\x1b[31mred\\x00"),
    ("ü 😀 数学", "ü 😀 数学"),
    ("x" * 1200, "x" * 1000 + "…"),
])
def test_printable_keeps_a_log_line_one_line_and_bounded(text, shown):
    from papersift.logs import printable

    assert printable(text) == shown


def test_records_without_a_request_are_formatted_as_before():
    from papersift.logs import RequestLineFormatter

    record = logging.LogRecord("papersift.x", logging.INFO, __file__, 1, "ingest.page n=%d", (3,), None)
    formatter = RequestLineFormatter("%(levelname)s %(name)s %(message)s")
    assert formatter.format(record) == "INFO papersift.x ingest.page n=3"


def test_the_500_page_needs_no_database_when_the_readers_session_cannot_be_read(broken_catalog, server_log, ada):
    """A signed-in reader's 500 page would load their session and account from the database that just failed;
    the plain page answers instead (on PostgreSQL the failed transaction refuses every later query too)."""
    client = Client(raise_request_exception=False)
    client.force_login(ada)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE django_session RENAME TO django_session_gone")
    response = client.get("/papers/2608.19880")
    assert response.status_code == 500
    assert b"Internal error" in response.content and b"django_session" not in response.content
    lines = error_lines(server_log.getvalue())
    assert any("GET /papers/2608.19880" in line and "could not be rendered" not in line for line in lines)
    assert any("the 500 page could not be rendered" in line for line in lines)
