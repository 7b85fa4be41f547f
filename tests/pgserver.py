"""A real, throw-away PostgreSQL server for the tests: initdb in a temporary directory, pg_ctl start/stop.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user (created by
Debian's postgresql package, which scripts/test installs).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class Unavailable(Exception):
    pass


def pg_bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]), reverse=True)
    found = shutil.which("pg_ctl") or (candidates[0] if candidates else None)
    if not found:
        raise Unavailable("PostgreSQL server binaries (pg_ctl, initdb) not found; scripts/test installs Debian's postgresql")
    return Path(os.path.realpath(found)).parent


def free_port() -> int:
    """A port free now; PostgreSQL can only be given a number, so `start` tries another when it was taken."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT_TRIES = 5


class PostgresServer:
    def __init__(self) -> None:
        self.bin = pg_bin_dir()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise Unavailable("running as root and there is no 'postgres' user to run the server as") from exc
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.base = Path(tempfile.mkdtemp(prefix="papersift-pg-"))
        self.base.chmod(0o755)
        self.data = self.base / "data"
        self.port = free_port()
        self.host = "127.0.0.1"
        self.user = "postgres"

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self.as_user, *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise Unavailable(f"{' '.join(args[:2])} failed: {result.stderr or result.stdout}")

    def start(self) -> "PostgresServer":
        if self.as_user:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust",
                  "--encoding=UTF8", "--locale=C", "--no-sync")
        for attempt in range(PORT_TRIES):
            (self.base / "log").unlink(missing_ok=True)
            options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                          str(self.base / "log"), "-w", "-t", "60", "start")
                return self
            except Unavailable:
                log = (self.base / "log").read_text(errors="replace") if (self.base / "log").exists() else ""
                if "could not bind" not in log and "already in use" not in log or attempt == PORT_TRIES - 1:
                    self.stop()
                    raise
                self.port = free_port()      # another process took the port between our probe and the bind
        raise AssertionError("unreachable")  # pragma: no cover

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
