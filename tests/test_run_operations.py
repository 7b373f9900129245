"""Operating ``copkit run`` as an operator does, with the real command line in a subprocess:
a database that cannot be opened is one line and exit 1 (never a hang); SIGTERM or Ctrl-C during
start-up stops at once, a second Ctrl-C without a traceback; an unreachable Discord is one line,
retried, while the Teams endpoint keeps serving; ``--no-teams`` lets a second process run on the
same host (on its own HTTP port, for its probes); ``/readyz`` says whether the database and the
Discord gateway are up."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

LAUNCHER = Path(__file__).parent / "fakes" / "discord_run.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(db_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "COPKIT_DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1", **extra}
    for name in ("COPKIT_CONFIG", "DISCORD_TOKEN"):
        if name not in extra:
            env.pop(name, None)
    return env


@pytest.mark.parametrize(
    "argv",
    [
        ["db", "upgrade"],
        ["run"],
        ["console", "--database", "sqlite://no/such/dir/x.db", "--script", "-"],
    ],
    ids=["db-upgrade", "run", "console"],
)
def test_a_database_in_a_missing_directory_is_one_line_and_exit_1(tmp_path, argv):
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "copkit", *argv],
        env=env_for("sqlite://no/such/dir/x.db", COPKIT_TEAMS_PORT="0"),
        input="help\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=30,
    )
    assert time.monotonic() - started < 10
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "copkit: cannot open the database sqlite://no/such/dir/x.db: no directory no/such/dir"
    ]


async def start(*argv: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_until(proc: asyncio.subprocess.Process, needle: str, seen: list[str]) -> None:
    assert proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        if not line:
            raise AssertionError(f"output ended before {needle!r}: {seen}")
        seen.append(line.rstrip())
        if needle in line:
            return


async def finish(proc: asyncio.subprocess.Process, timeout: float) -> tuple[int, str]:
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode or 0, out.decode() + err.decode()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_during_start_up_stops_at_once(tmp_path, sig):
    """Start-up is held (another connection has the SQLite file locked) when the signal comes."""
    db = tmp_path / "copkit.db"
    holder = sqlite3.connect(db)
    holder.execute("CREATE TABLE hold (x)")
    holder.execute("BEGIN EXCLUSIVE")
    proc = await start(
        sys.executable, "-m", "copkit", "run",
        env=env_for(f"sqlite://{db}", COPKIT_TEAMS_PORT="0"), cwd=tmp_path,
    )  # fmt: skip
    try:
        await asyncio.sleep(2.5)  # imported, signal handlers in place, waiting for the file
        assert proc.returncode is None
        proc.send_signal(sig)
        stopped = time.monotonic()
        code, said = await finish(proc, 30)
        assert time.monotonic() - stopped < 8, said
    finally:
        holder.rollback()
        holder.close()
        if proc.returncode is None:
            proc.kill()
    assert "Traceback" not in said, said
    assert code in (0, 1), said


async def test_a_second_ctrl_c_stops_without_a_traceback(tmp_path):
    db = tmp_path / "copkit.db"
    holder = sqlite3.connect(db)
    holder.execute("CREATE TABLE hold (x)")
    holder.execute("BEGIN EXCLUSIVE")
    proc = await start(
        sys.executable, "-m", "copkit", "run",
        env=env_for(f"sqlite://{db}", COPKIT_TEAMS_PORT="0"), cwd=tmp_path,
    )  # fmt: skip
    try:
        await asyncio.sleep(2.5)
        proc.send_signal(signal.SIGINT)
        await asyncio.sleep(0.5)
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        code, said = await finish(proc, 30)
    finally:
        holder.rollback()
        holder.close()
        if proc.returncode is None:
            proc.kill()
    assert "Traceback" not in said, said
    assert code in (0, 130, -signal.SIGINT), said  # -2: the signal came while exiting


async def test_an_unreachable_discord_is_one_line_retried_and_teams_keeps_serving(tmp_path):
    port = free_port()
    closed = free_port()  # nothing listens there: Discord is unreachable
    proc = await start(
        sys.executable, str(LAUNCHER),
        f"http://127.0.0.1:{closed}/api/v10", f"ws://127.0.0.1:{closed}/gateway",
        "run", "--port", str(port),
        env=env_for(f"sqlite://{tmp_path / 'copkit.db'}", DISCORD_TOKEN="T0K"), cwd=tmp_path,
    )  # fmt: skip
    seen: list[str] = []
    try:
        await read_until(proc, "cannot reach Discord", seen)
        assert "trying again in 5 s" in seen[-1]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                assert r.status == 200
            async with http.get(f"http://127.0.0.1:{port}/readyz") as r:
                assert r.status == 503
                assert (await r.json())["down"] == ["discord"]
        await read_until(proc, "cannot reach Discord", seen)  # tried again, still one line
        assert "trying again in 10 s" in seen[-1]
        assert proc.returncode is None, "copkit keeps running"
    finally:
        proc.send_signal(signal.SIGTERM)
        code, said = await finish(proc, 30)
    assert code == 0, said
    assert "Traceback" not in said, said
    assert len(said.splitlines()) < 15, said


async def test_a_second_process_on_the_same_host_runs_without_teams(tmp_path, db_url):
    port, second_port = free_port(), free_port()
    env = env_for(db_url)
    first = await start(
        sys.executable, "-m", "copkit", "run", "--port", str(port), env=env, cwd=tmp_path
    )
    seen: list[str] = []
    second = None
    try:
        await read_until(first, "Teams: local mode", seen)
        second = await start(
            sys.executable, "-m", "copkit", "run", "--port", str(second_port), "--no-teams",
            "--shard-ids", "2,3", "--shard-count", "4", env=env, cwd=tmp_path,
        )  # fmt: skip
        await read_until(second, "Teams: not started", seen)
        await read_until(second, "ready in", seen)
        await asyncio.sleep(1)
        assert second.returncode is None, "the second process keeps running (timers)"
        async with aiohttp.ClientSession() as http:
            for p in (port, second_port):
                async with http.get(f"http://127.0.0.1:{p}/readyz") as r:
                    assert r.status == 200 and (await r.json()) == {"ready": True}
            async with http.post(f"http://127.0.0.1:{second_port}/api/messages", json={}) as r:
                assert r.status == 404, "no Teams endpoint on the second process"
    finally:
        results = []
        for proc in (first, second):
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                results.append(await finish(proc, 30))
    assert [code for code, _ in results] == [0, 0], results


async def test_readyz_answers_503_while_the_database_is_down(db_url):
    from aiohttp.test_utils import TestClient, TestServer

    from copkit.adapters.teams import make_app
    from copkit.adapters.teams.settings import TeamsSettings
    from copkit.core.runtime import Copkit
    from copkit.core.storage import close_database

    runtime = Copkit(db_url)
    await runtime.open()
    client = TestClient(TestServer(make_app(runtime, TeamsSettings(port=0))))
    await client.start_server()
    try:
        r = await client.get("/readyz")
        assert r.status == 200 and await r.json() == {"ready": True}
        await close_database()  # the database goes away under the running endpoint
        r = await client.get("/readyz")
        assert r.status == 503 and (await r.json())["down"] == ["database"]
        assert (await client.get("/healthz")).status == 200, "liveness is unaffected"
    finally:
        await client.close()
        await runtime.close()


async def test_no_discord_leaves_discord_alone_even_with_a_token(tmp_path):
    port = free_port()
    proc = await start(
        sys.executable, "-m", "copkit", "run", "--port", str(port), "--no-discord",
        env=env_for(f"sqlite://{tmp_path / 'copkit.db'}", DISCORD_TOKEN="T0K"), cwd=tmp_path,
    )  # fmt: skip
    seen: list[str] = []
    try:
        await read_until(proc, "Teams: local mode", seen)
    finally:
        proc.send_signal(signal.SIGTERM)
        code, said = await finish(proc, 30)
    assert code == 0, said
    text = "\n".join(seen) + said
    assert "Discord: not started ([discord] enabled = false, or --no-discord)" in text
    assert "Discord: connecting" not in text
