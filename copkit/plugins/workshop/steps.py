"""Starting and stopping a workshop, moving it on (next, skip), the board shown again, votes
on whatever the step votes on, and joining or leaving."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.facilitation import people, phases
from copkit.core.facilitation.models import Option
from copkit.core.i18n import N_, _
from copkit.core.roles import Role
from copkit.core.routes import StaleAction, parse_int
from copkit.core.specs import Arg
from copkit.core.views import notice

from . import board, choosing, logic, writing
from .flow import (
    activity,
    begin,
    check_version,
    go_on,
    move,
    need,
    of,
    participate,
    phase_of,
    refresh,
    running_key,
    say,
    transaction_start,
)
from .format import JOIN, NEXT, PICK, owner, ref, ws
from .models import STOPPED, Workshop

_START_ARGS = (
    Arg("dots", N_("dots per person in each dot vote (default 3)"), type="int"),
    Arg("no-forcefield", N_("leave out the force field"), type="flag"),
    *(Arg(name, N_("how long this step lasts, e.g. 5m"), type="duration") for name in logic.TIMED),
)


@ws.command(
    "start",
    help=N_("Start the vision workshop here (the facilitator)."),
    args=_START_ARGS,
    role=Role.CORE,
    words=N_("start a workshop"),
)
async def start_cmd(ctx: Context, args: dict[str, Any]) -> None:
    budget = args.get("dots")
    budget = 3 if budget is None else budget
    if not 1 <= budget <= 10:
        raise UserError(_("Each person has 1 to 10 dots."))
    given: dict[str, int | None] = {}
    for name in logic.TIMED:
        value = args.get(name)
        given[name] = int(value.total_seconds()) if isinstance(value, timedelta) else None
    minutes = logic.timeboxes(given)
    forcefield = not args.get("no-forcefield")
    first = logic.STEPS[0]
    w = await transaction_start(
        ctx,
        dict(
            community_id=ctx.community.id,
            room_id=ctx.room_id,
            running_key=running_key(ctx.community.id, ctx.room_id),
            step=first.name,
            stage="writing",
            dots=budget,
            minutes=minutes,
            forcefield=forcefield,
            facilitator=ctx.person.id,
            facilitator_name=ctx.person.name[:200],
            started_at=ctx.now(),
        ),
    )
    await people.join(ctx.community.id, owner(w.id), ctx.person.id, ctx.person.name, ctx.now())
    await ctx.log("workshop.started", ref=ref("workshop", w.id), member=ctx.person.id)
    await ctx.activity_started(activity(ctx, w))
    n = len(logic.steps_of(forcefield))
    await say(
        ctx,
        w,
        _(
            "🌱 Vision workshop: {n} steps to a first version of our community's vision. "
            "Each step: write alone, reveal, cluster, vote."
        ).format(n=n),
    )
    await begin(ctx, w)


@ws.command(
    "stop", help=N_("Stop the workshop here."), role=Role.CORE, words=N_("stop the workshop")
)
async def stop_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await need(ctx)

    phase = await phase_of(w)
    w = await move(w, status=STOPPED, running_key=None, ended_at=ctx.now())
    if phase is not None:
        await phases.close(ctx, phase.id, skipped=True)
    await ctx.log("workshop.stopped", ref=ref("workshop", w.id), member=ctx.person.id)
    await say(ctx, w, _("The workshop was stopped."))
    await refresh(ctx, w.id)


@ws.command("status", help=N_("Show the workshop's board again."))
async def status_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await need(ctx)
    view = board.render(await board.gather(w, ctx.now(), ctx.zone))
    await ctx.reply(view)


async def next_(ctx: Context, w: Workshop) -> None:
    """On to what comes next in this step: reveal → (dot vote) → next step; names and the
    leader: open the vote → close it."""
    st = logic.step(w.step)
    if st.kind in ("writing", "force"):
        if w.stage == "writing":
            await writing.reveal(ctx, w)
        else:
            await go_on(ctx, w)
        return
    if w.stage in ("proposing", "nominating"):
        await choosing.open_vote(ctx, w)
    elif w.stage == "voting":
        await choosing.close_vote(ctx, w)
    else:
        raise UserError(_("Waiting for the elected person to accept or decline."))


@ws.command(
    "next",
    help=N_("Move the workshop on (reveal, close the vote, next step)."),
    role=Role.CORE,
    words=N_("move the workshop on"),
    button=NEXT,
)
async def next_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    check_version(w, args)
    await next_(ctx, w)


@ws.command(
    "skip",
    help=N_("Skip the current step (or give it up)."),
    role=Role.CORE,
    words=N_("skip a step"),
)
async def skip_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await need(ctx)
    await say(ctx, w, _("⏭ Skipped: {title}.").format(title=_(logic.step(w.step).title)))
    await go_on(ctx, w, skipped=True)


# Votes ------------------------------------------------------------------------------------

_WHAT = Arg(
    "number", N_("the note's, name's or candidate's number"), positional=True, required=True
)


async def _vote(ctx: Context, args: dict[str, Any], back: bool) -> None:
    w = await of(ctx, args)
    await participate(ctx, w)
    kind = logic.step(w.step).kind
    if kind == "writing":
        n = parse_int(args["number"])
        if n is None:
            raise UserError(_("Give a note's number, e.g. “workshop vote 3”."))
        await writing.dot(ctx, w, str(n), back=back)
    elif kind in ("name", "leader"):
        await choosing.vote(ctx, w, args["number"], back=back)
    else:
        raise UserError(_("There is no vote in this step."))


@ws.command(
    "vote",
    help=N_("Vote: a dot on a note, a thumb for a name, a vote for a leader."),
    args=(_WHAT,),
)
async def vote_cmd(ctx: Context, args: dict[str, Any]) -> None:
    await _vote(ctx, args, back=False)


@ws.command("unvote", help=N_("Take a dot or vote back."), args=(_WHAT,))
async def unvote_cmd(ctx: Context, args: dict[str, Any]) -> None:
    await _vote(ctx, args, back=True)


@ws.button(PICK, mirrors="vote")
async def picked(ctx: Context, args: dict[str, Any]) -> None:
    """A pick in the board's choice: the option's id, on the ballot the board showed."""
    w = await of(ctx, args)
    await participate(ctx, w)
    option_id = parse_int((args.get("selected") or [None])[0])
    if option_id is None:
        raise UserError(_("Pick one."))
    opt = await Option.get_or_none(id=option_id, ballot_id=args["ballot"])
    if opt is None:
        raise StaleAction()
    kind = logic.step(w.step).kind
    if kind == "writing":
        await writing.dot(ctx, w, opt.key)
    else:
        await choosing.vote(ctx, w, None, option_id=opt.id)


# Joining and leaving ----------------------------------------------------------------------


@ws.command("join", help=N_("Take part in the workshop (late joiners welcome)."), button=JOIN)
async def join_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    if await people.is_present(owner(w.id), ctx.person.id):
        await ctx.reply(notice(_("You're taking part already.")), private=True)
        return
    await participate(ctx, w)
    await refresh(ctx, w.id, wait=False)


@ws.command("leave", help=N_("Leave the workshop."))
async def leave_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await need(ctx)
    if not await people.leave(owner(w.id), ctx.person.id, ctx.now()):
        raise UserError(_("You're not taking part in the workshop."))
    await choosing.withdraw_candidate(ctx, w)
    await ctx.reply(notice(_("You left the workshop. “workshop join” to come back.")), private=True)
    await refresh(ctx, w.id, wait=False)
