"""The discussion's clock: starting the next topic (the top-ranked open one), re-timing the
session, and the timer job's schedule. Voting, discussion and thumbs votes build on it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from copkit.core import store
from copkit.core.context import Scope
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.views import UserText, When

from . import logic
from .flow import end
from .models import CURRENT, DISCUSSED, DISCUSSING, OPEN, Session, Topic
from .routes import TIMER
from .sessions import (
    NoTopic,
    Stale,
    announce,
    dot_counts,
    finish_topic,
    refresh_board,
    refresh_thumbs,
    thumbs_now,
    transition,
)


async def schedule_timer(scope: Scope, s: Session, ends_at: datetime) -> int:
    kind, delay = logic.timer_step((ends_at - scope.now()).total_seconds())
    return await scope.schedule(
        TIMER, scope.now() + timedelta(seconds=delay), {"session": s.id, "kind": kind}
    )


async def advance(
    scope: Scope,
    s: Session,
    *,
    finish: str | None = None,
    phase: str | None = None,
    thumbs: logic.ThumbsCount | None = None,
) -> bool:
    """Close the current topic (as ``finish``) and start the top-ranked open one; end the session
    when none remains. Returns False when someone else moved first."""
    now = scope.now()
    if thumbs is None:
        thumbs = await thumbs_now(s)
    if not await Topic.exists(session_id=s.id, status=OPEN):
        return await end(
            scope, s, thumbs=thumbs, finish=finish or DISCUSSED, reason=_("No topics left.")
        )
    old_topic, old_since, old_job, order = (
        s.current_topic,
        s.active_since,
        s.timer_job,
        s.discussed_count,
    )
    ends_at = now + timedelta(seconds=s.timebox)
    changes: dict[str, Any] = dict(
        ends_at=ends_at, active_since=now, paused_left=None, thumbs_open=False, thumbs_ends_at=None
    )
    if phase:
        changes["phase"] = phase
    if old_topic:
        changes["discussed_count"] = order + 1
    try:
        async with store.transaction():
            # The transition comes first: on PostgreSQL it locks the session row, so votes in
            # flight are in before the ranking below is read, and later ones find voting closed.
            await transition(s, **changes)
            dots = await dot_counts(s.id)
            ranked = logic.rank(await Topic.filter(session_id=s.id, status=OPEN), dots)
            if not ranked:
                raise NoTopic
            nxt = ranked[0]
            job = await schedule_timer(scope, s, ends_at)
            await Session.filter(id=s.id).update(current_topic=nxt.id, timer_job=job)
            s.current_topic, s.timer_job = nxt.id, job
            if old_topic:
                await finish_topic(
                    old_topic, finish or DISCUSSED, now, old_since, order + 1, thumbs
                )
            await Topic.filter(id=nxt.id).update(status=CURRENT, started_at=now)
    except Stale:
        return False
    except NoTopic:  # the last open topic went away at the same moment (rolled back)
        fresh = await Session.get(id=s.id)
        return await end(
            scope, fresh, thumbs=thumbs, finish=finish or DISCUSSED, reason=_("No topics left.")
        )
    await scope.cancel_job(old_job)
    if s.thumbs_round and thumbs is not None:
        await refresh_thumbs(scope, s.id, s.thumbs_round, old_topic, _("moving on"))
    n = dots.get(nxt.id, 0)
    await announce(
        scope,
        s,
        _("☕ Now discussing #{n} {title} ({dots}): {time}, until {at}.").format(
            n=nxt.number,
            title=UserText(nxt.title),
            dots=logic.dots_text(n),
            time=logic.minutes_text(s.timebox),
            at=When(ends_at, scope.zone, "time"),
        ),
    )
    await refresh_board(scope, s.id)
    return True


async def current_topic(s: Session) -> Topic:
    if s.phase != DISCUSSING or not s.current_topic:
        raise UserError(_("No topic is being discussed right now."))
    return await Topic.get(id=s.current_topic)


async def retime(
    scope: Scope,
    s: Session,
    ends_at: datetime | None,
    *,
    topic: Topic | None = None,
    topic_changes: dict[str, Any] | None = None,
    **changes: Any,
) -> None:
    """Change the session's timer (a new job for ``ends_at``, or none) and state atomically."""
    old_job = s.timer_job
    async with store.transaction():
        job = await schedule_timer(scope, s, ends_at) if ends_at else None
        await transition(s, ends_at=ends_at, timer_job=job, **changes)
        if topic is not None and topic_changes:
            await Topic.filter(id=topic.id).update(**topic_changes)
    await scope.cancel_job(old_job)


async def rearm(scope: Scope, s: Session, ends_at: datetime) -> None:
    """A new timer job for the same timebox (after the heads-up). It does not move the session
    on (its step stays, so the board's buttons stay current); Stale if someone else did."""
    old_job = s.timer_job
    async with store.transaction():
        job = await schedule_timer(scope, s, ends_at)
        if not await Session.filter(id=s.id, step=s.step, timer_job=old_job).update(timer_job=job):
            raise Stale
    s.timer_job = job
