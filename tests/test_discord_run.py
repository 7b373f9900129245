"""``copkit run`` with DISCORD_TOKEN, as an operator starts it: real processes running the shipped
command line against the fake Discord (only discord.py's two URLs are redirected) — two processes
with two of four shards each on one database, slash commands answered by the process that runs
the server's shard, commands synced once, a clean stop on SIGTERM — and a refused token (``copkit``
prints a StartupError as one line, exit status 1)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from fakes.discord_server import FakeDiscord, text_of

LAUNCHER = Path(__file__).parent / "fakes" / "discord_run.py"
CALLBACK = r"/interactions/\d+/[^/]+/callback"


async def launch(fake: FakeDiscord, db_url: str, tmp_path: Path, *args: str, token: str = "T0K"):
    env = {
        **os.environ,
        "DISCORD_TOKEN": token,
        "COPKIT_DATABASE_URL": db_url,
        "COPKIT_TEAMS_PORT": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("COPKIT_CONFIG", None)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(LAUNCHER),
        fake.base_url,
        fake.gateway_url,
        "run",
        *args,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_until(stream: asyncio.StreamReader, needle: str, seen: list[str]) -> None:
    while True:
        line = (await asyncio.wait_for(stream.readline(), 30)).decode()
        if not line:
            raise AssertionError(f"output ended before {needle!r}: {seen}")
        seen.append(line.rstrip())
        if needle in line:
            return


async def test_copkit_run_two_processes_with_two_of_four_shards_each(fake, db_url, tmp_path):
    owner = fake.user("olga")
    on = {n: fake.add_guild(f"Guild {n}", owner=owner, shard=(n, 4)) for n in range(4)}
    channels = {n: fake.add_channel(on[n], "general") for n in range(4)}
    procs = []
    seen: list[list[str]] = [[], []]
    try:
        for n, ids in enumerate(("0,1", "2,3")):  # the second starts once the first migrated
            proc = await launch(fake, db_url, tmp_path, "--shard-ids", ids, "--shard-count", "4")
            procs.append(proc)
            await read_until(proc.stdout, "ready; timers running", seen[n])
        for n, proc in enumerate(procs):
            await read_until(proc.stdout, "Discord: connected", seen[n])
        first = "\n".join(seen[0])
        assert "Discord: connecting (shards 0,1 of 4); members intent off" in first
        assert "slash commands synced" in first
        assert "to 2 server(s) (shards 0,1 of 4)" in first
        assert "to 2 server(s) (shards 2,3 of 4)" in "\n".join(seen[1])
        assert sorted(tuple(i["shard"]) for i in fake.identified) == [(n, 4) for n in range(4)]
        assert all(i["token"] == "T0K" for i in fake.identified)
        assert fake.calls and all(c.auth == "Bot T0K" for c in fake.calls)
        puts = fake.find("PUT", rf"/applications/{fake.app_id}/commands")
        assert len(puts) == 1, "only the process running shard 0 syncs the commands"
        ours = sorted(i["_at"] for i in fake.identified if i["shard"][0] < 2)
        assert ours[1] - ours[0] < 4, "max_concurrency 16: no 5-second wait between shards"

        for n in (1, 2):  # each server is answered by the process running its shard
            mark = fake.mark()
            await fake.slash(owner, channels[n], "copkit help")
            answer = await fake.wait_for("POST", CALLBACK, since=mark, timeout=10)
            assert "What I can do" in text_of(answer.json["data"])
            await fake.quiet(0.3)
            assert len(fake.find("POST", CALLBACK, since=mark)) == 1, "answered once"
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(p.wait(), 30) for p in procs]
        rest = [(await p.stdout.read()).decode() + (await p.stderr.read()).decode() for p in procs]
    assert codes == [0, 0], rest
    assert not any("Traceback" in r for r in rest), rest


async def test_a_refused_token_stops_copkit_run_with_one_clear_line(fake, db_url):
    from copkit.app import serve
    from copkit.core.errors import StartupError
    from copkit.core.plugins import DEFAULT_PLUGINS
    from copkit.settings import default_settings

    fake.fail[("GET", "/users/@me")] = (401, {"message": "401: Unauthorized", "code": 0})
    settings = default_settings(database_url=db_url)
    settings.discord.token = "wrong"
    settings.teams.port = 0
    with pytest.raises(StartupError) as refused:
        await serve(settings, list(DEFAULT_PLUGINS))
    assert str(refused.value) == "Discord refused the token: check DISCORD_TOKEN or [discord] token"
