"""Reflect: the community's goals measured on a scorecard, participation in aggregate, a
member's own history, and a coach for the leader with a monthly digest (``docs/reflect.md``).

The format is declared on :data:`.format.rf`; its commands and jobs next to their functions in
:mod:`.goals_commands`, :mod:`.people`, :mod:`.coach` and :mod:`.digest`.
"""

from __future__ import annotations

from datetime import datetime

from copkit.core import store
from copkit.core.context import Activity
from copkit.core.hookspecs import hookimpl
from copkit.core.models import Community, Job, LogEntry
from copkit.core.specs import Measure, Models

from . import coach, digest, goals_commands, people  # noqa: F401  (their declarations register)
from .format import rf
from .models import Timers
from .prepare import COACH_EVERY, COACH_JOB, DIGEST_JOB, next_digest
from .stats import measure

FORMAT = rf.name

(
    copkit_register_formats,
    copkit_register_commands,
    copkit_register_actions,
    copkit_register_jobs,
) = rf.hookimpls()


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="reflect",
            module="copkit.plugins.reflect.models",
            migrations="copkit.plugins.reflect.migrations",
        )
    ]


@hookimpl
async def copkit_signals(
    community: Community, names: list[str], start: datetime, end: datetime
) -> list[Measure]:
    return await measure(community, names, start, end)


async def _ensure(community_id: int) -> None:
    """The coach and digest timers of a community where something happened, scheduled once
    (the log line just written gives the time, so the fake clock of tests holds too)."""
    if await Timers.filter(community_id=community_id).exists():
        return
    last = await LogEntry.filter(community_id=community_id).order_by("-id").first()
    if last is None:
        return
    async with store.transaction():
        row = await store.insert_if_absent(Timers, community_id=community_id)
        if row is None:
            return
        coach_job = await Job.create(
            handler=COACH_JOB, due_at=last.at + COACH_EVERY, payload={}, community_id=community_id
        )
        digest_job = await Job.create(
            handler=DIGEST_JOB, due_at=next_digest(last.at), payload={}, community_id=community_id
        )
        await Timers.filter(id=row.id).update(coach_job=coach_job.id, digest_job=digest_job.id)


@hookimpl
async def copkit_contribution(community: Community, member: str, kind: str, ref: str) -> None:
    await _ensure(community.id)


@hookimpl
async def copkit_activity_ended(activity: Activity) -> None:
    await _ensure(activity.community.id)
