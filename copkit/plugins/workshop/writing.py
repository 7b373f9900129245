"""The writing steps: private notes (by command or the board's form, one idea per note),
"I'm done", one's own notes, the shared timer (+time, pause, resume), the reveal, merges and
the dot vote that aligns the group on what goes on the canvas."""

from __future__ import annotations

from typing import Any

from copkit.core import store
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.facilitation import dots, notes, phases
from copkit.core.i18n import N_, _, ngettext
from copkit.core.parsing import parse_duration, words
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import notice

from . import board, logic
from .flow import (
    ballot_of,
    check_version,
    move,
    my_notes_view,
    need_phase,
    of,
    participate,
    refresh,
    say,
)
from .format import ALIGN, DONE, FORCE, MINE, MORE, PAUSE, RESUME, REVEAL, WRITE, owner, ref, ws
from .models import Workshop

# Writing ----------------------------------------------------------------------------------


async def write(
    ctx: Context,
    w: Workshop,
    texts: list[tuple[str, str]],
    *,
    step: str | None = None,
    tag: str | None = None,
    strength: int | None = None,
) -> None:
    """Store the person's notes (all or none), privately; the board shows only counts."""
    await participate(ctx, w)
    if step is not None and step != w.step:
        raise UserError(_("That step is over: writing is closed."))
    st = logic.step(w.step)
    if st.kind not in ("writing", "force"):
        raise UserError(_("There is no writing in this step ({title}).").format(title=_(st.title)))
    phase = await need_phase(w)
    kept = [(box, t) for box, t in texts if t.strip()]
    if not kept:
        notes.check_text("")
    checked = [(box, notes.check_text(t)) for box, t in kept]
    if phase.revealed or phase.status not in ("running", "paused"):
        raise notes.closed_error(phase)
    written = []
    for box, text in checked:
        note = await notes.write(
            phase.id,
            ctx.person.id,
            ctx.person.name,
            text,
            now=ctx.now(),
            box=box,
            tag=tag,
            strength=strength,
        )
        written.append(note)
        await ctx.contribute("workshop.note", ref("note", note.id))
    numbers = ", ".join(f"#{n.number}" for n in written)
    text = ngettext(
        "Note {numbers} saved: only you see it until the reveal.",
        "Notes {numbers} saved: only you see them until the reveal.",
        len(written),
    ).format(numbers=numbers)
    await ctx.reply(notice(text, "success"), private=True)
    await refresh(ctx, w.id, wait=False)


_TEXT = Arg("text", N_("your idea (one per note)"), type="rest", positional=True)
_BOX = Arg("box", N_("which box (default: the step's first)"), choices=logic.BOXES)


@ws.command("note", help=N_("Write a private note (one idea)."), args=(_TEXT, _BOX))
async def note_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    st = logic.step(w.step)
    if st.kind == "force":
        raise UserError(
            _("In the force field, say which way: “workshop force support|slow <idea>”.")
        )
    box = args.get("box") or (st.boxes[0] if st.boxes else "")
    if st.boxes and box not in st.boxes:
        raise UserError(_("This step's boxes are: {boxes}.").format(boxes=", ".join(st.boxes)))
    await write(ctx, w, [(box, words(args.get("text")))])


@ws.button(WRITE, mirrors="note")
async def note_form(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    st = logic.step(args["step"]) if args["step"] in logic.BY_NAME else None
    if st is None:
        raise UserError(_("That step is over: writing is closed."))
    texts = [(box, str(args.get(box) or "")) for box in st.boxes]
    await write(ctx, w, texts, step=st.name)


_SIDE = Arg(
    "side",
    N_("support or slow"),
    positional=True,
    required=True,
    choices=(logic.SUPPORT, logic.SLOW),
)
_STRENGTH = Arg("strength", N_("how strong, 1 to 5"), type="int")


@ws.command(
    "force", help=N_("A force that supports or slows our vision."), args=(_SIDE, _TEXT, _STRENGTH)
)
async def force_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    if logic.step(w.step).kind != "force":
        raise UserError(_("The force field isn't the current step."))
    strength = logic.parse_strength(args.get("strength"))
    await write(ctx, w, [("", words(args.get("text")))], tag=args["side"], strength=strength)


@ws.button(FORCE, mirrors="force")
async def force_form(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    if logic.step(w.step).kind != "force":
        raise UserError(_("That step is over: writing is closed."))
    strength = logic.parse_strength(args.get("strength"))
    sides = [(side, str(args.get(side) or "")) for side in (logic.SUPPORT, logic.SLOW)]
    kept = [(side, text) for side, text in sides if text.strip()]
    if not kept:
        notes.check_text("")
    for _side, text in kept:
        notes.check_text(text)
    for side, text in kept:
        await write(ctx, w, [("", text)], step="forcefield", tag=side, strength=strength)


@ws.command("done", help=N_("Say you have finished writing (counted, not named)."), button=DONE)
async def done_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    await participate(ctx, w)
    if "step" in args and args["step"] != w.step:
        raise UserError(_("That step is over: writing is closed."))
    phase = await need_phase(w)
    first = await notes.mark_done(phase.id, ctx.person.id)
    text = _("Thanks, you're done.") if first else _("You said you're done already.")
    await ctx.reply(notice(text, "success"), private=True)
    await refresh(ctx, w.id, wait=False)


@ws.command("notes", help=N_("Your own notes of this step (only you see them)."), button=MINE)
async def notes_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    await ctx.reply(await my_notes_view(w, await need_phase(w), ctx.person.id), private=True)


# The timer --------------------------------------------------------------------------------

_MORE = Arg("more", N_("how much more time, e.g. +2m (default 1 minute)"), positional=True)


@ws.command(
    "time",
    help=N_("More time for this step: workshop time +2m."),
    args=(_MORE,),
    role=Role.CORE,
    words=N_("change the timer"),
    button=MORE,
)
async def time_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    check_version(w, args)
    raw = str(args.get("more") or "1m").strip().removeprefix("+")
    seconds = int(parse_duration(raw).total_seconds())
    phase = await phases.add_time(ctx, (await need_phase(w)).id, seconds)
    at = phase.ends_at.astimezone(ctx.zone).strftime("%H:%M") if phase.ends_at else ""
    await say(
        ctx,
        w,
        _("⏱ {more} more: until {at}.").format(more=phases.minutes_text(seconds), at=at)
        if at
        else _("⏱ {more} more.").format(more=phases.minutes_text(seconds)),
    )
    await refresh(ctx, w.id)


@ws.command(
    "pause", help=N_("Pause the timer."), role=Role.CORE, words=N_("pause the timer"), button=PAUSE
)
async def pause_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    check_version(w, args)
    phase = await phases.pause(ctx, (await need_phase(w)).id)
    await say(
        ctx, w, _("⏸ Paused, {left} left.").format(left=phases.clock_text(phase.paused_left or 0))
    )
    await refresh(ctx, w.id)


@ws.command(
    "resume",
    help=N_("Resume the timer."),
    role=Role.CORE,
    words=N_("resume the timer"),
    button=RESUME,
)
async def resume_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    check_version(w, args)
    phase = await phases.resume(ctx, (await need_phase(w)).id)
    left = phases.seconds_left(phase, ctx.now())
    await say(ctx, w, _("▶ Resumed: {left} left.").format(left=phases.clock_text(left)))
    await refresh(ctx, w.id)


# Reveal, merge, align ---------------------------------------------------------------------


async def reveal(ctx: Context, w: Workshop) -> None:
    if logic.step(w.step).kind not in ("writing", "force"):
        raise UserError(_("There is nothing to reveal in this step."))
    phase = await need_phase(w)
    if w.stage != "writing" or phase.revealed:
        raise UserError(_("The notes are already revealed."))
    async with store.transaction():
        await notes.reveal(phase.id)  # exactly once, whoever presses at the same moment
        w = await move(w, stage="revealed")
    await phases.close(ctx, phase.id)
    n = len(await notes.revealed(await phases.get(phase.id)))
    await ctx.log("workshop.revealed", ref=ref("workshop", w.id), text=str(n), member=ctx.person.id)
    await say(ctx, w, ngettext("👀 Revealed: {n} note.", "👀 Revealed: {n} notes.", n).format(n=n))
    await refresh(ctx, w.id)


@ws.command(
    "reveal",
    help=N_("Reveal everyone's notes of this step."),
    role=Role.CORE,
    words=N_("reveal the notes"),
    button=REVEAL,
)
async def reveal_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    check_version(w, args)
    await reveal(ctx, w)


_FROM = Arg("note", N_("the note to merge (number)"), positional=True, required=True)
_INTO = Arg("into", N_("the note it joins (number)"), positional=True, required=True)


@ws.command(
    "merge",
    help=N_("Merge a duplicate note into another (authors and dots combined)."),
    args=(_FROM, _INTO),
    role=Role.CORE,
    words=N_("merge notes"),
)
async def merge_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    phase = await need_phase(w)
    ballot = await ballot_of(w) if w.stage == "voting" else None
    merged = await notes.merge(
        phase, args["note"], args["into"], ballot_id=ballot.id if ballot else None
    )
    await ctx.log(
        "workshop.merged",
        ref=ref("workshop", w.id),
        text=f"{args['note']}>{merged.number}",
        member=ctx.person.id,
    )
    await say(
        ctx,
        w,
        _("#{a} merged into #{b}: authors and dots combined.").format(
            a=str(args["note"]).removeprefix("#"), b=merged.number
        ),
    )
    await refresh(ctx, w.id)


async def align(ctx: Context, w: Workshop) -> None:
    st = logic.step(w.step)
    if st.kind != "writing":
        raise UserError(_("This step has no dot vote."))
    if w.stage == "voting":
        raise UserError(_("The dot vote is already open."))
    if w.stage != "revealed":
        raise UserError(_("Reveal the notes first."))
    phase = await need_phase(w)
    open_notes = await notes.revealed(phase)
    if not open_notes:
        raise UserError(_("There are no notes to vote on."))
    async with store.transaction():
        w = await move(w, stage="voting")
        ballot = await dots.open_ballot(
            ctx.community.id, owner(w.id), board.ballot_name(w.step), budget=w.dots
        )
        for n in open_notes:
            await dots.add_option(ballot.id, str(n.number), n.text, n.author)
    await ctx.log("workshop.vote", ref=ref("workshop", w.id), member=ctx.person.id)
    await say(
        ctx,
        w,
        ngettext(
            "🗳 Dot vote: {n} dot each, on the notes that go on the canvas.",
            "🗳 Dot vote: {n} dots each, on the notes that go on the canvas.",
            w.dots,
        ).format(n=w.dots),
    )
    await refresh(ctx, w.id)


@ws.command(
    "align",
    help=N_("Open the dot vote on the revealed notes."),
    role=Role.CORE,
    words=N_("open the dot vote"),
    button=ALIGN,
)
async def align_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    check_version(w, args)
    await align(ctx, w)


async def dot(ctx: Context, w: Workshop, key: str, *, back: bool = False) -> None:
    """A dot on (or back from) note ``key`` of the open dot vote."""
    ballot = await ballot_of(w)
    if ballot is None or w.stage != "voting":
        raise UserError(_("The dot vote isn't open."))
    opt = await dots.option(ballot.id, key)
    if opt is None:
        raise UserError(_("There is no note #{n} to vote on.").format(n=key[:20]))
    if back:
        if not await dots.take_back(opt.id, ctx.person.id):
            raise UserError(_("You have no dot on #{n}.").format(n=key))
        await ctx.reply(
            notice(_("Dot taken back from #{n}.").format(n=key), "success"), private=True
        )
    else:
        async with store.one_commit():
            placed = await dots.place(opt.id, ctx.person.id)
            await ctx.contribute("workshop.dot", ref("workshop", w.id))
        text = _("● Dot on #{n}.").format(n=key) + " " + dots.left_text(placed.left)
        await ctx.reply(notice(text, "success"), private=True)
    await refresh(ctx, w.id, wait=False)
