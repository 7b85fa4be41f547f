"""`papersift serve`: gunicorn, a production WSGI server, embedded (no separate config file needed)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from papersift.wsgi import application

        return application


def run_server(host: str, port: int, workers: int, threads: int) -> None:
    from django.db import connections

    connections.close_all()  # never share a database connection across the fork into workers
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _Server({
        "bind": bind, "workers": workers, "threads": threads, "worker_class": "gthread",
        "accesslog": "-", "errorlog": "-", "timeout": 60, "graceful_timeout": 10, "preload_app": True,
    }).run()
