"""The name and the leader: names proposed and voted with two thumbs each (a tie goes to a
run-off), then the leader nominated among those taking part, voted, and — only when the
elected person accepts — made the community's leader. Leaving withdraws a candidacy."""

from __future__ import annotations

from typing import Any

from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.facilitation import elections, people
from copkit.core.facilitation.models import Election, Option
from copkit.core.i18n import N_, _
from copkit.core.parsing import words
from copkit.core.people import person_or_me
from copkit.core.rolechange import set_role
from copkit.core.roles import Role
from copkit.core.routes import parse_int
from copkit.core.specs import Arg
from copkit.core.views import Private, UserText, notice

from . import logic
from .flow import election_of, go_on, move, of, participate, refresh, say
from .format import ACCEPT, DECLINE, PROPOSE, owner, ref, ws
from .models import Workshop


async def need_election(w: Workshop, step: str) -> Election:
    e = await election_of(w) if w.step == step else None
    if e is None:
        title = _(logic.step(step).title)
        raise UserError(
            _("This is not the step for that (it comes at “{title}”).").format(title=title)
        )
    return e


async def numbered(e: Election) -> list[Option]:
    """The options of the current round, numbered from 1 in the order they came."""
    return await elections.candidates(e)


async def by_number(e: Election, raw: object) -> Option:
    n = parse_int(raw)
    opts = await numbered(e)
    if n is None or not 1 <= n <= len(opts):
        raise UserError(_("There is no number {n} on the ballot.").format(n=str(raw)[:20]))
    return opts[n - 1]


# Proposing and nominating -----------------------------------------------------------------


async def propose(ctx: Context, w: Workshop, raw: str) -> None:
    await participate(ctx, w)
    e = await need_election(w, "name")
    if w.stage != "proposing":
        raise UserError(_("Proposals are closed: the vote is open."))
    name = logic.check_name(raw)
    await elections.nominate(e, logic.fold(name), name, ctx.person.id)
    await ctx.contribute("workshop.name", ref("workshop", w.id), name)
    await ctx.reply(
        notice(_("Proposed: “{name}”.").format(name=UserText(name)), "success"), private=True
    )
    await refresh(ctx, w.id)


_NAME = Arg("name", N_("a name for the community"), type="rest", positional=True)


@ws.command("propose", help=N_("Propose a name for the community."), args=(_NAME,))
async def propose_cmd(ctx: Context, args: dict[str, Any]) -> None:
    await propose(ctx, await of(ctx, args), words(args.get("name")))


@ws.button(PROPOSE, mirrors="propose")
async def propose_form(ctx: Context, args: dict[str, Any]) -> None:
    await propose(ctx, await of(ctx, args), str(args.get("name") or ""))


_WHO = Arg("person", N_("who (a mention, or me)"), type="person", positional=True, required=True)


@ws.command("nominate", help=N_("Nominate someone taking part as leader."), args=(_WHO,))
async def nominate_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    await participate(ctx, w)
    e = await need_election(w, "leader")
    if w.stage != "nominating":
        raise UserError(_("Nominations are closed."))
    person = await person_or_me(ctx, args["person"])
    if not await people.is_present(owner(w.id), person.id):
        raise UserError(
            _("{name} isn't taking part in the workshop.").format(
                name=UserText(person.name or person.id)
            )
        )
    await elections.nominate(e, person.id, person.name or person.id, ctx.person.id)
    await ctx.log(
        "workshop.nominated", ref=ref("workshop", w.id), text=person.id, member=ctx.person.id
    )
    await say(ctx, w, _("🙋 {name} is nominated.").format(name=UserText(person.name or person.id)))
    await refresh(ctx, w.id)


# The vote ---------------------------------------------------------------------------------


async def open_vote(ctx: Context, w: Workshop) -> None:
    e = await need_election(w, w.step)
    await elections.start_vote(e)
    w = await move(w, stage="voting")
    text = (
        _("🗳 Vote for a name: two thumbs each, never both on one name.")
        if w.step == "name"
        else _("🗳 Vote for the leader: one vote each.")
    )
    await say(ctx, w, text)
    await refresh(ctx, w.id)


async def vote(
    ctx: Context, w: Workshop, raw: object, *, option_id: int | None = None, back: bool = False
) -> None:
    await participate(ctx, w)
    e = await need_election(w, w.step)
    if w.stage != "voting":
        raise UserError(
            _("The vote hasn't opened yet.")
            if w.stage in ("proposing", "nominating")
            else _("The vote is closed.")
        )
    if option_id is not None:
        opt = next((o for o in await numbered(e) if o.id == option_id), None)
        if opt is None:
            raise UserError(_("That one is no longer on the ballot."))
    else:
        opt = await by_number(e, raw)
    if back:
        if not await elections.unvote(e, opt.key, ctx.person.id):
            raise UserError(_("You have no vote there."))
        await ctx.reply(notice(_("Vote taken back."), "success"), private=True)
    else:
        placed = await elections.vote(e, opt.key, ctx.person.id)
        await ctx.contribute("workshop.vote", ref("workshop", w.id))
        left = placed.left
        text = _("👍 for “{label}”.").format(label=UserText(opt.label))
        if left:
            text += " " + _("{n} left.").format(n=left)
        await ctx.reply(notice(text, "success"), private=True)
    await refresh(ctx, w.id, wait=False)


async def close_vote(ctx: Context, w: Workshop) -> None:
    e = await need_election(w, w.step)
    result = await elections.close(e)
    if result.winner is None:
        tied = ", ".join(f"“{UserText(o.label)}”" for o in result.tied)
        w = await move(w)  # (a new round: older boards are out of date)
        await say(ctx, w, _("Tie between {names}: a run-off, one vote each.").format(names=tied))
        await refresh(ctx, w.id)
        return
    label = result.winner.label
    if w.step == "name":
        w = await move(w, name=label[:100])
        await ctx.log("workshop.named", ref=ref("workshop", w.id), text=label)
        await say(ctx, w, _("🏷 Our name: “{name}”.").format(name=UserText(label)), "success")
        await go_on(ctx, w)
        return
    w = await move(w, stage="elected")
    await say(
        ctx,
        w,
        _("🎉 {name} is elected. {name}: “workshop accept” or “workshop decline”.").format(
            name=UserText(label)
        ),
        "success",
    )
    await ctx.show(
        notice(_("You are elected leader of the community. Do you accept? “workshop accept”.")),
        target=Private(result.winner.key),
    )
    await refresh(ctx, w.id)


# The answer -------------------------------------------------------------------------------


@ws.command("accept", help=N_("Accept being elected leader."), button=ACCEPT)
async def accept_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    e = await need_election(w, "leader")
    if w.stage != "elected":
        raise UserError(_("There is nothing to accept right now."))
    if e.winner_key == ctx.person.id and not await people.is_present(owner(w.id), ctx.person.id):
        raise UserError(_("You left the workshop: join it again first (“workshop join”)."))
    e = await elections.answer(e, ctx.person.id, accept=True)
    name = e.winner_label or ctx.person.name
    w = await move(w, leader_id=ctx.person.id, leader_name=name[:200])
    await set_role(ctx, ctx.person.id, ctx.person.name or name, Role.LEADER, by=w.facilitator)
    await say(
        ctx,
        w,
        _("🧭 {name} accepts: {name} is now the community's leader.").format(name=UserText(name)),
        "success",
    )
    await go_on(ctx, w)


async def declined(ctx: Context, w: Workshop, e: Election) -> None:
    await elections.reopen(e)
    w = await move(w, stage="nominating")
    await say(
        ctx,
        w,
        _("{name} declines. Nominations are open again.").format(name=UserText(e.winner_label)),
    )
    await refresh(ctx, w.id)


@ws.command("decline", help=N_("Decline being elected leader."), button=DECLINE)
async def decline_cmd(ctx: Context, args: dict[str, Any]) -> None:
    w = await of(ctx, args)
    e = await need_election(w, "leader")
    if w.stage != "elected":
        raise UserError(_("There is nothing to decline right now."))
    e = await elections.answer(e, ctx.person.id, accept=False)
    await declined(ctx, w, e)


async def withdraw_candidate(ctx: Context, w: Workshop) -> None:
    """Someone left: they can no longer be elected (an elected person who left declines)."""
    e = await election_of(w) if w.step == "leader" else None
    if e is None:
        return
    if w.stage == "elected" and e.winner_key == ctx.person.id:
        await declined(ctx, w, await elections.answer(e, ctx.person.id, accept=False))
    elif await elections.withdraw(e, ctx.person.id):
        await refresh(ctx, w.id)
