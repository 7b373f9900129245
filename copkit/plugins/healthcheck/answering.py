"""A member answering a round, on private cards only they see: one card per dimension (a colour,
a trend, a comment), then "What did we forget?", then the thanks.

Every card's buttons, choices and forms mirror ``healthcheck take`` (so ``roles require …
healthcheck take`` applies to all of them) and carry the round and what they act on: the card's
position, the dimension. Pressed twice, or from an older card, they show or record the same
thing again; from a round that has closed they are refused and say so.
"""

from __future__ import annotations

from typing import Any

from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.roles import Role
from copkit.core.routes import StaleAction
from copkit.core.views import Private, View

from . import ballots, logic, views
from .logic import Closed
from .models import OPEN, Round, RoundDimension
from .rounds import answered
from .routes import CARD, COLOUR, COMMENT, DONE, FORGET, MINE, TAKE, TREND, hc


async def open_round_of(ctx: Context, args: dict[str, Any]) -> Round:
    """The round a card names (``round``), refused once it closed; else the open round."""
    if "round" not in args:
        r = await logic.open_round(ctx.community.id)
        if r is None:
            raise UserError(_("No health check is open."))
        return r
    r = await Round.get_or_none(id=args["round"], community_id=ctx.community.id)
    if r is None:
        raise StaleAction()
    if r.status != OPEN:
        raise Closed()
    return r


def _item(its: list[RoundDimension], args: dict[str, Any]) -> RoundDimension:
    it = next((it for it in its if it.id == args["item"]), None)
    if it is None:
        raise StaleAction()
    return it


async def show_step(
    ctx: Context,
    r: Round,
    index: int,
    sheet: logic.Sheet | None = None,
    its: list[RoundDimension] | None = None,
) -> None:
    """Card ``index`` (1-based); one past the deck is "What did we forget?", then the thanks."""
    if its is None:
        its = await logic.items(r.id)
    if sheet is None:
        sheet = await logic.sheet(r.id, ctx.person.id)
    tz = ctx.zone
    view: View
    if 1 <= index <= len(its):
        view = views.card(r, its[index - 1], index, len(its), sheet, tz)
    elif index == len(its) + 1:
        view = views.forget_card(r, len(its), sheet, tz)
    else:
        rated = sum(1 for it in its if it.id in sheet.answers and sheet.answers[it.id].colour)
        view = views.thanks(r, rated, len(its), tz)
    if not view.footer:
        view.footer = views.private_footer(r, tz)
    await ctx.show(view, target=Private(ctx.person.id))


@hc.command(
    "take",
    help=N_("Answer the open health check (only you see your cards)."),
    role=Role.MEMBER,
    words=N_("take the health check"),
    button=TAKE,
)
async def take(ctx: Context, args: dict[str, Any]) -> None:
    r = await open_round_of(ctx, args)
    its = await logic.items(r.id)
    sheet = await logic.sheet(r.id, ctx.person.id)
    first = next((i for i, it in enumerate(its, 1) if not sheet.done(it.id)), len(its) + 1)
    await show_step(ctx, r, first, sheet, its)


@hc.button(CARD, mirrors="take")
async def step(ctx: Context, args: dict[str, Any]) -> None:
    r = await open_round_of(ctx, args)
    await show_step(ctx, r, max(1, args["index"]))


def _picked(args: dict[str, Any]) -> str:
    selected = args.get("selected") or []
    if isinstance(selected, str):
        selected = [selected]
    if len(selected) != 1:
        raise UserError(_("Pick one."))
    return str(selected[0])


async def _pick(ctx: Context, args: dict[str, Any], what: str) -> None:
    r = await open_round_of(ctx, args)
    its = await logic.items(r.id)
    it = _item(its, args)
    value = _picked(args)
    saved = await ballots.save(r, ctx.person.id, it.id, **{what: value})
    await answered(ctx, r, saved.count)
    sheet = saved.sheet
    await show_step(ctx, r, it.position + 1 if sheet.done(it.id) else it.position, sheet, its)


@hc.button(COLOUR, mirrors="take")
async def pick_colour(ctx: Context, args: dict[str, Any]) -> None:
    await _pick(ctx, args, "colour")


@hc.button(TREND, mirrors="take")
async def pick_trend(ctx: Context, args: dict[str, Any]) -> None:
    await _pick(ctx, args, "trend")


@hc.button(COMMENT, mirrors="take")
async def comment(ctx: Context, args: dict[str, Any]) -> None:
    r = await open_round_of(ctx, args)
    its = await logic.items(r.id)
    it = _item(its, args)
    comment = str(args.get("comment") or "")
    saved = await ballots.save(r, ctx.person.id, it.id, comment=comment)
    await answered(ctx, r, saved.count)
    await show_step(ctx, r, it.position, saved.sheet, its)


@hc.button(FORGET, mirrors="take")
async def forget(ctx: Context, args: dict[str, Any]) -> None:
    r = await open_round_of(ctx, args)
    saved = await ballots.save(r, ctx.person.id, note=str(args.get("text") or ""))
    await answered(ctx, r, saved.count)
    its = await logic.items(r.id)
    await show_step(ctx, r, len(its) + 2, saved.sheet, its)


@hc.button(DONE, mirrors="take")
async def done(ctx: Context, args: dict[str, Any]) -> None:
    r = await open_round_of(ctx, args)
    total = await RoundDimension.filter(round_id=r.id).count()
    await show_step(ctx, r, total + 2)


@hc.button(MINE, mirrors="take")
async def my_answers(ctx: Context, args: dict[str, Any]) -> None:
    """The announcement as the member asking sees it: their own answers (Teams: in place, for
    them alone; elsewhere privately). Anonymous: nobody else's answers are ever read."""
    r = await open_round_of(ctx, args)
    its = await logic.items(r.id)
    sheet = await logic.sheet(r.id, ctx.person.id)
    shared = views.announcement(r, len(its), await logic.respondents(r.id), ctx.zone)
    await ctx.show_personal(shared, views.your_answers(its, sheet))
