"""``copkit run`` with DISCORD_TOKEN, as an operator starts it: a real process running the shipped
command line against the fake Discord (only discord.py's two URLs are redirected), with sharding,
a slash command answered, a clean stop on SIGTERM, and a refused token in one line."""

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


@pytest.fixture
async def fake():
    f = FakeDiscord()
    await f.start()
    yield f
    await f.close()


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


async def test_copkit_run_connects_two_of_four_shards(fake, db_url, tmp_path):
    owner = fake.user("olga")
    on = {n: fake.add_guild(f"Guild {n}", owner=owner, shard=(n, 4)) for n in range(4)}
    channel = fake.add_channel(on[1], "general")
    other = fake.add_channel(on[2], "general")
    proc = await launch(fake, db_url, tmp_path, "--shard-ids", "0,1", "--shard-count", "4")
    seen: list[str] = []
    try:
        await read_until(proc.stdout, "Discord: connected", seen)
        out = "\n".join(seen)
        assert "Discord: connecting (shards 0,1 of 4); members intent off" in out
        assert "slash commands synced" in out
        assert "to 2 server(s) (shards 0,1 of 4)" in out
        assert sorted(tuple(i["shard"]) for i in fake.identified) == [(0, 4), (1, 4)]
        assert all(i["token"] == "T0K" for i in fake.identified)
        first, second = sorted(i["_at"] for i in fake.identified)
        assert second - first < 4, "max_concurrency 16: no 5-second wait between the shards"
        assert fake.calls and all(c.auth == "Bot T0K" for c in fake.calls)
        assert len(fake.find("PUT", rf"/applications/{fake.app_id}/commands")) == 1

        mark = fake.mark()
        await fake.slash(owner, channel, "copkit help")
        answer = await fake.wait_for("POST", CALLBACK, since=mark, timeout=10)
        assert "What I can do" in text_of(answer.json["data"])
        await fake.slash(owner, other, "copkit help")  # shard 2 runs elsewhere: not ours
        await fake.quiet(0.5)
        assert len(fake.find("POST", CALLBACK, since=mark)) == 1
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 30)
        rest = (await proc.stdout.read()).decode() + (await proc.stderr.read()).decode()
    assert code == 0, rest
    assert "Traceback" not in rest, rest


async def test_a_refused_token_is_one_line_and_exit_1(fake, db_url, tmp_path):
    fake.fail[("GET", "/users/@me")] = (401, {"message": "401: Unauthorized", "code": 0})
    proc = await launch(fake, db_url, tmp_path, token="wrong")
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1, (out, err)
    lines = err.decode().strip().splitlines()
    assert lines == ["copkit: Discord refused the token: check DISCORD_TOKEN or [discord] token"]
    assert "wrong" not in out.decode() + err.decode()
