"""`python -m tests.pause MODULE:FUNCTION N ARGS...`: run `papersift ARGS` with FUNCTION stopped inside its N-th call.

The call does its work, then the process prints `paused` and waits, before the call returns, until it is killed:
a test kills a real `papersift` at a point it chose (inside a digest's transaction, say) instead of at whatever
point a timer happened to hit. Started by `tests.processes.start_paused`.
"""

from __future__ import annotations

import importlib
import sys
import threading


def main() -> None:
    target, calls, *args = sys.argv[1:]
    from papersift.cli import _django, main as cli

    _django()                                  # the module to patch may import models
    module_name, name = target.split(":")
    module = importlib.import_module(module_name)
    real = getattr(module, name)
    count = 0

    def paused(*positional, **keywords):
        nonlocal count
        result = real(*positional, **keywords)
        count += 1
        if count == int(calls):
            print("paused", flush=True)
            threading.Event().wait()           # until killed
        return result

    setattr(module, name, paused)
    sys.argv = ["papersift", *args]
    cli()


if __name__ == "__main__":
    main()
