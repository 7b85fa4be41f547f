"""A real HTTP server on 127.0.0.1 that answers from a script of recorded responses, and logs every request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A route returns (status, headers, body); it may block (to let a test kill the client mid-request).
Route = Callable[[str, int], tuple[int, dict, bytes]]


class RecordedServer:
    def __init__(self, route: Route):
        self.route = route
        self.requests: list[tuple[float, str]] = []
        self.headers: list[dict[str, str]] = []     # each request's headers, in the order of `requests`
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                with server.lock:
                    server.requests.append((time.monotonic(), self.path))
                    server.headers.append(dict(self.headers.items()))
                    count = sum(1 for _, p in server.requests if p == self.path)
                status, headers, body = server.route(self.path, count)
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "RecordedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def paths(self) -> list[str]:
        with self.lock:
            return [p for _, p in self.requests]
