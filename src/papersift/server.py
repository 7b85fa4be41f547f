"""`papersift serve`: gunicorn, a production WSGI server, embedded (no separate config file needed).

This process is gunicorn's master: it forks the workers. It must not have loaded ONNX Runtime or usearch by then
(`search/vectors.py` says why); each worker loads them itself on its first search.
"""

from __future__ import annotations

import gc
import itertools
import logging
import socket
import sys
from dataclasses import dataclass
from typing import Callable

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.workers.base import Worker
from gunicorn.workers.gthread import ThreadWorker

#: Bind addresses that mean "every address of this machine": they name no host a reader could use.
ALL_ADDRESSES = {"", "0.0.0.0", "::"}


@dataclass(frozen=True)
class Addresses:
    local: str       # to open in a browser on this machine
    public: str      # for other machines, and the links in e-mails
    guessed: bool    # bound to every address: `public` is this machine's name, a guess


def addresses(host: str, port: int, machine_name: Callable[[], str] = socket.getfqdn) -> Addresses:
    """The URLs a server bound to ``host:port`` is reached at."""
    bare = host.strip("[]")

    def url(name: str) -> str:
        return f"http://{f'[{name}]' if ':' in name else name}" + ("" if port == 80 else f":{port}")

    if bare in ALL_ADDRESSES:
        name = machine_name() or "localhost"
        if name.startswith("localhost"):   # getfqdn()'s answer where the machine has no name of its own
            name = socket.gethostname() or "localhost"
        return Addresses(url("::1" if ":" in bare else "127.0.0.1"), url(name.lower()), True)
    return Addresses(url(bare), url(bare), False)


def adopt_site_url(config: dict, where: Addresses, host: str) -> str:
    """Links in mails point at this server unless PAPERSIFT_SITE_URL says otherwise.

    ``config`` (``settings.PAPERSIFT``) is changed before the workers are forked, so they use it; helper processes
    get it in their environment (:func:`helper_environment`). Returns the line that says which URL mails use.
    """
    if config["_SOURCES"].get("SITE_URL", "default") != "default":
        return f"e-mail links use {config['SITE_URL']} (PAPERSIFT_SITE_URL)"
    config["SITE_URL"] = where.public
    config["_SOURCES"]["SITE_URL"] = "derived from serve --host/--port"
    if where.guessed:
        return (f"e-mail links use {where.public}: this machine's name, as --host {host} names no host; "
                "set PAPERSIFT_SITE_URL to the address readers use")
    return f"e-mail links use {where.public} (from --host/--port; PAPERSIFT_SITE_URL sets another)"


def host_warning(site_url: str, allowed_hosts: list[str]) -> str | None:
    """A warning when requests for the site's own host would be refused (400) by PAPERSIFT_ALLOWED_HOSTS."""
    from urllib.parse import urlsplit

    from django.http.request import split_domain_port, validate_host

    host = urlsplit(site_url).netloc
    domain, _ = split_domain_port(host)
    if validate_host(domain, allowed_hosts):
        return None
    return (f"{domain or host} is not in PAPERSIFT_ALLOWED_HOSTS ({', '.join(allowed_hosts)}): requests for "
            f"{site_url} are refused until it is added")


def helper_environment(environ: dict, config: dict) -> dict:
    """The environment of the processes `serve` starts beside gunicorn: the site URL it settled on included."""
    return {**environ, "PAPERSIFT_SITE_URL": config["SITE_URL"]}


class _StderrLogger(Logger):
    """gunicorn's logs, the access log included, on stderr: stdout is the command's own output."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for handler in self.access_log.handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stdout:
                handler.setStream(sys.stderr)


class QuitSafeThreadWorker(ThreadWorker):
    """gthread, minus a deadlock on Ctrl-C.

    gthread's quit handler (SIGINT, SIGQUIT) shuts its thread pool down, which takes the pool's lock; the handler
    runs in the main thread, between two bytecodes of whatever it was doing, and the main thread takes that same
    lock whenever it hands a connection to the pool. A Ctrl-C that lands there waits on itself until the master's
    SIGKILL, ten seconds later. This handler only leaves: the pool's idle threads are ended at interpreter exit.
    """

    def handle_quit(self, sig, frame):
        Worker.handle_quit(self, sig, frame)


#: Requests a worker has served when its heap is frozen (see `Warmed`).
FREEZE_AFTER = (100, 1000)


class Warmed:
    """The WSGI application, whose long-lived objects leave the garbage collector's full passes once warm.

    A full (generation 2) pass walks every tracked object: Django, the templates, the search engine's maps, some
    230,000 objects in a worker, 100-170 ms on this machine, during which the worker's threads stand still (the
    p99 of a kept page at 16 connections was such a pause, measured in docs/benchmarks.md). What a worker holds after
    its first requests lives as long as it does, so it is frozen (`gc.freeze`: kept out of every later pass) after
    ``FREEZE_AFTER`` requests; cycles made by later requests are still collected. gunicorn's master freezes what
    the preloaded application made before it forks (which also keeps the workers' pages shared with it)."""

    def __init__(self, application, freeze_after: tuple[int, ...] = FREEZE_AFTER):
        self.application = application
        self.freeze_after = frozenset(freeze_after)
        self.served = itertools.count(1)           # next() is atomic under the GIL: threads share it safely

    def __call__(self, environ, start_response):
        if next(self.served) in self.freeze_after:
            gc.freeze()
        return self.application(environ, start_response)


class _Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:   # settings newer gunicorns added are skipped on older ones
                self.cfg.set(key, value)

    def load(self):
        from papersift.wsgi import application

        return Warmed(application)


def run_server(host: str, port: int, workers: int, threads: int, on_ready: Callable[[], None] = lambda: None) -> None:
    """Serve until SIGTERM or SIGINT (then exits through SystemExit, status 0); ``on_ready`` once listening."""
    from django.db import connections

    connections.close_all()  # never share a database connection across the fork into workers
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _Server({
        "bind": bind, "workers": workers, "threads": threads, "worker_class": QuitSafeThreadWorker,
        "accesslog": "-", "errorlog": "-", "logger_class": _StderrLogger, "timeout": 60, "graceful_timeout": 10,
        "preload_app": True, "when_ready": lambda arbiter: on_ready(),
        "pre_fork": lambda arbiter, worker: gc.freeze(),
        # gunicorn >= 25 opens a control socket in $HOME for `gunicornc`; papersift does not use it, and two
        # servers on one machine would share its path.
        "control_socket_disable": True,
    }).run()
