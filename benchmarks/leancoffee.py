"""Lean coffee under load, through the full in-process path (adapter → core → plugin → database).

500 participants × 2 dots issued at the same moment (asyncio.gather on the runtime), then the board
re-rendered. Prints the total time, per-vote latency (p50/p99), the board edits the burst caused,
and the board render time for 50 topics. SQLite always; PostgreSQL too when
COPKIT_BENCH_POSTGRES_URL is set (the database is emptied first). Targets: p99 ≤ 50 ms per vote on
SQLite, all 1,000 votes within 2 s, render of 50 topics within 5 ms.

Usage: python benchmarks/leancoffee.py [PARTICIPANTS] [ROUNDS]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

from _databases import label as db_label
from _databases import run_per_database, split_args

from copkit.core.clock import FakeClock
from copkit.core.context import Scope
from copkit.core.events import CommunityRef, Interaction, Person, RoomRef
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.plugins.leancoffee import sessions
from copkit.plugins.leancoffee.board import render_board
from copkit.plugins.leancoffee.models import Session, Topic, Vote
from copkit.plugins.leancoffee.routes import VOTE_PICK

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.leancoffee"]


class CountingMessenger:
    """The test adapter's path, keeping counts: messages sent, board edits."""

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


async def one_round(
    url: str, participants: int, label: str, *, burst: bool, known: bool = False
) -> dict[str, float]:
    """One lean coffee on a fresh database: 50 topics, voting opened, then ``participants`` × 2
    dots, all at once (``burst``) or one after another (the time a single vote takes). The
    participants are new to copkit (their first contact is the vote), or ``known`` (they used
    copkit before in this process, as people who proposed or joined the room have)."""
    if url.startswith("postgres"):
        await reset_postgres(url)
    pm = make_plugin_manager(PLUGINS, entry_points_group=None)
    clock = FakeClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    rt = Copkit(url, pm=pm, clock=clock)  # the real 1-second edit coalescing
    messenger = CountingMessenger()
    rt.add_messenger(messenger)
    await rt.open()
    community = CommunityRef("bench", "c1", "Bench", owner_id="lead")
    room = RoomRef("coffee", "coffee", kind="voice")
    lead = Person("lead", "Lead")
    try:
        await rt.handle_text(community, room, lead, "leancoffee start")
        s = await Session.get(room_id="coffee")
        # 50 topics stored directly (proposing them is not what is measured)
        await Topic.bulk_create(
            Topic(
                session_id=s.id,
                community_id=s.community_id,
                number=i + 1,
                title=f"Topic number {i + 1}: a title of a realistic length",
                pitch="A sentence or two about why this matters to us." if i % 2 else "",
                author=f"u{i}",
                author_name=f"User {i}",
                created_at=clock.now(),
            )
            for i in range(50)
        )
        await rt.handle_text(community, room, lead, "leancoffee voting open")
        topics = await Topic.filter(session_id=s.id).order_by("number").values_list("id", flat=True)
        people = [Person(f"u{i}", f"User {i}") for i in range(participants)]
        if known:
            for p in people:
                await rt.handle_text(community, room, p, "leancoffee backlog")
        latencies: list[float] = []

        async def vote(p: Person, topic: int) -> None:
            t0 = time.perf_counter()
            action = Interaction(VOTE_PICK.build(page=1), {"selected": [str(topic)]})
            await rt.handle_interaction(community, room, p, action)
            latencies.append(time.perf_counter() - t0)

        votes = [(p, topics[(i * k) % 50]) for i, p in enumerate(people) for k in (1, 3)]
        edits_before, sent_before = messenger.edits, messenger.sent
        start = time.perf_counter()
        if burst:
            await asyncio.gather(*(vote(p, t) for p, t in votes))
        else:
            for p, t in votes:
                await vote(p, t)
        total = time.perf_counter() - start
        await asyncio.sleep(rt.live.interval + 0.2)  # the board's last update goes out
        burst_edits = messenger.edits - edits_before
        answers = messenger.sent - sent_before

        scope = Scope(rt, (await rt.community(community)).row, room.id)
        # The board re-rendered from the database: read the session, its topics and dots, and
        # render (the edit itself is paced by the live view, so it is not timed here).
        t0 = time.perf_counter()
        state = await sessions.board_state(scope, await Session.get(id=s.id))
        view = render_board(state)
        rerender = time.perf_counter() - t0
        assert f"{max(t.dots for t in state.topics)} dots" in view.text
        renders = []
        for _ in range(200):
            t0 = time.perf_counter()
            render_board(state)
            renders.append(time.perf_counter() - t0)

        stored = await Vote.filter(session_id=s.id).count()
        assert stored == 2 * participants, (stored, 2 * participants)
        assert answers == 2 * participants, answers
        result = {
            "total": total,
            "p50": statistics.median(latencies),
            "p99": pct(latencies, 0.99),
            "edits": burst_edits,
            "rerender": rerender,
            "render": statistics.median(renders),
        }
        how = ("at once" if burst else "in turn") + (" (known people)" if known else "")
        print(
            f"{label:8} {2 * participants} votes {how}: {total * 1000:6.0f} ms "
            f"({2 * participants / total:5.0f}/s) · per vote p50 {result['p50'] * 1000:6.1f} ms, "
            f"p99 {result['p99'] * 1000:6.1f} ms · board edits {burst_edits} · "
            f"re-render {rerender * 1000:4.1f} ms · render 50 topics {result['render'] * 1000:4.2f} ms",
            flush=True,
        )
        return result
    finally:
        await rt.close()


async def run(url: str, participants: int, rounds: int, label: str) -> None:
    modes = {
        "at once": (True, False),
        "at once (known people)": (True, True),
        "in turn": (False, False),
    }
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for n in range(rounds):
        for mode, (burst, known) in modes.items():
            with tempfile.TemporaryDirectory() as tmp:
                db = url if url.startswith("postgres") else f"sqlite://{tmp}/bench{n}.db"
                results[mode].append(
                    await one_round(db, participants, label, burst=burst, known=known)
                )
    for mode, rs in results.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        print(
            f"{label:8} median of {rounds}, {mode}: "
            f"all votes {med['total'] * 1000:.0f} ms, per vote p50 {med['p50'] * 1000:.1f} ms, "
            f"p99 {med['p99'] * 1000:.1f} ms, board edits {med['edits']:.0f}, "
            f"board re-read and rendered {med['rerender'] * 1000:.1f} ms, "
            f"render 50 topics {med['render'] * 1000:.2f} ms",
            flush=True,
        )


def main() -> None:
    args, only = split_args(sys.argv[1:])
    if not only:
        run_per_database(__file__, args)
        return
    participants = int(args[0]) if args else 500
    rounds = int(args[1]) if len(args) > 1 else 3
    asyncio.run(run(only, participants, rounds, db_label(only)))


if __name__ == "__main__":
    main()
