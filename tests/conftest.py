"""Test set-up: the database backend (SQLite, or a real PostgreSQL server started here), shared data, helpers.

Run the suite once per backend: `pytest` (SQLite) and `pytest --backend postgresql`. With CI=true a
PostgreSQL run that cannot start its server fails; elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings as hypothesis_settings

from tests import pgserver

# Settings are read once when Django starts (after this module is imported): keep the tests' data out of $HOME.
os.environ.setdefault("PAPERSIFT_DATA_DIR", tempfile.mkdtemp(prefix="papersift-test-"))
os.environ.setdefault("PAPERSIFT_HARVEST_DELAY", "0.05")
# No test reaches the network: the worker does not run the sources on its own, and the sources' services point
# at a loopback port where nothing listens unless a test starts its recorded server there.
OFFLINE = {"PAPERSIFT_AUTO_UPDATE": "false", "PAPERSIFT_ARXIV_RSS_URL": "http://127.0.0.1:9/rss/",
           "PAPERSIFT_ARXIV_OAI_URL": "http://127.0.0.1:9/oai", "PAPERSIFT_ARXIV_API_URL": "http://127.0.0.1:9/api/query",
           "PAPERSIFT_HF_API_URL": "http://127.0.0.1:9/api"}
for _name, _value in OFFLINE.items():
    os.environ.setdefault(_name, _value)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERSIFT_SHARED_DATA", REPO.parent / "shared" / "data"))
ON_CI = os.environ.get("CI", "").lower() == "true"

# Property-based tests (Hypothesis) are derandomised: every run, CI's included, draws the same examples, so a failure
# is reproducible and a green run means the same thing twice. `HYPOTHESIS_PROFILE=explore` draws ten times as many,
# at random, to look for new failures (Hypothesis prints how to reproduce one). No deadline: timings are for bench/.
hypothesis_settings.register_profile(
    "papersift", derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
hypothesis_settings.register_profile("explore", parent=hypothesis_settings.get_profile("papersift"),
                                     derandomize=False, max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "papersift"))


def pytest_addoption(parser):
    parser.addoption("--backend", choices=("sqlite", "postgresql"),
                     default=os.environ.get("PAPERSIFT_TEST_BACKEND", "sqlite"),
                     help="database backend the tests run against")
    parser.addoption("--every-test", action="store_true",
                     help="on PostgreSQL, also run the tests that do not touch the database and the Chromium ones")


_server: pgserver.PostgresServer | None = None
_server_problem: str | None = None


def _postgres() -> pgserver.PostgresServer | None:
    global _server, _server_problem
    if _server is None and _server_problem is None:
        try:
            _server = pgserver.PostgresServer().start()
        except pgserver.Unavailable as exc:
            _server_problem = str(exc)
    return _server


def pytest_configure(config):
    # pytest-django loads the settings before this module sets PAPERSIFT_DATA_DIR, so the cache (rate limits)
    # would be the user's own under ~/.local/share, shared with every other test run on the machine (each clears
    # it): move it to this run's directory, where the processes a test starts find it too.
    from django.conf import settings

    settings.CACHES["default"]["LOCATION"] = str(Path(os.environ["PAPERSIFT_DATA_DIR"]) / "cache")
    # Pages are rendered for every request, here and in the servers tests start (cli_env), so a test that changes
    # the catalog directly reads what it wrote at once; tests/web/test_pagecache.py turns the cache on for itself.
    settings.PAPERSIFT["PAGE_CACHE_SECONDS"] = 0
    if config.getoption("--backend") == "postgresql" and _postgres() is None and ON_CI:
        raise pytest.UsageError(f"PostgreSQL is required when CI=true: {_server_problem}")


@pytest.fixture(autouse=True, scope="session")
def _check_backend(backend, django_db_setup):
    """Fail loudly if the tests would run on another database than the one asked for."""
    from django.db import connection

    assert connection.vendor == backend, f"asked for {backend}, running on {connection.vendor}"


def pytest_report_header(config):
    backend = config.getoption("--backend")
    if backend == "postgresql":
        return f"database backend: postgresql ({_server.url('') if _server else 'unavailable: ' + str(_server_problem)})"
    return "database backend: sqlite"


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                     "live_server", "cli_env"}


def on_the_database(item) -> bool:
    """Whether a test reads or writes the database, in this process or in a `papersift` it starts."""
    return item.get_closest_marker("django_db") is not None or bool(DATABASE_FIXTURES & set(item.fixturenames))


def in_chromium(item) -> bool:
    """The test drives Playwright itself or through tests/web/test_browser.py's `page` fixture."""
    return "page" in item.fixturenames or getattr(getattr(item, "module", None), "sync_api", None) is not None


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL run is for what the database changes: the tests that touch it. A test without the database
    (parsers, ranking, property tests) would run the same code twice, and a Chromium test sees the same HTML from
    either database (the database work behind those pages runs on PostgreSQL through Django's test client).
    Tests marked ``same_on_any_database`` touch it but check what it has no say in (a gzip bomb refused before any
    write, which stream a log line goes to, whether a GET view writes at all)."""
    if config.getoption("--backend") != "postgresql":
        return
    if _server is None:
        skip = pytest.mark.skip(reason=f"PostgreSQL unavailable here ({_server_problem}); required when CI=true")
        for item in items:
            item.add_marker(skip)
        return
    if config.getoption("--every-test"):
        return
    keep = [item for item in items if on_the_database(item) and not in_chromium(item)
            and item.get_closest_marker("same_on_any_database") is None]
    if len(keep) < len(items):
        kept = set(keep)
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = keep


def pytest_unconfigure(config):
    if _server is not None:
        _server.stop()


@pytest.fixture(scope="session")
def backend(request) -> str:
    return request.config.getoption("--backend")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(backend):
    """Point Django's default database at the test PostgreSQL server when that backend is chosen.

    On SQLite the test database is a file, as in production: the live-server tests' request threads then
    get their own connections (an in-memory database would make them share one, savepoints and all).
    """
    from django.conf import settings

    if backend != "postgresql":
        test = settings.DATABASES["default"].setdefault("TEST", {})
        test["NAME"] = str(Path(tempfile.mkdtemp(prefix="papersift-db-")) / "test.sqlite3")
        return
    from django.db import connections

    connections.close_all()
    # The connection object may already exist (made while models loaded); drop it so that the next use builds
    # one from the PostgreSQL settings below instead of going on with SQLite.
    del connections["default"]
    settings.DATABASES["default"].update({
        "ENGINE": "django.db.backends.postgresql", "NAME": "papersift", "USER": _server.user, "PASSWORD": "",
        "HOST": _server.host, "PORT": str(_server.port), "OPTIONS": {}, "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
    })


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared data not found at {SHARED} (set PAPERSIFT_SHARED_DATA)")
    return SHARED


@pytest.fixture
def cli_env(tmp_path, backend) -> dict:
    """Environment for running `papersift` as a separate process on its own fresh database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSIFT_")}
    env["PAPERSIFT_DATA_DIR"] = str(tmp_path / "data")
    env["PAPERSIFT_LOAD_SAMPLE"] = "false"
    env.update(OFFLINE, PAPERSIFT_PAGE_CACHE_SECONDS="0")
    if backend == "postgresql":
        env["PAPERSIFT_DATABASE_URL"] = _server.create_database(f"cli_{uuid.uuid4().hex[:12]}")
    return env


def run_cli(env: dict, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the installed console script as a user would."""
    exe = Path(sys.executable).parent / "papersift"
    return subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path, monkeypatch):
    """Each test gets its own DATA_DIR: search indexes live there and must not outlive the test's database."""
    from django.conf import settings

    monkeypatch.setitem(settings.PAPERSIFT, "DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture(scope="session")
def listing_lines(shared) -> list[str]:
    """The first papers of the 5,000-paper arXiv listings sample that have categories and an abstract."""
    import json

    out = []
    with open(shared / "arxiv-listings" / "sample-5000.jsonl", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("categories") and row.get("abstract"):
                out.append(line)
    return out


@pytest.fixture(autouse=True, scope="session")
def own_cache():
    """The cache (rate limits, lockouts) in a directory of this test run. pytest-django sets Django up before this
    module runs, so the PAPERSIFT_DATA_DIR set above comes too late for CACHES: it would be the user's
    ~/.local/share/papersift/cache, shared with every other test run on the machine, whose `cache.clear()` wiped
    this run's failed-login counts mid-test."""
    from django.conf import settings
    from django.test.utils import override_settings

    location = tempfile.mkdtemp(prefix="papersift-cache-")
    with override_settings(CACHES={"default": {**settings.CACHES["default"], "LOCATION": location},
                                   "pages": {**settings.CACHES["pages"], "LOCATION": location + "-pages"}}):
        yield location


@pytest.fixture(autouse=True)
def stop_started_processes():
    """Whatever a test started through tests/processes.py is stopped when it ends, passed or failed."""
    from tests import processes

    yield
    processes.stop_all()


@pytest.fixture(autouse=True)
def empty_cache(own_cache):
    """Rate limits (failed logins, confirmation mails) live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def real_mail(settings):
    """papersift's own mail set-up, not Django's test-run locmem: mail goes to the outbox table, and the
    worker's SMTP connection goes to a real server (the `smtp_server` fixture's)."""
    from papersift import settings as project

    if hasattr(project, "MAILERS"):
        settings.MAILERS = project.MAILERS
    else:
        settings.EMAIL_BACKEND = project.EMAIL_BACKEND


@pytest.fixture
def smtp_server(settings, real_mail):
    """A real SMTP server on 127.0.0.1, and papersift's SMTP settings pointing at it."""
    from tests.smtpserver import SmtpServer

    server = SmtpServer().start()
    settings.PAPERSIFT = {**settings.PAPERSIFT, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port,
                          "SMTP_SECURITY": "none", "SMTP_USER": "", "SMTP_PASSWORD": ""}
    options = {**settings.SMTP_OPTIONS, "host": "127.0.0.1", "port": server.port, "use_tls": False,
               "use_ssl": False, "username": None, "password": None}
    settings.SMTP_OPTIONS = options
    if hasattr(settings, "MAILERS"):
        settings.MAILERS = {**settings.MAILERS, "smtp": {**settings.MAILERS["smtp"], "OPTIONS": options}}
    yield server
    server.stop()


@pytest.fixture
def ada(django_user_model):
    from tests.people import PASSWORD

    return django_user_model.objects.create_user("ada", "ada@example.org", PASSWORD)


@pytest.fixture
def bob(django_user_model):
    from tests.people import PASSWORD

    return django_user_model.objects.create_user("bob", "bob@example.org", PASSWORD)


@pytest.fixture
def semantic_sample(db):
    """The bundled sample with real vectors for the papers of its last two weeks (tests/vectors.py): hybrid and
    dense search work through pages, API, feeds and digests as in production. The arXiv ids with vectors."""
    from papersift.ingest.sample import load_sample
    from tests.vectors import with_vectors

    load_sample(only_if_empty=True)
    return with_vectors()
