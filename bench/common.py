"""Helpers the benchmarks share: which commit was measured, and progress lines with the machine's load."""

from __future__ import annotations

import importlib
import os
import platform
import sqlite3
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def git_commit() -> str:
    """The measured commit, marked when src/ had uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True).stdout
        return head.strip() + ("+dirty src" if dirty.strip() else "")
    except OSError:
        return "?"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {message}", flush=True)


def machine(*libraries: str) -> dict:
    """The machine and the versions that matter to a figure: CPU, cores, RAM, Python, SQLite, and ``libraries``."""
    cpuinfo, meminfo = Path("/proc/cpuinfo"), Path("/proc/meminfo")
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if cpuinfo.exists() else platform.processor()
    ram = next((int(line.split()[1]) * 1024 for line in meminfo.read_text().splitlines()
                if line.startswith("MemTotal")), 0) if meminfo.exists() else 0
    out = {"nproc": os.cpu_count(), "cpu": cpu, "ram_bytes": ram, "python": platform.python_version(),
           "sqlite": sqlite3.sqlite_version, "platform": platform.platform()}
    # onnxruntime before usearch: the other order crashes the interpreter (as papersift.search.vectors notes)
    for name in sorted(libraries, key=lambda name: name != "onnxruntime"):
        module = importlib.import_module(name)
        out[name] = getattr(module, "__version__", None) or getattr(module, "VERSION", "?")
        if name == "django":
            out[name] = module.get_version()
    return out


def percentile(samples: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), samples in seconds, result in ms."""
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return (ordered[low] + (ordered[high] - ordered[low]) * (position - low)) * 1000
