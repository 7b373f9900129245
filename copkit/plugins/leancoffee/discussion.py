"""Lean coffee discussion: the current topic, its timebox and timers, thumbs votes, and the
facilitator's next, skip, extend, pause and resume."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from copkit.core.clock import seconds_between
from copkit.core.context import Context, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.views import UserText, notice

from . import logic
from .flow import (
    TIMER,
    NoTopic,
    Stale,
    _finish,
    _thumbs_now,
    announce,
    dot_counts,
    end,
    log,
    refresh_board,
    refresh_thumbs,
    transition,
    zone,
)
from .models import (
    CURRENT,
    DISCUSSED,
    DISCUSSING,
    OPEN,
    PROPOSING,
    SKIPPED,
    VOTING,
    Session,
    Thumbs,
    Topic,
)

# Discussion ---------------------------------------------------------------------------------


async def _schedule(scope: Scope, s: Session, ends_at: datetime) -> int:
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
        thumbs = await _thumbs_now(s)
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
        async with in_transaction():
            # The transition comes first: on PostgreSQL it locks the session row, so votes in
            # flight are in before the ranking below is read, and later ones find voting closed.
            await transition(s, **changes)
            dots = await dot_counts(s.id)
            ranked = logic.rank(await Topic.filter(session_id=s.id, status=OPEN), dots)
            if not ranked:
                raise NoTopic
            nxt = ranked[0]
            job = await _schedule(scope, s, ends_at)
            await Session.filter(id=s.id).update(current_topic=nxt.id, timer_job=job)
            s.current_topic, s.timer_job = nxt.id, job
            if old_topic:
                await _finish(s, old_topic, finish or DISCUSSED, now, old_since, order + 1, thumbs)
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
            at=ends_at.astimezone(zone(scope)).strftime("%H:%M"),
        ),
    )
    await refresh_board(scope, s.id)
    return True


async def current_topic(s: Session) -> Topic:
    if s.phase != DISCUSSING or not s.current_topic:
        raise UserError(_("No topic is being discussed right now."))
    return await Topic.get(id=s.current_topic)


async def next_topic(ctx: Context, s: Session, *, skip: bool = False) -> None:
    if s.phase == PROPOSING:
        raise UserError(_("Open voting first: “leancoffee voting open”."))
    if s.phase == VOTING:
        if skip:
            raise UserError(_("No topic is being discussed right now."))
        from .voting import close_voting  # (voting imports this module)

        return await close_voting(ctx, s)
    t = await current_topic(s)
    await ctx.log(
        "leancoffee.skip" if skip else "leancoffee.next",
        ref=f"leancoffee:topic:{t.id}",
        member=ctx.person.id,
    )
    if skip:
        await announce(ctx, s, _("⏭ #{n} skipped; it goes back to the backlog.").format(n=t.number))
    if not await advance(ctx, s, finish=SKIPPED if skip else DISCUSSED):
        raise UserError(_("The board moved on at the same moment; have a look at it."))


async def _retime(
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
    async with in_transaction():
        job = await _schedule(scope, s, ends_at) if ends_at else None
        await transition(s, ends_at=ends_at, timer_job=job, **changes)
        if topic is not None and topic_changes:
            await Topic.filter(id=topic.id).update(**topic_changes)
    await scope.cancel_job(old_job)


def _next_extension(s: Session, t: Topic) -> int:
    ext = list(s.extensions or [])
    if t.extensions_used < len(ext):
        return ext[t.extensions_used]
    return ext[-1] if ext else 120


async def extend(ctx: Context, s: Session, seconds: int | None) -> None:
    t = await current_topic(s)
    if seconds is not None and not 30 <= seconds <= 3600:
        raise UserError(_("Extend by 30 seconds to 60 minutes."))
    ext = seconds or _next_extension(s, t)
    now = ctx.now()
    topic_changes: dict[str, Any] = {"extensions_used": t.extensions_used + 1}
    try:
        if s.thumbs_open:
            thumbs = await _thumbs_now(s)
            topic_changes["thumbs"] = [*t.thumbs, thumbs.as_list()] if thumbs else t.thumbs
            round_ = s.thumbs_round
            await _retime(
                ctx,
                s,
                now + timedelta(seconds=ext),
                topic=t,
                topic_changes=topic_changes,
                active_since=now,
                thumbs_open=False,
                thumbs_ends_at=None,
            )
            await refresh_thumbs(ctx, s.id, round_, t.id, _("extended by the facilitator"))
        elif s.paused_left is not None:
            await _retime(
                ctx, s, None, topic=t, topic_changes=topic_changes, paused_left=s.paused_left + ext
            )
        else:
            base = s.ends_at if s.ends_at and s.ends_at > now else now
            await _retime(
                ctx, s, base + timedelta(seconds=ext), topic=t, topic_changes=topic_changes
            )
    except Stale:
        raise UserError(_("The board moved on at the same moment; have a look at it.")) from None
    await ctx.log(
        "leancoffee.extend", ref=f"leancoffee:topic:{t.id}", text=str(ext), member=ctx.person.id
    )
    until = (
        _("paused")
        if s.paused_left is not None
        else _("until {at}").format(at=s.ends_at.astimezone(zone(ctx)).strftime("%H:%M"))
        if s.ends_at
        else ""
    )
    await announce(
        ctx,
        s,
        _("⏱ #{n} extended by {time}, {until}.").format(
            n=t.number, time=logic.minutes_text(ext), until=until
        ),
    )
    await refresh_board(ctx, s.id)


async def pause(ctx: Context, s: Session) -> None:
    t = await current_topic(s)
    if s.paused_left is not None:
        raise UserError(_("The timer is already paused."))
    if s.thumbs_open or s.ends_at is None:
        raise UserError(_("There is no running timer to pause."))
    now = ctx.now()
    left = max(0, int((s.ends_at - now).total_seconds()))
    spent = seconds_between(s.active_since, now)
    try:
        await _retime(
            ctx,
            s,
            None,
            topic=t,
            topic_changes={"spent": F("spent") + spent},
            paused_left=left,
            active_since=None,
        )
    except Stale:
        raise UserError(_("The board moved on at the same moment; have a look at it.")) from None
    await announce(
        ctx, s, _("⏸ Timer paused with {left} left.").format(left=logic.minutes_text(left))
    )
    await refresh_board(ctx, s.id)


async def resume(ctx: Context, s: Session) -> None:
    await current_topic(s)
    if s.paused_left is None:
        raise UserError(_("The timer is not paused."))
    now = ctx.now()
    ends_at = now + timedelta(seconds=s.paused_left)
    try:
        await _retime(ctx, s, ends_at, paused_left=None, active_since=now)
    except Stale:
        raise UserError(_("The board moved on at the same moment; have a look at it.")) from None
    await announce(
        ctx,
        s,
        _("▶ Timer running again, until {at}.").format(
            at=ends_at.astimezone(zone(ctx)).strftime("%H:%M")
        ),
    )
    await refresh_board(ctx, s.id)


# Timers -------------------------------------------------------------------------------------


async def on_timer(scope: Scope, job_id: int, payload: dict[str, Any]) -> None:
    """A timer job: heads-up, end of the timebox, or end of a thumbs vote. A job that is not the
    session's current one (the session ended, moved on or was re-timed) does nothing."""
    s = await Session.get_or_none(id=payload.get("session", 0))
    if s is None or s.phase != DISCUSSING or s.timer_job != job_id:
        log.info("stale lean coffee timer %s ignored", job_id)
        return
    kind = payload.get("kind")
    now = scope.now()
    if kind == "headsup" and s.ends_at and now < s.ends_at:
        t = await Topic.get(id=s.current_topic)
        try:
            await _retime(scope, s, s.ends_at)
        except Stale:
            return
        await announce(
            scope,
            s,
            _("⏳ One minute left on #{n} {title}.").format(n=t.number, title=UserText(t.title)),
            "warning",
        )
        return
    if kind in ("headsup", "end"):
        await time_up(scope, s)
    elif kind == "thumbs":
        await resolve_thumbs(scope, s, s.thumbs_round)


async def time_up(scope: Scope, s: Session) -> None:
    t = await Topic.get(id=s.current_topic)
    now = scope.now()
    if t.extensions_used >= len(s.extensions or []):
        await announce(
            scope,
            s,
            _("⏰ Time's up for #{n}. No extensions left: moving on.").format(n=t.number),
            "warning",
        )
        await advance(scope, s, finish=DISCUSSED)
        return
    round_ = s.thumbs_round + 1
    ends = now + timedelta(seconds=s.thumbs_window)
    spent = seconds_between(s.active_since, now)
    old_job = s.timer_job
    try:
        async with in_transaction():
            job = await scope.schedule(
                TIMER, ends, {"session": s.id, "kind": "thumbs", "round": round_}
            )
            await transition(
                s,
                thumbs_open=True,
                thumbs_round=round_,
                thumbs_ends_at=ends,
                ends_at=None,
                active_since=None,
                timer_job=job,
            )
            await Topic.filter(id=t.id).update(spent=F("spent") + spent)
    except Stale:
        return
    await scope.cancel_job(old_job)
    await refresh_thumbs(scope, s.id, round_, t.id)
    await refresh_board(scope, s.id)


async def thumbs_vote(ctx: Context, s: Session, round_: int, value: str) -> None:
    if value not in ("up", "neutral", "down"):
        raise UserError(_("Vote up, neutral or down."))
    if s.phase != DISCUSSING or not s.thumbs_open or s.thumbs_round != round_:
        raise UserError(_("That thumbs vote is over."))
    try:
        await Thumbs.create(
            session_id=s.id,
            round=round_,
            topic=s.current_topic or 0,
            member=ctx.person.id,
            value=value,
        )
    except IntegrityError:  # a change of mind
        await Thumbs.filter(session_id=s.id, round=round_, member=ctx.person.id).update(value=value)
    mark = {"up": "👍", "neutral": "✋", "down": "👎"}[value]
    await ctx.reply(notice(_("Got your {mark}.").format(mark=mark), "success"), private=True)
    voters = await Thumbs.filter(session_id=s.id, round=round_).values_list("member", flat=True)
    if logic.everyone_voted(await ctx.room_members(s.room_id), voters):
        await resolve_thumbs(ctx, s, round_)
    else:
        await refresh_thumbs(ctx, s.id, round_, s.current_topic)


async def resolve_thumbs(scope: Scope, s: Session, round_: int) -> None:
    """Close a thumbs vote once: extend on a majority of 👍 and ✋, else move on."""
    if s.phase != DISCUSSING or not s.thumbs_open or s.thumbs_round != round_:
        return
    count = await _thumbs_now(s) or logic.ThumbsCount()
    t = await Topic.get(id=s.current_topic)
    if count.keep_going and t.extensions_used < len(s.extensions or []):
        ext = s.extensions[t.extensions_used]
        now = scope.now()
        try:
            await _retime(
                scope,
                s,
                now + timedelta(seconds=ext),
                topic=t,
                topic_changes={
                    "extensions_used": t.extensions_used + 1,
                    "thumbs": [*t.thumbs, count.as_list()],
                },
                active_since=now,
                thumbs_open=False,
                thumbs_ends_at=None,
            )
        except Stale:
            return
        outcome = _("{time} more").format(time=logic.minutes_text(ext))
        await refresh_thumbs(scope, s.id, round_, t.id, outcome)
        await announce(
            scope,
            s,
            _("👍 The room keeps going on #{n}: {time} more, until {at}.").format(
                n=t.number,
                time=logic.minutes_text(ext),
                at=s.ends_at.astimezone(zone(scope)).strftime("%H:%M"),
            ),
        )
        await refresh_board(scope, s.id)
    else:
        await advance(scope, s, finish=DISCUSSED, thumbs=count)
