"""Helpers that the CLI and every app's command group share (so no group imports ``cli.py`` back)."""

from __future__ import annotations

import json
import os

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


def print_mapping(data: dict, as_json: bool) -> None:
    """A status report: JSON, or one ``key: value`` line each."""
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        click.echo(f"{key}: {value}")


def eval_cache_dir():
    """Where eval commands cache corpus embeddings: ``$XDG_CACHE_HOME/papersift/eval``."""
    from pathlib import Path

    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "papersift" / "eval"
