"""Dispatch throughput through the full in-process path.

test adapter → parse → community lookup → enablement and role check → plugin handler → view →
adapter send, for (a) a stateless command and (b) a command that writes a row. SQLite always;
PostgreSQL too when COPKIT_BENCH_POSTGRES_URL is set. Usage: python benchmarks/dispatch.py [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from typing import Any

from _databases import run_per_database, split_args
from tortoise import fields
from tortoise.models import Model

from copkit.core.events import CommunityRef, Person, RoomRef
from copkit.core.hookspecs import hookimpl
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.core.specs import Arg, Command, FormatInfo, Models
from copkit.core.views import notice


class BenchRow(Model):
    id = fields.IntField(primary_key=True)
    member = fields.CharField(max_length=100)
    text = fields.CharField(max_length=200)

    class Meta:
        table = "bench_row"


async def ping(ctx: Any, args: dict[str, Any]) -> None:
    await ctx.reply(notice("pong"))


async def write(ctx: Any, args: dict[str, Any]) -> None:
    await BenchRow.create(member=ctx.person.id, text=args["text"])
    await ctx.reply(notice("saved"))


class BenchPlugin:
    @hookimpl
    def copkit_register_formats(self) -> list[FormatInfo]:
        return [FormatInfo("bench", "Bench", "benchmark")]

    @hookimpl
    def copkit_register_commands(self) -> list[Command]:
        return [
            Command(("bench", "ping"), "pong", ping, format="bench"),
            Command(
                ("bench", "write"),
                "write a row",
                write,
                (Arg("text", "t", positional=True, required=True),),
                format="bench",
            ),
        ]

    @hookimpl
    def copkit_register_models(self) -> list[Models]:
        return [Models("bench", __name__)]


class CountingMessenger:
    """The test adapter's send path, keeping only a count."""

    platform = "bench"

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, community, room_id, target, view, request):  # noqa: ANN001
        self.sent += 1
        return {"room_id": room_id, "message_id": str(self.sent)}

    async def edit(self, community, ref, view, request=None):  # noqa: ANN001
        return None


async def run(url: str, n: int) -> None:
    pm = make_plugin_manager(
        ["copkit.plugins.core_commands"], extra=[BenchPlugin()], entry_points_group=None
    )
    rt = Copkit(url, pm=pm)
    messenger = CountingMessenger()
    rt.add_messenger(messenger)
    await rt.open()
    community = CommunityRef("bench", "c1", "Bench", owner_id="lead")
    room = RoomRef("general")
    people = [Person(f"p{i}", f"P{i}") for i in range(50)]
    try:
        for label, text in (
            ("a) stateless", "bench ping"),
            ("b) writes a row", "bench write hello world"),
        ):
            for p in people:  # warm caches (community, people, rooms)
                await rt.handle_text(community, room, p, text)
            samples = []
            start = time.perf_counter()
            for i in range(n):
                t0 = time.perf_counter_ns()
                await rt.handle_text(community, room, people[i % 50], text)
                samples.append(time.perf_counter_ns() - t0)
            elapsed = time.perf_counter() - start
            samples.sort()
            p50 = statistics.median(samples) / 1000
            p99 = samples[int(len(samples) * 0.99)] / 1000
            print(
                f"{url.split(':')[0]:8} {label:18} {n / elapsed:10,.0f} msg/s   p50 {p50:7.1f} µs   p99 {p99:8.1f} µs"
            )
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
