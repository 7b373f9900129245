"""Persisted timers: fire after a restart, exactly once across workers, never for cancelled jobs."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import requires_postgres
from core_fixtures import DemoPlugin, Fired

from copkit.core.models import Community, Job
from copkit.testing import Harness

PLUGINS = ["copkit.plugins.core_commands"]


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS, extra=[DemoPlugin()]) as h:
        yield h


async def test_job_fires_at_its_time_and_only_once(h):
    await h.say("bob", "demo later --after 5m hello")
    assert await h.advance(minutes=4) == 0
    assert await h.advance(minutes=2) == 1
    assert h.last().text == "hello"
    assert await h.advance(minutes=10) == 0
    assert await Fired.all().count() == 1


async def test_job_due_while_down_fires_once_at_start(h):
    await h.say("bob", "demo later --after 5m wake up")
    await h.rt.close()
    h.clock.advance(timedelta(minutes=30))  # the process is down when it falls due
    before = len(h.messenger.log)
    await h.restart()  # a new process on the same database
    assert [m.view.text for m in h.messenger.log[before:]] == ["wake up"]
    assert await h.advance(minutes=1) == 0
    assert await Fired.all().count() == 1


async def test_cancelled_job_never_fires(h):
    await h.say("bob", "demo later --after 1m x")
    job = await Job.first()
    await h.rt.scheduler.cancel(job.id)
    assert await h.advance(minutes=5) == 0


async def test_stale_claim_of_a_dead_worker_is_taken_over(h):
    await h.say("bob", "demo later --after 1m rescued")
    h.clock.advance(timedelta(minutes=2))
    await Job.all().update(claimed_by="dead-worker", claimed_at=h.clock.now())
    assert await h.rt.scheduler.run_due() == 0  # still leased to the dead worker
    assert await h.advance(minutes=5) == 1
    job = await Job.first()
    assert job.attempts == 1 and job.done_at is not None


@requires_postgres
async def test_exactly_once_with_three_worker_processes(db_url):
    async with Harness(db_url, plugins=PLUGINS, extra=[DemoPlugin()]) as h:
        await h.say("bob", "demo ping")
        community = await Community.first()
        now = datetime.now(UTC)
        for i in range(90):
            await Job.create(
                community=community,
                handler="demo.ring",
                payload={"text": f"t{i}"},
                due_at=now + timedelta(milliseconds=20 * (i % 30)) - timedelta(seconds=1),
            )
    script = Path(__file__).with_name("timer_worker.py")
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, str(script), db_url, f"w{n}", "4", stdout=asyncio.subprocess.PIPE
        )
        for n in range(3)
    ]
    outs = await asyncio.gather(*(p.communicate() for p in procs))
    assert all(p.returncode == 0 for p in procs), outs
    async with Harness(db_url, plugins=PLUGINS, extra=[DemoPlugin()]):
        assert await Fired.all().count() == 90
        assert await Job.filter(done_at=None).count() == 0
        assert await Job.filter(error__not_isnull=True).count() == 0
        assert await Job.filter(attempts__gt=1).count() == 0
        workers = set(await Fired.all().values_list("worker", flat=True))
        assert len(workers) >= 2, workers  # the load was shared
