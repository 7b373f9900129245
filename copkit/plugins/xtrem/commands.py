"""The commands both Xtrem formats share, declared on each (``xtremreading next``,
``xtremwatch next``): stop, status, next and skip, the clock (+time, pause, resume), taking
part (join, leave), the groups (list, move someone) and the timer job."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from copkit.core.context import Context, JobContext
from copkit.core.errors import UserError
from copkit.core.facilitation import groups, people, phases
from copkit.core.formats import Format
from copkit.core.i18n import N_, _
from copkit.core.parsing import parse_duration, words
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import UserText, View, notice

from . import engine
from . import format as fm
from .models import STOPPED

Cmd = Callable[[Context, dict[str, Any], str], Awaitable[None]]


def _on(f: Format, fn: Cmd) -> Callable[[Context, dict[str, Any]], Awaitable[None]]:
    async def handler(ctx: Context, args: dict[str, Any]) -> None:
        await fn(ctx, args, f.name)

    handler.__name__ = f"{f.name}_{fn.__name__}"
    handler.__doc__ = fn.__doc__
    return handler


def both(*path: str, button: str | None = None, **kw: Any) -> Callable[[Cmd], Cmd]:
    """Declare the command ``<format> <path…>`` on both formats (with the format's own
    button of that name)."""

    def decorate(fn: Cmd) -> Cmd:
        for f in fm.FORMATS.values():
            routes = fm.ROUTES[f.name]
            f.command(*path, button=routes[button] if button else None, **kw)(_on(f, fn))
        return fn

    return decorate


@both("stop", help=N_("Stop the session here."), role=Role.CORE, words=N_("stop the session"))
async def stop(ctx: Context, args: dict[str, Any], fmt: str) -> None:
    s = await engine.need(ctx, fmt)
    phase = await engine.phase_of(s)
    s = await engine.move(s, status=STOPPED, running_key=None, ended_at=ctx.now())
    if phase is not None:
        await phases.close(ctx, phase.id, skipped=True)
    await ctx.close_places(f"{fmt}:{s.id}:")
    await ctx.log(f"{fmt}.stopped", ref=fm.ref(fmt, "session", s.id), member=ctx.person.id)
    await engine.say(ctx, s, _("The session was stopped."))
    await engine.refresh(ctx, s)


@both("status", help=N_("Show the session's board again."))
async def status(ctx: Context, args: dict[str, Any], fmt: str) -> None:
    s = await engine.need(ctx, fmt)
    await ctx.reply(await engine.board(ctx, s))


@both(
    "next",
    help=N_("Move the session on (the next turn or step)."),
    role=Role.CORE,
    words=N_("move the session on"),
    button="next",
)
async def next_(ctx: Context, args: dict[str, Any], fmt: str) -> None:
    s = await engine.of(ctx, fmt, args)
    await engine.on_next(ctx, s)


@both("skip", help=N_("Skip the current step."), role=Role.CORE, words=N_("skip a step"))
async def skip(ctx: Context, args: dict[str, Any], fmt: str) -> None:
    s = await engine.need(ctx, fmt)
    await engine.say(ctx, s, _("⏭ Skipped: {step}.").format(step=_(fm.step(fmt, s.step).title)))
    await engine.go_on(ctx, s, skipped=True)


async def _phase(ctx: Context, fmt: str, args: dict[str, Any]) -> tuple[Any, Any]:
    s = await engine.of(ctx, fmt, args)
    phase = await engine.phase_of(s)
    if phase is None:
        raise UserError(_("This step has no clock."))
    return s, phase


@both(
    "time",
    help=N_("Give the clock more time, e.g. +2m."),
    args=(Arg("amount", N_("how much more, e.g. +2m"), positional=True, required=True),),
    role=Role.CORE,
    words=N_("change the clock"),
    button="more",
)
async def more_time(ctx: Context, args: dict[str, Any], fmt: str) -> None:
    s, phase = await _phase(ctx, fmt, args)
    raw = str(args.get("amount") or "+1m").strip().lstrip("+")
    delta = parse_duration(raw)
    phase = await phases.add_time(ctx, phase.id, int(delta.total_seconds()))
    left = phases.seconds_left(phase, ctx.now())
    await engine.say(
        ctx,
        s,
        _("⏱ {more} more: {left} left.").format(
            more=phases.minutes_text(int(delta.total_seconds())), left=phases.clock_text(left)
        ),
    )
    await engine.refresh(ctx, s)


@both("pause", help=N_("Pause the clock."), role=Role.CORE, words=N_("change the clock"))
async def pause(ctx: Context, args: dict[str, Any], fmt: str) -> None:
    s, phase = await _phase(ctx, fmt, args)
    phase = await phases.pause(ctx, phase.id)
    left = phases.clock_text(phases.seconds_left(phase, ctx.now()))
    await engine.say(ctx, s, _("⏸ Paused, {left} left.").format(left=left))
    await engine.refresh(ctx, s)


@both("resume", help=N_("Resume the clock."), role=Role.CORE, words=N_("change the clock"))
async def resume(ctx: Context, args: dict[str, Any], fmt: str) -> None:
    s, phase = await _phase(ctx, fmt, args)
    phase = await phases.resume(ctx, phase.id)
    left = phases.clock_text(phases.seconds_left(phase, ctx.now()))
    await engine.say(ctx, s, _("▶ Resumed: {left} left.").format(left=left))
    await engine.refresh(ctx, s)


_GROUP = Arg("group", N_("a group's number"), positional=True)


@both(
    "join",
    help=N_("Take part (late joiners are placed in a group, or say which one)."),
    args=(_GROUP,),
    button="join",
)
async def join(ctx: Context, args: dict[str, Any], fmt: str) -> None:
    s = await engine.of(ctx, fmt, args)
    owner = engine.key(s)
    if args.get("group") and await groups.formed(owner):
        await people.join(ctx.community.id, owner, ctx.person.id, ctx.person.name, ctx.now())
        g = await groups.join(owner, ctx.person.id, ctx.person.name, args["group"], ctx.now())
        await ctx.reply(
            notice(
                _("You're in group {n}: {names}.").format(
                    n=g.number, names=await engine.names_of(g)
                ),
                "success",
            ),
            private=True,
        )
        joins = _("👋 {name} joins the group.").format(name=UserText(ctx.person.name))
        await engine.to_group(ctx, s, g, notice(joins))
        await engine.refresh(ctx, s, wait=False)
        return
    if await people.is_present(owner, ctx.person.id) and (
        not await groups.formed(owner)
        or await groups.group_of(owner, ctx.person.id) is not None
        or engine.is_facilitator(ctx, s)
    ):
        mine = await groups.group_of(owner, ctx.person.id)
        text = (
            _("You're in group {n} already.").format(n=mine.number)
            if mine is not None
            else _("You're taking part already.")
        )
        await ctx.reply(notice(text), private=True)
        return
    await engine.participate(ctx, s)
    if not await groups.formed(owner):
        await ctx.reply(notice(_("Welcome! You're taking part."), "success"), private=True)
    await engine.refresh(ctx, s, wait=False)


@both("leave", help=N_("Leave the session."))
async def leave(ctx: Context, args: dict[str, Any], fmt: str) -> None:
    s = await engine.need(ctx, fmt)
    owner = engine.key(s)
    if not await people.leave(owner, ctx.person.id, ctx.now()):
        raise UserError(_("You're not taking part."))
    merged = await groups.leave(owner, ctx.person.id, ctx.now(), min_size=engine.MIN_GROUP)
    await ctx.reply(notice(_("You left. “{fmt} join” to come back.").format(fmt=fmt)), private=True)
    await engine.announce_merge(ctx, s, merged)
    await engine.refresh(ctx, s, wait=False)


@both("groups", help=N_("The groups and who is in each."))
async def list_groups(ctx: Context, args: dict[str, Any], fmt: str) -> None:
    s = await engine.need(ctx, fmt)
    lines = await engine.groups_section(s)
    if not lines:
        raise UserError(_("The groups are not formed yet."))
    await ctx.reply(View(title=_("Groups"), text="\n".join(lines)))


@both(
    "move",
    help=N_("Move someone to another group."),
    args=(
        Arg("who", N_("who (a mention or a name)"), type="person", positional=True, required=True),
        Arg("group", N_("a group's number"), positional=True, required=True),
    ),
    role=Role.CORE,
    words=N_("move people between groups"),
)
async def move_person(ctx: Context, args: dict[str, Any], fmt: str) -> None:
    s = await engine.need(ctx, fmt)
    owner = engine.key(s)
    if not await groups.formed(owner):
        raise UserError(_("The groups are not formed yet."))
    person = await ctx.resolve_person(args["who"])
    if not await people.is_present(owner, person.id):
        raise UserError(_("{name} isn't taking part.").format(name=UserText(person.name)))
    g, merged = await groups.move(owner, person.id, person.name, args["group"], ctx.now())
    await engine.say(
        ctx, s, _("↪ {name} moves to group {n}.").format(name=UserText(person.name), n=g.number)
    )
    joins = _("👋 {name} joins the group.").format(name=UserText(person.name))
    await engine.to_group(ctx, s, g, notice(joins))
    await engine.announce_merge(ctx, s, merged)
    await engine.refresh(ctx, s)


for _f in fm.FORMATS.values():

    @_f.job("phase")
    async def _timer(ctx: JobContext, payload: dict[str, Any]) -> None:
        await engine.phase_timer(ctx, payload)


def rest(args: dict[str, Any], name: str = "text") -> str:
    return words(args.get(name)).strip()
