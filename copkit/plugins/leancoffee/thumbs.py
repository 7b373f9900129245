"""The end of a timebox: the timer job (heads-up, time's up, end of a thumbs vote) and the
thumbs vote that decides whether the room keeps going."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise.expressions import F

from copkit.core import store
from copkit.core.clock import seconds_between
from copkit.core.context import Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.routes import StaleAction
from copkit.core.specs import Arg
from copkit.core.views import UserText, When, notice

from . import logic
from .models import DISCUSSED, DISCUSSING, Session, Thumbs, Topic
from .routes import THUMBS, TIMER, lc
from .sessions import (
    Stale,
    announce,
    log,
    need_session,
    refresh_board,
    refresh_thumbs,
    thumbs_now,
    transition,
)
from .timebox import advance, rearm, retime


@lc.job("timer")
async def timer(ctx: JobContext, payload: dict[str, Any]) -> None:
    await on_timer(ctx, ctx.job_id, payload)


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
            await rearm(scope, s, s.ends_at)
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
        async with store.transaction():
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
    # one vote per person and round: a second press, or a change of mind, replaces the first
    await store.upsert(
        Thumbs,
        {"session_id": s.id, "round": round_, "member": ctx.person.id},
        {"topic": s.current_topic or 0, "value": value},
    )
    mark = {"up": "👍", "neutral": "✋", "down": "👎"}[value]
    await ctx.reply(notice(_("Got your {mark}.").format(mark=mark), "success"), private=True)
    voters = await store.column(Thumbs.filter(session_id=s.id, round=round_), "member")
    if logic.everyone_voted(await ctx.room_members(s.room_id), voters):
        await resolve_thumbs(ctx, s, round_)
    else:
        await refresh_thumbs(ctx, s.id, round_, s.current_topic)


async def resolve_thumbs(scope: Scope, s: Session, round_: int) -> None:
    """Close a thumbs vote once: extend on a majority of 👍 and ✋, else move on."""
    if s.phase != DISCUSSING or not s.thumbs_open or s.thumbs_round != round_:
        return
    count = await thumbs_now(s) or logic.ThumbsCount()
    t = await Topic.get(id=s.current_topic)
    if count.keep_going and t.extensions_used < len(s.extensions or []):
        ext = s.extensions[t.extensions_used]
        now = scope.now()
        until = now + timedelta(seconds=ext)
        try:
            await retime(
                scope,
                s,
                until,
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
                at=When(until, scope.zone, "time"),
            ),
        )
        await refresh_board(scope, s.id)
    else:
        await advance(scope, s, finish=DISCUSSED, thumbs=count)


@lc.command(
    "thumbs",
    help=N_("Vote whether to keep going: up, neutral or down."),
    args=(
        Arg(
            "vote",
            N_("up, neutral or down"),
            positional=True,
            required=True,
            choices=("up", "neutral", "down"),
        ),
    ),
    words=N_("vote on keeping going"),
    button=THUMBS,
)
async def thumbs(ctx: Context, args: dict[str, Any]) -> None:
    """By command, on the vote open now; by button, on the round the button was shown for."""
    if "session" not in args:
        s = await need_session(ctx)
        await thumbs_vote(ctx, s, s.thumbs_round, args["vote"])
        return
    shown = await Session.get_or_none(id=args["session"], community_id=ctx.community.id)
    if shown is None:
        raise StaleAction()
    await thumbs_vote(ctx, shown, args["round"], args["vote"])
