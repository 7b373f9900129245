"""PostgreSQL: what the pool's reset on release costs a request.

tortoise takes a pooled connection per statement outside a transaction, and asyncpg's default
pool runs ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` on every release. copkit
configures a reset that keeps the session (see ``copkit.core.storage._keep_session``). This runs
the same request — a community's log read, a row written with its log entry, a conditional update
— with both pools, interleaved, and prints the medians and their ratio.

Target: copkit's pool ≥ 1.2× faster per request than asyncpg's default reset (the issue measured
31–32% on writes and votes).

Usage: COPKIT_BENCH_POSTGRES_URL=postgres://… python benchmarks/pg_release.py [REQUESTS] [ROUNDS]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime

from tortoise import Tortoise

from copkit.core import store
from copkit.core.models import Community, LogEntry
from copkit.core.storage import open_database, tortoise_config


async def one_request(cid: int, i: int) -> None:
    await LogEntry.filter(community_id=cid).order_by("-id").limit(20)
    await LogEntry.create(community_id=cid, at=datetime.now(UTC), kind="bench", text=str(i))
    await store.execute("UPDATE copkit_community SET name = name WHERE id = ?", [cid])


async def run(url: str, default_reset: bool, n: int) -> float:
    config = tortoise_config(url, [])
    if default_reset:
        config["connections"]["default"]["credentials"].pop("reset")
    await Tortoise.init(config=config)
    try:
        community = await Community.first()
        assert community is not None
        await one_request(community.id, -1)  # warm the pool
        started = time.perf_counter()
        for i in range(n):
            await one_request(community.id, i)
        return (time.perf_counter() - started) / n * 1e6
    finally:
        await Tortoise.close_connections()


async def main() -> int:
    url = os.environ.get("COPKIT_BENCH_POSTGRES_URL")
    if not url:
        print("set COPKIT_BENCH_POSTGRES_URL to a PostgreSQL database (it gets copkit's tables)")
        return 2
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    await open_database(url, [])
    if not await Community.exists():
        await Community.create(platform="bench", external_id="bench", name="bench")
    await Tortoise.close_connections()
    ours, theirs = [], []
    for _ in range(rounds):  # interleaved, so both see the same machine
        theirs.append(await run(url, True, n))
        ours.append(await run(url, False, n))
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"per request (3 statements), median of {rounds} rounds × {n}:")
    print(f"  asyncpg default reset on release: {b:8.0f} µs")
    print(f"  copkit (session kept)           : {a:8.0f} µs   {b / a:.2f}× faster")
    ok = b / a >= 1.2
    print(f"target ≥ 1.2×: {'PASS' if ok else 'FAIL'}   (load: {os.getloadavg()[0]:.1f})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
