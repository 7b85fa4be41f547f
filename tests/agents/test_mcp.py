"""The MCP server through the official SDK's own client, over both transports: `papersift mcp` as a stdio
subprocess, and streamable HTTP at /mcp of a live server; plus the HTTP endpoint's guards."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from papersift.ingest.sample import load_sample
from tests.conftest import run_cli

TOOLS = {"daily_papers", "weekly_papers", "monthly_papers", "trending_papers", "search_papers", "paper_details",
         "paper_markdown", "similar_papers", "organization_papers"}


async def conversation(target) -> dict:
    """What an agent does: list the tools, search, look a paper up, read it, and get a few things wrong."""
    out = {}
    async with Client(target, read_timeout_seconds=60) as client:
        out["tools"] = {tool.name: tool for tool in (await client.list_tools()).tools}
        search = await client.call_tool("search_papers", {"query": "EnvHarness static environments", "limit": 3})
        out["search"] = (search.is_error, search.structured_content)
        lookup = await client.call_tool("paper_details", {"paper_id": "2608.19880"})
        out["lookup"] = (lookup.is_error, lookup.structured_content)
        day = await client.call_tool("daily_papers", {"date": "2026-08-21", "limit": 5})
        out["day"] = (day.is_error, day.structured_content)
        markdown = await client.call_tool("paper_markdown", {"paper_id": "2608.19880"})
        out["markdown"] = (markdown.is_error, markdown.content[0].text)
        org = await client.call_tool("organization_papers", {"name": "google", "limit": 2})
        out["org"] = (org.is_error, org.structured_content)
        out["errors"] = {}
        for name, arguments in (("paper_details", {"paper_id": "2101.00001"}),
                                ("paper_details", {"paper_id": "not an id"}),
                                ("daily_papers", {"date": "2026-13-45"}),
                                ("daily_papers", {"limit": 5000}),
                                ("search_papers", {"query": "x" * 251}),
                                ("search_papers", {"query": "ok", "since": "someday"}),
                                ("trending_papers", {"days": "many"}),
                                ("organization_papers", {"name": "no-such-org"})):
            result = await client.call_tool(name, arguments)
            out["errors"][(name, json.dumps(arguments)[:40])] = (result.is_error, result.content[0].text)
        resource = await client.read_resource("papersift://papers/daily/2026/08/21")
        out["resource"] = json.loads(resource.contents[0].text)
    return out


def check(out: dict) -> None:
    assert set(out["tools"]) == TOOLS
    assert all(tool.annotations.read_only_hint for tool in out["tools"].values())
    assert out["tools"]["search_papers"].input_schema["properties"]["query"]["maxLength"] == 250
    error, search = out["search"]
    assert not error and search["papers"][0]["id"] == "2608.19880" and search["total"] >= 1
    error, paper = out["lookup"]
    assert not error and paper["title"] == "EnvHarness: Awakening Static Worlds for Agent Learning"
    assert paper["ai_summary"].startswith("EnvHarness and EnvRigger") and paper["githubStars"] == 8
    assert paper["organization"]["name"] == "google" and paper["url"].endswith("/papers/2608.19880")
    error, day = out["day"]
    assert not error and day["window"] == "2026-08-21" and day["total"] == 17 and len(day["papers"]) == 5
    assert day["papers"][0]["id"] == "2608.19880" and day["papers"][0]["summary_is_ai"] is True
    error, markdown = out["markdown"]
    assert not error and markdown.startswith("# EnvHarness") and "## AI summary" in markdown
    error, org = out["org"]
    assert not error and org["organization"]["name"] == "google" and len(org["papers"]) == 2
    says = {key[0] + key[1]: text for key, (is_error, text) in out["errors"].items() if is_error}
    assert len(says) == len(out["errors"]), out["errors"]                   # every one an error, none a crash
    joined = "\n".join(says.values())
    for expected in ("no paper 2101.00001 in this catalog", "'not an id' is not an arXiv id", "date: ",
                     "less than or equal to 50", "at most 250 characters", "since: 'someday' is not a date",
                     "days", "no organisation 'no-such-org'"):
        assert expected in joined, expected
    assert out["resource"]["window"] == "2026-08-21" and len(out["resource"]["papers"]) == 17


@pytest.mark.django_db(transaction=True)
def test_stdio_server_answers_the_sdk_client(cli_env):
    env = {**cli_env, "PAPERSIFT_SEARCH_SEMANTIC": "false"}
    assert run_cli(env, "load-sample").returncode == 0
    server = StdioServerParameters(command=str(Path(sys.executable).parent / "papersift"), args=["mcp"], env=env)
    check(asyncio.run(asyncio.wait_for(conversation(server), 180)))


@pytest.fixture
def site(transactional_db, live_server, settings):
    settings.PAPERSIFT = {**settings.PAPERSIFT, "SEARCH_SEMANTIC": False}
    assert load_sample(only_if_empty=True).error_count == 0
    return live_server.url


def test_http_endpoint_answers_the_sdk_client(site):
    check(asyncio.run(asyncio.wait_for(conversation(site + "/mcp"), 180)))


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def test_http_endpoint_refuses_other_sites_pages_and_oversized_bodies(site):
    with httpx.Client(base_url=site, timeout=30) as web:
        assert web.post("/mcp", json=INITIALIZE, headers=HEADERS).status_code == 200
        own = web.post("/mcp", json=INITIALIZE, headers={**HEADERS, "Origin": site})
        assert own.status_code == 200
        foreign = web.post("/mcp", json=INITIALIZE, headers={**HEADERS, "Origin": "https://evil.example"})
        assert foreign.status_code == 403 and "another site" in foreign.json()["error"]["message"]
        huge = {**INITIALIZE, "params": {**INITIALIZE["params"], "padding": "x" * 70_000}}
        assert web.post("/mcp", json=huge, headers=HEADERS).status_code == 413


@pytest.mark.parametrize("method, body, headers", [
    ("GET", None, {"Accept": "text/event-stream"}),
    ("DELETE", None, {}),
    ("POST", b"{not json", HEADERS),
    ("POST", b"[]", HEADERS),
    ("POST", b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "nope"}}', HEADERS),
    ("POST", json.dumps(INITIALIZE).encode(), {"Content-Type": "text/plain", "Accept": HEADERS["Accept"]}),
    ("POST", b"\xff\xfe\x00garbage", HEADERS),
    ("POST", b'{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "daily_papers", '
             b'"arguments": {"limit": [1, 2]}}}', HEADERS),
])
def test_http_endpoint_answers_bad_requests_without_a_server_error(site, method, body, headers):
    with httpx.Client(base_url=site, timeout=30) as web:
        response = web.request(method, "/mcp", content=body, headers=headers)
    assert response.status_code < 500, response.text
    if method != "POST":
        assert response.status_code == 405 and response.headers["Allow"] == "POST"
