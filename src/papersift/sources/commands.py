"""`papersift sources list|add|remove|enable|disable|run|status`: faces over `sources.services` and `selectors`."""

from __future__ import annotations

import json
import sys

import click

from papersift.cli_common import ready


@click.group()
def sources() -> None:
    """What papersift follows (arXiv categories, Hugging Face's daily list), and how fresh each source is."""


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def list_sources(as_json: bool) -> None:
    """The sources, their schedules and next runs."""
    ready()
    from papersift.sources.selectors import listing

    rows = listing()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        what = "+".join(row["categories"]) if row["categories"] else "daily list"
        state = "enabled" if row["enabled"] else "disabled"
        click.echo(f"{row['name']}: {row['kind']} {what}; {state}; {row['schedule_text']}; next run "
                   f"{row['next_run_text']}")
    if not rows:
        click.echo("no sources (papersift sources add ...)")


@sources.command("add")
@click.argument("name")
@click.option("--arxiv", "categories", metavar="CATEGORIES",
              help="Follow arXiv's announcements in these categories or archives (cs.CL,cs.LG or hep-th).")
@click.option("--hf-daily", is_flag=True, help="Follow Hugging Face's daily papers list.")
@click.option("--schedule", default="auto", show_default=True,
              help="`auto` (arXiv: after each announcement; Hugging Face: hourly) or `every 30m` / `every 2h`.")
@click.option("--disabled", is_flag=True, help="Add it switched off.")
@click.option("--json", "as_json", is_flag=True, help="Print the new source as JSON.")
def add(name: str, categories: str | None, hf_daily: bool, schedule: str, disabled: bool, as_json: bool) -> None:
    """Add a source named NAME: --arxiv CATEGORIES or --hf-daily."""
    if bool(categories) == hf_daily:
        raise click.UsageError("give either --arxiv CATEGORIES or --hf-daily")
    ready()
    from papersift.sources import services
    from papersift.sources.selectors import describe

    try:
        source = services.add(name, "hf-daily" if hf_daily else "arxiv", categories or [], schedule,
                              enabled=not disabled)
    except services.SourceProblem as exc:
        raise click.ClickException(str(exc)) from None
    row = describe(source)
    click.echo(json.dumps(row, indent=2) if as_json else f"added {name}: {row['schedule_text']}")


@sources.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Stop following NAME (its papers stay in the catalog)."""
    ready()
    from papersift.sources import services
    from papersift.sources.models import Source

    try:
        services.remove(name)
    except Source.DoesNotExist as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"removed {name}")


def _toggle(name: str, enabled: bool) -> None:
    ready()
    from papersift.sources import services
    from papersift.sources.models import Source

    try:
        services.set_enabled(name, enabled)
    except Source.DoesNotExist:
        raise click.ClickException(f"no source named {name!r}") from None
    click.echo(f"{name}: {'enabled' if enabled else 'disabled'}")


@sources.command("enable")
@click.argument("name")
def enable(name: str) -> None:
    """Switch NAME on."""
    _toggle(name, True)


@sources.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Switch NAME off (the worker leaves it alone; `sources run NAME` still runs it)."""
    _toggle(name, False)


@sources.command("run")
@click.argument("names", nargs=-1)
@click.option("--due", is_flag=True, help="Only the sources whose next run has come (as the worker does).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Also read every announcement or day from this date on (a backfill).")
@click.option("--embed/--no-embed", default=True, show_default=True,
              help="Embed the new papers afterwards (BM25 indexing is always done).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def run(names: tuple[str, ...], due: bool, since, embed: bool, as_json: bool) -> None:
    """Run the named sources now (default: every enabled one); exit 1 when one failed."""
    ready()
    from papersift.sources import services
    from papersift.sources.models import Source

    if names:
        chosen = list(Source.objects.filter(name__in=names))
        unknown = sorted(set(names) - {s.name for s in chosen})
        if unknown:
            raise click.ClickException(f"no source named {', '.join(map(repr, unknown))}")
    else:
        chosen = services.due() if due else list(Source.objects.filter(enabled=True))
    report = services.run_many(chosen, embed=embed, since=since.date() if since else None)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        for item in report.runs:
            click.echo(f"{item.source}: {item.status}; {item.papers_new} new papers, {item.papers_updated} updated, "
                       f"{item.announcements_new} announcements, {item.listings_new} listings; days "
                       f"{', '.join(item.days) or 'none'}; next run {item.next_run:%Y-%m-%d %H:%M} UTC")
            if item.message:
                click.echo(f"  {item.message}", err=item.status == "failed")
        for name in report.busy:
            click.echo(f"{name}: skipped, another process is running it", err=True)
        if report.index:
            click.echo(f"search index: {report.index}")
    sys.exit(1 if any(item.status == "failed" for item in report.runs) else 0)


@sources.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def status(as_json: bool) -> None:
    """Per source: last run and what it brought, next run, last error; stale sources (failing for a day)."""
    ready()
    from papersift.sources.selectors import status as freshness

    data = freshness()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"last updated: {data['last_updated'] or 'never'}")
    for row in data["sources"]:
        last = row["last_run"]
        brought = (f"{last['status']} at {last['finished'] or last['started']}: {last['papers_new']} new papers, "
                   f"{last['announcements_new']} announcements, {last['listings_new']} listings"
                   if last else "never run")
        click.echo(f"{row['name']}: {brought}; caught up to {row['caught_up_to'] or '-'}; next run "
                   f"{row['next_run_text']}")
        if row["last_error"]:
            click.echo(f"  {'STALE, ' if row['stale'] else ''}failing since {row['failing_since']}: "
                       f"{row['last_error']}", err=True)
