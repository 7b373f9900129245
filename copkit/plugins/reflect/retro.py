"""Running a retro: starting it (with the open actions of earlier events to review), finding
the one a request acts on, its guarded moves, the board, each stage's start (the writing and
the dot vote are timed phases), the shared timer (heads-up, +time, pause, resume) and the end
with its minutes. Writing and dots are in :mod:`.retro_writing`, actions in
:mod:`.retro_actions`."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import F

from copkit.core import actions, store
from copkit.core.context import Activity, Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.facilitation import dots, notes, people, phases
from copkit.core.facilitation.models import Ballot, Phase
from copkit.core.i18n import N_, _, ngettext
from copkit.core.parsing import parse_duration
from copkit.core.roles import Role
from copkit.core.routes import StaleAction, parse_int
from copkit.core.specs import Arg
from copkit.core.views import Private, ToRoom, View, notice

from . import retro_board as board
from .retro_format import (
    END,
    MORE,
    NEXT,
    PAUSE,
    PHASE_JOB,
    PROMPT_ALIASES,
    PROMPT_WORDS,
    RESUME,
    board_key,
    owner,
    ref,
    rt,
)
from .retro_minutes import minutes_view
from .retro_models import DONE, RUNNING, Retro, RetroAction

REVIEW_MAX = 30
"""The most open actions a retro reviews (the oldest first)."""


def running_key(community_id: int, room_id: str) -> str:
    return f"{community_id}:{room_id}"[:320]


def activity(scope: Scope, r: Retro) -> Activity:
    return Activity(scope.community, rt.name, r.id, _("Retrospective"), r.room_id)


async def running(scope: Scope) -> Retro | None:
    """The retro running in the request's room, else the only one running in the community."""
    r = await Retro.get_or_none(running_key=running_key(scope.community.id, scope.room_id))
    if r is not None:
        return r
    rows = await Retro.filter(community_id=scope.community.id, status=RUNNING).limit(2)
    return rows[0] if len(rows) == 1 else None


async def of(ctx: Context, args: dict[str, Any]) -> Retro:
    """The retro a button names (its id), or the one running here."""
    if "retro" in args:
        r = await Retro.get_or_none(id=args["retro"], community_id=ctx.community.id)
        if r is None:
            raise StaleAction()
        if r.status != RUNNING:
            raise UserError(_("This retro is over."))
    else:
        found = await running(ctx)
        if found is None:
            raise UserError(_("No retro is running here. The core team starts one: “retro start”."))
        r = found
    if "version" in args and args["version"] != r.version:
        raise StaleAction(_("The retro has moved on since; use the board as it is now."))
    return r


async def move(r: Retro, **changes: Any) -> Retro:
    """Apply ``changes`` unless someone moved the retro first (then a UserError)."""
    done = await Retro.filter(id=r.id, version=r.version, status=RUNNING).update(
        version=F("version") + 1, **changes
    )
    if not done:
        raise UserError(_("Someone moved the retro on at the same moment."))
    return await Retro.get(id=r.id)


async def phase_of(r: Retro, name: str | None = None) -> Phase | None:
    name = name or {"writing": "write", "voting": "vote"}.get(r.stage, "write")
    return await Phase.get_or_none(owner=owner(r.id), name=name)


async def ballot_of(r: Retro) -> Ballot | None:
    return await Ballot.get_or_none(owner=owner(r.id), name="dots")


async def gather(r: Retro, now: Any) -> board.BoardState:
    st = board.BoardState(r, now)
    st.verdicts = await actions.verdicts(r.community_id, owner(r.id))
    write = await phase_of(r, "write")
    if r.stage in ("writing", "voting"):
        st.phase = await phase_of(r)
    if write is not None:
        st.progress = await notes.progress(write.id)
        if write.revealed:
            st.notes = await notes.revealed(write)
    ballot = await ballot_of(r)
    st.dots = await board.dots_of(ballot.id if ballot else None)
    st.voting_open = ballot is not None and ballot.status == "open"
    st.actions = await RetroAction.filter(retro_id=r.id).order_by("id")
    return st


async def refresh(scope: Scope, retro_id: int, *, wait: bool = True) -> None:
    """Show the board as it is stored now."""
    r = await Retro.get(id=retro_id)

    async def render() -> View:
        return board.render(await gather(await Retro.get(id=retro_id), scope.now()))

    await scope.live(board_key(r.id), render, target=ToRoom(r.room_id), wait=wait)


async def say(scope: Scope, r: Retro, text: str, tone: Any = "info") -> None:
    await scope.show(notice(text, tone), target=ToRoom(r.room_id))


async def participate(ctx: Context, r: Retro) -> None:
    await people.join(ctx.community.id, owner(r.id), ctx.person.id, ctx.person.name, ctx.now())


# Start --------------------------------------------------------------------------------------


def _minutes(raw: object, default: int, what: str) -> int:
    if raw in (None, ""):
        return default
    n = parse_int(raw)
    if n is None or not 1 <= n <= 120:
        raise UserError(_("{what} is 1 to 120 minutes.").format(what=what))
    return n * 60


@rt.command(
    "start",
    help=N_("Start a retrospective here (it opens with the open actions to review)."),
    args=(
        Arg("prompts", N_("ssc (start/stop/continue), 4ls or msg (mad/sad/glad)")),
        Arg("minutes", N_("minutes of writing (default 10)")),
        Arg("vote", N_("minutes of dot voting (default 5)")),
        Arg("dots", N_("dots each (default 3)")),
    ),
    role=Role.CORE,
    words=N_("start a retro"),
)
async def start_cmd(ctx: Context, args: dict[str, Any]) -> None:
    raw = str(args.get("prompts") or "ssc").strip().casefold()
    prompts = PROMPT_ALIASES.get(raw)
    if prompts is None:
        raise UserError(_("The prompts are ssc, 4ls or msg."))
    write_s = _minutes(args.get("minutes"), 600, _("Writing"))
    vote_s = _minutes(args.get("vote"), 300, _("Voting"))
    budget = parse_int(args.get("dots")) if args.get("dots") not in (None, "") else 3
    if budget is None or not 1 <= budget <= dots.MAX_DOTS:
        raise UserError(_("Each person has 1 to {n} dots.").format(n=dots.MAX_DOTS))
    open_now = (await actions.open_actions(ctx))[:REVIEW_MAX]
    review = [
        {
            "key": a.key,
            "source": a.source,
            "text": a.text,
            "owner": a.owner_name,
            "due": a.due.isoformat() if a.due else "",
        }
        for a in open_now
    ]
    row = dict(
        community_id=ctx.community.id,
        room_id=ctx.room_id,
        running_key=running_key(ctx.community.id, ctx.room_id),
        prompts=prompts,
        dots=budget,
        write_seconds=write_s,
        vote_seconds=vote_s,
        review=review,
        facilitator=ctx.person.id,
        facilitator_name=(ctx.person.name or ctx.person.id)[:200],
        started_at=ctx.now(),
    )
    r = await store.insert_if_absent(Retro, **row)
    if r is None:
        raise UserError(_("A retro is already running here. End it first: “retro end”."))
    await ctx.activity_started(activity(ctx, r))
    await say(
        ctx,
        r,
        _("🔁 Retrospective ({prompts}). First, the open actions of earlier events.").format(
            prompts=_(PROMPT_WORDS[prompts])
        ),
    )
    await refresh(ctx, r.id)


# Moving on ----------------------------------------------------------------------------------


async def begin_phase(scope: Scope, r: Retro, name: str, seconds: int) -> Phase:
    phase = await phases.create(scope, owner(r.id), name, seconds, job=PHASE_JOB)
    if phase.status == "pending":
        phase = await phases.start(scope, phase.id)
    return phase


async def go_on(ctx: Context, r: Retro) -> None:
    """The next stage: writing → reveal → dot vote → actions."""
    if r.stage == "review":
        r = await move(r, stage="writing")
        phase = await begin_phase(ctx, r, "write", r.write_seconds)
        await say(
            ctx,
            r,
            _(
                "✍ Writing — {time}: alone, one idea per note (“retro note stop Long meetings”)."
            ).format(time=phases.minutes_text(phase.seconds)),
        )
    elif r.stage == "writing":
        written = await phase_of(r, "write")
        if written is None:
            raise UserError(_("Writing hasn't started yet."))
        phase = written
        async with store.transaction():
            await notes.reveal(phase.id)  # exactly once, whoever presses at the same moment
            r = await move(r, stage="revealed")
        await phases.close(ctx, phase.id)
        n = len(await notes.revealed(await phases.get(phase.id)))
        await ctx.log("retro.revealed", ref=ref("retro", r.id), text=str(n), member=ctx.person.id)
        await say(
            ctx, r, ngettext("👀 Revealed: {n} note.", "👀 Revealed: {n} notes.", n).format(n=n)
        )
    elif r.stage == "revealed":
        written = await phase_of(r, "write")
        if written is None:
            raise UserError(_("There are no notes to vote on."))
        open_notes = await notes.revealed(written)
        if not open_notes:
            raise UserError(_("There are no notes to vote on."))
        async with store.transaction():
            r = await move(r, stage="voting")
            ballot = await dots.open_ballot(ctx.community.id, owner(r.id), "dots", budget=r.dots)
            for note in open_notes:
                await dots.add_option(ballot.id, str(note.number), note.text, note.author)
        await begin_phase(ctx, r, "vote", r.vote_seconds)
        await say(
            ctx,
            r,
            ngettext(
                "🗳 Dot vote: {n} dot each (“retro dot 3”).",
                "🗳 Dot vote: {n} dots each (“retro dot 3”).",
                r.dots,
            ).format(n=r.dots),
        )
    elif r.stage == "voting":
        vote_ballot = await ballot_of(r)
        vote_phase = await phase_of(r, "vote")
        r = await move(r, stage="actions")
        if vote_ballot is not None:
            await dots.close(vote_ballot.id)
        if vote_phase is not None:
            await phases.close(ctx, vote_phase.id)
        await say(ctx, r, _("📌 The vote is closed. Now the actions: what, who, by when?"))
    else:
        raise UserError(_("Nothing comes after the actions: end the retro (“retro end”)."))
    await ctx.log("retro.stage", ref=ref("retro", r.id), text=r.stage, member=ctx.person.id)
    await refresh(ctx, r.id)


@rt.command(
    "next",
    help=N_("Move the retro on: writing, reveal, dot vote, actions."),
    role=Role.CORE,
    words=N_("move the retro on"),
    button=NEXT,
)
async def next_cmd(ctx: Context, args: dict[str, Any]) -> None:
    await go_on(ctx, await of(ctx, args))


@rt.command("reveal", help=N_("Reveal everyone's notes."), role=Role.CORE, words=N_("reveal"))
async def reveal_cmd(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    if r.stage != "writing":
        raise UserError(_("There is nothing to reveal now."))
    await go_on(ctx, r)


@rt.command(
    "end",
    help=N_("End the retro and post its minutes."),
    role=Role.CORE,
    words=N_("end"),
    button=END,
)
async def end_cmd(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    for name in ("write", "vote"):
        phase = await phase_of(r, name)
        if phase is not None:
            await phases.close(ctx, phase.id)
    ballot = await ballot_of(r)
    if ballot is not None:
        await dots.close(ballot.id)
    r = await move(r, status=DONE, ended_at=ctx.now(), running_key=None)
    await ctx.log("retro.done", ref=ref("retro", r.id), member=ctx.person.id)
    await refresh(ctx, r.id)
    await ctx.activity_ended(activity(ctx, r))
    await ctx.show(await minutes_view(ctx, r), target=ToRoom(r.room_id))


# The timer ----------------------------------------------------------------------------------


async def timed(r: Retro) -> Phase:
    phase = await phase_of(r) if r.stage in ("writing", "voting") else None
    if phase is None:
        raise UserError(_("No timer is running in this stage."))
    return phase


@rt.command(
    "time",
    help=N_("More time for this stage: retro time +2m."),
    args=(Arg("more", N_("how much more, e.g. +2m (default 1 minute)"), positional=True),),
    role=Role.CORE,
    words=N_("change the timer"),
    button=MORE,
)
async def time_cmd(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    raw = str(args.get("more") or "1m").strip().removeprefix("+")
    seconds = int(parse_duration(raw).total_seconds())
    await phases.add_time(ctx, (await timed(r)).id, seconds)
    await say(ctx, r, _("⏱ {more} more.").format(more=phases.minutes_text(seconds)))
    await refresh(ctx, r.id)


@rt.command("pause", help=N_("Pause the timer."), role=Role.CORE, words=N_("pause"), button=PAUSE)
async def pause_cmd(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    phase = await phases.pause(ctx, (await timed(r)).id)
    left = phases.clock_text(phase.paused_left or 0)
    await say(ctx, r, _("⏸ Paused, {left} left.").format(left=left))
    await refresh(ctx, r.id)


@rt.command(
    "resume", help=N_("Resume the timer."), role=Role.CORE, words=N_("resume"), button=RESUME
)
async def resume_cmd(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    phase = await phases.resume(ctx, (await timed(r)).id)
    left = phases.clock_text(phases.seconds_left(phase, ctx.now()))
    await say(ctx, r, _("▶ Resumed: {left} left.").format(left=left))
    await refresh(ctx, r.id)


@rt.job("phase")
async def phase_timer(ctx: JobContext, payload: dict[str, Any]) -> None:
    fired = await phases.on_timer(ctx, payload)
    if fired is None:
        return
    retro_id = parse_int(fired.phase.owner.rsplit(":", 1)[1])  # (owner "retro:<id>")
    r = await Retro.get_or_none(id=retro_id, status=RUNNING)
    if r is None:
        return
    if fired.kind == "warn":
        await say(ctx, r, _("⏱ One minute left."), "warning")
        if fired.phase.name == "write":
            present = [p.member for p in await people.present(owner(r.id))]
            for member in await notes.to_nudge(fired.phase.id, present):
                await ctx.show(
                    notice(_("A minute left and no note from you yet: one idea is enough.")),
                    target=Private(member),
                )
    elif fired.phase.name == "write":
        await say(ctx, r, _("⏰ Time's up: writing is closed. Next, the reveal."), "warning")
    else:
        ballot = await ballot_of(r)
        if ballot is not None:
            await dots.close(ballot.id)
        await say(ctx, r, _("⏰ Time's up: the dot vote is closed."), "warning")
    await refresh(ctx, r.id)
