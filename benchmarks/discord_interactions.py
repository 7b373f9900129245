"""Interactions through the Discord adapter: the real discord.py client against the loopback fake
Discord (tests/fakes), on a real database.

(a) latency of one slash command: INTERACTION_CREATE sent → interaction callback received;
(b) latency of one button click that writes a row and edits the message;
(c) a burst of N people clicking the same button at once: time until every click was answered,
    and whether every click was counted exactly once.

SQLite always; PostgreSQL too when COPKIT_BENCH_POSTGRES_URL is set (its schema is dropped).
Usage: python benchmarks/discord_interactions.py [N]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import discord.gateway  # noqa: E402
import discord.http  # noqa: E402
import yarl  # noqa: E402
from fakes.discord_bot import CALLBACK, BotUnderTest  # noqa: E402
from fakes.discord_demo import DemoPlugin  # noqa: E402
from fakes.discord_server import FakeDiscord  # noqa: E402

from copkit.core.models import LogEntry  # noqa: E402

CORE = ("copkit.plugins.core_commands",)


async def reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def run(url: str, n: int) -> dict[str, float]:
    fake = FakeDiscord()
    await fake.start()
    discord.http.Route.BASE = fake.base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    olga = fake.user("olga")
    crowd = [fake.user(f"p{i}") for i in range(n)]
    guild = fake.add_guild("Bench", owner=olga, members=crowd)
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, url, plugins=CORE, extra=[DemoPlugin()]).start()
    out: dict[str, float] = {}
    try:
        await bot.slash(olga, general, "copkit help")  # warm up: the community exists
        lat = []
        for _ in range(30):
            mark = fake.mark()
            t0 = time.perf_counter()
            await fake.slash(olga, general, "copkit help")
            await fake.wait_for("POST", CALLBACK, since=mark)
            lat.append(time.perf_counter() - t0)
            await bot.settle()
        out["slash_ms"] = statistics.median(lat) * 1000
        counter = fake.message_of(await bot.slash(olga, general, "demo counter"))
        lat = []
        for who in crowd[:30]:
            mark = fake.mark()
            t0 = time.perf_counter()
            await fake.click(who, counter, "+1")
            await fake.wait_for("POST", CALLBACK, since=mark)
            lat.append(time.perf_counter() - t0)
            await bot.settle()
        out["click_ms"] = statistics.median(lat) * 1000
        before = await LogEntry.filter(kind="vote").count()
        mark = fake.mark()
        t0 = time.perf_counter()
        for who in crowd:
            await fake.click(who, counter, "+1")
        await fake.wait_for("POST", CALLBACK, since=mark, count=n, timeout=120)
        out["burst_s"] = time.perf_counter() - t0
        await bot.settle(60)
        counted = await LogEntry.filter(kind="vote").count() - before
        out["counted_ok"] = float(counted == n)
    finally:
        await bot.stop()
        await fake.close()
    return out


async def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    targets = []
    with tempfile.TemporaryDirectory() as tmp:
        targets.append(("sqlite", f"sqlite://{tmp}/bench.db"))
        pg = os.environ.get("COPKIT_BENCH_POSTGRES_URL")
        if pg:
            await reset_postgres(pg)
            targets.append(("postgres", pg))
        for name, url in targets:
            r = await run(url, n)
            print(
                f"{name:8} slash median {r['slash_ms']:.1f} ms · click+write+edit median "
                f"{r['click_ms']:.1f} ms · burst of {n} clicks answered in {r['burst_s']:.2f} s "
                f"({n / r['burst_s']:.0f}/s) · counted exactly once: {bool(r['counted_ok'])}"
            )


if __name__ == "__main__":
    asyncio.run(main())
