"""PostgreSQL goes away for ten seconds during a lean coffee served by two copkit processes.

The processes reach PostgreSQL through a TCP proxy on loopback that the test cuts (every open
connection reset, new ones refused) and restores, so the server keeps running for everyone else.
In the gap every request gets a quick 503 (which the Bot Connector retries) with "try again in a
moment", nothing half-written is left, and once the database is back the same processes carry
on: the retried deliveries are counted once, the timeboxes run and the minutes are posted.
"""

from __future__ import annotations

import asyncio
import time

from conftest import PG_URL, requires_postgres, reset_postgres
from fakes.bot_connector import card_text
from fakes.multiproc import Fleet, PgProxy, Spreader, TimedConnector
from fakes.multiproc_session import (
    LeanCoffeeDriver,
    announcements,
    close_reader,
    open_reader,
    participant,
    timer_report,
    vote_log_count,
    vote_rows,
)

pytestmark = requires_postgres

SPEED = 30.0
OUTAGE = 10.0
TOPICS = 2
BEFORE, DURING = 20, 12  # people voting before the outage, and in it


def said(body: object) -> str:
    if not isinstance(body, dict):
        return str(body or "")
    value = body.get("value")
    if isinstance(value, dict) and "message" in value:
        return str(value["message"])
    if isinstance(value, dict):
        return card_text({"attachments": [{"content": value}]})
    return str(value or "")


async def test_database_outage_during_a_session(tmp_path):
    await reset_postgres(PG_URL)
    proxy = PgProxy(PG_URL)
    await proxy.start()
    connector = TimedConnector()
    await connector.start()
    fleet = Fleet(proxy.url, n=2, speed=SPEED, logdir=tmp_path)
    await fleet.start()
    pids = [w.proc.pid for w in fleet.workers]
    spreader = Spreader(fleet.urls)
    once = Spreader(fleet.urls, retries=0)  # to see the answers in the gap themselves
    try:
        await open_reader(PG_URL)  # the test reads PostgreSQL directly
        drv = LeanCoffeeDriver(connector, spreader)
        await drv.start(TOPICS)
        await asyncio.gather(*(drv.vote(participant(i), drv.topic_ids[0]) for i in range(BEFORE)))
        assert sum(drv.run.acked.values()) == BEFORE

        await proxy.cut()
        cut_at = time.monotonic()
        gap = [
            drv.vote_activity(participant(i), drv.topic_ids[1])
            for i in range(BEFORE, BEFORE + DURING)
        ]
        typed = drv.a.mention(participant(99), "leancoffee vote 1")
        started = time.monotonic()
        answers = await asyncio.gather(*(once.post(a) for a in [*gap, typed]))
        took = time.monotonic() - started
        assert [o.status for o in answers] == [503] * (DURING + 1), [
            (o.status, o.body) for o in answers
        ]
        assert took < 3.0, f"the answers in the gap took {took:.1f} s"
        assert all("Try again in a moment" in said(o.body) for o in answers[:-1])
        await connector.wait_for(
            lambda: announcements(connector, "can't reach my database"), timeout=5
        )
        await asyncio.sleep(max(0.0, OUTAGE - (time.monotonic() - cut_at)))
        await proxy.restore()

        # the Bot Connector delivers the refused activities again: each one counts once
        deadline = time.monotonic() + 15
        pending = list(range(DURING))
        took_it: dict[int, int] = {}  # activity -> the process that accepted it
        while pending and time.monotonic() < deadline:
            outs = await asyncio.gather(*(spreader.post(gap[k]) for k in pending))
            took_it.update({k: o.port for k, o in zip(pending, outs, strict=True) if o.ok})
            pending = [k for k in pending if k not in took_it]
            if pending:
                await asyncio.sleep(0.5)
        assert not pending, "the processes did not recover without a restart"
        recovered = time.monotonic() - cut_at - OUTAGE
        ports = [w.port for w in fleet.workers]
        for k in range(DURING):  # a duplicate delivery to the same process is answered once
            out = await spreader.post(gap[k], to=ports.index(took_it[k]))
            assert out.ok and out.port == took_it[k]
        stored = await vote_rows(drv.run.session_id)
        assert sum(stored.values()) == BEFORE + DURING
        assert stored[(participant(BEFORE)["id"], drv.topic_ids[1])] == 1
        assert await vote_log_count() == BEFORE + DURING  # nothing half-written

        # the same processes carry the session on: timeboxes, then the minutes
        await drv.close_voting()
        await drv.wait_ended(timeout=TOPICS * 60 / SPEED + 20)
        timers = await timer_report(drv.run.session_id, SPEED)
        assert timers["fired"] == TOPICS and timers["attempts"] == [1] * TOPICS
        await connector.wait_for(lambda: announcements(connector, "This lean coffee has ended"))
        assert len(announcements(connector, "This lean coffee has ended")) == 1
        assert [w.proc.pid for w in fleet.workers] == pids and all(w.alive for w in fleet.workers)
        print(
            f"outage {OUTAGE:.0f} s; {DURING + 1} answers in the gap: 503 within {took:.2f} s; "
            f"retries accepted {recovered:.2f} s after the database came back"
        )
    finally:
        await close_reader()
        await spreader.close()
        await once.close()
        await fleet.stop()
        await connector.stop()
        await proxy.stop()
