"""A health-check round under load, through the full in-process path (adapter → core → plugin →
database).

MEMBERS members answer the default deck (11 dimensions: a colour and a trend each, 22 clicks) all
at the same time (asyncio.gather; each member's clicks in order, as a person would), then the round
closes (count, unlink, shuffle) and the results are shown with the traffic-light grid. Prints the
time for all answers, per-click latency (p50/p99), the announcement edits the burst caused, the
close, the result view with its PNG, and the trend chart. SQLite always; PostgreSQL too when
COPKIT_BENCH_POSTGRES_URL is set (the database is emptied first).

Usage: python benchmarks/healthcheck.py [MEMBERS] [ROUNDS]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

from _databases import label as db_label
from _databases import run_per_database, split_args
from _statements import Statements

from copkit.core.clock import FakeClock
from copkit.core.context import Scope
from copkit.core.events import CommunityRef, Interaction, Person, RoomRef
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.core.views import ToRoom
from copkit.plugins.healthcheck import closing, logic, rounds
from copkit.plugins.healthcheck import routes as R
from copkit.plugins.healthcheck.models import Answer, Respondent, Round

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.healthcheck"]
CLICK_STATEMENTS = 4  # the most statements one click may send (issue 20, target 3)
COLOURS = ("green", "amber", "red")
TRENDS = ("better", "same", "worse")


class CountingMessenger:
    platform = "bench"

    def __init__(self) -> None:
        self.sent = 0
        self.edits = 0

    async def send(self, community, room_id, target, view, request):  # noqa: ANN001
        self.sent += 1
        return {"room_id": room_id, "message_id": str(self.sent)}

    async def edit(self, community, ref, view, request=None):  # noqa: ANN001
        self.edits += 1


async def reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def one_round(url: str, members: int, label: str) -> dict[str, float]:
    if url.startswith("postgres"):
        await reset_postgres(url)
    pm = make_plugin_manager(PLUGINS, entry_points_group=None)
    rt = Copkit(url, pm=pm, clock=FakeClock(datetime(2026, 1, 5, 9, tzinfo=UTC)))
    messenger = CountingMessenger()
    rt.add_messenger(messenger)
    await rt.open()
    community = CommunityRef("bench", "c1", "Bench", owner_id="lead")
    room = RoomRef("general", "general")
    try:
        await rt.handle_text(community, room, Person("lead", "Lead"), "healthcheck start")
        r = await Round.get(number=1)
        items = [it.id for it in await logic.items(r.id)]
        latencies: list[float] = []

        async def member(n: int) -> None:
            p = Person(f"u{n}", f"User {n}")
            for i, iid in enumerate(items):
                for route, values in ((R.COLOUR, COLOURS), (R.TREND, TRENDS)):
                    action = Interaction(
                        route.build(round=r.id, item=iid), {"selected": [values[(n + i) % 3]]}
                    )
                    t0 = time.perf_counter()
                    await rt.handle_interaction(community, room, p, action)
                    latencies.append(time.perf_counter() - t0)

        edits_before = messenger.edits
        start = time.perf_counter()
        await asyncio.gather(*(member(n) for n in range(members)))
        total = time.perf_counter() - start
        await asyncio.sleep(rt.live.interval + 0.2)
        edits = messenger.edits - edits_before
        assert await Respondent.filter(round_id=r.id).count() == members
        assert await Answer.filter(round_id=r.id).count() == members * len(items)

        # the statements of one click: a member's first (a new respondent) and a later one
        late = Person("late", "Late")
        await rt.handle_text(community, room, late, "help")  # known to copkit already
        counted = []
        for i in range(2):
            action = Interaction(
                R.COLOUR.build(round=r.id, item=items[i]), {"selected": [COLOURS[i]]}
            )
            with Statements() as st:
                await rt.handle_interaction(community, room, late, action)
            counted.append(st.count)
        await asyncio.sleep(rt.live.interval + 0.2)

        scope = Scope(rt, (await rt.community(community)).row, room.id)
        t0 = time.perf_counter()
        closed = await closing.close(r.id, rt.clock.now())
        close_t = time.perf_counter() - t0
        assert closed is not None and closed.responses == members + 1  # and the late one
        assert await Answer.filter(round_id=r.id, token__not_isnull=True).count() == 0
        t0 = time.perf_counter()
        await rounds.show_results(scope, closed, ToRoom(room.id))
        results_t = time.perf_counter() - t0
        t0 = time.perf_counter()
        await rt.handle_text(community, room, Person("u1", "User 1"), "healthcheck trend purpose")
        trend_t = time.perf_counter() - t0
        clicks = len(latencies)
        out = {
            "total": total,
            "p50": statistics.median(latencies),
            "p99": pct(latencies, 0.99),
            "edits": edits,
            "close": close_t,
            "results": results_t,
            "trend": trend_t,
            "first click statements": counted[0],
            "later click statements": counted[1],
        }
        print(
            f"{label:8} {members} members, {clicks} clicks at once: {total * 1000:6.0f} ms "
            f"({clicks / total:5.0f}/s) · per click p50 {out['p50'] * 1000:5.1f} ms, "
            f"p99 {out['p99'] * 1000:6.1f} ms · announcement edits {edits} · "
            f"close {close_t * 1000:5.0f} ms · results+grid {results_t * 1000:5.0f} ms · "
            f"trend chart {trend_t * 1000:4.0f} ms · statements per click: first {counted[0]}, "
            f"later {counted[1]}",
            flush=True,
        )
        return out
    finally:
        await rt.close()


async def run(url: str, members: int, rounds: int, label: str) -> None:
    results = []
    for n in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            db = url if url.startswith("postgres") else f"sqlite://{tmp}/bench{n}.db"
            results.append(await one_round(db, members, label))
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    print(
        f"{label:8} median of {rounds}: all clicks {med['total'] * 1000:.0f} ms, "
        f"per click p50 {med['p50'] * 1000:.1f} ms, p99 {med['p99'] * 1000:.1f} ms, "
        f"announcement edits {med['edits']:.0f}, close {med['close'] * 1000:.0f} ms, "
        f"results+grid {med['results'] * 1000:.0f} ms, trend chart {med['trend'] * 1000:.0f} ms",
        flush=True,
    )
    worst = max(max(r["first click statements"], r["later click statements"]) for r in results)
    verdict = "PASS" if worst <= CLICK_STATEMENTS else "FAIL"
    print(
        f"{label:8} a click sends at most {worst} statements · target ≤ {CLICK_STATEMENTS}: "
        f"{verdict} (load {os.getloadavg()[0]:.2f})",
        flush=True,
    )


def main() -> None:
    args, only = split_args(sys.argv[1:])
    if not only:
        run_per_database(__file__, args)
        return
    members = int(args[0]) if args else 100
    rounds = int(args[1]) if len(args) > 1 else 3
    asyncio.run(run(only, members, rounds, db_label(only)))


if __name__ == "__main__":
    main()
