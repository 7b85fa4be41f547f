"""How papersift's log lines look: one line per event on stderr, with the request line when a request caused it.

Django hands the request to the records it logs about one (``django.request``: every unhandled exception, with
its traceback); :class:`RequestLineFormatter` adds its method, path and query to the line, so a 500 in the server
log says which request failed. Control characters are escaped: a request cannot forge log lines.
"""

from __future__ import annotations

import logging

MAX_REQUEST_LINE = 1000


def printable(text: str, limit: int = MAX_REQUEST_LINE) -> str:
    """``text`` on one line: control characters escaped, cut to ``limit`` characters."""
    shown = "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def request_line(request) -> str:
    """``GET /path?query`` of a Django request (the path as the client sent it, percent-encoded)."""
    try:
        return printable(f"{request.method} {request.get_full_path()}")
    except Exception:   # a request too broken to describe must not lose the error being logged
        return "(request line unavailable)"


class RequestLineFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        line = printable(super().formatMessage(record), limit=10_000)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            line += f" request={request_line(request)}"
        return line
