"""``kill -9`` of a copkit process in the middle of a voting burst and in the middle of a timebox.

Three worker processes share PostgreSQL. Every vote the sender saw acknowledged (HTTP 200 and
"Dot on #n") is in the database, none counts twice, and each stored dot has its log entry. A
process killed during a timebox does not stop it: the survivors end it on time (give or take
the poll interval), and after the restart every timer has fired exactly once.
"""

from __future__ import annotations

import asyncio

from conftest import PG_URL, requires_postgres, reset_postgres
from fakes.multiproc import Fleet, Spreader, TimedConnector
from fakes.multiproc_session import (
    LeanCoffeeDriver,
    announcements,
    close_reader,
    open_reader,
    timer_report,
    vote_log_count,
    vote_rows,
)

from copkit.plugins.leancoffee.models import Session

pytestmark = requires_postgres

SPEED = 30.0
POLL = 0.5
PARTICIPANTS = 45
TOPICS = 2


async def test_kill_during_votes_and_during_a_timebox(tmp_path):
    await reset_postgres(PG_URL)
    connector = TimedConnector()
    await connector.start()
    fleet = Fleet(PG_URL, n=3, speed=SPEED, poll=POLL, logdir=tmp_path)
    await fleet.start()
    spreader = Spreader(fleet.urls)
    killed_at: list[int] = []
    try:
        await open_reader(PG_URL)
        drv = LeanCoffeeDriver(connector, spreader)
        await drv.start(TOPICS)

        async def kill_one(done: int) -> None:
            killed_at.append(done)
            fleet.kill(1)

        await drv.vote_burst(PARTICIPANTS, during=kill_one)
        assert killed_at and not fleet.workers[1].alive
        run = drv.run
        stored = await vote_rows(run.session_id)
        # every acknowledged dot is stored; nothing is stored that was not sent; none twice
        for key, n in run.acked.items():
            assert stored[key] >= n, (key, n, stored[key])
        for key, n in stored.items():
            assert n <= run.sent[key], (key, n, run.sent[key])
        assert sum(stored.values()) <= 2 * PARTICIPANTS
        assert await vote_log_count() == sum(stored.values())  # nothing half-written
        lost = [o for o in run.outcomes if not o.ok]
        print(
            f"killed after {killed_at[0]} votes: {sum(run.acked.values())} acknowledged, "
            f"{len(lost)} cut off, {sum(stored.values())} stored"
        )
        assert len(lost) < PARTICIPANTS // 2, lost  # only requests in flight at the kill

        # restart it; close voting; kill another process in the middle of the first timebox
        await fleet.restart(1)
        closed = await drv.close_voting()
        await asyncio.sleep(0.5 * 60 / SPEED)
        fleet.kill(2)
        s = await Session.get(id=run.session_id)
        assert s.phase == "discussing" and s.ends_at is not None
        await drv.connector.wait_for(
            lambda: announcements(drv.connector, "Time's up"), timeout=60 / SPEED + 5
        )
        first_end = next(
            at for at, text in drv.connector.texts_since(closed) if "Time's up" in text
        )
        assert first_end - closed <= 60 / SPEED + POLL + 1.0  # on time, on the survivors
        await fleet.restart(2)
        await drv.wait_ended(timeout=TOPICS * 60 / SPEED + 20)
        await drv.settle()

        timers = await timer_report(run.session_id, SPEED)
        assert timers["fired"] == TOPICS and timers["not_done"] == [] and timers["errors"] == []
        assert timers["attempts"] == [1] * TOPICS
        assert timers["late_max"] <= POLL + 1.0, timers["late"]
        print(f"timebox ended {first_end - closed:.2f} s after it started (60 clock s = 2 s)")
        assert len(announcements(drv.connector, "Time's up")) == TOPICS
        await connector.wait_for(lambda: announcements(connector, "This lean coffee has ended"))
        assert len(announcements(drv.connector, "This lean coffee has ended")) == 1
    finally:
        await close_reader()
        await spreader.close()
        await fleet.stop()
        await connector.stop()
