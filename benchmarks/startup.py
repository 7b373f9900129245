"""Start-up time of the ``copkit`` command: ``copkit version`` (a cheap command) and
``copkit run`` until ``/readyz`` answers 200 on an existing SQLite database.

Each is a real process started from the installed ``copkit`` script, run ``ROUNDS`` times; the
medians are printed with PASS/FAIL against the targets (version < 0.5 s, run ready < 2 s) and the
ratio to a reference measured in the same run: ``python -c pass`` (the interpreter alone).
copkit's modules are compiled to bytecode first, as a wheel's install does (``_bytecode.py``).

Usage: python benchmarks/startup.py [ROUNDS]
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _bytecode import compile_copkit

COPKIT = str(Path(sys.executable).with_name("copkit"))
VERSION_TARGET, RUN_TARGET = 0.5, 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def run_ready(env: dict[str, str]) -> float:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [COPKIT, "run", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"copkit run exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - started
            except OSError:
                pass
            if time.perf_counter() - started > 30:
                raise RuntimeError("copkit run was not ready within 30 s")
            time.sleep(0.01)
    finally:
        proc.terminate()
        proc.wait(30)


def main(rounds: int) -> int:
    compile_copkit()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "COPKIT_DATABASE_URL": f"sqlite://{tmp}/copkit.db"}
        for name in ("COPKIT_CONFIG", "DISCORD_TOKEN"):
            env.pop(name, None)
        subprocess.run([COPKIT, "db", "upgrade"], env=env, check=True, capture_output=True)
        python = statistics.median(
            timed([sys.executable, "-c", "pass"], env) for _ in range(rounds)
        )
        version = statistics.median(timed([COPKIT, "version"], env) for _ in range(rounds))
        ready = statistics.median(run_ready(env) for _ in range(rounds))
    load = os.getloadavg()[0]
    print(f"reference: python -c pass {python * 1000:.0f} ms (load {load:.2f})")
    ok = True
    for name, value, target in (
        ("copkit version", version, VERSION_TARGET),
        ("copkit run until /readyz 200", ready, RUN_TARGET),
    ):
        verdict = "PASS" if value < target else "FAIL"
        ok = ok and value < target
        print(
            f"{name}: median {value * 1000:.0f} ms over {rounds} "
            f"(target < {target * 1000:.0f} ms, {value / python:.1f}x python) {verdict}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
