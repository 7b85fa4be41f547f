"""papersift's MCP server, on the official `mcp` SDK: the tools and resources, read-only, bounded.

The same server answers over stdio (`papersift mcp`) and over streamable HTTP at `/mcp` of the web server
(`agents/views.py`). Each tool is a thin face over `agents/tools.py`; its arguments are typed and bounded
here, so the SDK refuses a bad one (wrong type, too long, out of range) with a tool error naming it before
anything runs, and a tool's own refusal (unknown paper, malformed date) comes back the same way.
"""

from __future__ import annotations

import functools
import json
from typing import Annotated, Any, Literal

from django.db import close_old_connections, connections
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from papersift import __version__
from papersift.agents import tools

INSTRUCTIONS = (
    "papersift is a self-hosted research-paper hub (arXiv and the Hugging Face daily papers). Use daily_papers, "
    "weekly_papers, monthly_papers and trending_papers for what is new; search_papers for a topic (words, "
    '"phrases", -exclude, ti: au: abs: cat:cs.CL since:2025-01 until:2025); paper_details, paper_markdown and '
    "similar_papers for one paper (an arXiv id such as 2405.15738); organization_papers for an organisation's "
    "papers by its Hugging Face name. AI summaries are marked summary_is_ai: they are not the authors' words."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)

PaperId = Annotated[str, Field(min_length=1, max_length=64, description="arXiv id, e.g. 2405.15738")]
Limit = Annotated[int, Field(ge=1, le=tools.MAX_LIST, description="How many papers (1–50).")]
Page = Annotated[int, Field(ge=0, le=1000, description="0-based page.")]
ListSort = Annotated[Literal["trending", "date"], Field(description="trending (upvotes decayed by age) or date "
                                                                    "(newest listing first)")]
Category = Annotated[str | None, Field(max_length=100, description="arXiv category (cs.CL) or archive (cs).")]
DateText = Annotated[str | None, Field(max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD")]


def _face(fn):
    """Run a tool body with fresh database connections, and turn its refusals into tool errors."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        close_old_connections()
        try:
            return fn(*args, **kwargs)
        except tools.ToolProblem as exc:
            raise ToolError(str(exc)) from None
        finally:
            connections.close_all()   # this thread's only: the SDK runs sync tools in a worker thread

    return wrapped


def _resource(fn):
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return _face(fn)(*args, **kwargs)
        except ToolError as exc:
            raise ResourceError(str(exc)) from None

    return wrapped


def build_server() -> MCPServer:
    server = MCPServer("papersift", title="papersift", version=__version__, instructions=INSTRUCTIONS,
                       log_level="WARNING")
    tool = functools.partial(server.tool, annotations=READ_ONLY)

    @tool()
    @_face
    def daily_papers(date: Annotated[str | None, Field(max_length=10, description="YYYY-MM-DD; the latest "
                                                        "day with papers when left out")] = None,
                     sort: ListSort = "trending", category: Category = None, page: Page = 0,
                     limit: Limit = 20) -> dict[str, Any]:
        """The papers listed on one day (Hugging Face's daily papers), most upvoted first by default."""
        return tools.daily_papers(date, sort=sort, category=category, page=page, limit=limit)

    @tool()
    @_face
    def weekly_papers(week: Annotated[str | None, Field(max_length=8, description="ISO week, YYYY-Www (Monday "
                                                        "to Sunday); the latest when left out")] = None,
                      sort: ListSort = "trending", category: Category = None, page: Page = 0,
                      limit: Limit = 20) -> dict[str, Any]:
        """The papers listed in one ISO week."""
        return tools.weekly_papers(week, sort=sort, category=category, page=page, limit=limit)

    @tool()
    @_face
    def monthly_papers(month: Annotated[str | None, Field(max_length=7, description="YYYY-MM; the latest when "
                                                          "left out")] = None,
                       sort: ListSort = "trending", category: Category = None, page: Page = 0,
                       limit: Limit = 20) -> dict[str, Any]:
        """The papers listed in one month."""
        return tools.monthly_papers(month, sort=sort, category=category, page=page, limit=limit)

    @tool()
    @_face
    def trending_papers(days: Annotated[int, Field(ge=1, le=30, description="Listing days to look back")] = 7,
                        limit: Limit = 20) -> dict[str, Any]:
        """Trending papers: upvotes decayed by age over the last few listing days, like Hugging Face's page."""
        return tools.trending_papers(days, limit)

    @tool()
    @_face
    def search_papers(query: Annotated[str, Field(min_length=1, max_length=250, description=(
                          'words, "phrases", -exclude, ti: au: abs: id: fields, cat:cs.CL, since:2025-01, '
                          "until:2025"))],
                      mode: Literal["hybrid", "lexical", "dense"] = "hybrid",
                      sort: Literal["relevance", "newest", "upvotes"] = "relevance",
                      category: Category = None, since: DateText = None, until: DateText = None,
                      limit: Limit = 10,
                      offset: Annotated[int, Field(ge=0, le=1000)] = 0) -> dict[str, Any]:
        """Search the catalog with papersift's query language (BM25 fused with semantic search)."""
        return tools.search_papers(query, mode=mode, sort=sort, category=category, since=since, until=until,
                                   limit=limit, offset=offset)

    @tool()
    @_face
    def paper_details(paper_id: PaperId) -> dict[str, Any]:
        """Everything about one paper: abstract, authors, categories, links, AI summary and keywords, GitHub
        stars, organisation, upvotes, comments, the days it was listed."""
        return tools.paper_details(paper_id)

    @tool()
    @_face
    def paper_markdown(paper_id: PaperId) -> str:
        """One paper as Markdown (title, authors, links, abstract, AI summary), as /papers/<id>.md serves it."""
        return tools.paper_markdown(paper_id)

    @tool()
    @_face
    def similar_papers(paper_id: PaperId,
                       limit: Annotated[int, Field(ge=1, le=tools.MAX_LIST)] = 10) -> dict[str, Any]:
        """The papers nearest to one paper by embedding (by shared rare words while it has no vector yet)."""
        return tools.similar_papers(paper_id, limit)

    @tool()
    @_face
    def organization_papers(name: Annotated[str, Field(min_length=1, max_length=96, description=(
                                "Hugging Face organisation name, e.g. google"))],
                            sort: Literal["newest", "upvotes"] = "newest", page: Page = 0,
                            limit: Limit = 20) -> dict[str, Any]:
        """The papers Hugging Face credits to an organisation."""
        return tools.organization_papers(name, sort=sort, page=page, limit=limit)

    @server.resource("papersift://papers/daily/{year}/{month}/{day}", mime_type="application/json",
                     description="One day's list, as daily_papers gives it.")
    @_resource
    def daily_resource(year: str, month: str, day: str) -> str:
        return json.dumps(tools.daily_papers(f"{year}-{month}-{day}", limit=tools.MAX_LIST))

    @server.resource("papersift://papers/trending", mime_type="application/json",
                     description="Trending papers of the last seven listing days.")
    @_resource
    def trending_resource() -> str:
        return json.dumps(tools.trending_papers(7, tools.MAX_LIST))

    @server.resource("papersift://papers/{paper_id}/paper.md", mime_type="text/markdown",
                     description="One paper as Markdown.")
    @_resource
    def paper_resource(paper_id: str) -> str:
        return tools.paper_markdown(paper_id)

    return server
