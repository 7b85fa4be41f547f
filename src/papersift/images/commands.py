"""`papersift images fetch|status`: local copies of thumbnails and avatars (the worker does the same on its own)."""

from __future__ import annotations

import json
import sys

import click


@click.group()
def images() -> None:
    """Local copies of thumbnails and avatars, served by papersift instead of hotlinking."""


@images.command("fetch")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000),
              help="Most images to download in this run.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def fetch(limit: int, as_json: bool) -> None:
    """Download missing images (and failed ones whose retry is due), one at a time, PAPERSIFT_IMAGE_FETCH_DELAY
    apart; each is checked, re-encoded and stored under <DATA_DIR>/images/. Exits 1 when some failed."""
    from papersift.cli_common import ready

    ready()
    from papersift.images.services import fetch_missing

    report = fetch_missing(limit)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        for error in report.errors:
            click.echo(f"error: {error}", err=True)
        click.echo(f"images: {report.stored} stored, {report.failed} failed (retried later), {report.refused} "
                   f"refused, in {report.seconds:.1f} s" + (f"; stopped: {report.stopped}" if report.stopped else ""))
    sys.exit(1 if report.failed or report.refused else 0)


@images.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def status(as_json: bool) -> None:
    """Copies by status, the bytes they take, and how many known image URLs were never tried."""
    from papersift.cli_common import print_mapping, ready

    ready()
    from papersift.images.selectors import overview

    print_mapping(overview(), as_json)
