"""Persisted timer jobs: scheduled as rows, claimed atomically, run exactly once."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tortoise.expressions import F, Q

from .clock import Clock
from .models import Job

if TYPE_CHECKING:
    from .runtime import Copkit

log = logging.getLogger("copkit.timers")


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Scheduler:
    """Runs due jobs. Several processes may share one database: a job is claimed with a
    conditional UPDATE, so exactly one of them runs it. A claim older than ``lease`` seconds
    (its worker died mid-job) may be taken over."""

    def __init__(
        self,
        runtime: Copkit,
        clock: Clock,
        worker_id: str | None = None,
        poll_interval: float = 0.5,
        lease: float = 120.0,
    ) -> None:
        self.runtime = runtime
        self.clock = clock
        self.worker_id = worker_id or default_worker_id()
        self.poll_interval = poll_interval
        self.lease = lease
        self.fired = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def schedule(
        self,
        handler: str,
        due_at: datetime,
        payload: dict[str, Any],
        *,
        community_id: int | None = None,
        room_id: str = "",
    ) -> int:
        if handler not in self.runtime.registry.jobs:
            raise ValueError(f"unknown job type {handler!r}")
        job = await Job.create(
            handler=handler,
            due_at=due_at,
            payload=payload,
            community_id=community_id,
            room_id=room_id,
        )
        self._wake.set()
        return job.id

    async def cancel(self, job_id: int) -> None:
        await Job.filter(id=job_id, done_at=None).update(cancelled=True, done_at=self.clock.now())

    def _claimable(self, now: datetime) -> Q:
        stale = now - timedelta(seconds=self.lease)
        return Q(claimed_by=None) | Q(claimed_at__lt=stale)

    def _served(self) -> Q:
        """Jobs of communities on a platform this process has an adapter for: with Teams
        workers and Discord shards in separate processes, a Teams-only process leaves Discord's
        timers to a process that can post there. (No adapter at all: every job, as before.)"""
        platforms = list(self.runtime.messengers)
        if not platforms:
            return Q()
        return Q(community_id=None) | Q(community__platform__in=platforms)

    async def run_due(self, limit: int = 50) -> int:
        """Claim and run every job due now; returns how many this worker ran."""
        now = self.clock.now()
        candidates = (
            await Job.filter(done_at=None, cancelled=False, due_at__lte=now)
            .filter(self._claimable(now))
            .filter(self._served())
            .order_by("due_at", "id")
            .limit(limit)
            .values_list("id", flat=True)
        )
        ran = 0
        for job_id in candidates:
            claimed = (
                await Job.filter(id=job_id, done_at=None)
                .filter(self._claimable(now))
                .update(claimed_by=self.worker_id, claimed_at=now, attempts=F("attempts") + 1)
            )
            if claimed != 1:
                continue
            job = await Job.get(id=job_id)
            error = None
            try:
                await self.runtime.run_job(job)
            except Exception as exc:  # a failing handler must not stop the loop
                log.exception("job %s (%s) failed", job.id, job.handler)
                error = f"{type(exc).__name__}: {exc}"[:1000]
            await Job.filter(id=job_id, claimed_by=self.worker_id).update(
                done_at=self.clock.now(), error=error
            )
            self.fired += 1
            ran += 1
        return ran

    async def next_due(self) -> datetime | None:
        job = (
            await Job.filter(done_at=None, cancelled=False)
            .order_by("due_at")
            .first()
            .only("id", "due_at")
        )
        return job.due_at if job else None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="copkit-timers")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                while await self.run_due():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("timer poll failed; retrying", exc_info=True)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            except TimeoutError:
                pass
