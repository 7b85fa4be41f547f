"""Processes the tests start (`papersift serve`, workers, harvests): started here, stopped whatever happens.

Each runs in a session of its own, so that its own children (gunicorn's workers, `serve`'s mail worker and
embedder) are one process group with it. `tests/conftest.py` stops every group still running when a test ends,
passed or failed: SIGTERM, then SIGKILL for what is left after a grace period. A failing assertion can no longer
leave a server or a worker running behind the test run.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

_running: list[subprocess.Popen] = []
EXE = str(Path(sys.executable).parent / "papersift")
REPO = str(Path(__file__).resolve().parents[1])


def start(*args: str, env: dict, **kwargs) -> subprocess.Popen:
    """`papersift ARGS` (stdout and stderr piped, text) in a process group of its own."""
    return _popen([EXE, *args], env, kwargs)


def start_paused(target: str, calls: int, *args: str, env: dict, **kwargs) -> subprocess.Popen:
    """`papersift ARGS` that stops inside the ``calls``-th call of ``target`` ("module:function") once the call has
    done its work, prints `paused` and waits to be killed (tests/pause.py)."""
    env = {**env, "PYTHONPATH": REPO + os.pathsep + env.get("PYTHONPATH", "")}
    return _popen([sys.executable, "-m", "tests.pause", target, str(calls), *args], env, kwargs)


def _popen(command: list[str], env: dict, kwargs: dict) -> subprocess.Popen:
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    proc = subprocess.Popen(command, env=env, text=True, start_new_session=True, **kwargs)
    _running.append(proc)
    return proc


def stop(proc: subprocess.Popen, grace: float = 30) -> int | None:
    """SIGTERM to the process's group, SIGKILL to the group after ``grace`` seconds; the leader's exit status."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break                                   # the whole group is gone
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue
        if not _group_alive(proc.pid):
            break
    for stream in (proc.stdout, proc.stderr):
        if stream is not None and not stream.closed:
            stream.close()
    return proc.returncode


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def stop_all() -> None:
    while _running:
        proc = _running.pop()
        if proc.poll() is None or _group_alive(proc.pid):
            stop(proc)


class Output:
    """A process's merged output read by a thread as it comes, so a test can wait for a line without blocking."""

    def __init__(self, proc: subprocess.Popen):
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(proc.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self.lines.append("")                  # end of output
            self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match:
        """The first match of ``pattern`` in a line; AssertionError with the output so far if none comes."""
        regex, deadline, seen = re.compile(pattern), time.monotonic() + timeout, 0
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    if line == "":
                        raise AssertionError(f"output ended without {pattern!r}:\n{self.text}")
                    found = regex.search(line)
                    if found:
                        return found
                seen = len(self.lines)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {pattern!r} in {timeout} s:\n{self.text}")
                self._changed.wait(remaining)

    @property
    def text(self) -> str:
        return "".join(self.lines)
