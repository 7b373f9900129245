"""Dispatch throughput through the full in-process path.

the console adapter's messenger → parse → community lookup → enablement and role check → plugin
handler → view → the console's renderer, for (a) a stateless command and (b) a lean coffee vote
by a person new to copkit (their row, the dot, its log line, the answer, the board's live
update). SQLite always; PostgreSQL too when COPKIT_BENCH_POSTGRES_URL is set (its schema is
emptied first). Usage: python benchmarks/dispatch.py [N]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from typing import Any

from _databases import run_per_database, split_args
from leancoffee import RenderingMessenger, reset_postgres

from copkit.core.events import CommunityRef, Interaction, Person, RoomRef
from copkit.core.hookspecs import hookimpl
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.core.specs import Command, FormatInfo
from copkit.core.views import notice
from copkit.plugins.leancoffee.models import Session, Topic, Vote
from copkit.plugins.leancoffee.routes import VOTE_PICK


async def ping(ctx: Any, args: dict[str, Any]) -> None:
    await ctx.reply(notice("pong"))


class BenchPlugin:
    @hookimpl
    def copkit_register_formats(self) -> list[FormatInfo]:
        return [FormatInfo("bench", "Bench", "benchmark")]

    @hookimpl
    def copkit_register_commands(self) -> list[Command]:
        return [Command(("bench", "ping"), "pong", ping, format="bench")]


async def run(url: str, n: int) -> None:
    if url.startswith("postgres"):
        await reset_postgres(url)
    pm = make_plugin_manager(
        ["copkit.plugins.core_commands", "copkit.plugins.leancoffee"],
        extra=[BenchPlugin()],
        entry_points_group=None,
    )
    rt = Copkit(url, pm=pm)
    messenger = RenderingMessenger()  # the console adapter's messenger and renderer
    rt.add_messenger(messenger)
    await rt.open()
    community = CommunityRef("console", "c1", "Bench", owner_id="lead")
    room = RoomRef("general")
    lead = Person("lead", "Lead")
    people = [Person(f"p{i}", f"P{i}") for i in range(50)]
    try:
        await rt.handle_text(community, room, lead, "leancoffee start --votes 10")
        for i in range(50):
            await rt.handle_text(community, room, lead, f"leancoffee propose Topic {i}")
        await rt.handle_text(community, room, lead, "leancoffee voting open")
        s = await Session.get(room_id="general")
        topics = await Topic.filter(session_id=s.id).order_by("number").values_list("id", flat=True)

        def ping_one(i: int) -> Any:
            return rt.handle_text(community, room, people[i % 50], "bench ping")

        def vote_one(i: int) -> Any:  # a person new to copkit puts a dot on a topic
            action = Interaction(VOTE_PICK.build(page=1), {"selected": [str(topics[i % 50])]})
            return rt.handle_interaction(community, room, Person(f"v{i}", f"V{i}"), action)

        for label, one in (("a) stateless", ping_one), ("b) a vote (writes)", vote_one)):
            for i in range(50):  # warm caches (community, people, rooms)
                await one(n + i)
            samples = []
            start = time.perf_counter()
            for i in range(n):
                t0 = time.perf_counter_ns()
                await one(i)
                samples.append(time.perf_counter_ns() - t0)
            elapsed = time.perf_counter() - start
            samples.sort()
            p50 = statistics.median(samples) / 1000
            p99 = samples[int(len(samples) * 0.99)] / 1000
            print(
                f"{url.split(':')[0]:8} {label:20} {n / elapsed:10,.0f} msg/s   p50 {p50:7.1f} µs"
                f"   p99 {p99:8.1f} µs   (load {os.getloadavg()[0]:.1f})"
            )
        stored = await Vote.filter(session_id=s.id).count()
        assert stored == n + 50, stored
    finally:
        await rt.close()


def main() -> None:
    args, only = split_args(sys.argv[1:])
    if not only:
        run_per_database(__file__, args)
        return
    n = int(args[0]) if args else 20_000
    if only == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(run(f"sqlite://{tmp}/bench.db", n))
    else:
        asyncio.run(run(only, n))


if __name__ == "__main__":
    main()
