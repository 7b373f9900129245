"""Timers run in a process that can reach their community's platform.

In a split deployment (Teams workers without a Discord token, Discord shards in other processes)
every process runs the timer loop on the same database; a Teams-only process must leave a Discord
community's timer to a process with the Discord adapter instead of claiming it and having nowhere
to show it.
"""

from __future__ import annotations

from datetime import timedelta

from copkit.core.hookspecs import hookimpl
from copkit.core.models import Community, Job
from copkit.core.specs import JobType
from copkit.testing import Harness, MemoryMessenger

RAN: list[int] = []


async def remind(ctx, payload):
    RAN.append(payload["n"])


class Reminders:
    @hookimpl
    def copkit_register_jobs(self):
        return [JobType("scale.remind", remind)]


async def test_a_process_claims_only_timers_of_platforms_it_serves(db_url):
    RAN.clear()
    async with Harness(db_url, plugins=(), extra=[Reminders()]) as h:
        rt = h.rt
        here = await Community.create(platform="test", external_id="t1", name="here")
        there = await Community.create(platform="discord", external_id="123", name="there")
        due = rt.clock.now() - timedelta(seconds=1)
        await rt.scheduler.schedule("scale.remind", due, {"n": 1}, community_id=here.id)
        far = await rt.scheduler.schedule("scale.remind", due, {"n": 2}, community_id=there.id)

        assert await rt.scheduler.run_due() == 1
        assert RAN == [1]
        job = await Job.get(id=far)
        assert job.claimed_by is None and job.done_at is None  # left for a Discord process

        rt.add_messenger(MemoryMessenger("discord"))  # now this process can post there
        assert await rt.scheduler.run_due() == 1
        assert RAN == [1, 2]
        assert (await Job.get(id=far)).done_at is not None
