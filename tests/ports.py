"""Loopback ports for the tests' servers, without the bind-close-reuse race.

Asking the OS for a free port, closing the socket and handing the number to a server races with every other
process on the machine (a parallel test run, a browser) that may take the port in between. Instead a test server
either binds port 0 itself and reports the port it got (gunicorn), listens on a socket bound here and kept open
(`reserved` then `listen`: the SMTP server), or, when it can only be given a number (PostgreSQL), is retried on
another port when the one it was given was taken (tests/pgserver.py).
"""

from __future__ import annotations

import socket


def reserved() -> socket.socket:
    """A socket bound to a free loopback port and not listening: connections to it are refused, and no other
    process can take the port while the socket is open. Close it, or listen on it, when done."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def port_of(sock: socket.socket) -> int:
    return sock.getsockname()[1]
