"""A series' date opened exactly once by three copkit processes on one PostgreSQL: each runs
the date's jobs four times at once (as if leases ran out under each other) while its timer
loop races the others, and each plans the next date three times over. One lean coffee opens,
one announcement and one reminder are shown, and the next date has one row and one set of
jobs. (PostgreSQL only.)"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path

from conftest import requires_postgres

from copkit.core.models import Job, LogEntry, ShownView
from copkit.core.series import occurrence_key
from copkit.core.series_models import Occurrence
from copkit.plugins.leancoffee.models import Session as Coffee
from copkit.testing import Harness

pytestmark = requires_postgres

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.series", "copkit.plugins.leancoffee"]


async def test_an_occurrence_opens_once_with_three_processes(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "timezone Europe/Paris")
        await h.say("leader", 'leancoffee start --every "week on friday 12:30" --votes 3')
        first = await Occurrence.get()
        ids = [first.announce_job, first.remind_job, first.open_job]
        assert all(ids), ids
    script = Path(__file__).with_name("series_worker.py")
    start_at = time.time() + 4.0
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            db_url,
            f"w{n}",
            ",".join(str(i) for i in ids),
            str(start_at),
            (first.starts_at + timedelta(minutes=1)).isoformat(),  # the first date is due
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for n in range(3)
    ]
    outs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 120)
    assert all(p.returncode == 0 for p in procs), outs
    assert all(b"errors 0" in out for out, _err in outs), outs
    async with Harness(db_url, plugins=PLUGINS):
        coffees = await Coffee.all()
        assert len(coffees) == 1 and coffees[0].votes == 3
        first = await Occurrence.get(id=first.id)
        assert first.status == "opened" and first.opened_by == f"job:{first.open_job}"
        assert await LogEntry.filter(kind="series.opened").count() == 1
        assert await LogEntry.filter(kind="leancoffee.started").count() == 1
        assert await ShownView.filter(key=occurrence_key(first)).count() == 1  # one announcement
        # The next Friday: one row, one set of jobs (three planners, three times each).
        rows = await Occurrence.filter(status="planned")
        assert len(rows) == 1 and rows[0].open_job
        planned = await Job.filter(
            handler="series.step", payload__contains={"occurrence": rows[0].id}
        )
        assert sorted(j.payload["step"] for j in planned) == ["announce", "open", "remind"]
