"""Digest test helpers: the bundled sample, active subscribers, papers named in a mail, subprocess workers."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime, timezone

import pytest

from papersift.digests import services
from papersift.digests.models import Subscription
from tests import processes
from tests.conftest import OFFLINE

#: A Thursday morning of the bundled sample (its last week is 17-21 August 2026).
THURSDAY = datetime(2026, 8, 20, 8, 0, tzinfo=timezone.utc)
PAPER_LINK = re.compile(r"/papers/(\d{4}\.\d{4,5})")


@pytest.fixture
def sample(db):
    from papersift.ingest.sample import load_sample

    assert load_sample(only_if_empty=True).error_count == 0


def active(email: str, **choices) -> Subscription:
    """A confirmed subscription, made the way the pages make one (subscribe, then confirm). Its confirmation
    mail is dropped from the outbox, so tests here count digests only (test_pages follows that mail)."""
    from papersift.outbox.models import OutboxMessage

    subscription = services.subscribe(email, services.Choices(**choices))
    services.confirm(subscription)
    OutboxMessage.objects.filter(kind="digest-confirm", recipients=[email]).delete()
    return subscription


def parts(message) -> tuple[str, str]:
    """The text and HTML parts of a delivered message."""
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


def paper_ids(text: str) -> list[str]:
    """arXiv ids linked from a mail part, in order, each once."""
    return list(dict.fromkeys(PAPER_LINK.findall(text)))


def link(text: str, path: str) -> str:
    """The path of the first link to ``path...`` in a mail part."""
    return re.search(rf"https?://[^/\s\"]+({re.escape(path)}[^\s\"<]+)", text).group(1)


@pytest.fixture
def worker_env(transactional_db, own_data_dir, settings, backend) -> dict:
    """Environment for `papersift` subprocesses on this test's own (committed) database and data dir."""
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSIFT_")}
    db = connection.settings_dict
    if backend == "postgresql":
        url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        url = f"sqlite:///{db['NAME']}"
    env.update(PAPERSIFT_DATABASE_URL=url, PAPERSIFT_DATA_DIR=str(own_data_dir), PAPERSIFT_LOAD_SAMPLE="false",
               PAPERSIFT_SECRET_KEY=settings.SECRET_KEY, PAPERSIFT_SITE_URL=settings.PAPERSIFT["SITE_URL"],
               **OFFLINE)
    return env


def papersift(env: dict, *args: str, **kwargs) -> subprocess.Popen:
    """`papersift ARGS`, stopped with its process group when the test ends if it still runs (tests/processes.py)."""
    return processes.start(*args, env=env, **kwargs)
