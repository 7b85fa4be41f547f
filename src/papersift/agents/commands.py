"""`papersift mcp`: the MCP server over stdio, for agents that start it as a subprocess."""

from __future__ import annotations

import click


@click.command()
def mcp() -> None:
    """Serve papersift's MCP tools (daily, weekly, monthly and trending lists, search, paper details and
    Markdown, similar papers, organisations) over stdio; the web server also serves them at /mcp."""
    from papersift.cli_common import ready

    ready()
    from papersift.agents.server import build_server

    build_server().run("stdio")
