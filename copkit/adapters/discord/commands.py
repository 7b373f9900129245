"""Slash commands generated from the core's command declarations, within Discord's limits.

Layout: one top-level command per first word of a format's commands (``/leancoffee start``) and
``/copkit`` for the core's own commands (``Command.format is None``). Discord nests at most
``/top group sub``; a word that is both a command and the start of longer ones, or a path that is
too deep, is flattened with dashes (``/copkit roles-core-add``). What cannot be mapped is left
out and reported, never sent to Discord to fail the whole sync.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands

from copkit.core.i18n import N_, _
from copkit.core.roles import Role
from copkit.core.specs import Arg, Command, Registry

CORE_GROUP = "copkit"
CORE_DESCRIPTION = N_("Your community of practice: help, formats, roles and settings.")

TOP_LEVEL_MAX = 100
CHILDREN_MAX = 25
OPTIONS_MAX = 25
CHOICES_MAX = 25
NAME_MAX = 32
DESCRIPTION_MAX = 100
STRING_MAX = 6000
COMMAND_CHARS_MAX = 8000
INT_LIMIT = 10**9 - 1
CUSTOM_ID_MAX = 100

_NAME = re.compile(r"^[-_\w]{1,32}$")

OnCommand = Callable[
    [discord.Interaction, Command, dict[str, Any], dict[str, Any]], Awaitable[None]
]


@dataclass
class CommandPlan:
    """What will be synced, and what could not be mapped (one line each, for the operator)."""

    roots: list[app_commands.Group | app_commands.Command[Any, Any, Any]] = field(
        default_factory=list
    )
    by_name: dict[str, Command] = field(default_factory=dict)  # "/copkit formats-enable" -> command
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def payload(self) -> list[dict[str, Any]]:
        tree = _PayloadTree()
        # to_dict wants the CommandTree; it reads only the two attributes _PayloadTree has
        return [root.to_dict(tree) for root in self.roots]  # type: ignore[arg-type]


class _PayloadTree:
    allowed_contexts = app_commands.AppCommandContext()
    allowed_installs = app_commands.AppInstallationType()


def fit_description(text: str) -> str:
    """One line of at most 100 characters (Discord's limit for descriptions)."""
    text = " ".join(text.split())
    if not text:
        return "…"
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1] + "…"


def _description(build: Callable[[], str], what: str, plan: CommandPlan) -> app_commands.locale_str:
    """A description in English, carrying ``build`` so that the translator can render it in
    every language copkit has a catalogue for (``build`` calls ``_()`` in the active locale)."""
    text = build()
    if len(" ".join(text.split())) > DESCRIPTION_MAX:
        plan.notes.append(f"{what}: description shortened to {DESCRIPTION_MAX} characters")
    return app_commands.locale_str(fit_description(text), build=build)


def _translated(msgid: str) -> Callable[[], str]:
    return lambda: _(msgid) if msgid else ""


def _arg_text(arg: Arg) -> Callable[[], str]:
    def build() -> str:
        hint = _hint(arg)
        return _(arg.help) + (f" ({hint})" if hint else "")

    return build


def _valid_name(name: str) -> bool:
    return bool(_NAME.match(name)) and name == name.lower()


def _annotation(arg: Arg) -> Any:
    if arg.type == "int":
        return app_commands.Range[int, -INT_LIMIT, INT_LIMIT]
    if arg.type == "flag":
        return bool
    if arg.type == "person":
        return discord.User
    if arg.type == "file":
        return discord.Attachment
    if arg.type == "text" and arg.max_length:
        return app_commands.Range[str, None, min(arg.max_length, STRING_MAX)]
    return str


def _hint(arg: Arg) -> str:
    """A short hint for arguments Discord has no type for."""
    if arg.type == "duration":
        return _("e.g. 90s, 8m, 2h")
    if arg.type == "list":
        return _("comma-separated")
    if arg.type == "rest":
        return _("words, quoted if they contain spaces")
    return ""


def _make_callback(
    cmd: Command, on_command: OnCommand, plan: CommandPlan, where: str
) -> Callable[..., Any] | None:
    """A callback whose signature carries the command's options (discord.py reads it)."""
    if len(cmd.args) > OPTIONS_MAX:
        plan.problems.append(f"{where}: {len(cmd.args)} arguments (Discord allows {OPTIONS_MAX})")
        return None
    params = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    renames: dict[str, str] = {}
    descriptions: dict[str, app_commands.locale_str] = {}
    choices: dict[str, list[app_commands.Choice[str]]] = {}
    autocomplete: dict[str, Any] = {}
    by_ident: dict[str, Arg] = {}
    for n, arg in enumerate(cmd.args):
        ident = f"arg{n}"
        name = arg.name.lower()
        if not _valid_name(name):
            plan.problems.append(
                f"{where}: argument name {arg.name!r} is not valid on Discord (a-z, 0-9, - and _, at most 32)"
            )
            return None
        renames[ident] = name
        descriptions[ident] = _description(_arg_text(arg), f"{where} {name}", plan)
        by_ident[ident] = arg
        required = arg.required and arg.type != "flag"
        params.append(
            inspect.Parameter(
                ident,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_annotation(arg),
                **({} if required else {"default": None}),
            )
        )
        if arg.choices and arg.type in ("text", "list", "rest", "duration"):
            too_long = [c for c in arg.choices if not 0 < len(c) <= 100]
            if too_long:
                plan.problems.append(
                    f"{where} {name}: choice {too_long[0]!r} is longer than 100 characters"
                )
                return None
            if len(arg.choices) <= CHOICES_MAX:
                choices[ident] = [app_commands.Choice(name=c, value=c) for c in arg.choices]
            else:
                autocomplete[ident] = _autocomplete(arg.choices)

    async def callback(interaction: discord.Interaction, **kwargs: Any) -> None:
        values: dict[str, Any] = {}
        people: dict[str, Any] = {}
        for ident, value in kwargs.items():
            if value is None:
                continue
            arg = by_ident[ident]
            if isinstance(value, (discord.User, discord.Member)):
                people[str(value.id)] = value
                value = str(value.id)
            values[arg.name] = value
        await on_command(interaction, cmd, values, people)

    # discord.py reads the parameters and their metadata from these attributes of the callback
    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    callback.__qualname__ = callback.__name__ = "copkit_" + "_".join(cmd.path).replace("-", "_")
    callback.__discord_app_commands_param_rename__ = renames  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_description__ = descriptions  # type: ignore[attr-defined]
    if choices:
        callback.__discord_app_commands_param_choices__ = choices  # type: ignore[attr-defined]
    if autocomplete:
        callback.__discord_app_commands_param_autocomplete__ = autocomplete  # type: ignore[attr-defined]
    return callback


def _autocomplete(options: tuple[str, ...]) -> Callable[..., Any]:
    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        current = (current or "").lower()
        hits = [o for o in options if current in o.lower()]
        return [app_commands.Choice(name=o, value=o) for o in hits[:CHOICES_MAX]]

    return complete


def _layout(
    entries: list[tuple[tuple[str, ...], Command]],
) -> dict[str, list[tuple[tuple[str, ...], Command]]]:
    """Children of one top-level command by first word; values are (discord words, command)."""
    by_word: dict[str, list[tuple[tuple[str, ...], Command]]] = {}
    for rest, cmd in entries:
        by_word.setdefault(rest[0].lower(), []).append((tuple(w.lower() for w in rest), cmd))
    # Over Discord's 25 children, a command that is also a group ("calendar" and "calendar ics")
    # becomes a group whose bare command is "show", the largest first, until the rest fits.
    flatten = {w for w, items in by_word.items() if not all(len(r) == 2 for r, _c in items)} - {
        w for w, items in by_word.items() if len(items) == 1 and len(items[0][0]) == 1
    }
    count = sum(len(items) if w in flatten else 1 for w, items in by_word.items())
    for word in sorted(flatten, key=lambda w: -len(by_word[w])):
        if count <= CHILDREN_MAX:
            break
        items = by_word[word]
        if all(len(r) <= 2 for r, _c in items) and not any(r[1:] == ("show",) for r, _c in items):
            flatten.discard(word)
            by_word[word] = [((word, r[1] if len(r) == 2 else "show"), c) for r, c in items]
            count -= len(items) - 1
    out: dict[str, list[tuple[tuple[str, ...], Command]]] = {}
    for word, items in by_word.items():
        if len(items) == 1 and len(items[0][0]) == 1:
            out[word] = [((word,), items[0][1])]
        elif all(len(r) == 2 for r, _c in items):
            out[word] = [((word, r[1]), c) for r, c in items]
        else:  # a command and a group at once, or too deep: flatten with dashes
            for r, c in items:
                out["-".join(r)] = [(("-".join(r),), c)]
    return out


def _size(payload: dict[str, Any]) -> int:
    total = len(payload.get("name", "")) + len(payload.get("description", ""))
    for choice in payload.get("choices") or []:
        total += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
    for option in payload.get("options") or []:
        total += _size(option)
    return total


def plan_commands(registry: Registry, on_command: OnCommand) -> CommandPlan:
    """Build the app command tree from ``registry``; problems are listed, not raised."""
    plan = CommandPlan()
    tops: dict[str, list[tuple[tuple[str, ...], Command]]] = {}
    for cmd in registry.commands.values():
        if cmd.format is None:
            top, rest = CORE_GROUP, cmd.path
        else:
            top, rest = cmd.path[0].lower(), cmd.path[1:]
            if top == CORE_GROUP:
                plan.problems.append(
                    f"/{cmd.name}: “{CORE_GROUP}” is reserved for the core's commands"
                )
                continue
        tops.setdefault(top, []).append((rest, cmd))
    # A lone one-word format command becomes a top-level command; next to others it moves under
    # /copkit (Discord cannot run a command that also has subcommands).
    for top in list(tops):
        entries = tops[top]
        if top != CORE_GROUP and any(not rest for rest, _c in entries):
            if len(entries) == 1:
                continue
            for rest, cmd in [e for e in entries if not e[0]]:
                entries.remove((rest, cmd))
                tops.setdefault(CORE_GROUP, []).append(((top,), cmd))
                plan.notes.append(
                    f"/{cmd.name} is offered as /{CORE_GROUP} {top} (/{top} has subcommands)"
                )

    contexts = app_commands.AppCommandContext(guild=True)
    for top in sorted(tops):
        entries = tops[top]
        if not _valid_name(top):
            for _rest, cmd in entries:
                plan.problems.append(f"/{cmd.name}: “{top}” is not a valid Discord command name")
            continue
        if len(plan.roots) >= TOP_LEVEL_MAX:
            for _rest, cmd in entries:
                plan.problems.append(f"/{cmd.name}: more than {TOP_LEVEL_MAX} top-level commands")
            continue
        if len(entries) == 1 and not entries[0][0]:
            cmd = entries[0][1]
            callback = _make_callback(cmd, on_command, plan, f"/{top}")
            if callback is None:
                continue
            try:
                root: Any = app_commands.Command(
                    name=app_commands.locale_str(top),
                    description=_description(_translated(cmd.help), f"/{top}", plan),
                    callback=callback,
                    allowed_contexts=contexts,
                )
            except (ValueError, TypeError) as exc:
                plan.problems.append(f"/{top}: {exc}")
                continue
            root.guild_only = True
            if cmd.role >= Role.CORE:
                root.default_permissions = discord.Permissions(manage_guild=True)
            plan.roots.append(root)
            plan.by_name[f"/{top}"] = cmd
            continue
        fmt = next((c.format for _r, c in entries if c.format), None)
        info = registry.formats.get(fmt) if fmt else None
        group_help = CORE_DESCRIPTION if top == CORE_GROUP else (info.description if info else top)
        needs_core = all(c.role >= Role.CORE for _r, c in entries)
        group = app_commands.Group(
            name=app_commands.locale_str(top),
            description=_description(_translated(group_help), f"/{top}", plan),
            guild_only=True,
            allowed_contexts=contexts,
            default_permissions=discord.Permissions(manage_guild=True) if needs_core else None,
        )
        children = _layout(entries)
        added = 0
        subgroups: dict[str, app_commands.Group] = {}
        for key in sorted(children):
            items = children[key]
            if added >= CHILDREN_MAX:
                for _w, cmd in items:
                    plan.problems.append(
                        f"/{cmd.name}: /{top} already has {CHILDREN_MAX} subcommands (Discord's limit)"
                    )
                continue
            if not _valid_name(key):
                for _w, cmd in items:
                    plan.problems.append(
                        f"/{cmd.name}: “{key}” is not a valid Discord subcommand name"
                    )
                continue
            parent = group
            if len(items[0][0]) == 2:
                if len(items) > CHILDREN_MAX:
                    for _w, cmd in items[CHILDREN_MAX:]:
                        plan.problems.append(
                            f"/{cmd.name}: /{top} {key} already has {CHILDREN_MAX} subcommands"
                        )
                    items = items[:CHILDREN_MAX]
                parent = app_commands.Group(
                    name=app_commands.locale_str(key),
                    description=cut_words(
                        f"{top} {key}: " + ", ".join(sorted(w[1] for w, _c in items))
                    ),
                    parent=group,
                )
                subgroups[key] = parent
            for words, cmd in sorted(items, key=lambda i: i[0]):
                name = words[-1]
                where = f"/{top} {' '.join(words)}"
                if not _valid_name(name):
                    plan.problems.append(
                        f"/{cmd.name}: “{name}” is not a valid Discord subcommand name"
                    )
                    continue
                callback = _make_callback(cmd, on_command, plan, where)
                if callback is None:
                    continue
                try:
                    sub: app_commands.Command[Any, ..., Any] = app_commands.Command(
                        name=app_commands.locale_str(name),
                        description=_description(_translated(cmd.help), where, plan),
                        callback=callback,
                        parent=parent,
                    )
                    parent.add_command(sub)
                except (ValueError, TypeError) as exc:
                    plan.problems.append(f"{where}: {exc}")
                    continue
                plan.by_name[where] = cmd
            if parent is not group and not parent.commands:
                group.remove_command(parent.name)  # a subgroup adds itself to its parent
                continue
            added += 1
        if not group.commands:
            continue
        size = _size(group.to_dict(_PayloadTree()))  # type: ignore[arg-type]  # as in payload()
        if size > COMMAND_CHARS_MAX:
            plan.problems.append(
                f"/{top}: {size} characters of names and descriptions (Discord allows {COMMAND_CHARS_MAX})"
            )
            for name in [n for n in plan.by_name if n.split()[0] == f"/{top}"]:
                del plan.by_name[name]
            continue
        plan.roots.append(group)
    _check_actions(registry, plan)
    return plan


def _check_actions(registry: Registry, plan: CommandPlan) -> None:
    """Buttons carry the action id as their custom id (at most 100 characters): a prefix that
    leaves no room for the rest of the id can never be clicked."""
    for prefix in sorted(registry.actions):
        if len(prefix) >= CUSTOM_ID_MAX:
            owner = registry.actions[prefix].format or "core"
            plan.problems.append(
                f"buttons of action {prefix[:30]}… ({owner}): the id is {len(prefix)} characters,"
                f" Discord allows {CUSTOM_ID_MAX}"
            )


def cut_words(text: str) -> str:
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1] + "…"


def describe(plan: CommandPlan) -> str:
    """The planned payload as JSON (for ``copkit`` diagnostics and tests)."""
    return json.dumps(plan.payload(), indent=1, sort_keys=True)
