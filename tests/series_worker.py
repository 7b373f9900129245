"""A copkit process for the series test, its clock stopped at a given time: at a given
moment it runs the given timer jobs four
times each at once (as if its lease had run out under other workers), plans the series' next
date, and runs its timer loop for a while; then it exits."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime

from copkit.core.clock import FakeClock
from copkit.core.context import Scope
from copkit.core.models import Job
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.core.series import plan_next
from copkit.core.series_models import Occurrence, Series
from copkit.testing import MemoryMessenger

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.series", "copkit.plugins.leancoffee"]


async def main(url: str, worker: str, job_ids: list[int], start_at: float, now: str) -> None:
    pm = make_plugin_manager(PLUGINS, entry_points_group=None)
    clock = FakeClock(datetime.fromisoformat(now))  # every process at the same moment
    rt = Copkit(url, pm=pm, clock=clock, worker_id=worker, poll_interval=0.02)
    rt.add_messenger(MemoryMessenger())
    await rt.open(upgrade=False)
    print("ready", flush=True)
    await asyncio.sleep(max(0.0, start_at - time.time()))
    rt.scheduler.start()
    jobs = [await Job.get(id=i) for i in job_ids]
    results = await asyncio.gather(
        *(rt.run_job(job) for job in jobs for _ in range(4)), return_exceptions=True
    )
    s = await Series.get()
    opened = await Occurrence.filter(series_id=s.id, status="opened").first()
    community = await rt.community_by_id(s.community_id)
    if opened is not None:
        await asyncio.gather(
            *(
                plan_next(Scope(rt.services, community, s.room_id), s, opened.original_start)
                for _ in range(3)
            )
        )
    await asyncio.sleep(1.5)
    await rt.close()
    errors = [r for r in results if isinstance(r, BaseException)]
    print(f"errors {len(errors)} {errors[:1]!r}", flush=True)


if __name__ == "__main__":
    asyncio.run(
        main(
            sys.argv[1],
            sys.argv[2],
            [int(i) for i in sys.argv[3].split(",")],
            float(sys.argv[4]),
            sys.argv[5],
        )
    )
