"""What the CLI's command groups share (Django set-up, printing a report), so that a group in an app's
`commands.py` never imports `cli.py` back."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from papersift.conf import ConfigError


def django_setup() -> None:
    """Configure Django on first use, so `--help` works even with a broken configuration."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "papersift.settings")
    import django

    try:
        django.setup()
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from exc


def ready() -> None:
    """Django configured and the database schema current (the embedded default needs no separate step)."""
    django_setup()
    from papersift.catalog.maintenance import migrate_if_needed

    migrate_if_needed()


def print_mapping(data: dict, as_json: bool, indent: str = "") -> None:
    """A status report: JSON, or one ``key: value`` line each, a nested mapping as indented lines under its key
    (``none`` when it is empty)."""
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        if isinstance(value, dict):
            click.echo(f"{indent}{key}:" + ("" if value else " none"))
            print_mapping(value, False, indent + "  ")
        else:
            click.echo(f"{indent}{key}: {value}")


def print_delivery(report) -> None:
    """One line for an outbox delivery run, and its errors (the `outbox send` and `digest send` commands)."""
    from papersift.outbox.selectors import queue_status

    click.echo(f"mail: sent {report.sent}, retry later {report.retried}, failed {report.failed}, "
               f"unknown {report.unknown}" + (f", released {report.released}" if report.released else ""))
    if report.unreachable:
        click.echo(f"SMTP server unreachable ({report.unreachable}): {queue_status()['pending']} message(s) wait "
                   "in the outbox and go out when it answers (`papersift outbox send` or the worker)", err=True)
    for error in report.errors:
        click.echo(f"  {error}", err=True)


def eval_cache_dir() -> Path:
    """Where eval commands cache corpus embeddings: ``$XDG_CACHE_HOME/papersift/eval``."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "papersift" / "eval"
