"""Lean coffee discussion: the facilitator's next, skip, extend, pause and resume, by command
or by the board's buttons (which carry the topic and the session's step they were shown with,
so a second press, or one from an older board, changes nothing)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise.expressions import F

from copkit.core.clock import seconds_between
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import When

from . import logic
from .models import DISCUSSED, PROPOSING, SKIPPED, VOTING, Session, Topic
from .routes import EXTEND, NEXT, PAUSE, RESUME, SKIP, lc, ref
from .sessions import Stale, announce, refresh_board, refresh_thumbs, session_of, thumbs_now
from .timebox import advance, current_topic, retime
from .voting import close_voting

_MOVED = N_("The board moved on at the same moment; have a look at it.")


async def next_topic(ctx: Context, s: Session, *, skip: bool = False) -> None:
    if s.phase == PROPOSING:
        raise UserError(_("Open voting first: “leancoffee voting open”."))
    if s.phase == VOTING:
        if skip:
            raise UserError(_("No topic is being discussed right now."))
        return await close_voting(ctx, s)
    t = await current_topic(s)
    await ctx.log(
        "leancoffee.skip" if skip else "leancoffee.next",
        ref=ref("topic", t.id),
        member=ctx.person.id,
    )
    if skip:
        await announce(ctx, s, _("⏭ #{n} skipped; it goes back to the backlog.").format(n=t.number))
    if not await advance(ctx, s, finish=SKIPPED if skip else DISCUSSED):
        raise UserError(_(_MOVED))


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
            thumbs = await thumbs_now(s)
            topic_changes["thumbs"] = [*t.thumbs, thumbs.as_list()] if thumbs else t.thumbs
            round_ = s.thumbs_round
            await retime(
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
            await retime(
                ctx, s, None, topic=t, topic_changes=topic_changes, paused_left=s.paused_left + ext
            )
        else:
            base = s.ends_at if s.ends_at and s.ends_at > now else now
            await retime(
                ctx, s, base + timedelta(seconds=ext), topic=t, topic_changes=topic_changes
            )
    except Stale:
        raise UserError(_(_MOVED)) from None
    await ctx.log("leancoffee.extend", ref=ref("topic", t.id), text=str(ext), member=ctx.person.id)
    until = (
        _("paused")
        if s.paused_left is not None
        else _("until {at}").format(at=When(s.ends_at, ctx.zone, "time"))
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
        await retime(
            ctx,
            s,
            None,
            topic=t,
            topic_changes={"spent": F("spent") + spent},
            paused_left=left,
            active_since=None,
        )
    except Stale:
        raise UserError(_(_MOVED)) from None
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
        await retime(ctx, s, ends_at, paused_left=None, active_since=now)
    except Stale:
        raise UserError(_(_MOVED)) from None
    await announce(
        ctx,
        s,
        _("▶ Timer running again, until {at}.").format(at=When(ends_at, ctx.zone, "time")),
    )
    await refresh_board(ctx, s.id)


# Commands and the board's buttons ----------------------------------------------------------


@lc.command(
    "next",
    help=N_("Close this topic and start the next one."),
    role=Role.CORE,
    words=N_("move on to the next topic"),
    button=NEXT,
)
async def next_cmd(ctx: Context, args: dict[str, Any]) -> None:
    await next_topic(ctx, await session_of(ctx, args))


@lc.command(
    "skip",
    help=N_("Skip this topic (it goes back to the backlog)."),
    role=Role.CORE,
    words=N_("skip a topic"),
    button=SKIP,
)
async def skip_cmd(ctx: Context, args: dict[str, Any]) -> None:
    await next_topic(ctx, await session_of(ctx, args), skip=True)


@lc.command(
    "extend",
    help=N_("Give the current topic more time."),
    args=(
        Arg(
            "minutes",
            N_("how long (default: the next extension)"),
            type="duration",
            positional=True,
        ),
    ),
    role=Role.CORE,
    words=N_("extend a topic"),
    button=EXTEND,
)
async def extend_cmd(ctx: Context, args: dict[str, Any]) -> None:
    d = args.get("minutes")
    seconds = int(d.total_seconds()) if isinstance(d, timedelta) else None
    await extend(ctx, await session_of(ctx, args), seconds)


@lc.command(
    "pause",
    help=N_("Pause the timer."),
    role=Role.CORE,
    words=N_("pause the timer"),
    button=PAUSE,
)
async def pause_cmd(ctx: Context, args: dict[str, Any]) -> None:
    await pause(ctx, await session_of(ctx, args))


@lc.command(
    "resume",
    help=N_("Resume the timer."),
    role=Role.CORE,
    words=N_("resume the timer"),
    button=RESUME,
)
async def resume_cmd(ctx: Context, args: dict[str, Any]) -> None:
    await resume(ctx, await session_of(ctx, args))
