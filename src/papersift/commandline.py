"""What every CLI group needs (Django set-up, the schema brought up to date, printing a report), in one module
that `cli.py` and the apps' `commands.py` both import, so that no group imports `cli.py` back."""

from __future__ import annotations

import json
import os

import click

from papersift.conf import ConfigError


def setup_django() -> None:
    """Configure Django on first use, so `--help` works even with a broken configuration."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "papersift.settings")
    import django

    try:
        django.setup()
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from exc


def ready() -> None:
    """Django configured and the database schema current (the embedded default needs no separate step)."""
    setup_django()
    from papersift.catalog.maintenance import migrate_if_needed

    migrate_if_needed()


def print_mapping(data: dict, as_json: bool) -> None:
    """A status report: JSON, or one ``key: value`` line each."""
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        click.echo(f"{key}: {value}")
