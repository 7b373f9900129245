"""Timers and faults (issue 12, #10): a platform failure or an unavailable database makes a job
run again with backoff, up to a limit, then it is marked failed and kept; a bug fails at once; a
step scheduled in a transaction (the outbox) exists exactly when the change was committed; a
keyed view is edited, not posted again, when its job is retried; a worker killed with SIGKILL
leaves its job to the next worker after the lease. SQLite always; PostgreSQL with
COPKIT_TEST_POSTGRES_URL."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise.exceptions import DBConnectionError
from tortoise.transactions import in_transaction

from copkit.core import outbox
from copkit.core.context import Context, JobContext
from copkit.core.errors import PlatformError, UserError
from copkit.core.hookspecs import hookimpl
from copkit.core.models import Community, Job
from copkit.core.specs import Arg, Command, JobType
from copkit.core.views import View, notice
from copkit.testing import Harness

RUNS: list[str] = []
FAIL_AFTER_POST = {"left": 0}


async def raise_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    RUNS.append(payload["what"])
    left = payload.get("times", 99) - RUNS.count(payload["what"])
    if left < 0:
        await ctx.show(notice(f"done {payload['what']}"))
        return
    if payload["what"] == "platform":
        raise PlatformError("Bot Connector answered 502")
    if payload["what"] == "db":
        raise DBConnectionError("connection refused")
    raise RuntimeError("a bug")


async def post_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    RUNS.append("post")
    await ctx.show(View(title="Results", text=f"results of {payload['n']}"), key="fault:results")
    if FAIL_AFTER_POST["left"] > 0:
        FAIL_AFTER_POST["left"] -= 1
        raise PlatformError("the announcement failed with 502")
    await ctx.show(notice("The results are above."))


async def close_cmd(ctx: Context, args: dict[str, Any]) -> None:
    async with in_transaction():
        await Community.filter(id=ctx.community.id).update(name="closed")
        await outbox.step(ctx, "fault.post", {"n": 1})
        if args["rollback"]:
            raise UserError("changed my mind")
    await ctx.reply("closed")


class FaultPlugin:
    @hookimpl
    def copkit_register_commands(self) -> list[Command]:
        return [Command(("fault", "close"), "x", close_cmd, (Arg("rollback", "r", type="flag"),))]

    @hookimpl
    def copkit_register_jobs(self) -> list[JobType]:
        return [JobType("fault.raise", raise_job), JobType("fault.post", post_job)]


@pytest.fixture
async def h(db_url):
    RUNS.clear()
    FAIL_AFTER_POST["left"] = 0
    async with Harness(
        db_url, plugins=["copkit.plugins.core_commands"], extra=[FaultPlugin()]
    ) as h:
        await h.say("leader", "help")  # the community exists
        yield h


async def schedule(h: Harness, what: str, **payload: Any) -> int:
    community = await Community.first()
    return await h.rt.scheduler.schedule(
        "fault.raise", h.clock.now(), {"what": what, **payload}, community_id=community.id
    )


@pytest.mark.parametrize("what", ["platform", "db"])
async def test_a_fault_is_retried_with_backoff_until_it_works(h, what):
    job_id = await schedule(h, what, times=3)
    delays = []
    for _ in range(3):
        assert await h.advance(seconds=0) == 1
        job = await Job.get(id=job_id)
        assert job.done_at is None and job.claimed_by is None and what in RUNS
        assert job.error and ("502" in job.error or "refused" in job.error)
        delays.append((job.due_at - h.clock.now()).total_seconds())
        assert await h.advance(seconds=delays[-1] - 1) == 0  # not before its time
        h.clock.advance(timedelta(seconds=1))
    assert delays == [10, 20, 40]  # exponential
    assert await h.advance(seconds=0) == 1
    job = await Job.get(id=job_id)
    assert job.done_at is not None and job.error is None and job.attempts == 4
    assert h.last().text == f"done {what}"


async def test_a_fault_that_lasts_marks_the_job_failed_and_keeps_it(h, caplog):
    job_id = await schedule(h, "platform")
    for _ in range(20):
        await h.advance(minutes=11)
    job = await Job.get(id=job_id)
    assert job.done_at is not None and "502" in job.error
    assert job.attempts == h.rt.scheduler.max_attempts == len(RUNS)
    gave_up = [r for r in caplog.records if "giving up" in r.getMessage()]
    assert gave_up and gave_up[0].levelno == logging.ERROR


async def test_a_bug_fails_at_once(h):
    job_id = await schedule(h, "bug")
    assert await h.advance(seconds=0) == 1
    assert await h.advance(hours=1) == 0
    job = await Job.get(id=job_id)
    assert job.done_at is not None and "a bug" in job.error and RUNS == ["bug"]


async def test_a_job_abandoned_by_dead_workers_is_finally_marked_failed(h):
    job_id = await schedule(h, "platform")
    limit = h.rt.scheduler.max_attempts
    await Job.filter(id=job_id).update(claimed_by="dead", claimed_at=h.clock.now(), attempts=limit)
    assert await h.advance(minutes=3) == 1  # the lease ran out: claimed again, not run
    job = await Job.get(id=job_id)
    assert job.done_at is not None and "abandoned" in job.error and RUNS == []


async def test_the_outbox_step_exists_exactly_when_the_change_was_committed(h):
    out = await h.say("leader", "fault close --rollback")
    assert "changed my mind" in out[-1].view.text
    assert await Job.filter(handler="fault.post").count() == 0
    assert (await Community.first()).name != "closed"
    await h.say("leader", "fault close")
    assert (await Community.first()).name == "closed"
    assert await Job.filter(handler="fault.post", done_at=None).count() == 1
    assert await h.advance(seconds=0) == 1
    assert [m.view.text for m in h.messenger.log[-2:]] == ["results of 1", "The results are above."]


async def test_a_retried_step_edits_its_keyed_view_instead_of_posting_it_again(h):
    FAIL_AFTER_POST["left"] = 1
    await h.say("leader", "fault close")
    h.messenger.failures = 1  # the first try cannot even post: retried
    await h.advance(seconds=0)
    assert not [m for m in h.messenger.log if m.view.title == "Results"]
    await h.advance(seconds=10)  # posts the results, then the announcement fails: retried
    await h.advance(seconds=20)  # edits the results, posts the announcement
    results = [m for m in h.messenger.log if m.view.title == "Results"]
    assert len(results) == 1 and results[0].edits == 1
    assert [m.view.text for m in h.messenger.log].count("The results are above.") == 1
    assert RUNS == ["post", "post", "post"]
    assert await Job.filter(handler="fault.post", done_at=None).count() == 0


WORKER = """
import asyncio, sys
sys.path.insert(0, {tests!r})
from test_timer_faults import FaultPlugin, hang_forever
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.testing import MemoryMessenger

async def main():
    pm = make_plugin_manager(["copkit.plugins.core_commands"], extra=[FaultPlugin()],
                             entry_points_group=None)
    rt = Copkit({url!r}, pm=pm, worker_id="doomed", poll_interval=0.05)
    rt.registry.jobs["fault.raise"] = rt.registry.jobs["fault.raise"].__class__(
        "fault.raise", hang_forever)
    rt.add_messenger(MemoryMessenger())
    await rt.open(upgrade=False)
    rt.scheduler.start()
    await asyncio.sleep(60)

asyncio.run(main())
"""


async def hang_forever(ctx: JobContext, payload: dict[str, Any]) -> None:
    print("running", flush=True)
    await asyncio.sleep(3600)


async def test_a_job_whose_worker_was_killed_runs_after_the_lease(h, db_url, tmp_path):
    community = await Community.first()
    now = datetime.now(UTC)
    job_id = await h.rt.scheduler.schedule(
        "fault.raise", now, {"what": "platform", "times": 0}, community_id=community.id
    )
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(tests=str(Path(__file__).parent), url=db_url))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(script), stdout=asyncio.subprocess.PIPE
    )
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        assert line.strip() == b"running"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        await proc.wait()
    job = await Job.get(id=job_id)
    assert job.claimed_by == "doomed" and job.done_at is None
    h.clock._now = job.claimed_at + timedelta(seconds=h.rt.scheduler.lease - 1)
    assert await h.rt.scheduler.run_due() == 0  # still leased to the dead worker
    h.clock._now = job.claimed_at + timedelta(seconds=h.rt.scheduler.lease + 1)
    assert await h.rt.scheduler.run_due() == 1
    job = await Job.get(id=job_id)
    assert job.done_at is not None and job.error is None and job.attempts == 2
    assert h.last().text == "done platform"


async def test_a_view_posted_while_the_database_blinked_is_edited_on_the_retry(h, monkeypatch):
    from copkit.core import models

    real_create = models.ShownView.create
    blinks = {"left": 1}

    async def create(*args: Any, **kwargs: Any) -> Any:
        if blinks["left"]:
            blinks["left"] -= 1
            raise DBConnectionError("connection refused")
        return await real_create(*args, **kwargs)

    monkeypatch.setattr(models.ShownView, "create", create)
    await h.say("leader", "fault close")
    await h.advance(seconds=0)  # posted, not recorded: the job is retried
    job = await Job.get(handler="fault.post")
    assert job.done_at is None and "refused" in job.error
    await h.advance(seconds=10)
    results = [m for m in h.messenger.log if m.view.title == "Results"]
    assert len(results) == 1 and results[0].edits == 1
    assert (await Job.get(id=job.id)).done_at is not None
