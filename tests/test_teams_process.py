"""``copkit run`` as a real process in local (emulator) mode: it says where it listens, answers a
message through the fake Bot Connector, and stops cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys

import aiohttp
from fakes.bot_connector import FakeBotConnector, TeamsActivities
from fakes.teams_env import ALICE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_copkit_run_serves_teams_in_local_mode(tmp_path):
    connector = FakeBotConnector()
    await connector.start()
    port = _free_port()
    config = tmp_path / "copkit.toml"
    config.write_text(
        '[plugins]\ndisabled = ["leancoffee", "healthcheck", "brownbag", "lightningtalks"]\n'
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "DISCORD", "COPKIT_"))
    }
    env |= {
        "COPKIT_DATABASE_URL": f"sqlite://{tmp_path / 'run.db'}",
        "COPKIT_TEAMS_PORT": str(port),
        "COPKIT_CONFIG": str(config),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "copkit",
        "run",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
    )
    said: list[str] = []
    try:
        assert proc.stdout is not None
        while not any("Teams:" in line for line in said):
            line = await asyncio.wait_for(proc.stdout.readline(), 30)
            assert line, "copkit run exited: " + "".join(said)
            said.append(line.decode())
        teams = next(line for line in said if "Teams:" in line)
        assert "local mode" in teams and f"127.0.0.1:{port}/api/messages" in teams
        activity = TeamsActivities(connector.url).personal(ALICE, "help")
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/api/messages"
            async with session.post(url, data=json.dumps(activity)) as resp:
                assert resp.status == 200
            async with session.post(url, data=b"{nope") as resp:
                assert resp.status == 400
        reply = connector.posts()[-1]
        assert reply.conversation == f"a:1on1-{ALICE['id']}"
        assert "What I can do" in connector.texts(reply)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        out = (await asyncio.wait_for(proc.communicate(), 30))[0].decode()
        await connector.stop()
    assert proc.returncode == 0, "".join(said) + out
    assert "copkit: stopped" in out
