"""The command line as users run it, and the docs that must keep up with it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest

from papersift import conf
from papersift.cli import main
from tests.conftest import REPO, run_cli

README = (REPO / "README.md").read_text()


def _commands(group: click.Group, prefix: str = "papersift") -> list[str]:
    names = []
    for name, command in group.commands.items():
        names.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            names.extend(_commands(command, f"{prefix} {name}"))
    return names


def test_every_cli_command_is_documented_in_the_readme():
    missing = [name for name in _commands(main) if f"`{name}" not in README]
    assert not missing, f"undocumented commands: {missing}"


def test_every_setting_is_documented_in_the_readme():
    missing = [s.name for s in conf.SETTINGS if f"`PAPERSIFT_{s.name}`" not in README]
    assert not missing, f"undocumented settings: {missing}"


def test_readme_opens_with_exactly_two_setup_commands():
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash)\n(.*?)```", setup, re.S)
    assert len(blocks) == 2 and "scripts/serve" in blocks[0] and "scripts/test" in blocks[1]
    ci = (REPO / ".ci/run").read_text()
    assert blocks[1].strip().splitlines()[-1] in ci


def test_stats_on_a_fresh_data_dir_creates_the_schema_and_reports_zero(cli_env):
    result = run_cli(cli_env, "stats", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["papers"], data["listings"], data["listing_days"], data["categories"]) == (0, 0, 0, {})


def test_config_redacts_secrets_and_generates_a_persistent_key(cli_env):
    env = {**cli_env, "PAPERSIFT_DATABASE_URL": "postgresql://app:hunter2@db.example:5432/papersift"}
    first = run_cli(env, "config", "--json")
    assert first.returncode == 0, first.stderr
    values = json.loads(first.stdout)
    assert values["SECRET_KEY"] == "********" and "hunter2" not in first.stdout
    assert values["DATABASE_URL"] == "postgresql://app:********@db.example:5432/papersift"
    key_file = Path(cli_env["PAPERSIFT_DATA_DIR"]) / "secret_key"
    key = key_file.read_text()
    run_cli(env, "config")
    assert key_file.read_text() == key and len(key) > 40


def test_production_refuses_a_placeholder_secret(cli_env):
    result = run_cli({**cli_env, "PAPERSIFT_ENV": "production", "PAPERSIFT_SECRET_KEY": "changeme"}, "config")
    assert result.returncode != 0 and "PAPERSIFT_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("name, value, says", [
    ("HARVEST_DELAY", "soon", "expected a number, got 'soon'"),
    ("ARXIV_OAI_URL", "oaipmh.arxiv.org/oai", "is not an http(s) URL"),
    ("AUTO_UPDATE", "sometimes", "expected true/false"),
    ("SUBSCRIBE_RATE_LIMIT", "lots", "is not N/period/kind"),
    ("COMMENT_RATE_LIMIT", "5/m/everyone", "is not N/period/kind"),
    ("TRUSTED_PROXY_HOPS", "-1", "between 0 and 10"),
    ("COMMENT_MAX_CHARS", "0", "between 1 and 50000"),
    ("DIGEST_DEFAULT_HOUR", "25", "between 0 and 23"),
    ("DIGEST_SEND_EMPTY", "maybe", "expected true/false"),
])
def test_a_malformed_setting_names_itself(cli_env, name, value, says):
    result = run_cli({**cli_env, f"PAPERSIFT_{name}": value}, "config")
    assert result.returncode != 0 and f"PAPERSIFT_{name}" in result.stderr and says in result.stderr


@pytest.mark.parametrize("name, says", [
    ("HARVEST_CRON", "sources now have their own schedules"),
    ("HARVEST_SOURCES", "papersift sources add"),
    ("INDEX_UPDATE_CRON", "embeds new papers after each source run"),
])
def test_a_retired_setting_says_what_replaced_it(cli_env, tmp_path, name, says):
    result = run_cli({**cli_env, f"PAPERSIFT_{name}": "0 * * * *"}, "config")
    assert result.returncode != 0 and f"PAPERSIFT_{name} was replaced" in result.stderr and says in result.stderr
    toml = tmp_path / "papersift.toml"
    toml.write_text(f'{name.lower()} = "0 * * * *"\n')
    result = run_cli({**cli_env, "PAPERSIFT_CONFIG_FILE": str(toml)}, "config")
    assert result.returncode != 0 and f"{name.lower()} was replaced" in result.stderr


def test_ingest_of_a_missing_path_is_an_error(cli_env, tmp_path):
    result = run_cli(cli_env, "ingest", "hf-daily", str(tmp_path / "nope"))
    assert result.returncode == 1 and "no such file or directory" in result.stderr
