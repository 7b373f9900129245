"""Pulse checks' handlers: start, vote, close (its own job) and post the result (another)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from copkit.core import outbox
from copkit.core.context import Context, JobContext
from copkit.core.errors import UserError
from copkit.core.i18n import _, ngettext
from copkit.core.parsing import to_int
from copkit.core.views import Private, ToRoom, notice

from . import pulse, views
from .models import OPEN, Pulse
from .rounds import _tz

DEFAULT_PULSE = timedelta(days=1)


def _pulse_key(p: Pulse) -> str:
    return f"healthcheck:pulse:{p.id}"


async def pulse_start(ctx: Context, args: dict[str, Any]) -> None:
    closes_in = args.get("closes-in") or DEFAULT_PULSE
    public = bool(args.get("public"))

    async def timer(p: Pulse) -> None:
        p.close_job_id = await ctx.schedule("healthcheck.pulse_close", p.closes_at, {"pulse": p.id})
        await p.save(update_fields=["close_job_id"])

    p = await pulse.create(
        ctx.community.id,
        ctx.room_id,
        ctx.person.id,
        args["question"],
        list(args.get("options") or []),
        ctx.now(),
        closes_in,
        timer,
        public=public,
    )
    await ctx.log("healthcheck.pulse", ref=_pulse_key(p), member=ctx.person.id)
    await ctx.show(views.pulse(p, 0, _tz(ctx)), key=_pulse_key(p))
    hours = (p.closes_at - p.opened_at) // timedelta(hours=1)
    if public and timedelta(hours=hours) != closes_in:
        text = ngettext(
            "A public pulse lasts whole hours: this one closes in {n} hour.",
            "A public pulse lasts whole hours: this one closes in {n} hours.",
            hours,
        )
        await ctx.reply(notice(text.format(n=hours)), private=True)


async def pulse_vote(ctx: Context, args: dict[str, Any]) -> None:
    pid, _sep, index = args["id"].partition(":")
    pulse_id, option = to_int(pid), to_int(index)
    if pulse_id is None or option is None:
        raise UserError(_("That poll no longer exists."))
    p = await pulse.get(ctx.community.id, pulse_id)
    if not 0 <= option < len(p.options):
        raise UserError(_("That poll no longer exists."))
    if args.get("removed"):  # a vote taken back on the platform's own poll: no answer needed
        votes = await pulse.withdraw(p.id, ctx.person.id, option)
        view = views.pulse(p, votes, _tz(ctx))
        await ctx.show(view, key=_pulse_key(p), target=ToRoom(p.room_id))
        return
    votes = await pulse.vote(p.id, ctx.person.id, option)
    if p.public:
        ack = _("Your vote: {option}. Not anonymous; you can change it until {close}.")
    else:
        ack = _("Your vote: {option}. Anonymous; you can change it until {close}.")
    until = views.when(p.closes_at, _tz(ctx))
    await ctx.show(
        target=Private(ctx.person.id),
        view=notice(ack.format(option=p.options[option], close=until), "success"),
    )
    await ctx.show(views.pulse(p, votes, _tz(ctx)), key=_pulse_key(p), target=ToRoom(p.room_id))


async def job_pulse_close(ctx: JobContext, payload: dict[str, Any]) -> None:
    p = await Pulse.get_or_none(id=payload.get("pulse"))
    if p is None or p.status != OPEN or p.close_job_id != ctx.job_id:
        return

    async def post_later(closed: Pulse) -> None:  # in the close's transaction
        await outbox.step(ctx, "healthcheck.pulse_post", {"pulse": closed.id})

    closed = await pulse.close(p.id, ctx.now(), post_later)
    if closed is None:
        return
    await ctx.log("healthcheck.pulse_closed", ref=_pulse_key(closed))


async def job_pulse_post(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Show a closed pulse's result, its own step after the close: both views are keyed, so a
    retry edits them rather than posting twice."""
    p = await Pulse.get_or_none(id=payload.get("pulse"))
    if p is None or p.status == OPEN:
        return
    result = views.pulse_result(p)
    await ctx.show(result, key=_pulse_key(p), target=ToRoom(p.room_id))
    await ctx.show(result, key=_pulse_key(p) + ":result", target=ToRoom(p.room_id))
