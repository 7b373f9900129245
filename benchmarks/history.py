"""Cost flat in history (issue 20, target 4), through the full in-process path.

A community with a long past is built with bulk ``INSERT … SELECT`` statements (seconds, not
hours): SESSIONS ended lean coffees in its room (5 topics each, 20 past dots each, two action
items each, the backlog they left), 1,000,000 log rows of 100 other communities (and 30,000 of its
own), 100,000 members, and a running lean coffee with 100,000 dots on its board. Then each hot
operation is timed against the same operation in a community with no history at all (the
reference, measured in the same run), and checked against its target:

* ``leancoffee start`` (then ``end``, not timed) with SESSIONS past sessions ≤ 20 ms;
* ``log`` with 1M log rows of other communities ≤ 5 ms;
* a community reload (settings, formats, roles) with 100k members ≤ 2 ms;
* the board re-read (session, topics, dots, rendered) at 100k dots ≤ 5 ms.

Prints medians, the statements (round trips) each operation sends, PASS/FAIL per target and the
machine's load. With ``--trace`` the statements of one ``leancoffee start`` are printed with
their time. SQLite always; PostgreSQL too when COPKIT_BENCH_POSTGRES_URL is set (its schema is
dropped first).

Usage: python benchmarks/history.py [SESSIONS] [ROUNDS] [--trace]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from _databases import label as db_label
from _databases import run_per_database, split_args
from _statements import Statements

from copkit.core import store
from copkit.core.clock import FakeClock
from copkit.core.context import Scope
from copkit.core.events import CommunityRef, Person, RoomRef
from copkit.core.models import Community
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.plugins.leancoffee import sessions
from copkit.plugins.leancoffee.board import render_board
from copkit.plugins.leancoffee.models import Session, Topic

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.leancoffee"]
TARGETS_MS = {"leancoffee start": 20.0, "log": 5.0, "community reload": 2.0, "board re-read": 5.0}
OTHER_LOG_ROWS = 1_000_000
OWN_LOG_ROWS = 30_000
MEMBERS = 100_000
DOTS = 100_000
BOARD_TOPICS = 10


class CountingMessenger:
    platform = "bench"

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, community, room_id, target, view, request):  # noqa: ANN001
        self.sent += 1
        return {"room_id": room_id, "message_id": str(self.sent)}

    async def edit(self, community, ref, view, request=None):  # noqa: ANN001
        pass


async def reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.split("?")[0].replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


# Building the history ---------------------------------------------------------------------


def series(n: int) -> str:
    """A ``WITH`` clause naming ``g(i)``, i in 0 … n-1 (both databases)."""
    return f"WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < {n - 1}) "


def ts(minutes: str) -> str:
    """A timestamp ``minutes`` after 2020-01-01 UTC, as each database stores it."""
    if store.is_sqlite():
        return f"(datetime('2020-01-01', '+' || ({minutes}) || ' minutes') || '+00:00')"
    return f"(timestamptz '2020-01-01 00:00+00' + ({minutes}) * interval '1 minute')"


def flag(expr: str) -> str:
    return f"({expr})" if store.is_sqlite() else f"({expr})::boolean"


def json(text: str) -> str:
    return f"'{text}'" if store.is_sqlite() else f"'{text}'::jsonb"


async def build_history(cid: int, n_sessions: int, room: str) -> int:
    """The past of community ``cid``; returns the id of the running session with DOTS dots."""
    day = 24 * 60
    # SESSIONS ended lean coffees, one a day, in ``room``
    await store.execute(
        series(n_sessions) + "INSERT INTO leancoffee_session (community_id, room_id, title, phase, "
        "step, votes, timebox, extensions, thumbs_round, thumbs_open, thumbs_window, "
        "discussed_count, started_by, started_at, ended_at) "
        f"SELECT ?, ?, 'Lean coffee ' || i, 'ended', 20, 2, 480, {json('[240,120]')}, 3, "
        f"{flag('0 = 1')}, 60, 3, 'lead', {ts(f'i * {day}')}, {ts(f'i * {day} + 60')} FROM g",
        [cid, room],
    )
    first = (await store.rows("SELECT MIN(id) AS m FROM leancoffee_session"))[0]["m"]
    # five topics each: three discussed, two left open; the last sessions' open ones are the
    # backlog (as many as the backlog keeps)
    backlog_from = 5 * n_sessions - 5 * 10
    await store.execute(
        series(5 * n_sessions) + "INSERT INTO leancoffee_topic (session_id, community_id, number, "
        "title, pitch, author, author_name, coauthors, status, carried_over, in_backlog, "
        '"order", spent, extensions_used, thumbs, created_at) '
        "SELECT ? + i / 5, ?, i % 5 + 1, 'A topic of a realistic length, number ' || i, '', "
        f"'u' || (i % 50), 'User ' || (i % 50), {json('[]')}, "
        "CASE WHEN i % 5 < 3 THEN 'discussed' ELSE 'open' END, "
        f"{flag('i % 7 = 0')}, {flag(f'i % 5 >= 3 AND i >= {backlog_from}')}, "
        "CASE WHEN i % 5 < 3 THEN i % 5 + 1 END, 420, 0, "
        f"{json('[[3,1,0]]')}, {ts(f'(i / 5) * {day}')} FROM g",
        [first, cid],
    )
    first_topic = (await store.rows("SELECT MIN(id) AS m FROM leancoffee_topic"))[0]["m"]
    # twenty dots each: ten people, two dots
    await store.execute(
        series(20 * n_sessions) + "INSERT INTO leancoffee_vote (session_id, topic_id, member, dot) "
        "SELECT ? + i / 20, ? + (i / 20) * 5 + i % 5, 'u' || (i % 20 / 2), i % 2 FROM g",
        [first, first_topic],
    )
    # two action items each, all done but the last thirty
    await store.execute(
        series(2 * n_sessions) + "INSERT INTO leancoffee_note (session_id, community_id, kind, "
        "text, author, author_name, done, created_at) "
        f"SELECT ? + i / 2, ?, 'action', 'Follow up on item ' || i, 'u1', 'User 1', "
        f"{flag(f'i < {2 * n_sessions - 30}')}, {ts(f'(i / 2) * {day}')} FROM g",
        [first, cid],
    )
    # 1M log rows of 100 other communities, and the community's own
    await store.execute(
        series(100) + "INSERT INTO copkit_community (platform, external_id, name, locale, "
        f"timezone, settings, created_at) SELECT 'bench', 'other' || i, 'Other ' || i, 'en', "
        f"'UTC', {json('{}')}, {ts('0')} FROM g"
    )
    others = [
        r["id"] for r in await store.rows("SELECT id FROM copkit_community WHERE id <> ?", [cid])
    ]
    lo = min(others)
    await store.execute(
        series(OTHER_LOG_ROWS) + "INSERT INTO copkit_log (community_id, at, member, kind, ref, "
        f"text) SELECT ? + i % 100, {ts('i / 10')}, 'u' || (i % 1000), 'leancoffee.voted', "
        "'leancoffee:topic:' || i, '' FROM g",
        [lo],
    )
    await store.execute(
        series(OWN_LOG_ROWS) + "INSERT INTO copkit_log (community_id, at, member, kind, ref, "
        f"text) SELECT ?, {ts('i * 100')}, 'u' || (i % 1000), 'leancoffee.voted', "
        "'leancoffee:topic:' || i, '' FROM g",
        [cid],
    )
    # 100k members (the leader and core team are already there)
    await store.execute(
        series(MEMBERS) + "INSERT INTO copkit_membership (community_id, person_id, name, role, "
        f"updated_at) SELECT ?, 'm' || i, 'Member ' || i, 0, {ts('i')} FROM g",
        [cid],
    )
    # a running lean coffee in another room, voting, with 100k dots on ten topics
    [board] = await store.rows(
        "INSERT INTO leancoffee_session (community_id, room_id, running_key, title, phase, "
        "step, votes, timebox, extensions, thumbs_round, thumbs_open, thumbs_window, "
        "discussed_count, started_by, started_at) "
        f"VALUES (?, 'board', ?, 'Big board', 'voting', 3, 2, 480, {json('[240,120]')}, 0, "
        f"{flag('0 = 1')}, 60, 0, 'lead', {ts('0')}) RETURNING id",
        [cid, f"{cid}:board"],
    )
    await store.execute(
        series(BOARD_TOPICS) + "INSERT INTO leancoffee_topic (session_id, community_id, number, "
        "title, pitch, author, author_name, coauthors, status, carried_over, in_backlog, spent, "
        f"extensions_used, thumbs, created_at) SELECT ?, ?, i + 1, 'Board topic ' || i, '', "
        f"'u1', 'User 1', {json('[]')}, 'open', {flag('0 = 1')}, {flag('0 = 1')}, 0, 0, "
        f"{json('[]')}, {ts('0')} FROM g",
        [board["id"], cid],
    )
    topics = await store.rows(
        "SELECT MIN(id) AS m FROM leancoffee_topic WHERE session_id = ?", [board["id"]]
    )
    await store.execute(
        series(DOTS) + "INSERT INTO leancoffee_vote (session_id, topic_id, member, dot) "
        f"SELECT ?, ? + (i * 7 + i / 2) % {BOARD_TOPICS}, 'm' || (i / 2), i % 2 FROM g",
        [board["id"], topics[0]["m"]],
    )
    if not store.is_sqlite():
        await store.execute("ANALYZE")
    return int(board["id"])


# Measuring ----------------------------------------------------------------------------------


async def timed(
    work: Callable[[], Awaitable[Any]], rounds: int, between: Callable[[], Awaitable[Any]] | None
) -> tuple[float, int]:
    """The median time of ``work`` (ms) and the statements one run of it sends."""
    samples = []
    count = 0
    for n in range(rounds):
        if n == rounds - 1:
            with Statements() as st:
                t0 = time.perf_counter()
                await work()
                samples.append(time.perf_counter() - t0)
            count = st.count
        else:
            t0 = time.perf_counter()
            await work()
            samples.append(time.perf_counter() - t0)
        if between is not None:
            await between()
    return statistics.median(samples) * 1000, count


async def run(url: str, n_sessions: int, rounds: int, label: str, trace: bool) -> bool:
    if url.startswith("postgres"):
        await reset_postgres(url)
    pm = make_plugin_manager(PLUGINS, entry_points_group=None)
    rt = Copkit(url, pm=pm, clock=FakeClock(datetime(2030, 1, 6, 9, tzinfo=UTC)))
    rt.add_messenger(CountingMessenger())
    await rt.open()
    lead = Person("lead", "Lead")
    old = CommunityRef("bench", "old", "Old", owner_id="lead")
    new = CommunityRef("bench", "new", "New", owner_id="lead")
    room, board_room = RoomRef("general", "general"), RoomRef("board", "board")
    ok = True
    try:
        await rt.handle_text(new, room, lead, "help")
        await rt.handle_text(old, room, lead, "help")
        cid = (await rt.community(old)).row.id
        t0 = time.perf_counter()
        board_id = await build_history(cid, n_sessions, room.id)
        built = time.perf_counter() - t0
        # the reference board: ten topics, no dots, in the community without history
        await rt.handle_text(new, board_room, lead, "leancoffee start")
        for i in range(BOARD_TOPICS):
            await rt.handle_text(new, board_room, lead, f"leancoffee propose Board topic {i}")
        ref_board = (await Session.get(room_id="board", community__external_id="new")).id
        print(
            f"{label:8} history built in {built:.1f} s: {n_sessions} sessions, "
            f"{await Topic.filter(community_id=cid, in_backlog=True).count()} in the backlog, "
            f"{OTHER_LOG_ROWS + OWN_LOG_ROWS} log rows, {MEMBERS} members, {DOTS} dots",
            flush=True,
        )
        if trace:
            with Statements() as st:
                await rt.handle_text(old, room, lead, "leancoffee start")
            print(f"{label:8} leancoffee start: " + st.report(80), flush=True)
            await rt.handle_text(old, room, lead, "leancoffee end")

        async def op(name: str, community: CommunityRef, board: int) -> tuple[float, int]:
            row = await Community.get(platform="bench", external_id=community.external_id)
            scope = Scope(rt, row, board_room.id)
            if name == "leancoffee start":
                return await timed(
                    lambda: rt.handle_text(community, room, lead, "leancoffee start"),
                    rounds,
                    lambda: rt.handle_text(community, room, lead, "leancoffee end"),
                )
            if name == "log":
                return await timed(
                    lambda: rt.handle_text(community, room, lead, "log"), rounds, None
                )
            if name == "community reload":
                return await timed(lambda: rt.communities.load(row), rounds, None)

            async def reread() -> None:
                s = await Session.get(id=board)
                render_board(await sessions.board_state(scope, s))

            return await timed(reread, rounds, None)

        for name, target in TARGETS_MS.items():
            ref_ms, ref_n = await op(name, new, ref_board)
            ms, n = await op(name, old, board_id)
            passed = ms <= target
            ok = ok and passed
            print(
                f"{label:8} {name:17} median {ms:7.2f} ms ({n:2d} statements) · no history "
                f"{ref_ms:6.2f} ms ({ref_n:2d}) · {ms / ref_ms:5.2f}× · target ≤ {target:g} ms: "
                f"{'PASS' if passed else 'FAIL'}",
                flush=True,
            )
        if not store.is_sqlite():
            # the reload PostgreSQL used to do every 3 s: none while the cache bus listens
            ok = await check_no_periodic_reload(rt, old, room, lead, label) and ok
    finally:
        await rt.close()
    print(
        f"{label:8} {'all targets met' if ok else 'some targets missed'} "
        f"(load {os.getloadavg()[0]:.2f})",
        flush=True,
    )
    return ok


async def check_no_periodic_reload(
    rt: Copkit, community: CommunityRef, room: RoomRef, lead: Person, label: str
) -> bool:
    if rt.bus is not None:
        await asyncio.wait_for(rt.bus.connected.wait(), 10)
    loads = 0
    real = rt.communities.load

    async def counting(row: Community) -> Any:
        nonlocal loads
        loads += 1
        return await real(row)

    rt.communities.load = counting  # type: ignore[method-assign]
    try:
        for _ in range(4):
            await rt.handle_text(community, room, lead, "leancoffee backlog")
            await asyncio.sleep(1.1)
    finally:
        rt.communities.load = real  # type: ignore[method-assign]
    passed = loads == 0
    print(
        f"{label:8} reloads over 4.4 s of requests, nothing changed, cache bus listening: "
        f"{loads} · target 0: {'PASS' if passed else 'FAIL'}",
        flush=True,
    )
    return passed


def main() -> None:
    args, only = split_args(sys.argv[1:])
    trace = "--trace" in args
    args = [a for a in args if a != "--trace"]
    if not only:
        run_per_database(__file__, sys.argv[1:])
        return
    n_sessions = int(args[0]) if args else 3000
    rounds = int(args[1]) if len(args) > 1 else 15
    with tempfile.TemporaryDirectory() as tmp:
        url = only if only.startswith("postgres") else f"sqlite://{tmp}/history.db"
        asyncio.run(run(url, n_sessions, rounds, db_label(only), trace))


if __name__ == "__main__":
    main()
