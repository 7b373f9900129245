"""What every reflect view does first: read the new log rows, and make sure the community's
coach and digest timers exist (scheduled once, in the database, so a restart keeps them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from copkit.core import store
from copkit.core.context import Scope
from copkit.core.models import Job

from .ingest import catch_up
from .models import Timers

COACH_JOB = "reflect.coach"
DIGEST_JOB = "reflect.digest"
COACH_EVERY = timedelta(days=7)


def next_digest(now: datetime) -> datetime:
    """The first day of next month, 09:00 UTC."""
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, 9, tzinfo=UTC)


async def prepare(scope: Scope) -> None:
    await catch_up(scope.community.id)
    await ensure_timers(scope)


async def ensure_timers(scope: Scope) -> None:
    """Schedule the coach (weekly) and the digest (monthly) once per community."""
    cid = scope.community.id
    if await Timers.filter(community_id=cid).exists():
        return
    async with store.transaction():
        row = await store.insert_if_absent(Timers, community_id=cid)
        if row is None:  # another request scheduled them
            return
        now = scope.now()
        coach = await scope.schedule(COACH_JOB, now + COACH_EVERY)
        digest = await scope.schedule(DIGEST_JOB, next_digest(now))
        await Timers.filter(id=row.id).update(coach_job=coach, digest_job=digest)


async def timers_alive(cid: int) -> bool:
    """Whether both jobs are still pending (tests and ``coach``)."""
    row = await Timers.get_or_none(community_id=cid)
    if row is None:
        return False
    pending = await Job.filter(id__in=[row.coach_job, row.digest_job], done_at=None).count()
    return pending == 2
