"""The `papersift` command: thin faces over the services (parse arguments, call one service, print)."""

from __future__ import annotations

import json
import os
import sys

import click

from papersift.conf import ConfigError

FORMAT_NAMES = ("arxiv-oai", "arxiv-atom", "arxiv-snapshot", "arxiv-listing", "hf-daily")


def _django() -> None:
    """Configure Django on first use, so `--help` works even with a broken configuration."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "papersift.settings")
    import django

    try:
        django.setup()
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from exc


def _ready() -> None:
    """Django configured and the database schema current (the embedded default needs no separate step)."""
    _django()
    from papersift.catalog.maintenance import migrate_if_needed

    migrate_if_needed()


@click.group()
@click.version_option(package_name="papersift")
def main() -> None:
    """papersift: a self-hosted research-paper discovery hub."""


@main.command()
@click.argument("format_name", metavar="FORMAT", type=click.Choice(FORMAT_NAMES))
@click.argument("sources", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Abort a file at its first bad record, writing nothing from it.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
def ingest(format_name: str, sources: tuple[str, ...], strict: bool, as_json: bool, progress: bool | None) -> None:
    """Ingest papers from files, directories, .gz files or http(s) URLs in FORMAT.

    Exits 0 only when no record and no input had an error.
    """
    _ready()
    from papersift.ingest.progress import IngestProgress
    from papersift.ingest.services import Ingest

    show = sys.stderr.isatty() if progress is None else progress
    with IngestProgress(sources, enabled=show) as bar:
        report = Ingest(format_name, strict=strict, on_progress=bar.update).run(sources)
    summary = report.as_dict()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        for problem in summary["problems"]:
            where = f"{problem['input']}:{problem['location']}" if problem["location"] else problem["input"]
            click.echo(f"error: {where}: {problem['message']}", err=True)
        for file_report in report.files:
            if file_report.aborted:
                click.echo(f"error: {file_report.name}: --strict: nothing from this input was written", err=True)
        papers, listings = summary["papers"], summary["listings"]
        click.echo(f"papers: {papers['new']} new, {papers['updated']} updated, {papers['unchanged']} unchanged, "
                   f"{papers['stale']} stale (older than stored, ignored)")
        click.echo(f"listings: {listings['new']} new, {listings['updated']} updated, {listings['unchanged']} unchanged")
        click.echo(f"errors: {summary['errors']}")
        click.echo(f"inputs: {summary['inputs']} in {summary['seconds']:.1f} s")
    if report.error_count:
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def stats(as_json: bool) -> None:
    """Counts of papers, listings, listing days and papers per primary category."""
    _ready()
    from papersift.catalog.selectors import catalog_stats

    data = catalog_stats()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key in ("papers", "listings", "listing_days", "first_listing_day", "last_listing_day", "withdrawn"):
        click.echo(f"{key}: {data[key]}")
    click.echo("top categories: " + ", ".join(f"{k} {v}" for k, v in list(data["categories"].items())[:10]))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to bind.")
@click.option("--workers", type=int, default=None, help="Worker processes (default PAPERSIFT_SERVER_WORKERS).")
def serve(host: str, port: int, workers: int | None) -> None:
    """Serve the web pages with gunicorn (a production WSGI server), loading the sample into an empty catalog."""
    _ready()
    from django.conf import settings

    from papersift.ingest.sample import load_sample
    from papersift.server import run_server

    if settings.PAPERSIFT["LOAD_SAMPLE"]:
        report = load_sample(only_if_empty=True)
        if report is not None:
            click.echo(f"loaded the bundled sample: {report.totals().papers['new']} papers", err=True)
    run_server(host, port, workers or settings.PAPERSIFT["SERVER_WORKERS"], settings.PAPERSIFT["SERVER_THREADS"])


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def config(as_json: bool) -> None:
    """Print the effective settings, secrets redacted, and where each came from."""
    _django()
    from django.conf import settings

    from papersift.conf import redacted

    values = redacted(settings.PAPERSIFT)
    if as_json:
        click.echo(json.dumps(values, indent=2))
        return
    sources = settings.PAPERSIFT["_SOURCES"]
    for name, value in values.items():
        click.echo(f"PAPERSIFT_{name}={value if not isinstance(value, list) else ','.join(value)}"
                   f"    # {sources.get(name, 'derived')}")


@main.command()
def migrate() -> None:
    """Apply pending database migrations (other commands also do this on their own)."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@main.command("load-sample")
def load_sample_command() -> None:
    """Ingest the bundled Hugging Face sample (eight weeks of daily lists) into the catalog."""
    _ready()
    from papersift.ingest.sample import load_sample

    report = load_sample(only_if_empty=False)
    totals = report.totals()
    click.echo(f"papers: {totals.papers['new']} new, {totals.papers['unchanged']} unchanged; "
               f"listings: {totals.listings['new']} new")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. `papersift manage createsuperuser`."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["papersift manage", *args])
