"""`papersift digest send|preview`: operators' faces over `digests.services` (parse, call one service, print)."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from papersift.cli_common import print_delivery, print_mapping, ready


def _moment(value: str | None) -> datetime | None:
    """``--now``: an ISO 8601 date or time; without a zone it is UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time (e.g. 2026-08-20T08:00:00Z)",
                                 param_hint="--now") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@click.group()
def digest() -> None:
    """E-mail digests: build and send the due ones, preview one."""


@digest.command("send")
@click.option("--now", "now_text", metavar="ISO-TIME", help="Act as if it were this time (default: now).")
@click.option("--to", "to", metavar="EMAIL", help="Only the subscriptions of this address.")
@click.option("--dry-run", is_flag=True, help="Say what would be built; write and send nothing.")
@click.option("--no-deliver", is_flag=True, help="Queue the digests in the outbox; leave sending to the worker.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def send(now_text: str | None, to: str | None, dry_run: bool, no_deliver: bool, as_json: bool) -> None:
    """Build every digest due at --now (each subscription's latest slot without a digest) and send them.

    Running it again for the same period builds nothing: a digest exists at most once per subscription and
    period. Exits 1 when mail could not be delivered now (it waits in the outbox).
    """

    ready()
    from dataclasses import asdict

    from papersift.digests.services import send_due
    from papersift.outbox.services import deliver

    report = send_due(_moment(now_text), to=to, dry_run=dry_run)
    delivery = None if dry_run or no_deliver else deliver()
    if as_json:
        click.echo(json.dumps({**report.as_dict(), "delivery": asdict(delivery) if delivery else None}, indent=2))
    else:
        verb = "would build" if dry_run else "built"
        click.echo(f"digests: {verb} {report.built} ({report.papers} papers)")
        for line in report.built_for:
            click.echo(f"  {line}")
        if report.skipped:
            click.echo("skipped: " + ", ".join(f"{reason} {n}" for reason, n in sorted(report.skipped.items())))
        if delivery is not None:
            print_delivery(delivery)
    sys.exit(1 if delivery is not None and delivery.trouble else 0)


@digest.command("preview")
@click.option("--to", "to", required=True, metavar="EMAIL", help="The subscriber whose next digest to show.")
@click.option("--now", "now_text", metavar="ISO-TIME", help="As it would be at this time (default: now).")
@click.option("--output", metavar="FILE|-", help="HTML file to write (one per subscription: -2, -3 ... added), or "
              "- for stdout. Default: a new temporary directory, named in the output.")
def preview(to: str, now_text: str | None, output: str | None) -> None:
    """Write the HTML of the digest EMAIL would get at --now, one per subscription; nothing is stored or sent."""

    ready()
    from papersift.digests import mail
    from papersift.digests.services import preview as build_preview

    contents = build_preview(to, _moment(now_text))
    if not contents:
        raise click.ClickException(f"{to} has no subscription to preview (none, or all unsubscribed)")
    if output == "-":
        for content in contents:
            message = mail.digest(content)
            click.echo(message.alternatives[0][0])
            click.echo(f"{message.subject} ({mail.preview_window_label(content)})", err=True)
        return
    if output is None:
        import tempfile

        base = Path(tempfile.mkdtemp(prefix="papersift-preview-")) / "digest-preview.html"
        click.echo(f"previews written to {base.parent} (open the files in a browser)")
    else:
        base = Path(output)
    for number, content in enumerate(contents, start=1):
        path = base if number == 1 else base.with_name(f"{base.stem}-{number}{base.suffix}")
        message = mail.digest(content)
        path.write_text(message.alternatives[0][0], encoding="utf-8")
        click.echo(f"{path}: {message.subject} ({mail.preview_window_label(content)})")


@digest.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def status(as_json: bool) -> None:
    """Subscriptions by status and frequency, and the last week's digests by outcome."""

    ready()
    from papersift.digests.selectors import overview

    print_mapping(overview(), as_json)
