"""The core's own commands: help, formats, roles, language, time zone and the community log
(the brand's are in :mod:`.core_brand`)."""

from __future__ import annotations

from typing import Any

from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.helptext import answer_help
from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import N_, _, available_locales, ngettext, normalize_locale, set_locale
from copkit.core.logwords import describe_all
from copkit.core.models import Community, FormatSetting, LogEntry, Membership
from copkit.core.roles import Role
from copkit.core.specs import Arg, Command
from copkit.core.timezones import find_zone
from copkit.core.views import Field, UserText, View, When, notice

ROLE_WORDS = {"member": Role.MEMBER, "core": Role.CORE, "leader": Role.LEADER}


async def help_(ctx: Context, args: dict[str, Any]) -> None:
    await answer_help(ctx, list(args.get("topic") or []))


async def formats_list(ctx: Context, args: dict[str, Any]) -> None:
    state = await ctx.runtime.community_state(ctx.community)
    fields = [
        Field(
            f"{fmt.title} ({fmt.name})",
            (_("enabled") if fmt.name in state.enabled else _("disabled"))
            + " — "
            + _(fmt.description),
        )
        for fmt in sorted(ctx.runtime.registry.formats.values(), key=lambda f: f.name)
    ]
    await ctx.reply(View(title=_("Formats in this community"), fields=fields))


async def _set_format(ctx: Context, name: str, enabled: bool) -> None:
    registry = ctx.runtime.registry
    if name not in registry.formats:
        known = ", ".join(sorted(registry.formats)) or "—"
        raise UserError(
            _("There is no format “{name}”. Known formats: {known}.").format(name=name, known=known)
        )
    row, created = await FormatSetting.get_or_create(
        community_id=ctx.community.id, format=name, defaults={"enabled": enabled}
    )
    if not created and row.enabled != enabled:
        row.enabled = enabled
        await row.save(update_fields=["enabled"])
    await ctx.runtime.refresh(ctx.community)
    await ctx.log(
        "format.enabled" if enabled else "format.disabled", ref=name, member=ctx.person.id
    )
    msg = _("{name} is now enabled.") if enabled else _("{name} is now disabled.")
    await ctx.reply(notice(msg.format(name=name), "success"))


async def formats_enable(ctx: Context, args: dict[str, Any]) -> None:
    await _set_format(ctx, args["format"], True)


async def formats_disable(ctx: Context, args: dict[str, Any]) -> None:
    await _set_format(ctx, args["format"], False)


async def roles_list(ctx: Context, args: dict[str, Any]) -> None:
    rows = await Membership.filter(community_id=ctx.community.id, role__gt=0).order_by(
        "-role", "name"
    )
    leader = [r for r in rows if r.role == Role.LEADER]
    core = [r for r in rows if r.role == Role.CORE]
    fields = [
        Field(
            _("Leader"),
            ", ".join(UserText(r.name or r.person_id) for r in leader) or _("nobody yet"),
        ),
        Field(
            _("Core team"),
            ", ".join(UserText(r.name or r.person_id) for r in core) or _("nobody yet"),
        ),
    ]
    if ctx.community.core_role:
        fields.append(Field(_("Core team role"), ctx.community.core_role))
    fields.append(Field(_("You"), Role(ctx.role).label))
    await ctx.reply(View(title=_("Roles"), fields=fields))


async def _set_role(ctx: Context, person: str, role: Role) -> None:
    target = await ctx.runtime.resolve_person(ctx, person)
    if role == Role.LEADER:
        await Membership.filter(community_id=ctx.community.id, role=Role.LEADER).update(
            role=Role.CORE
        )
    row, _created = await Membership.get_or_create(
        community_id=ctx.community.id,
        person_id=target.id,
        defaults={"name": target.name, "role": role},
    )
    row.role = role
    row.name = target.name or row.name
    await row.save(update_fields=["role", "name"])
    await ctx.runtime.refresh(ctx.community)
    await ctx.log("role.changed", ref=target.id, text=Role(role).name.lower(), member=ctx.person.id)
    await ctx.reply(
        notice(
            _("{name} is now {role}.").format(
                name=UserText(target.name or target.id), role=Role(role).label
            ),
            "success",
        )
    )


async def roles_core_add(ctx: Context, args: dict[str, Any]) -> None:
    await _set_role(ctx, args["person"], Role.CORE)


async def roles_core_remove(ctx: Context, args: dict[str, Any]) -> None:
    await _set_role(ctx, args["person"], Role.MEMBER)


async def roles_leader(ctx: Context, args: dict[str, Any]) -> None:
    await _set_role(ctx, args["person"], Role.LEADER)


async def roles_require(ctx: Context, args: dict[str, Any]) -> None:
    name = " ".join(args["command"]).lower()
    role_word = args["role"]
    role = ROLE_WORDS[role_word]
    commands = ctx.runtime.registry.commands
    if name in ctx.runtime.registry.formats and (name,) not in commands:
        names = [c.name for c in commands.values() if c.format == name and c.role > role]
    elif name in {c.name for c in commands.values()}:
        names = [name]
    else:
        raise UserError(_("There is no command “{name}”.").format(name=name))
    await _require(ctx, names, role_word)
    if len(names) == 1:
        cmd = next(c for c in commands.values() if c.name == name)
        others = _same_group(ctx, cmd, role)
        text = _("“{name}” now needs: {who}.").format(name=name, who=role.who_may())
        if others:
            text += "\n" + _(
                "Running it usually takes {others} too: "
                "“roles require {role} {format}” opens them all to {who}."
            ).format(
                others=", ".join(others[:8]) + (" …" if len(others) > 8 else ""),
                role=role_word,
                format=cmd.format,
                who=role.who_may(),
            )
    else:
        text = ngettext(
            "{n} command of {format} now needs: {who}.",
            "{n} commands of {format} now need: {who}.",
            len(names),
        ).format(n=len(names), format=name, who=role.who_may())
    await ctx.reply(notice(text, "success"))


def _same_group(ctx: Context, cmd: Command, role: Role) -> list[str]:
    """The other commands of ``cmd``'s format that need what it needed (the rest of its
    facilitation: end, next, extend …) and that ``role`` may not run yet."""
    if cmd.format is None or cmd.role <= role:
        return []
    settings = (ctx.community.settings or {}).get("require", {})
    return [
        " ".join(c.path[1:])
        for c in sorted(ctx.runtime.registry.commands.values(), key=lambda c: c.path)
        if c.format == cmd.format
        and c.name != cmd.name
        and c.role == cmd.role
        and int(settings.get(c.name, c.role)) > role
    ]


async def _require(ctx: Context, names: list[str], role_word: str) -> None:
    community = await Community.get(id=ctx.community.id)
    settings = dict(community.settings or {})
    require = dict(settings.get("require", {}))
    for name in names:
        require[name] = int(ROLE_WORDS[role_word])
    settings["require"] = require
    community.settings = settings
    await community.save(update_fields=["settings"])
    await ctx.runtime.refresh(ctx.community)
    for name in names:
        await ctx.log("role.required", ref=name, text=role_word, member=ctx.person.id)


async def roles_core_role(ctx: Context, args: dict[str, Any]) -> None:
    community = await Community.get(id=ctx.community.id)
    community.core_role = args.get("role") or None
    await community.save(update_fields=["core_role"])
    await ctx.runtime.refresh(ctx.community)
    await ctx.reply(notice(_("Core team role updated."), "success"))


async def set_language(ctx: Context, args: dict[str, Any]) -> None:
    typed = (args.get("locale") or "").strip()
    if not typed:
        await ctx.reply(
            notice(
                _("This community speaks {locale}. Available: {known}.").format(
                    locale=ctx.community.locale, known=", ".join(available_locales())
                )
            ),
            private=True,
        )
        return
    ctx.require(Role.LEADER, "language", _("change the language"))
    locale = normalize_locale(typed)
    if locale is None:
        raise UserError(
            _("I don't speak “{locale}” yet. Available: {known}.").format(
                locale=typed[:20], known=", ".join(available_locales())
            )
        )
    await Community.filter(id=ctx.community.id).update(locale=locale)
    await ctx.runtime.refresh(ctx.community)
    set_locale(locale)
    await ctx.log("language.changed", text=locale, member=ctx.person.id)
    await ctx.reply(notice(_("Language set to {locale}.").format(locale=locale), "success"))


async def set_timezone(ctx: Context, args: dict[str, Any]) -> None:
    typed = (args.get("zone") or "").strip()
    if not typed:
        now = When(ctx.now(), ctx.zone, "time", with_zone=False)
        await ctx.reply(
            notice(
                _("This community's time zone is {tz} (it is {now} there).").format(
                    tz=ctx.zone.key, now=now
                )
            ),
            private=True,
        )
        return
    ctx.require(Role.LEADER, "timezone", _("change the time zone"))
    tz = find_zone(typed).key
    await Community.filter(id=ctx.community.id).update(timezone=tz)
    await ctx.runtime.refresh(ctx.community)
    await ctx.log("timezone.changed", text=tz, member=ctx.person.id)
    await ctx.reply(notice(_("Time zone set to {tz}.").format(tz=tz), "success"))


async def show_log(ctx: Context, args: dict[str, Any]) -> None:
    n = max(1, min(int(args.get("last") or 20), 100))
    rows = list(
        reversed(await LogEntry.filter(community_id=ctx.community.id).order_by("-id").limit(n))
    )
    said = await describe_all(ctx.community.id, rows, ctx.runtime.registry)
    lines = [
        f"- {When(r.at, ctx.zone, with_zone=False)} {line}"
        for r, line in zip(rows, said, strict=True)
    ]
    await ctx.reply(View(title=_("Community log"), text="\n".join(lines) or _("Nothing yet.")))


@hookimpl
def copkit_register_commands() -> list[Command]:
    fmt = Arg("format", N_("the format's name"), positional=True, required=True)
    person = Arg("person", N_("who (@name)"), type="person", positional=True, required=True)
    return [
        Command(
            ("help",),
            N_("List the commands you can use, or explain one."),
            help_,
            (Arg("topic", N_("a format or a command"), type="rest", positional=True),),
        ),
        Command(("formats",), N_("List formats and whether they are enabled."), formats_list),
        Command(
            ("formats", "enable"),
            N_("Enable a format here."),
            formats_enable,
            (fmt,),
            Role.LEADER,
            action=N_("enable formats"),
        ),
        Command(
            ("formats", "disable"),
            N_("Disable a format here."),
            formats_disable,
            (fmt,),
            Role.LEADER,
            action=N_("disable formats"),
        ),
        Command(("roles",), N_("Show the leader and the core team."), roles_list),
        Command(
            ("roles", "core", "add"),
            N_("Add someone to the core team."),
            roles_core_add,
            (person,),
            Role.LEADER,
            action=N_("change roles"),
        ),
        Command(
            ("roles", "core", "remove"),
            N_("Remove someone from the core team."),
            roles_core_remove,
            (person,),
            Role.LEADER,
            action=N_("change roles"),
        ),
        Command(
            ("roles", "leader"),
            N_("Hand the leadership to someone."),
            roles_leader,
            (person,),
            Role.LEADER,
            action=N_("change roles"),
        ),
        Command(
            ("roles", "require"),
            N_("Set who may run a command: member, core or leader."),
            roles_require,
            (
                Arg(
                    "role",
                    N_("member, core or leader"),
                    positional=True,
                    required=True,
                    choices=tuple(ROLE_WORDS),
                ),
                Arg("command", N_("the command"), type="rest", positional=True, required=True),
            ),
            Role.LEADER,
            action=N_("change roles"),
        ),
        Command(
            ("roles", "corerole"),
            N_("Name a platform role that counts as core team."),
            roles_core_role,
            (Arg("role", N_("the role"), positional=True, max_length=200),),
            Role.LEADER,
            action=N_("change roles"),
        ),
        Command(
            ("language",),
            N_("Show or set this community's language."),
            set_language,
            (Arg("locale", N_("e.g. en, de (alone: the current one)"), positional=True),),
        ),
        Command(
            ("timezone",),
            N_("Show or set this community's time zone."),
            set_timezone,
            (
                Arg(
                    "zone",
                    N_("e.g. Europe/Paris or Paris (alone: the current one)"),
                    positional=True,
                ),
            ),
        ),
        Command(
            ("log",),
            N_("Show the latest entries of the community log."),
            show_log,
            (Arg("last", N_("how many"), type="int", default=20),),
        ),
    ]
