"""``goals``: the scorecard (a view and a picture), and the core team's changes to the goals."""

from __future__ import annotations

from typing import Any

from copkit.core import goals
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.parsing import to_int
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import UserText, notice

from . import charts, views
from .format import rf
from .prepare import prepare
from .scorecard import Row, scorecard

_N = Arg("goal", N_("the goal's number on the scorecard"), positional=True, required=True)
_TARGET = Arg("target", N_("the number to reach, e.g. 2 or 60"))
_CADENCE = Arg("cadence", N_("measured per week, month, quarter or year"), choices=goals.CADENCES)
_SIGNAL = Arg("signal", N_("what copkit measures, e.g. events_held (see docs/reflect.md)"))
_CHANGE = N_("change the community's goals")


async def scorecard_rows(ctx: Context) -> list[Row]:
    await prepare(ctx)
    return await scorecard(ctx.services.hooks, ctx.community, ctx.now())


async def scorecard_png(rows: list[Row]) -> bytes | None:
    if not rows:
        return None
    return await charts.render(charts.scorecard_png, _("Scorecard"), views.png_rows(rows))


@rf.command("goals", help=N_("Show the scorecard: each goal, its target, this period."), top=True)
async def goals_show(ctx: Context, args: dict[str, Any]) -> None:
    rows = await scorecard_rows(ctx)
    await ctx.reply(views.scorecard(rows, await scorecard_png(rows)))


def _target(raw: Any) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        return float(str(raw).replace(",", "."))
    except ValueError:
        raise UserError(_("The target is a number, e.g. 2 or 60.")) from None


async def _nth(ctx: Context, raw: Any) -> goals.Goal:
    listed = await goals.goals_of(ctx.community.id)
    n = to_int(raw, 1, max(len(listed), 1))
    if n is None or n > len(listed):
        raise UserError(
            _("There is no goal {n}: the scorecard has {count}.").format(
                n=UserText(str(raw)[:20]), count=len(listed)
            )
        )
    return listed[n - 1]


@rf.command(
    "goals",
    "add",
    help=N_("Add a goal to the scorecard."),
    args=(
        Arg("text", N_("the goal, in a few words"), type="rest", positional=True, required=True),
        _TARGET,
        _CADENCE,
        _SIGNAL,
    ),
    role=Role.CORE,
    words=_CHANGE,
    top=True,
)
async def goals_add(ctx: Context, args: dict[str, Any]) -> None:
    g = await goals.add_goal(
        ctx.community.id,
        " ".join(args["text"]),
        target=_target(args.get("target")),
        cadence=args.get("cadence"),
        signal=args.get("signal"),
        now=ctx.now(),
    )
    await ctx.log("goals.added", ref=f"goal:{g.id}", text=g.text, member=ctx.person.id)
    n = len(await goals.goals_of(ctx.community.id))
    how = (
        _("copkit measures it ({signal}).").format(signal=g.signal)
        if g.signal
        else _("Enter its value with “goals value {n} <value>”.").format(n=n)
    )
    await ctx.reply(
        notice(
            _("Goal {n} added: {text}.").format(n=n, text=UserText(g.text)) + " " + how, "success"
        )
    )


@rf.command(
    "goals",
    "remove",
    help=N_("Remove a goal from the scorecard."),
    args=(_N,),
    role=Role.CORE,
    words=_CHANGE,
    top=True,
)
async def goals_remove(ctx: Context, args: dict[str, Any]) -> None:
    g = await _nth(ctx, args["goal"])
    await goals.remove_goal(g.id)
    await ctx.log("goals.removed", ref=f"goal:{g.id}", text=g.text, member=ctx.person.id)
    await ctx.reply(
        notice(_("Removed the goal “{text}”.").format(text=UserText(g.text)), "success")
    )


@rf.command(
    "goals",
    "set",
    help=N_("Change a goal's words, target, cadence or signal (“none” clears)."),
    args=(
        _N,
        Arg("text", N_("new words for the goal"), max_length=goals.TEXT_MAX),
        _TARGET,
        Arg("cadence", _CADENCE.help, choices=(*goals.CADENCES, "none")),
        _SIGNAL,
    ),
    role=Role.CORE,
    words=_CHANGE,
    top=True,
)
async def goals_set(ctx: Context, args: dict[str, Any]) -> None:
    g = await _nth(ctx, args["goal"])
    changes: dict[str, Any] = {}
    for name in ("text", "target", "cadence", "signal"):
        raw = args.get(name)
        if raw is None:
            continue
        clear = str(raw).strip().lower() == "none" and name != "text"
        changes[name] = None if clear else (_target(raw) if name == "target" else raw)
    if not changes:
        raise UserError(_("Say what to change: --text, --target, --cadence or --signal."))
    changed = await goals.update_goal(g.id, **changes)
    await ctx.log("goals.changed", ref=f"goal:{g.id}", text=changed.text, member=ctx.person.id)
    await ctx.reply(
        notice(_("Goal “{text}” updated.").format(text=UserText(changed.text)), "success")
    )


@rf.command(
    "goals",
    "value",
    help=N_("Enter a goal's value for this period (or --period 2026-01)."),
    args=(
        _N,
        Arg("value", N_("the value"), positional=True, required=True),
        Arg("period", N_("the period, e.g. 2026-01, 2026-W03, 2026-Q1")),
    ),
    role=Role.CORE,
    words=_CHANGE,
    top=True,
)
async def goals_value(ctx: Context, args: dict[str, Any]) -> None:
    g = await _nth(ctx, args["goal"])
    if g.signal:
        raise UserError(
            _(
                "copkit measures this goal itself ({signal}); clear it with --signal none first."
            ).format(signal=g.signal)
        )
    value = _target(args["value"])
    if value is None:
        raise UserError(_("The value is a number, e.g. 2 or 60."))
    period = args.get("period") or goals.period_of(g.cadence, ctx.now())
    stored = await goals.record_value(g.id, period, value, by=ctx.person.id, now=ctx.now())
    period = goals.check_period(g.cadence, period)
    await ctx.log(
        "goals.value", ref=f"goal:{g.id}", text=f"{period} {stored}", member=ctx.person.id
    )
    await ctx.reply(
        notice(
            _("“{text}”: {value} for {period}.").format(
                text=UserText(g.text), value=views.number(stored), period=period
            ),
            "success",
        )
    )
