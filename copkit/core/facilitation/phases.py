"""A timeboxed phase with a shared timer: start, a one-minute heads-up, ``+time``, pause and
resume, skip and close — every change one conditional UPDATE on the phase's ``version``, with
its timer jobs scheduled in the same transaction (a restart continues; a stale job does nothing).

The format declares one job type and hands its jobs here::

    @f.job("phase")
    async def phase_timer(ctx: JobContext, payload: dict[str, Any]) -> None:
        fired = await phases.on_timer(ctx, payload)
        if fired is not None:   # ("warn" | "end", the phase as it is now)
            ...                 # show the heads-up or "time's up"

and creates its phases with ``await phases.create(scope, owner, "vision", 300, job="<f>.phase")``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from copkit.core import store
from copkit.core.context import JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import _, ngettext

from .models import ENDED, PAUSED, PENDING, RUNNING, SKIPPED, Phase

HEADS_UP = 60
"""Seconds before the end when the heads-up fires (only for timeboxes longer than this)."""
MAX_SECONDS = 24 * 3600
"""The longest timebox, extensions included."""

TimerKind = Literal["warn", "end"]


@dataclass(frozen=True, slots=True)
class Fired:
    """A timer that fired: ``kind`` (``"warn"`` or ``"end"``) and the phase after it."""

    kind: TimerKind
    phase: Phase


class Stale(Exception):
    """Someone else changed the phase first."""


# Plain functions ------------------------------------------------------------------------------


def seconds_left(phase: Phase, now: datetime) -> int:
    """Seconds left on the phase's clock (0 when it is not running or paused)."""
    if phase.status == PAUSED:
        return max(phase.paused_left or 0, 0)
    if phase.status != RUNNING or phase.ends_at is None:
        return 0
    return max(int((phase.ends_at - now).total_seconds() + 0.999), 0)


def clock_text(seconds: int) -> str:
    """``4:05`` for 245 seconds; ``1:02:03`` past an hour."""
    seconds = max(int(seconds), 0)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def minutes_text(seconds: int) -> str:
    """``5 min`` (rounded up), ``45 s`` under a minute."""
    if seconds < 60:
        return _("{n} s").format(n=seconds)
    n = (seconds + 59) // 60
    return ngettext("{n} min", "{n} min", n).format(n=n)


def timer_plan(seconds: int) -> dict[TimerKind, int]:
    """When the timers fire, in seconds from now, for ``seconds`` left: the heads-up a minute
    before the end (when there is more than a minute left) and the end."""
    plan: dict[TimerKind, int] = {"end": max(seconds, 0)}
    if seconds > HEADS_UP:
        plan["warn"] = seconds - HEADS_UP
    return plan


def check_seconds(seconds: int) -> int:
    if not 1 <= seconds <= MAX_SECONDS:
        raise UserError(_("A timebox is between one second and a day."))
    return seconds


# Changes ----------------------------------------------------------------------------------------


async def create(scope: Scope, owner: str, name: str, seconds: int, *, job: str) -> Phase:
    """The phase ``name`` of ``owner`` (created pending, or the one that exists)."""
    check_seconds(seconds)
    fields: dict[str, Any] = dict(
        community_id=scope.community.id, owner=owner, name=name, job=job, seconds=seconds
    )
    made = await store.insert_if_absent(Phase, **fields)
    return made or await Phase.get(owner=owner, name=name)


async def get(phase_id: int) -> Phase:
    return await Phase.get(id=phase_id)


async def _change(
    scope: Scope,
    phase: Phase,
    plan_for: Callable[[Phase], Awaitable[dict[str, Any]]],
    *,
    timers: int | None = None,
) -> Phase:
    """Apply ``plan_for(phase)``'s changes if nobody changed the phase meanwhile; with
    ``timers`` (seconds left), new timer jobs replace the old ones in the same transaction."""
    old_jobs = (phase.warn_job, phase.end_job)
    async with store.transaction():
        changes = await plan_for(phase)
        changes["warn_job"] = changes["end_job"] = None
        if timers is not None:
            payload = {"phase": phase.id}
            for kind, delay in timer_plan(timers).items():
                job = await scope.schedule(
                    phase.job, timedelta(seconds=delay), {**payload, "kind": kind}
                )
                changes[f"{kind}_job"] = job
        done = await Phase.filter(id=phase.id, version=phase.version).update(
            version=phase.version + 1, **changes
        )
        if not done:
            raise Stale
    for job_id in old_jobs:
        await scope.cancel_job(job_id)
    return await Phase.get(id=phase.id)


async def _retry(
    scope: Scope, phase_id: int, step: Callable[[Phase], Awaitable[Phase]], tries: int = 5
) -> Phase:
    for _attempt in range(tries):
        phase = await Phase.get(id=phase_id)
        try:
            return await step(phase)
        except Stale:
            continue
    raise UserError(_("Someone changed the timer at the same moment; try again."))


async def start(scope: Scope, phase_id: int) -> Phase:
    """Start the clock of a pending phase."""

    async def step(p: Phase) -> Phase:
        if p.status != PENDING:
            raise UserError(_("This step has already started."))
        now = scope.now()

        async def plan(_p: Phase) -> dict[str, Any]:
            return dict(status=RUNNING, started_at=now, ends_at=now + timedelta(seconds=p.seconds))

        return await _change(scope, p, plan, timers=p.seconds)

    return await _retry(scope, phase_id, step)


def _need_clock(p: Phase) -> None:
    if p.status in (ENDED, SKIPPED):
        raise UserError(_("This step is over."))
    if p.status == PENDING:
        raise UserError(_("This step hasn't started yet."))


async def add_time(scope: Scope, phase_id: int, seconds: int) -> Phase:
    """``+time``: ``seconds`` more on the clock (running or paused); a new heads-up follows."""
    if not 1 <= seconds <= MAX_SECONDS:
        raise UserError(_("Add between one second and a day."))

    async def step(p: Phase) -> Phase:
        _need_clock(p)
        if p.seconds + seconds > MAX_SECONDS:
            raise UserError(_("A timebox is between one second and a day."))
        if p.status == PAUSED:

            async def paused(_p: Phase) -> dict[str, Any]:
                return dict(paused_left=(p.paused_left or 0) + seconds, seconds=p.seconds + seconds)

            return await _change(scope, p, paused)
        left = seconds_left(p, scope.now()) + seconds

        async def running(_p: Phase) -> dict[str, Any]:
            return dict(ends_at=scope.now() + timedelta(seconds=left), seconds=p.seconds + seconds)

        return await _change(scope, p, running, timers=left)

    return await _retry(scope, phase_id, step)


async def pause(scope: Scope, phase_id: int) -> Phase:
    async def step(p: Phase) -> Phase:
        if p.status == PAUSED:
            raise UserError(_("The timer is already paused."))
        _need_clock(p)
        left = seconds_left(p, scope.now())

        async def plan(_p: Phase) -> dict[str, Any]:
            return dict(status=PAUSED, paused_left=left, ends_at=None)

        return await _change(scope, p, plan)

    return await _retry(scope, phase_id, step)


async def resume(scope: Scope, phase_id: int) -> Phase:
    async def step(p: Phase) -> Phase:
        if p.status == RUNNING:
            raise UserError(_("The timer is already running."))
        _need_clock(p)
        left = max(p.paused_left or 0, 1)

        async def plan(_p: Phase) -> dict[str, Any]:
            return dict(
                status=RUNNING, paused_left=None, ends_at=scope.now() + timedelta(seconds=left)
            )

        return await _change(scope, p, plan, timers=left)

    return await _retry(scope, phase_id, step)


async def close(scope: Scope, phase_id: int, *, skipped: bool = False) -> Phase | None:
    """End the phase now (``skipped``: without its outcome). ``None`` when it was over already
    (a second press, or the timer at the same moment)."""

    async def step(p: Phase) -> Phase:
        if p.status in (ENDED, SKIPPED):
            raise _Over

        async def plan(_p: Phase) -> dict[str, Any]:
            return dict(
                status=SKIPPED if skipped else ENDED,
                ended_at=scope.now(),
                ends_at=None,
                paused_left=None,
            )

        return await _change(scope, p, plan)

    try:
        return await _retry(scope, phase_id, step)
    except _Over:
        return None


class _Over(Exception):
    pass


async def on_timer(ctx: JobContext, payload: dict[str, Any]) -> Fired | None:
    """Run a phase's timer job: the heads-up, or the end (the phase closes). ``None`` when the
    job is stale (the phase was paused, given more time, closed or skipped since)."""
    phase = await Phase.get_or_none(id=payload.get("phase"))
    kind = payload.get("kind")
    if phase is None or phase.status != RUNNING or kind not in ("warn", "end"):
        return None
    if getattr(phase, f"{kind}_job") != ctx.job_id:
        return None
    if kind == "warn":
        return Fired("warn", phase)
    changed = await Phase.filter(id=phase.id, version=phase.version).update(
        version=phase.version + 1,
        status=ENDED,
        ended_at=ctx.now(),
        ends_at=None,
        warn_job=None,
        end_job=None,
    )
    if not changed:
        return None
    return Fired("end", await Phase.get(id=phase.id))
