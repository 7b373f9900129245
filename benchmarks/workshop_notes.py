"""Private writing under load, through the full in-process path (adapter → core → plugin →
database): 40 people submit the workshop board's form at the same moment (one note each, then
three each), and the notes are counted: none lost, none duplicated, numbered 1…N without a gap.
The reference, measured in the same run, is the same notes written one after another.

Prints per round and as medians of ROUNDS: the burst's total, per-submit p50/p99, and the
ratio of the burst to the reference. Targets: no note lost or duplicated; the 40 submits within
2 s (6 s for three each); the burst no slower than 1.5 × the reference (every submit
waits for the ones before it on one database: p99 ≈ the burst's total, so it has no target of
its own). SQLite always; PostgreSQL too when COPKIT_BENCH_POSTGRES_URL is
set (its database is emptied first).

Usage: python benchmarks/workshop_notes.py [PEOPLE] [ROUNDS]
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

from copkit.core.clock import FakeClock
from copkit.core.events import CommunityRef, Interaction, Person, RoomRef
from copkit.core.facilitation.models import Note
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.plugins.workshop.format import WRITE
from copkit.plugins.workshop.models import Workshop

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.workshop"]


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

    conn = await asyncpg.connect(url.split("?")[0].replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def one_round(url: str, people: int, per_person: int, *, burst: bool) -> dict[str, float]:
    if url.startswith("postgres"):
        await reset_postgres(url)
    pm = make_plugin_manager(PLUGINS, entry_points_group=None)
    rt = Copkit(url, pm=pm, clock=FakeClock(datetime(2026, 1, 5, 9, tzinfo=UTC)))
    rt.add_messenger(CountingMessenger())
    await rt.open()
    community = CommunityRef("bench", "c1", "Bench", owner_id="lead")
    room = RoomRef("general", "general")
    try:
        await rt.handle_text(community, room, Person("lead", "Lead"), "workshop start")
        w = await Workshop.get()
        crowd = [Person(f"u{i:02d}", f"User {i}") for i in range(people)]
        for p in crowd:  # they joined before writing (their first contact is not measured)
            await rt.handle_text(community, room, p, "workshop join")
        latencies: list[float] = []

        async def submit(p: Person, k: int) -> None:
            action = Interaction(
                WRITE.build(workshop=w.id, step="vision"), {"vision": f"{p.id} idea {k}"}
            )
            t0 = time.perf_counter()
            await rt.handle_interaction(community, room, p, action)
            latencies.append(time.perf_counter() - t0)

        jobs = [(p, k) for k in range(per_person) for p in crowd]
        start = time.perf_counter()
        if burst:
            await asyncio.gather(*(submit(p, k) for p, k in jobs))
        else:
            for p, k in jobs:
                await submit(p, k)
        total = time.perf_counter() - start
        rows = await Note.filter(phase__owner=f"workshop:{w.id}").values_list("text", "number")
        texts = sorted(t for t, _n in rows)
        expected = sorted(f"{p.id} idea {k}" for p, k in jobs)
        lost = len(set(expected) - set(texts))
        duplicated = len(texts) - len(set(texts))
        gaps = sorted(n for _t, n in rows) != list(range(1, len(jobs) + 1))
        return {
            "total": total,
            "p50": statistics.median(latencies),
            "p99": pct(latencies, 0.99),
            "lost": lost,
            "duplicated": duplicated,
            "gaps": float(gaps),
        }
    finally:
        await rt.close()


async def run(url: str, people: int, rounds: int, label: str) -> bool:
    ok = True
    for per_person in (1, 3):
        n = people * per_person
        bursts, refs = [], []
        for r in range(rounds):
            for burst, out in ((True, bursts), (False, refs)):
                with tempfile.TemporaryDirectory() as tmp:
                    db = url if url.startswith("postgres") else f"sqlite://{tmp}/b{r}.db"
                    out.append(await one_round(db, people, per_person, burst=burst))
            b = bursts[-1]
            print(
                f"{label:8} round {r + 1}: {n} notes at once {b['total'] * 1000:6.0f} ms · "
                f"p50 {b['p50'] * 1000:5.1f} ms · p99 {b['p99'] * 1000:5.1f} ms · "
                f"in turn {refs[-1]['total'] * 1000:6.0f} ms · lost {b['lost']:.0f} · "
                f"duplicated {b['duplicated']:.0f}",
                flush=True,
            )
        med = {k: statistics.median(x[k] for x in bursts) for k in bursts[0]}
        ref = statistics.median(x["total"] for x in refs)
        intact = all(
            x["lost"] == 0 and x["duplicated"] == 0 and not x["gaps"] for x in bursts + refs
        )
        checks = {
            "none lost or duplicated, numbered without a gap": intact,
            f"{n} submits at once within {2 * per_person} s": med["total"] <= 2 * per_person,
            "at once no slower than 1.5 × one after another": med["total"] <= 1.5 * ref,
        }
        print(
            f"{label:8} median of {rounds}, {people} people × {per_person}: all {n} notes "
            f"{med['total'] * 1000:.0f} ms, per submit p50 {med['p50'] * 1000:.1f} ms, "
            f"p99 {med['p99'] * 1000:.1f} ms; one after another {ref * 1000:.0f} ms "
            f"(burst/reference {med['total'] / ref:.2f})",
            flush=True,
        )
        for what, passed in checks.items():
            print(f"{label:8}   {'PASS' if passed else 'FAIL'}  {what}", flush=True)
            ok = ok and passed
    return ok


def main() -> None:
    args, only = split_args(sys.argv[1:])
    if not only:
        print(f"load: {os.getloadavg()[0]:.2f} (1-minute average, {os.cpu_count()} cores)")
        run_per_database(__file__, args)
        return
    people = int(args[0]) if args else 40
    rounds = int(args[1]) if len(args) > 1 else 5
    url = only if only != "sqlite" else ""
    label = db_label(url or "sqlite://")
    ok = asyncio.run(run(url or "sqlite://", people, rounds, label))
    print(f"{label:8} {'all targets met' if ok else 'some targets missed'}", flush=True)


if __name__ == "__main__":
    main()
