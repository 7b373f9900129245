"""Persisted timer jobs: scheduled as rows, claimed atomically, run once, retried on faults.

A job whose handler fails because of a platform (:class:`~copkit.core.errors.PlatformError`,
e.g. a 502 from the Bot Connector) or because the database is unavailable for a moment is run
again later, with exponential backoff, up to ``max_attempts`` claims; then it is marked failed
(``done_at`` and ``error`` set, the row kept) and logged as an error. A job whose handler has a
bug fails at once (retrying would not help). A job whose worker died (``kill -9``, a lost
machine) stays claimed until its lease runs out, then another worker claims it again; a
running job renews its lease, so a slow handler is never taken over.

Jobs are rows in the plugin's own database transaction: scheduling a job inside
``in_transaction()`` commits it with the state change or not at all. That makes a job the way
to do a step "after this change, exactly when it is committed" -- see :mod:`copkit.core.outbox`."""

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
from .dberrors import is_unavailable
from .errors import PlatformError
from .models import Job

if TYPE_CHECKING:
    from .runtime import Copkit

log = logging.getLogger("copkit.timers")


def _is_fault(exc: BaseException) -> bool:
    """A failure worth retrying: a chat platform's error or the database away for a moment."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            break
        if isinstance(seen, PlatformError):
            return True
        seen = seen.__cause__ or seen.__context__
    return is_unavailable(exc)


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
        max_attempts: int = 8,
        backoff: float = 10.0,
        backoff_max: float = 600.0,
    ) -> None:
        self.runtime = runtime
        self.clock = clock
        self.worker_id = worker_id or default_worker_id()
        self.poll_interval = poll_interval
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.fired = 0
        self.retried = 0
        self.failed = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

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
            if self._stopping:  # shutting down: leave the rest to another process, or later
                break
            claimed = (
                await Job.filter(id=job_id, done_at=None)
                .filter(self._claimable(now))
                .update(claimed_by=self.worker_id, claimed_at=now, attempts=F("attempts") + 1)
            )
            if claimed != 1:
                continue
            job = await Job.get(id=job_id)
            self.runtime.metrics.timer_started((now - job.due_at).total_seconds())
            try:
                await self._run(job)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database went away while recording the outcome
                log.warning(
                    "job %s (%s): could not record its outcome; it is claimed again after "
                    "the lease (%s s)",
                    job.id,
                    job.handler,
                    self.lease,
                    exc_info=True,
                )
            self.fired += 1
            ran += 1
        return ran

    def retry_delay(self, attempts: int) -> float:
        """Seconds before the next try of a job claimed ``attempts`` times (exponential)."""
        return min(self.backoff * 2 ** max(attempts - 1, 0), self.backoff_max)

    async def _run(self, job: Job) -> None:
        if job.attempts > self.max_attempts:  # its workers died each time (it may kill them)
            log.error(
                "job %s (%s) was claimed %d times without finishing; marked failed",
                job.id,
                job.handler,
                job.attempts - 1,
            )
            await self._finish(job, f"abandoned after {job.attempts - 1} claims")
            return
        heartbeat = asyncio.create_task(self._renew_lease(job.id))
        try:
            await self.runtime.run_job(job)
        except Exception as exc:  # a failing handler must not stop the loop
            error = f"{type(exc).__name__}: {exc}"[:1000]
            retryable = _is_fault(exc)
            if retryable and job.attempts < self.max_attempts:
                delay = self.retry_delay(job.attempts)
                log.warning(
                    "job %s (%s) failed (attempt %d of %d), retrying in %.0f s: %s",
                    job.id,
                    job.handler,
                    job.attempts,
                    self.max_attempts,
                    delay,
                    error,
                )
                self.retried += 1
                await Job.filter(id=job.id, claimed_by=self.worker_id).update(
                    due_at=self.clock.now() + timedelta(seconds=delay),
                    claimed_by=None,
                    claimed_at=None,
                    error=error,
                )
                return
            if retryable:
                log.error(
                    "job %s (%s) failed %d times; giving up, marked failed: %s",
                    job.id,
                    job.handler,
                    job.attempts,
                    error,
                )
            else:
                log.exception("job %s (%s) failed; marked failed", job.id, job.handler)
            self.failed += 1
            await self._finish(job, error)
            return
        finally:
            heartbeat.cancel()
        await self._finish(job, None)

    async def _finish(self, job: Job, error: str | None) -> None:
        await Job.filter(id=job.id, claimed_by=self.worker_id).update(
            done_at=self.clock.now(), error=error
        )

    async def _renew_lease(self, job_id: int) -> None:
        """While a job runs, keep its claim fresh, so that no other worker takes it over."""
        try:
            while True:
                await asyncio.sleep(max(self.lease / 3, 0.05))
                await Job.filter(id=job_id, claimed_by=self.worker_id, done_at=None).update(
                    claimed_at=self.clock.now()
                )
        except asyncio.CancelledError:
            pass
        except Exception:  # the database is away: the lease may run out, the job re-run
            log.debug("could not renew the lease of job %s", job_id, exc_info=True)

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

    async def stop(self, *, grace: float = 0.0) -> None:
        """Claim no more jobs; a job running now may finish within ``grace`` seconds (else it
        is cancelled, and claimed again after its lease)."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            if grace > 0:
                await asyncio.wait([self._task], timeout=grace)
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
            self._stopping = False

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                while await self.run_due():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("timer poll failed; retrying", exc_info=True)
            if self._stopping:
                break
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            except TimeoutError:
                pass
