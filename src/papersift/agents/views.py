"""`/mcp`: the MCP server over streamable HTTP, inside the Django site (so gunicorn serves it, and Django's host
check, security headers and logging apply).

The SDK's HTTP transport is an ASGI application; each Django worker process runs it, stateless and answering
with plain JSON (no session, no event stream), on one event loop in a thread of its own, started on the
first request after the fork. This view hands it the request and returns its answer.

Only POST is answered (405 otherwise). Safety: every tool is read-only; bodies over MAX_BODY are refused (413)
before any parsing; a request whose ``Origin`` is another site is refused (403), so no web page can use a
visitor's browser to talk to it (the SDK also insists on a JSON content type, which a cross-site form cannot
send). There is no CSRF token because
nothing here changes state. Bad JSON-RPC is answered by the SDK with a 4xx, bad tool arguments with a tool
error.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from mcp.server.transport_security import TransportSecuritySettings

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
TIMEOUT = 60.0
HOP_BY_HOP = {"connection", "content-length", "transfer-encoding", "keep-alive"}


class _Runner:
    """The MCP HTTP application and the event loop it runs on, one per process (made after gunicorn's fork)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pid: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.app = None

    def get(self):
        with self.lock:
            if self.pid != os.getpid():
                from papersift.agents.server import build_server

                self.app = build_server().streamable_http_app(
                    streamable_http_path="/mcp", stateless_http=True, json_response=True,
                    max_request_body_size=MAX_BODY,
                    # Host: Django has checked it against ALLOWED_HOSTS; Origin: checked in the view below.
                    transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))
                self.loop = asyncio.new_event_loop()
                threading.Thread(target=self.loop.run_forever, name="mcp-http", daemon=True).start()
                started: concurrent.futures.Future = concurrent.futures.Future()
                asyncio.run_coroutine_threadsafe(self._serve(started), self.loop)
                started.result(timeout=30)
                self.pid = os.getpid()
            return self.loop, self.app

    async def _serve(self, started: concurrent.futures.Future) -> None:
        """Hold the application's lifespan (the SDK's session manager) open for the life of the process."""
        async with self.app.router.lifespan_context(self.app):
            started.set_result(True)
            await asyncio.Event().wait()


_runner = _Runner()


async def _exchange(app, scope: dict, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """One ASGI request/response with ``app``: the body at once, then a disconnect once the answer is sent."""
    answered = asyncio.Event()
    delivered = False
    status, headers, chunks = 500, [], []

    async def receive():
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                answered.set()

    await asyncio.wait_for(app(scope, receive, send), TIMEOUT)
    return status, headers, b"".join(chunks)


def _foreign_origin(request: HttpRequest) -> bool:
    origin = request.headers.get("Origin")
    if not origin:
        return False
    own = {f"{request.scheme}://{request.get_host()}".lower()}
    site = urlsplit(settings.PAPERSIFT["SITE_URL"])
    own.add(f"{site.scheme}://{site.netloc}".lower())
    return origin.lower().rstrip("/") not in own


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": message}}, status=status)


@csrf_exempt
@transaction.non_atomic_requests
def endpoint(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        # Stateless and JSON-only: no session to end (DELETE) and no server-sent event stream to open (GET).
        response = _error(405, "POST JSON-RPC messages here (MCP streamable HTTP, stateless, JSON answers)")
        response["Allow"] = "POST"
        return response
    if _foreign_origin(request):
        return _error(403, "requests from another site's pages are not accepted")
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BODY:
        return _error(413, f"a request body of at most {MAX_BODY} bytes is accepted")
    body = request.body
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": request.method, "scheme": request.scheme, "path": "/mcp", "raw_path": b"/mcp", "root_path": "",
        "query_string": request.META.get("QUERY_STRING", "").encode("latin-1"),
        "headers": [(name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in request.headers.items()],
        "client": (request.META.get("REMOTE_ADDR", ""), 0),
        "server": (request.META.get("SERVER_NAME", ""), int(request.get_port() or 0)), "state": {},
    }
    loop, app = _runner.get()
    try:
        status, headers, content = asyncio.run_coroutine_threadsafe(_exchange(app, scope, body), loop).result()
    except TimeoutError:
        return _error(504, f"no answer within {TIMEOUT:.0f} s")
    response = HttpResponse(content, status=status)
    for name, value in headers:
        key = name.decode("latin-1")
        if key.lower() not in HOP_BY_HOP:
            response[key] = value.decode("latin-1")
    return response
