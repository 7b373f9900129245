"""A copkit process for the announcements test, its clock stopped at a given time: at a
given moment it runs the community's sweep job four times at once (as if its lease had run
out under other workers) and the sweep itself three times over, while its timer loop races
the other processes; then it moves its clock to the reminders and runs the next sweep job so again. It prints
the titles it posted in the news channel."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime, timedelta

from copkit.core import announce
from copkit.core.announce_models import AnnounceSetting
from copkit.core.clock import FakeClock
from copkit.core.context import JobContext
from copkit.core.models import Job
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.testing import MemoryMessenger

PLUGINS = [
    "copkit.plugins.core_commands",
    "copkit.plugins.series",
    "copkit.plugins.brownbag",
    "copkit.plugins.announce",
]


async def race(rt: Copkit, job_id: int | None) -> list[BaseException | None]:
    s = await AnnounceSetting.get()
    community = await rt.community_by_id(s.community_id)
    job = await Job.get(id=job_id)
    scopes = [JobContext(rt.services, community, "", job.id, job.handler) for _ in range(3)]
    return await asyncio.gather(
        *(rt.run_job(job) for _ in range(4)),
        *(announce.sweep(sc, s) for sc in scopes),
        return_exceptions=True,
    )


async def main(url: str, worker: str, start_at: float, now: str, remind: str) -> None:
    pm = make_plugin_manager(PLUGINS, entry_points_group=None)
    clock = FakeClock(datetime.fromisoformat(now))
    rt = Copkit(url, pm=pm, clock=clock, worker_id=worker, poll_interval=0.02)
    messenger = MemoryMessenger()
    rt.add_messenger(messenger)
    await rt.open(upgrade=False)
    print("ready", flush=True)
    await asyncio.sleep(max(0.0, start_at - time.time()))
    rt.scheduler.start()
    results = await race(rt, (await AnnounceSetting.get()).sweep_job)
    await asyncio.sleep(max(0.0, start_at + 1.5 - time.time()))
    planned = (await AnnounceSetting.get()).sweep_job  # the same in every process
    await asyncio.sleep(max(0.0, start_at + 2.5 - time.time()))
    clock.advance(datetime.fromisoformat(remind) - clock.now())
    results += await race(rt, planned)
    await asyncio.sleep(1.5)
    await rt.close()
    errors = [r for r in results if isinstance(r, BaseException)]
    print(f"errors {len(errors)} {errors[:1]!r}", flush=True)
    for m in messenger.log:
        if m.room_id == "news":
            print(f"posted {m.view.title}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]))


__all__ = ["main", "timedelta"]
