"""Help in words: what this person may do (grouped by format), one command explained with its
options, and the closest commands to what someone typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .errors import UserError
from .i18n import _
from .parsing import resolve
from .roles import Role
from .specs import Arg, Command, Registry
from .views import View

if TYPE_CHECKING:
    from .context import Context

May = Callable[[Command], bool]
"""Whether the person asking may run a command (its role, the community's overrides, and
whether its format is enabled)."""


def _kind(arg: Arg) -> str:
    if arg.choices:
        return _("one of: {choices}").format(choices=", ".join(arg.choices))
    return {
        "int": _("a whole number"),
        "flag": _("on if given"),
        "duration": _("a duration such as 90s, 8m, 2h or 3d"),
        "person": _("someone, as @name"),
        "list": _("values separated by commas"),
        "rest": _("any words"),
    }.get(arg.type, _("text (in quotes if it has spaces)"))


def explain(cmd: Command) -> View:
    """One command: what it does, who may run it, and each argument in words."""
    lines = [_(cmd.help), "", f"`{cmd.usage()}`"]
    for arg in cmd.args:
        name = f"<{arg.name}>" if arg.positional else f"--{arg.name}"
        need = _("needed") if arg.required else _("optional")
        lines.append(f"- `{name}` — {_(arg.help)} ({_kind(arg)}; {need})")
    if cmd.role > Role.MEMBER:
        lines.append("")
        lines.append(_("Who may: {who}.").format(who=cmd.role.who_may()))
    return View(title=cmd.name, text="\n".join(lines))


def overview(registry: Registry, may: May) -> View:
    """Everything this person may do, one line per format: short, with where to read more."""
    groups: dict[str, list[Command]] = {}
    for cmd in sorted(registry.commands.values(), key=lambda c: c.path):
        if may(cmd):
            groups.setdefault(cmd.format or "", []).append(cmd)
    lines: list[str] = []
    core: dict[str, list[Command]] = {}
    for cmd in groups.pop("", []):  # the core's, one line per first word
        core.setdefault(cmd.path[0], []).append(cmd)
    for same in core.values():
        names = ", ".join(f"`{c.name}`" for c in same)
        lines.append(f"- {names} — {_(same[0].help)}")
    for fmt in sorted(groups):
        info = registry.formats.get(fmt)
        title = _(info.title) if info else fmt
        subs = ", ".join(" ".join(c.path[1:]) or c.path[0] for c in groups[fmt])
        lines.append(f"**{title}** — `help {fmt}`: {subs}")
    lines.append("")
    lines.append(_("“help <command>” or “<command> --help” explains one command."))
    return View(title=_("What I can do"), text="\n".join(lines))


def group(registry: Registry, prefix: tuple[str, ...], may: May) -> View | None:
    """The commands under ``prefix`` (``leancoffee``, ``roles core``) this person may run;
    ``None`` when no command starts so."""
    under = [c for c in registry.commands.values() if c.path[: len(prefix)] == prefix]
    if not under:
        return None
    mine = [c for c in sorted(under, key=lambda c: c.path) if may(c)]
    info = registry.formats.get(prefix[0]) if len(prefix) == 1 else None
    title = (_(info.title) + f" ({prefix[0]})") if info else " ".join(prefix)
    lines = [_(info.description)] if info else []
    lines += [f"- `{c.usage()}` — {_(c.help)}" for c in mine]
    if not mine:
        lines.append(_("None of these is open to you here."))
    lines.append("")
    lines.append(_("“help <command>” or “<command> --help” explains one command."))
    return View(title=title, text="\n".join(lines))


async def answer_help(ctx: Context, words: list[str]) -> None:
    """Answer ``help [words…]`` (or ``<command> --help``, or a group's name alone) privately."""
    registry = ctx.services.registry
    state = await ctx.services.community_state(ctx.community)

    def may(cmd: Command) -> bool:
        enabled = cmd.format is None or cmd.format in state.enabled
        return enabled and ctx.may(cmd.role, cmd.name)

    lowered = tuple(w.lower() for w in words if w)
    if not lowered:
        await ctx.reply(overview(registry, may), private=True)
        return
    cmd = registry.commands.get(lowered)
    view = explain(cmd) if cmd is not None else group(registry, lowered, may)
    if view is None:
        resolve(registry.commands, list(lowered))  # "Unknown command … Did you mean …"
        raise UserError(_("Nothing matches “{topic}”.").format(topic=" ".join(lowered)[:60]))
    await ctx.reply(view, private=True)
