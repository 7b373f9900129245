"""The deck's commands: show it, its history, and the leader's changes (logic in :mod:`.deck`)."""

from __future__ import annotations

from typing import Any

from copkit.core.context import Context
from copkit.core.i18n import N_, _
from copkit.core.models import Membership
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import UserText, View, notice

from . import deck, logic, seed_deck, views
from .deck import STATEMENT_MAX, TITLE_MAX
from .models import Dimension
from .routes import DECK_REF, dimension_ref, hc

_DIM = Arg("dimension", N_("a dimension: its key, title or number"), positional=True, required=True)
_AWESOME = N_("the awesome statement")
_CRAPPY = N_("the crappy statement")
_CHANGE = N_("change the health-check deck")


@hc.command("deck", help=N_("Show the deck of dimensions."))
async def deck_show(ctx: Context, args: dict[str, Any]) -> None:
    view = views.deck(
        await deck.active(ctx.community.id),
        await deck.retired(ctx.community.id),
        await logic.open_round(ctx.community.id),
    )
    await ctx.reply(view)


async def _deck_changed(ctx: Context, text: str, dim: Dimension | None = None) -> None:
    await ctx.log(
        "healthcheck.deck",
        ref=dimension_ref(dim.key) if dim else DECK_REF,
        member=ctx.person.id,
    )
    r = await logic.open_round(ctx.community.id)
    if r is not None:
        text += " " + _(
            "Health check #{n} keeps its deck; this applies from the next round."
        ).format(n=r.number)
    await ctx.reply(notice(text, "success"))


@hc.command(
    "deck",
    "add",
    help=N_("Add a dimension to the deck."),
    args=(
        Arg("title", N_("its title"), positional=True, required=True, max_length=TITLE_MAX),
        Arg("awesome", _AWESOME, required=True, max_length=STATEMENT_MAX),
        Arg("crappy", _CRAPPY, required=True, max_length=STATEMENT_MAX),
    ),
    role=Role.LEADER,
    words=_CHANGE,
)
async def deck_add(ctx: Context, args: dict[str, Any]) -> None:
    dim = await deck.add(
        ctx.community.id, ctx.person.id, args["title"], args["awesome"], args["crappy"], ctx.now()
    )
    await _deck_changed(
        ctx,
        _("Added “{title}” to the deck (key {key}).").format(
            title=UserText(dim.title), key=dim.key
        ),
        dim,
    )


@hc.command(
    "deck",
    "edit",
    help=N_("Change a dimension's title or statements."),
    args=(
        _DIM,
        Arg("title", N_("a new title"), max_length=TITLE_MAX),
        Arg("awesome", _AWESOME, max_length=STATEMENT_MAX),
        Arg("crappy", _CRAPPY, max_length=STATEMENT_MAX),
    ),
    role=Role.LEADER,
    words=_CHANGE,
)
async def deck_edit(ctx: Context, args: dict[str, Any]) -> None:
    dim = await deck.edit(
        ctx.community.id,
        ctx.person.id,
        args["dimension"],
        ctx.now(),
        title=args.get("title"),
        awesome=args.get("awesome"),
        crappy=args.get("crappy"),
    )
    await _deck_changed(ctx, _("Updated “{title}”.").format(title=UserText(dim.title)), dim)


@hc.command(
    "deck",
    "move",
    help=N_("Move a dimension to another position."),
    args=(
        _DIM,
        Arg("position", N_("the new position"), type="int", positional=True, required=True),
    ),
    role=Role.LEADER,
    words=_CHANGE,
)
async def deck_move(ctx: Context, args: dict[str, Any]) -> None:
    dim = await deck.move(
        ctx.community.id, ctx.person.id, args["dimension"], args["position"], ctx.now()
    )
    await _deck_changed(
        ctx,
        _("Moved “{title}” to position {pos}.").format(
            title=UserText(dim.title), pos=args["position"]
        ),
        dim,
    )


@hc.command(
    "deck",
    "retire",
    help=N_("Retire a dimension (its history is kept)."),
    args=(_DIM,),
    role=Role.LEADER,
    words=_CHANGE,
)
async def deck_retire(ctx: Context, args: dict[str, Any]) -> None:
    dim = await deck.retire(ctx.community.id, ctx.person.id, args["dimension"], ctx.now())
    await _deck_changed(
        ctx,
        _("Retired “{title}”; its results stay in the history.").format(title=UserText(dim.title)),
        dim,
    )


@hc.command(
    "deck",
    "restore",
    help=N_("Bring a retired dimension back."),
    args=(_DIM,),
    role=Role.LEADER,
    words=_CHANGE,
)
async def deck_restore(ctx: Context, args: dict[str, Any]) -> None:
    dim = await deck.restore(ctx.community.id, ctx.person.id, args["dimension"], ctx.now())
    await _deck_changed(
        ctx, _("“{title}” is back in the deck.").format(title=UserText(dim.title)), dim
    )


@hc.command(
    "deck", "reset", help=N_("Go back to the default deck."), role=Role.LEADER, words=_CHANGE
)
async def deck_reset(ctx: Context, args: dict[str, Any]) -> None:
    chosen = await seed_deck.current(ctx.community.id)
    await deck.reset(ctx.community.id, ctx.person.id, ctx.now(), seed_deck.DECKS[chosen])
    await _deck_changed(ctx, _("The deck is back to the default; history is kept."))


@hc.command(
    "deck",
    "use",
    help=N_("Switch to a built-in deck: copkit (our own) or seed (the seed's eleven)."),
    args=(Arg("deck", N_("copkit or seed"), positional=True, required=True),),
    role=Role.LEADER,
    words=_CHANGE,
)
async def deck_use(ctx: Context, args: dict[str, Any]) -> None:
    name = await seed_deck.use(ctx.community.id, ctx.person.id, args["deck"], ctx.now())
    await _deck_changed(
        ctx,
        _("The deck is now the {name} deck; earlier dimensions are retired, results kept.").format(
            name=name
        ),
    )


@hc.command("deck", "history", help=N_("Who changed the deck, and how."))
async def deck_history(ctx: Context, args: dict[str, Any]) -> None:
    changes = await deck.history(ctx.community.id)
    ids = {c.member for c in changes}
    names = dict(
        await Membership.filter(community_id=ctx.community.id, person_id__in=ids).values_list(
            "person_id", "name"
        )
    )
    lines = [
        views.deck_change_line(c, ctx.zone, names.get(c.member) or c.member)
        for c in reversed(changes)
    ]
    await ctx.reply(
        View(title=_("Deck history"), text="\n".join(lines) or _("The deck has not been changed."))
    )
