"""Announcements exactly once with three copkit processes on one PostgreSQL: each runs the
sweep job four times at once and the sweep three times over while its timer loop races the
others, first when three brown bags are new, then when the first one's reminder is due.
Each announcement and the reminder are posted once in all, and one sweep chain is left.
(PostgreSQL only.)"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path

from conftest import requires_postgres

from copkit.core.announce_models import Announcement, AnnounceSetting
from copkit.core.models import Job
from copkit.testing import Harness

pytestmark = requires_postgres

PLUGINS = [
    "copkit.plugins.core_commands",
    "copkit.plugins.series",
    "copkit.plugins.brownbag",
    "copkit.plugins.announce",
]


async def test_each_announcement_once_with_three_processes(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "timezone Europe/Paris")
        await h.say("bob", "hello")
        await h.say("leader", "announce channel here", room="news")
        for n in range(3):
            await h.say(
                "leader",
                f'brownbag schedule "Talk {n}" --speaker @bob --at "2026-01-0{n + 6} 12:30"',
            )
        now = h.clock.now() + timedelta(minutes=1)
    script = Path(__file__).with_name("announce_worker.py")
    start_at = time.time() + 4.0
    remind = "2026-01-06T10:45:00+00:00"  # Talk 0 starts 11:30 UTC: its reminder is due
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            db_url,
            f"w{n}",
            str(start_at),
            now.isoformat(),
            remind,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for n in range(3)
    ]
    outs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 120)
    assert all(p.returncode == 0 for p in procs), outs
    assert all(b"errors 0" in out for out, _err in outs), outs
    posted = sorted(
        line[len("posted ") :]
        for out, _err in outs
        for line in out.decode().splitlines()
        if line.startswith("posted ")
    )
    assert posted == [
        "New event: Brown bag: Talk 0",
        "New event: Brown bag: Talk 1",
        "New event: Brown bag: Talk 2",
        "Starting in 45 minutes: Brown bag: Talk 0",
    ], posted
    async with Harness(db_url, plugins=PLUGINS):
        assert await Announcement.filter(posted_at__not_isnull=True).count() == 4
        s = await AnnounceSetting.get()
        live = await Job.filter(handler="announce.sweep", done_at=None, cancelled=False)
        every = await Job.filter(handler="announce.sweep").order_by("id")
        assert [j.id for j in live] == [s.sweep_job], [s.sweep_job] + [
            (j.id, f"{j.due_at:%d %H:%M}", bool(j.done_at), j.cancelled, j.claimed_by)
            for j in every
        ]
