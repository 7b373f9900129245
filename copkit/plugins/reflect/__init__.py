"""Reflect: the community's goals measured on a scorecard, participation in aggregate, a
member's own history, and a coach for the leader with a monthly digest (``docs/reflect.md``).

The format is declared on :data:`.format.rf`; its commands and jobs next to their functions in
:mod:`.goals_commands`, :mod:`.people`, :mod:`.coach` and :mod:`.digest`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from copkit.core import store
from copkit.core.context import Activity
from copkit.core.hookspecs import hookimpl
from copkit.core.models import Community, Job, LogEntry
from copkit.core.specs import Measure, Models, OpenAction, Section

from . import coach, digest, goals_commands, people, retro_actions, retro_minutes, retro_writing  # noqa: F401  (their declarations register)  # noqa: F401  (the retro format)
from .format import rf
from .models import Timers
from .prepare import COACH_EVERY, COACH_JOB, DIGEST_JOB, next_digest
from .retro_format import rt
from .stats import measure

FORMAT = rf.name
_FORMATS = (rf, rt)
"""Reflect and the retro (``docs/reflect.md``, “Retrospectives”)."""


def _both(i: int) -> Any:
    parts = [f.hookimpls()[i] for f in _FORMATS]

    def collect() -> list[Any]:
        return [x for part in parts for x in part()]

    return collect


copkit_register_formats = hookimpl(_both(0))
copkit_register_commands = hookimpl(_both(1))
copkit_register_actions = hookimpl(_both(2))
copkit_register_jobs = hookimpl(_both(3))


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="reflect",
            module="copkit.plugins.reflect.models",
            migrations="copkit.plugins.reflect.migrations",
        ),
        Models(
            app="retro",
            module="copkit.plugins.reflect.retro_models",
            migrations="copkit.plugins.reflect.retro_migrations",
        ),
    ]


@hookimpl
async def copkit_open_actions(community: Community) -> list[OpenAction]:
    return await retro_actions.open_actions(community.id)


@hookimpl
async def copkit_action_closed(
    community: Community, key: str, verdict: str, member: str, at: datetime
) -> None:
    await retro_actions.closed_by_review(community.id, key, verdict, at)


@hookimpl
async def copkit_minutes_sections(activity: Activity) -> list[Section]:
    return await retro_minutes.sections_for(activity)


@hookimpl
async def copkit_signals(
    community: Community, names: list[str], start: datetime, end: datetime
) -> list[Measure]:
    return await measure(community, names, start, end)


_scheduled: set[tuple[int, object]] = set()


async def _ensure(community: Community) -> None:
    """The coach and digest timers of a community where something happened, scheduled once
    (the log line just written gives the time, so the fake clock of tests holds too). Known
    communities are remembered by id and creation time, so another database's community with
    the same id (tests) is checked again."""
    key = (community.id, community.created_at)
    if key in _scheduled:
        return
    community_id = community.id
    if await Timers.filter(community_id=community_id).exists():
        _scheduled.add(key)
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
    await _ensure(community)


@hookimpl
async def copkit_activity_ended(activity: Activity) -> None:
    await _ensure(activity.community)
