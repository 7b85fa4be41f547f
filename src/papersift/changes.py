"""The site's content generation: one value, in Django's shared cache, that changes whenever what readers see may
have changed (a write request, an ingest, an index update). Whatever keeps rendered output (`web.pagecache`)
keeps it under the generation it was made in and drops it when the value moves on, in every process."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "papersift:content:generation"


def generation() -> object:
    return cache.get(GENERATION_KEY, 0)


def changed() -> None:
    """Start a new generation once the current transaction commits (at once outside one)."""
    transaction.on_commit(renew)


def renew() -> None:
    """Start a new generation now (for a change already committed)."""
    cache.set(GENERATION_KEY, time.time_ns(), None)
