"""Participation in aggregate (``participation``) and a member's own history (``me``).

The levels and the balance are counts and shares of the community — never a list of members,
least of all by how little they give. ``me private`` leaves a member out of every statistic; they
still take part in everything.
"""

from __future__ import annotations

from typing import Any

from copkit.core import store
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.models import Community
from copkit.core.parsing import to_int
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import notice

from . import views
from .coach import save_settings
from .format import rf
from .models import OptOut
from .prepare import prepare
from .stats import lens_of, my_history, participation

WINDOW_MAX = 24


@rf.command(
    "participation", help=N_("Who takes part, in aggregate: levels and movement."), top=True
)
async def participation_show(ctx: Context, args: dict[str, Any]) -> None:
    await prepare(ctx)
    community = await Community.get(id=ctx.community.id)
    p = await participation(ctx.community.id, lens_of(community), ctx.now())
    await ctx.reply(views.participation(p))


@rf.command(
    "participation",
    "window",
    help=N_("Over how many months the levels are counted (default 3)."),
    args=(Arg("months", N_("1 to 24"), positional=True, required=True),),
    role=Role.CORE,
    words=N_("change how participation is counted"),
    top=True,
)
async def participation_window(ctx: Context, args: dict[str, Any]) -> None:
    n = to_int(args["months"], 1, WINDOW_MAX)
    if n is None:
        raise UserError(_("The window is 1 to {n} months.").format(n=WINDOW_MAX))
    await save_settings(ctx, {"window": n})
    await ctx.log("reflect.window", text=str(n), member=ctx.person.id)
    await ctx.reply(
        notice(_("Participation is now counted over {n} months.").format(n=n), "success")
    )


@rf.command("me", help=N_("Your own history in the community (only you see it)."), top=True)
async def me_show(ctx: Context, args: dict[str, Any]) -> None:
    await prepare(ctx)
    community = await Community.get(id=ctx.community.id)
    lens = lens_of(community)
    history = await my_history(ctx.community.id, ctx.person.id, lens, ctx.now())
    await ctx.reply(views.me(history, lens.window), private=True)


@rf.command(
    "me",
    "private",
    help=N_("Leave yourself out of the statistics (“off” to count again)."),
    args=(Arg("switch", N_("on or off"), positional=True, choices=("on", "off")),),
    top=True,
)
async def me_private(ctx: Context, args: dict[str, Any]) -> None:
    if (args.get("switch") or "on") == "off":
        await OptOut.filter(community_id=ctx.community.id, member=ctx.person.id).delete()
        text = _("You count in the statistics again.")
    else:
        await store.insert_if_absent(
            OptOut, community_id=ctx.community.id, member=ctx.person.id, at=ctx.now()
        )
        text = _("You are left out of the statistics from now on; you still take part as before.")
    await ctx.reply(notice(text, "success"), private=True)
