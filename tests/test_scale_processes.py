"""Several copkit processes on one PostgreSQL, each serving the Teams endpoint on its own port.

A lean coffee whose votes arrive round-robin through three worker processes ends with the same
board, dot counts, discussion order and minutes as the same session run by one process; every
timer fires exactly once, on time give or take the poll interval. (PostgreSQL only; the big run
is ``benchmarks/scaleout.py``.)
"""

from __future__ import annotations

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

pytestmark = requires_postgres

SPEED = 30.0  # clock seconds per real second: a one-minute timebox lasts 2 s
POLL = 0.5  # the workers' timer poll interval (real seconds)
PARTICIPANTS = 40
TOPICS = 2


async def one_session(n: int, tmp_path) -> tuple[dict, dict, LeanCoffeeDriver]:
    await reset_postgres(PG_URL)
    connector = TimedConnector()
    await connector.start()
    fleet = Fleet(PG_URL, n=n, speed=SPEED, poll=POLL, logdir=tmp_path)
    await fleet.start()
    spreader = Spreader(fleet.urls)
    try:
        await open_reader(PG_URL)
        drv = LeanCoffeeDriver(connector, spreader)
        await drv.start(TOPICS)
        await drv.vote_burst(PARTICIPANTS)
        await drv.settle()
        drv.run.board_after_votes = drv.board_text()
        await drv.close_voting()
        await drv.wait_ended(timeout=TOPICS * 60 / SPEED + 20)
        await drv.settle()
        run = await drv.collect()
        timers = await timer_report(run.session_id, SPEED)
        assert await vote_log_count() == sum((await vote_rows(run.session_id)).values())
        return run.comparable(), timers, drv
    finally:
        await close_reader()
        await spreader.close()
        await fleet.stop()
        await connector.stop()


async def test_three_processes_match_one(tmp_path):
    single, single_timers, _ = await one_session(1, tmp_path / "one")
    multi, timers, drv = await one_session(3, tmp_path / "three")

    # every vote was acknowledged and stored exactly once, whichever process took it
    assert all(o.ok for o in drv.run.outcomes), [o for o in drv.run.outcomes if not o.ok][:3]
    assert sum(drv.run.acked.values()) == 2 * PARTICIPANTS
    assert len({o.port for o in drv.run.outcomes}) == 3  # spread over the three processes
    assert sum(multi["counts"].values()) == 2 * PARTICIPANTS

    # the same board, counts, order and minutes as one process
    assert multi["board"].splitlines() == single["board"].splitlines()
    assert multi == single

    # every timer fired exactly once, on time (± the poll interval, plus a little for the load)
    for report in (single_timers, timers):
        assert report["fired"] == TOPICS
        assert report["not_done"] == [] and report["errors"] == []
        assert report["attempts"] == [1] * TOPICS
        assert report["late_max"] <= POLL + 0.5, report["late"]
    assert len(announcements(drv.connector, "Time's up")) == TOPICS
    assert len(announcements(drv.connector, "Now discussing")) == TOPICS
