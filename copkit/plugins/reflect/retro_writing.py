"""The retro's writing and grouping: private notes under a prompt (by command or the board's
form), "I'm done", one's own notes, merges after the reveal, and the dot vote (the core's
dots: a budget each, one conditional INSERT per dot)."""

from __future__ import annotations

from typing import Any

from copkit.core import store
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.facilitation import dots, notes
from copkit.core.i18n import N_, _, ngettext
from copkit.core.parsing import to_int, words
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import UserText, View, notice

from .retro import ballot_of, of, participate, phase_of, refresh, say
from .retro_format import DONE, DOT, MINE, WRITE, prompt_keys, prompt_label, ref, rt
from .retro_models import Retro


async def write(ctx: Context, r: Retro, texts: list[tuple[str, str]]) -> None:
    """Store the person's notes (all or none), privately; the board shows only counts."""
    if r.stage != "writing":
        raise UserError(_("Writing is closed for this retro."))
    phase = await phase_of(r, "write")
    if phase is None:
        raise UserError(_("Writing hasn't started yet."))
    kept = [(box, t) for box, t in texts if t.strip()]
    if not kept:
        notes.check_text("")
    checked = [(box, notes.check_text(t)) for box, t in kept]
    if phase.revealed or phase.status not in ("running", "paused"):
        raise notes.closed_error(phase)
    await participate(ctx, r)
    written = []
    for box, text in checked:
        note = await notes.write(
            phase.id, ctx.person.id, ctx.person.name, text, now=ctx.now(), box=box
        )
        written.append(note)
        await ctx.contribute("retro.note", ref("note", note.id))
    numbers = ", ".join(f"#{n.number}" for n in written)
    text = ngettext(
        "Note {numbers} saved: only you see it until the reveal.",
        "Notes {numbers} saved: only you see them until the reveal.",
        len(written),
    ).format(numbers=numbers)
    await ctx.reply(notice(text, "success"), private=True)
    await refresh(ctx, r.id, wait=False)


@rt.command(
    "note",
    help=N_("Write a private note under a prompt: retro note stop Long meetings."),
    args=(
        Arg("prompt", N_("the prompt (start, stop, continue…)"), positional=True, required=True),
        Arg("text", N_("your idea (one per note)"), type="rest", positional=True),
    ),
)
async def note_cmd(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    prompt = str(args.get("prompt") or "").strip().casefold()
    keys = prompt_keys(r.prompts)
    if prompt not in keys:
        labels = ", ".join(keys)
        raise UserError(_("This retro's prompts are: {prompts}.").format(prompts=labels))
    await write(ctx, r, [(prompt, words(args.get("text")))])


@rt.button(WRITE, mirrors="note")
async def note_form(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    await write(ctx, r, [(key, str(args.get(key) or "")) for key in prompt_keys(r.prompts)])


@rt.command("done", help=N_("Say you have finished writing (counted, not named)."), button=DONE)
async def done_cmd(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    phase = await phase_of(r, "write")
    if r.stage != "writing" or phase is None:
        raise UserError(_("Writing is closed for this retro."))
    await participate(ctx, r)
    first = await notes.mark_done(phase.id, ctx.person.id)
    text = _("Thanks, you're done.") if first else _("You said you're done already.")
    await ctx.reply(notice(text, "success"), private=True)
    await refresh(ctx, r.id, wait=False)


@rt.command("notes", help=N_("Your own notes (only you see them until the reveal)."), button=MINE)
async def notes_cmd(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    phase = await phase_of(r, "write")
    mine = await notes.mine(phase.id, ctx.person.id) if phase else []
    if not mine:
        await ctx.reply(notice(_("You have no note in this retro yet.")), private=True)
        return
    lines = [
        f"- #{n.number} [{_(prompt_label(r.prompts, n.box))}] {UserText(n.text)}" for n in mine
    ]
    view = View(title=_("Your notes (only you see them until the reveal)"), text="\n".join(lines))
    await ctx.reply(view, private=True)


@rt.command(
    "merge",
    help=N_("Group a duplicate note into another (authors and dots combined)."),
    args=(
        Arg("note", N_("the note to merge (number)"), positional=True, required=True),
        Arg("into", N_("the note it joins (number)"), positional=True, required=True),
    ),
    role=Role.CORE,
    words=N_("merge notes"),
)
async def merge_cmd(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    phase = await phase_of(r, "write")
    if phase is None or r.stage not in ("revealed", "voting"):
        raise UserError(_("Notes can be merged once they are revealed."))
    ballot = await ballot_of(r) if r.stage == "voting" else None
    merged = await notes.merge(
        phase, args["note"], args["into"], ballot_id=ballot.id if ballot else None
    )
    a = str(args["note"]).removeprefix("#")
    await ctx.log(
        "retro.merged", ref=ref("retro", r.id), text=f"{a}>{merged.number}", member=ctx.person.id
    )
    await say(ctx, r, _("#{a} grouped into #{b}.").format(a=a, b=merged.number))
    await refresh(ctx, r.id)


async def dot(ctx: Context, r: Retro, raw: object, *, back: bool = False) -> None:
    """A dot on (or back from) note ``raw`` of the open dot vote."""
    ballot = await ballot_of(r)
    if ballot is None or r.stage != "voting":
        raise UserError(_("The dot vote isn't open."))
    key = str(raw).strip().removeprefix("#")[:20]
    opt = await dots.option(ballot.id, key) if to_int(key, 1) is not None else None
    if opt is None:
        raise UserError(_("There is no note #{n} to vote on.").format(n=key))
    await participate(ctx, r)
    if back:
        if not await dots.take_back(opt.id, ctx.person.id):
            raise UserError(_("You have no dot on #{n}.").format(n=key))
        await ctx.reply(
            notice(_("Dot taken back from #{n}.").format(n=key), "success"), private=True
        )
    else:
        async with store.one_commit():
            placed = await dots.place(opt.id, ctx.person.id)
            await ctx.contribute("retro.dot", ref("retro", r.id))
        text = _("● Dot on #{n}.").format(n=key) + " " + dots.left_text(placed.left)
        await ctx.reply(notice(text, "success"), private=True)
    await refresh(ctx, r.id, wait=False)


_NOTE = Arg("note", N_("the note's number"), positional=True, required=True)


@rt.command("dot", help=N_("Put one of your dots on a note."), args=(_NOTE,), button=DOT)
async def dot_cmd(ctx: Context, args: dict[str, Any]) -> None:
    await dot(ctx, await of(ctx, args), args["note"])


@rt.command("undot", help=N_("Take one of your dots back from a note."), args=(_NOTE,))
async def undot_cmd(ctx: Context, args: dict[str, Any]) -> None:
    await dot(ctx, await of(ctx, args), args["note"], back=True)
