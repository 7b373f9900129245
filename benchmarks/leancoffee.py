"""Lean coffee votes through the full in-process path: the console adapter's messenger and
renderer → dispatch → the plugin → the database, against a floor measured in the same run.

* **row-writing command**: a typed command that stores one line of the community's log
  (``bench note …``, through the core's writer); floor: a bare pluggy hook doing one raw
  INSERT with the driver (aiosqlite / asyncpg). Target ≤ 1.5× (SQLite), ≤ 1.2× (PostgreSQL).
* **a vote**: a person new to copkit clicks a topic (their membership row, the dot, its log
  line, the private answer, the board's live update); floor: a bare pluggy hook doing the same
  three rows in one raw transaction. Target ≤ 2×.
* **burst**: 500 new people × 2 dots at the same moment on 50 topics: all counted, nobody over
  budget, every vote answered within 200 ms (SQLite) / 400 ms (PostgreSQL), per-vote p99 within
  that too, the board redrawn at least once a second during the burst and ending on the final
  counts.

Medians of the rounds (interleaved with the floor); prints PASS/FAIL per target and the load.
SQLite always; PostgreSQL too when COPKIT_BENCH_POSTGRES_URL is set (its schema is emptied).

Usage: python benchmarks/leancoffee.py [ROUNDS] [SEQUENTIAL_REQUESTS]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

import pluggy
from _databases import label as db_label
from _databases import run_per_database, split_args

from copkit.adapters.console.messenger import ConsoleMessenger
from copkit.core.clock import FakeClock
from copkit.core.events import CommunityRef, Interaction, Person, RoomRef
from copkit.core.hookspecs import hookimpl
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.core.specs import Arg, Command, FormatInfo
from copkit.core.views import notice
from copkit.core.writer import Write
from copkit.plugins.leancoffee.models import Session, Topic, Vote
from copkit.plugins.leancoffee.routes import VOTE_PICK, board_key

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.leancoffee"]
BURST_PEOPLE = 500
LIMITS = {"sqlite": (1.5, 2.0, 0.200), "postgres": (1.2, 2.0, 0.400)}
"""Per database: row-writing command × floor, vote × floor, burst seconds."""


class RenderingMessenger(ConsoleMessenger):
    """The console adapter's messenger, rendering every message and edit as the console does
    (into a counter, not a terminal), and noting when the board was edited."""

    def __init__(self) -> None:
        super().__init__(self._sink)
        self.chars = 0
        self.sent = 0
        self.board_mid = ""
        self.board_edits: list[tuple[float, str]] = []

    def _sink(self, text: str) -> None:
        self.chars += len(text)

    async def send(self, community, room_id, target, view, request):  # noqa: ANN001
        ref = await super().send(community, room_id, target, view, request)
        self.sent += 1
        self.flush()
        return ref

    async def edit(self, community, ref, view, request=None):  # noqa: ANN001
        await super().edit(community, ref, view, request)
        if ref["message_id"] == self.board_mid:
            self.board_edits.append((time.perf_counter(), view.text))
        self.flush()


async def note(ctx: Any, args: dict[str, Any]) -> None:
    await ctx.write(Write(), contribution=("bench.note", ""), text=args["text"])
    await ctx.reply(notice("Noted."), private=True)


class BenchPlugin:
    @hookimpl
    def copkit_register_formats(self) -> list[FormatInfo]:
        return [FormatInfo("bench", "Bench", "benchmark")]

    @hookimpl
    def copkit_register_commands(self) -> list[Command]:
        text = Arg("text", "t", positional=True, required=True)
        return [Command(("bench", "note"), "note", note, (text,), format="bench")]


# The floor: bare pluggy and the raw driver ---------------------------------------------------

spec = pluggy.HookspecMarker("floor")
impl = pluggy.HookimplMarker("floor")


class FloorSpec:
    @spec
    async def handle(self, member: str, topic: int) -> None:  # type: ignore[empty-body]
        """One request."""


class Floor:
    """The same rows with the raw driver, one transaction, through one pluggy hook."""

    def __init__(self, url: str, community_id: int, session_id: int) -> None:
        self.url, self.cid, self.sid = url, community_id, session_id
        self.pg = url.startswith("postgres")
        self.conn: Any = None
        self.at = datetime(2026, 1, 5, 9, tzinfo=UTC)

    async def open(self) -> None:
        if self.pg:
            import asyncpg

            self.conn = await asyncpg.connect(url_dsn(self.url))
        else:
            import aiosqlite

            path = self.url[len("sqlite://") :].split("?")[0]
            self.conn = await aiosqlite.connect(path, isolation_level=None)
            await self.conn.execute("PRAGMA synchronous=NORMAL")

    async def close(self) -> None:
        await self.conn.close()

    def q(self, sql: str) -> str:
        if not self.pg:
            return sql
        n = iter(range(1, 100))
        return "".join(f"${next(n)}" if c == "?" else c for c in sql)

    async def note(self, member: str, text: str) -> None:
        sql = self.q(
            "INSERT INTO copkit_log (community_id, at, member, kind, ref, text)"
            " VALUES (?, ?, ?, 'bench.note', '', ?)"
        )
        if self.pg:
            await self.conn.execute(sql, self.cid, self.at, member, text)
        else:
            await self.conn.execute(sql, (self.cid, self.at.isoformat(" "), member, text))

    async def vote(self, member: str, topic: int) -> None:
        rows = [
            (
                "INSERT INTO copkit_membership (community_id, person_id, name, role, updated_at)"
                " VALUES (?, ?, ?, 0, ?) ON CONFLICT DO NOTHING",
                [self.cid, member, member, self.at],
            ),
            (
                "INSERT INTO leancoffee_vote (session_id, topic_id, member, dot) VALUES (?, ?, ?, 0)",
                [self.sid, topic, member],
            ),
            (
                "INSERT INTO copkit_log (community_id, at, member, kind, ref, text)"
                " VALUES (?, ?, ?, 'vote', ?, '')",
                [self.cid, self.at, member, f"topic:{topic}"],
            ),
        ]
        if self.pg:
            async with self.conn.transaction():
                for sql, values in rows:
                    await self.conn.execute(self.q(sql), *values)
            return
        await self.conn.execute("BEGIN")
        for sql, values in rows:
            await self.conn.execute(
                sql, [v.isoformat(" ") if isinstance(v, datetime) else v for v in values]
            )
        await self.conn.commit()


def url_dsn(url: str) -> str:
    return url.split("?")[0].replace("postgres://", "postgresql://", 1)


async def reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url_dsn(url))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


# One round ----------------------------------------------------------------------------------


async def one_round(url: str, n: int) -> dict[str, float]:
    if url.startswith("postgres"):
        await reset_postgres(url)
    pm = make_plugin_manager(PLUGINS, extra=[BenchPlugin()], entry_points_group=None)
    clock = FakeClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    rt = Copkit(url, pm=pm, clock=clock)  # the real 1-second pacing of the board
    messenger = RenderingMessenger()
    rt.add_messenger(messenger)
    await rt.open()
    community = CommunityRef("console", "c1", "Bench", owner_id="lead")
    room = RoomRef("coffee", "coffee", kind="voice")
    lead = Person("lead", "Lead")
    out: dict[str, float] = {}
    try:
        await rt.handle_text(community, room, lead, "leancoffee start")
        s = await Session.get(room_id="coffee")
        await Topic.bulk_create(
            Topic(
                session_id=s.id,
                community_id=s.community_id,
                number=i + 1,
                title=f"Topic number {i + 1}: a title of a realistic length",
                pitch="A sentence or two about why this matters to us." if i % 2 else "",
                author=f"a{i}",
                author_name=f"Author {i}",
                created_at=clock.now(),
            )
            for i in range(50)
        )
        await rt.handle_text(community, room, lead, "leancoffee voting open")
        ref = await rt.view_ref((await rt.community(community)).row, board_key(s.id))
        assert ref is not None
        messenger.board_mid = ref["message_id"]
        topics = await Topic.filter(session_id=s.id).order_by("number").values_list("id", flat=True)

        # the floor's pluggy, on its own connection to the same database
        floor = Floor(url, s.community_id, s.id)
        await floor.open()
        fpm = pluggy.PluginManager("floor")
        fpm.add_hookspecs(FloorSpec)

        class Impl:
            @impl
            async def handle(self, member: str, topic: int) -> None:
                await (floor.vote(member, topic) if topic else floor.note(member, "hello"))

        fpm.register(Impl())

        async def timed(make: Any, count: int) -> float:
            samples = []
            for i in range(count):
                t0 = time.perf_counter()
                await make(i)
                samples.append(time.perf_counter() - t0)
            return statistics.median(samples)

        known = Person("lead", "Lead")
        out["note"] = await timed(
            lambda i: rt.handle_text(community, room, known, f"bench note hello {i}"), n
        )
        out["note_floor"] = await timed(lambda i: fpm.hook.handle(member="f", topic=0)[0], n)

        def click(p: Person, topic: int) -> Any:
            action = Interaction(VOTE_PICK.build(page=1), {"selected": [str(topic)]})
            return rt.handle_interaction(community, room, p, action)

        out["vote"] = await timed(lambda i: click(Person(f"seq{i}", f"Seq {i}"), topics[i % 50]), n)
        out["vote_floor"] = await timed(
            lambda i: fpm.hook.handle(member=f"floor{i}", topic=topics[i % 50])[0], n
        )
        await floor.close()
        await asyncio.sleep(rt.live.interval + 0.1)  # the board's pace starts afresh
        await rt.live.drain()

        # the burst: new people, 2 dots each, all at once
        people = [Person(f"u{i}", f"User {i}") for i in range(BURST_PEOPLE)]
        votes = [(p, topics[(i * k) % 50]) for i, p in enumerate(people) for k in (1, 3)]
        latencies: list[float] = []

        async def vote(p: Person, topic: int) -> None:
            t0 = time.perf_counter()
            await click(p, topic)
            latencies.append(time.perf_counter() - t0)

        from tortoise import Tortoise

        from copkit.core.writer import writer_of

        w = writer_of(Tortoise.get_connection("default"))
        batches_before = w.batches
        sent_before = messenger.sent
        edits_before = len(messenger.board_edits)
        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(vote(p, t) for p, t in votes))
        total = time.perf_counter() - start
        out["cpu"] = time.process_time() - cpu  # this process's CPU (the database's is apart)
        out["batches"] = w.batches - batches_before
        await asyncio.sleep(rt.live.interval + 0.3)  # the board's last update goes out
        answers = messenger.sent - sent_before
        stored = await Vote.filter(session_id=s.id, member__startswith="u").count()
        assert answers == len(votes), (answers, len(votes))
        assert stored == len(votes), (stored, len(votes))
        over = await Vote.filter(session_id=s.id, dot__gte=s.votes).count()
        assert over == 0
        edits = messenger.board_edits[edits_before:]
        times = [start] + [t for t, _text in edits if t <= start + total] + [start + total]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        during = sum(1 for t, _ in edits if t <= start + total)
        top = max(
            [await Vote.filter(topic_id=t).count() for t in topics[:5]]  # the busiest topics
        )
        final = edits[-1][1] if edits else ""
        out.update(
            total=total,
            p50=statistics.median(latencies),
            p99=pct(latencies, 0.99),
            edits=len(edits),
            during=during,
            gap=max(gaps),
            final_ok=float(f"{top} dots" in final),
        )
        return out
    finally:
        await rt.close()


async def run(url: str, rounds: int, n: int) -> int:
    label = db_label(url)
    results = []
    for r in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            db = url if url.startswith("postgres") else f"sqlite://{tmp}/bench{r}.db"
            res = await one_round(db, n)
        results.append(res)
        print(
            f"{label:8} round {r + 1}: note {res['note'] * 1e6:.0f} µs (floor "
            f"{res['note_floor'] * 1e6:.0f}) · vote {res['vote'] * 1e6:.0f} µs (floor "
            f"{res['vote_floor'] * 1e6:.0f}) · burst {2 * BURST_PEOPLE} votes "
            f"{res['total'] * 1000:.0f} ms (CPU {res['cpu'] * 1000:.0f} ms), p50 {res['p50'] * 1000:.0f} ms, p99 "
            f"{res['p99'] * 1000:.0f} ms, board edits {res['edits']:.0f} "
            f"({res['batches']:.0f} transactions) "
            f"({res['during']:.0f} during, longest gap {res['gap'] * 1000:.0f} ms)",
            flush=True,
        )
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    note_x, vote_x, burst_s = LIMITS[label]
    checks = [
        (
            f"row-writing command ≤ {note_x}× floor",
            med["note"] / med["note_floor"] <= note_x,
            f"{med['note'] * 1e6:.0f} µs vs {med['note_floor'] * 1e6:.0f} µs = "
            f"{med['note'] / med['note_floor']:.2f}×",
        ),
        (
            f"a vote ≤ {vote_x}× floor",
            med["vote"] / med["vote_floor"] <= vote_x,
            f"{med['vote'] * 1e6:.0f} µs vs {med['vote_floor'] * 1e6:.0f} µs = "
            f"{med['vote'] / med['vote_floor']:.2f}×",
        ),
        (
            f"{2 * BURST_PEOPLE} votes answered ≤ {burst_s * 1000:.0f} ms",
            med["total"] <= burst_s,
            f"{med['total'] * 1000:.0f} ms (this process's CPU {med['cpu'] * 1000:.0f} ms)",
        ),
        (
            f"per-vote p99 ≤ {burst_s * 1000:.0f} ms",
            med["p99"] <= burst_s,
            f"p50 {med['p50'] * 1000:.0f} ms, p99 {med['p99'] * 1000:.0f} ms",
        ),
        (
            "board redrawn at least once a second during the burst, ending on the final state",
            med["gap"] <= 1.0 and min(r["final_ok"] for r in results) == 1.0,
            f"longest gap {med['gap'] * 1000:.0f} ms, {med['edits']:.0f} edits",
        ),
    ]
    load = os.getloadavg()
    print(f"{label:8} medians of {rounds} rounds (load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}):")
    for name, ok, figures in checks:
        print(f"{label:8}   {'PASS' if ok else 'FAIL'}  {name}: {figures}", flush=True)
    return 0 if all(ok for _n, ok, _f in checks) else 1


def main() -> None:
    args, only = split_args(sys.argv[1:])
    if not only:
        sys.exit(run_per_database(__file__, args, keep_going=True))
    rounds = int(args[0]) if args else 3
    n = int(args[1]) if len(args) > 1 else 300
    sys.exit(asyncio.run(run(only, rounds, n)))


if __name__ == "__main__":
    main()
