"""When the site was last brought up to date, for the footer of every page."""

from __future__ import annotations

from papersift.sources.selectors import last_updated


def freshness(request) -> dict:
    return {"catalog_updated_at": last_updated}   # a callable: evaluated only by templates that show it
