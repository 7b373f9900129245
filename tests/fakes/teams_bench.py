"""Benchmark of the Teams endpoint over real HTTP (not a test; run it by hand).

Signed requests (JWT checked against the fake's key set) go to the aiohttp app on loopback; the
replies go to the fake Bot Connector. Measures (a) a command answered with a card, (b) a vote
(Action.Execute) that updates the board in place and answers the invoke with it, each one at
a time and with 20 clients at once. SQLite by default; PostgreSQL with COPKIT_BENCH_POSTGRES_URL.

    .venv/bin/python tests/fakes/teams_bench.py [N]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from copkit.core.models import ShownView  # noqa: E402
from fakes.bot_connector import action, user  # noqa: E402
from fakes.teams_env import OWNER, TeamsEnv  # noqa: E402
from fakes.teams_plugin import TeamsDemo  # noqa: E402


async def _timed(env: TeamsEnv, activity: dict) -> float:
    start = time.perf_counter()
    status, _ = await env.post(activity)
    assert status == 200, status
    return time.perf_counter() - start


async def _run(env: TeamsEnv, make, n: int, clients: int) -> tuple[float, float, float]:
    """Median and p95 latency in ms, and requests per second."""
    latencies: list[float] = []
    queue = list(range(n))

    async def client() -> None:
        while queue:
            i = queue.pop()
            latencies.append(await _timed(env, make(i)))

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - start
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    return statistics.median(latencies) * 1000, p95 * 1000, n / wall


async def main(n: int) -> None:
    url = os.environ.get("COPKIT_BENCH_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as tmp:
        if url:
            from conftest import reset_postgres

            await reset_postgres(url)
        db = url or f"sqlite://{tmp}/bench.db"
        async with TeamsEnv(db, extra=[TeamsDemo()]) as env:
            people = [user(f"u{i}") for i in range(50)]
            await env.post(env.a.mention(OWNER, "tdemo board"))
            await env.post(env.a.mention(OWNER, "tdemo where"))
            board = (await ShownView.get(key="tdemo:board")).ref["message_id"]
            form = action(env.connector.messages[board].card, "Propose")["card"]
            propose = action(form, "Send")["data"]
            await env.post(env.a.execute(OWNER, board, propose, inputs={"title": "Bench"}))
            vote = action(env.connector.messages[board].card, "Vote 1")["data"]
            print(f"Teams endpoint, {n} requests each, {'PostgreSQL' if url else 'SQLite'}")
            print(f"{'':38} {'median ms':>10} {'p95 ms':>8} {'req/s':>7}")
            for clients in (1, 20):
                med, p95, rps = await _run(
                    env,
                    lambda i: env.a.mention(people[i % 50], "tdemo where"),
                    n,
                    clients,
                )
                print(
                    f"command, card reply, {clients:>2} clients{'':9} {med:10.1f} {p95:8.1f} {rps:7.0f}"
                )
                med, p95, rps = await _run(
                    env,
                    lambda i: env.a.execute(people[i % 50], board, vote),
                    n,
                    clients,
                )
                print(
                    f"Action.Execute + card update, {clients:>2} clients {med:10.1f} {p95:8.1f} {rps:7.0f}"
                )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
