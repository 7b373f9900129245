"""The scorecard and the monthly digest of a big community: MEMBERS members and two years of
history (LOG_ROWS community-log rows: events, topics, notes, votes, actions), through the full
in-process path (command → core → reflect → database → view with its PNG).

The log is read once into reflect's aggregates (timed apart: it happens once, then only the new
rows are read); each timed request first adds a few new log rows, as a living community would,
so it also pays for reading them. The reference is the naive way, measured in the same run: the
same participation levels computed by a scan of the log per request. Target: both views under
300 ms (median). SQLite always; PostgreSQL too when COPKIT_BENCH_POSTGRES_URL is set (its
database is emptied first).

Usage: python benchmarks/reflect.py [MEMBERS] [LOG_ROWS] [REPEATS]
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from _databases import label as db_label
from _databases import run_per_database, split_args

from copkit.core import goals, store
from copkit.core.clock import FakeClock
from copkit.core.events import CommunityRef, Person, RoomRef
from copkit.core.models import LogEntry
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.plugins.reflect import ingest

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.healthcheck", "copkit.plugins.reflect"]
TARGET_MS = 300
NOW = datetime(2026, 1, 20, 9, tzinfo=UTC)
KINDS = (("vote", 40), ("topic", 20), ("note", 12), ("feedback", 10), ("action", 5))
KINDS += (("action.done", 3), ("signup", 3), ("brownbag.rsvp", 7))


class CountingMessenger:
    platform = "bench"

    def __init__(self) -> None:
        self.sent = 0
        self.last = None

    async def send(self, community, room_id, target, view, request):  # noqa: ANN001
        self.sent += 1
        self.last = view
        return {"room_id": room_id, "message_id": str(self.sent)}

    async def edit(self, community, ref, view):  # noqa: ANN001
        pass


async def reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def history(cid: int, members: int, rows: int, seed: int = 14) -> list[LogEntry]:
    """Two years of a community's log: events (started, ended) every few days, each with a
    burst of contributions by a long-tailed population (a few give a lot, most rarely)."""
    rnd = random.Random(seed)
    start = NOW - timedelta(days=730)
    events = max(1, rows // 500)
    weights = [1 / (i + 1) ** 0.8 for i in range(members)]
    people = [f"m{i}" for i in range(members)]
    kinds = [k for k, _w in KINDS]
    kind_w = [w for _k, w in KINDS]
    out: list[LogEntry] = []
    per_event = (rows - 2 * events) // events
    for e in range(events):
        at = start + timedelta(days=730 * e / events, hours=17)
        fmt = ("leancoffee", "brownbag", "lightning")[e % 3]
        host = people[rnd.randrange(12)]
        ref = f"{fmt}:{e + 1}"
        out.append(LogEntry(community_id=cid, at=at, member=host, kind="activity.started", ref=ref))
        for who, kind in zip(
            rnd.choices(people, weights, k=per_event),
            rnd.choices(kinds, kind_w, k=per_event),
            strict=True,
        ):
            ref_n = f"{fmt}:{kind}:{rnd.randrange(10_000)}"
            out.append(
                LogEntry(
                    community_id=cid,
                    at=at + timedelta(minutes=rnd.randrange(60)),
                    member=who,
                    kind=kind,
                    ref=ref_n,
                )
            )
        out.append(
            LogEntry(community_id=cid, at=at + timedelta(hours=1), kind="activity.ended", ref=ref)
        )
    return out


async def naive_levels(cid: int, since: datetime) -> int:
    """The reference: participation levels from a scan of the log, as without aggregates."""
    rows = await store.rows(
        "SELECT member, SUM(CASE WHEN kind IN ('topic','note','action','action.done','signup')"
        " THEN 1 ELSE 0 END) AS g, COUNT(*) AS n FROM copkit_log"
        " WHERE community_id = ? AND at >= ? AND member != '' GROUP BY member",
        [cid, since],
    )
    return len(rows)


async def run(url: str, members: int, rows: int, repeats: int, label: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = url if url.startswith("postgres") else f"sqlite://{tmp}/bench.db"
        if db.startswith("postgres"):
            await reset_postgres(db)
        clock = FakeClock(NOW)
        rt = Copkit(db, pm=make_plugin_manager(PLUGINS, entry_points_group=None), clock=clock)
        messenger = CountingMessenger()
        rt.add_messenger(messenger)
        await rt.open()
        community = CommunityRef("bench", "c1", "Bench", owner_id="lead")
        room = RoomRef("general", "general")
        lead = Person("lead", "Lead")
        try:
            await rt.handle_text(community, room, lead, "roles leader lead")
            cid = (await rt.community(community)).row.id
            t0 = time.perf_counter()
            await LogEntry.bulk_create(history(cid, members, rows), batch_size=2000)
            seeded = time.perf_counter() - t0
            for text, target, signal in (
                ("Events", 4, "events_held"),
                ("Lean coffees", 2, "events_held:leancoffee"),
                ("Hosts", 5, "distinct_hosts"),
                ("Presenters", 10, "presenters_share"),
                ("Not the leader", 50, "not_leader_share"),
                ("Actions closed", 60, "actions_closed"),
                ("Active", 300, "active_members"),
                ("Newcomers give", 30, "newcomer_contribution"),
                ("Safety", 75, "health:purpose"),
                ("Blog posts", 2, None),
            ):
                await goals.add_goal(cid, text, target=target, signal=signal, now=NOW)
            t0 = time.perf_counter()
            read = await ingest.catch_up(cid)
            first_read = time.perf_counter() - t0
            total_rows = await LogEntry.filter(community_id=cid).count()
            print(
                f"{label:8} {members} members, {total_rows} log rows (seeded in {seeded:.1f} s); "
                f"first read into the aggregates: {read} rows in {first_read * 1000:.0f} ms",
                flush=True,
            )
            rnd = random.Random(1)
            timings: dict[str, list[float]] = {"goals": [], "digest": [], "naive scan": []}
            for n in range(repeats + 1):  # the first round warms up (matplotlib's import)
                for cmd in ("goals", "digest", "naive scan"):
                    for _i in range(20):  # the community lives on between requests
                        await rt.log_service.contribute(
                            (await rt.community(community)).row,
                            f"m{rnd.randrange(members)}",
                            "topic",
                            "x:1",
                        )
                    clock.advance(timedelta(minutes=5))
                    t0 = time.perf_counter()
                    if cmd == "naive scan":
                        await naive_levels(cid, clock.now() - timedelta(days=90))
                    else:
                        await rt.handle_text(community, room, lead, cmd)
                        assert messenger.last is not None and messenger.last.images, cmd
                    if n:
                        timings[cmd].append(time.perf_counter() - t0)
            med = {k: statistics.median(v) * 1000 for k, v in timings.items()}
            ref = med["naive scan"]
            for cmd in ("goals", "digest"):
                verdict = "PASS" if med[cmd] < TARGET_MS else "FAIL"
                print(
                    f"{label:8} {cmd:7} median of {repeats}: {med[cmd]:6.0f} ms (with its PNG) "
                    f"· target {TARGET_MS} ms: {verdict} · {med[cmd] / ref:4.1f}× the naive "
                    f"levels scan ({ref:.0f} ms, no view, no PNG)",
                    flush=True,
                )
        finally:
            await rt.close()


def main() -> None:
    args, only = split_args(sys.argv[1:])
    if not only:
        run_per_database(__file__, args)
        return
    members = int(args[0]) if args else 2000
    rows = int(args[1]) if len(args) > 1 else 200_000
    repeats = int(args[2]) if len(args) > 2 else 7
    asyncio.run(run(only, members, rows, repeats, db_label(only)))


if __name__ == "__main__":
    main()
