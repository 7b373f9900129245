"""Shared by the benchmarks: run once per database — SQLite, and PostgreSQL when
``COPKIT_BENCH_POSTGRES_URL`` is set — each in a fresh process, so that no run inherits another's
connection pool, caches or warmed-up state."""

from __future__ import annotations

import os
import subprocess
import sys


def split_args(argv: list[str]) -> tuple[list[str], str | None]:
    """The positional arguments, and the database this process is to run on (``--db=URL``)."""
    args = [a for a in argv if not a.startswith("--db=")]
    only = next((a[5:] for a in argv if a.startswith("--db=")), None)
    return args, only


def label(url: str) -> str:
    return "postgres" if url.startswith("postgres") else "sqlite"


def run_per_database(script: str, args: list[str], *, keep_going: bool = False) -> int:
    """Run ``script`` with ``args`` once per database, each in its own process. With
    ``keep_going``, a run that fails (a target missed) does not stop the next: the result is
    the worst exit status."""
    targets = ["sqlite"]
    if os.environ.get("COPKIT_BENCH_POSTGRES_URL"):
        targets.append(os.environ["COPKIT_BENCH_POSTGRES_URL"])
    worst = 0
    for url in targets:
        done = subprocess.run([sys.executable, script, *args, f"--db={url}"], check=not keep_going)
        worst = max(worst, done.returncode)
    return worst
