"""Keeping the database schema current without a separate step, as an embedded application should."""

from __future__ import annotations

import logging

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

log = logging.getLogger("papersift.catalog")


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def migrate_if_needed() -> None:
    pending = pending_migrations()
    if pending:
        log.info("db.migrate pending=%d", len(pending))
        call_command("migrate", interactive=False, verbosity=0)
