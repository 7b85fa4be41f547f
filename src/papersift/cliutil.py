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


def eval_cache_dir():
    """Where eval commands cache corpus embeddings: ``$XDG_CACHE_HOME/papersift/eval``."""
    from pathlib import Path

    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "papersift" / "eval"
