"""``brand`` and ``brand set …``: the community's name, tagline, accent colour and logo (the
core's commands, beside :mod:`.core_commands`; the brand itself is :mod:`copkit.core.brand`)."""

from __future__ import annotations

import asyncio
from typing import Any

from copkit.core import brand as core_brand
from copkit.core import brand_picture
from copkit.core.colours import contrast
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.events import Upload
from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import N_, _
from copkit.core.roles import Role
from copkit.core.specs import Action, Arg, Command
from copkit.core.views import Button, Field, Form, FormInput, Image, UserText, View, notice

PARTS = ("name", "tagline", "colour", "color", "logo")
RESET = ("default", "none", "reset", "-")
ACTION = "brand"
WORDS = N_("change the brand")


def _themes(ctx: Context) -> tuple[tuple[str, str], ...]:
    messenger = ctx.services.output.messengers.get(ctx.community.platform)
    return tuple(getattr(messenger, "themes", None) or core_brand.DEFAULT_THEMES)


def _platform(ctx: Context) -> str:
    messenger = ctx.services.output.messengers.get(ctx.community.platform)
    return str(getattr(messenger, "platform_title", "") or ctx.community.platform.title())


async def brand_view(ctx: Context) -> View:
    brand = await ctx.brand()
    s = await core_brand.stored(ctx.community.id)
    if s.name:
        source = (
            _("from the workshop's name vote")
            if s.name_source == "workshop"
            else _("chosen by the leader")
        )
    elif brand.name != (ctx.community.name or "copkit"):
        source = _("from the workshop's name vote")
    else:
        source = _("the platform's name for the community")
    ratios = ", ".join(
        _("{ratio}:1 on the {theme} theme").format(
            ratio=f"{contrast(brand.accent, bg):.1f}", theme=core_brand._theme_word(theme)
        )
        for theme, bg in _themes(ctx)
    )
    colour = brand.accent + ("" if s.colour else " " + _("(copkit's, none chosen)"))
    logo = await core_brand.logo_of(ctx.community.id)
    fields = [
        Field(_("Name"), f"{UserText(brand.name)} ({source})"),
        Field(_("Tagline"), UserText(brand.tagline) if brand.tagline else _("none yet")),
        Field(_("Accent colour"), f"{colour} — {ratios}"),
        Field(
            _("Logo"),
            _("uploaded") if logo else _("none: a monogram in the accent colour stands for it"),
        ),
    ]
    if logo is None:
        logo_png = await asyncio.to_thread(brand_picture.monogram, brand.name, brand.accent, 256)
    else:
        logo_png = logo
    view = View(
        title=_("The brand of {name}").format(name=UserText(brand.name)),
        fields=fields,
        images=[Image("brand.png", logo_png, _("The community's logo"), unbranded=True)],
        footer=_("The leader changes it with “brand set name|tagline|colour|logo …”."),
    )
    if ctx.may(Role.LEADER, "brand set"):
        form = Form(
            f"{ACTION}:form",
            _("The community's brand"),
            (
                FormInput(
                    "name",
                    _("Name"),
                    max_length=core_brand.NAME_MAX,
                    required=False,
                    default=s.name or "",
                    placeholder=brand.name,
                ),
                FormInput(
                    "tagline",
                    _("Tagline"),
                    max_length=core_brand.TAGLINE_MAX,
                    required=False,
                    default=brand.tagline,
                ),
                FormInput(
                    "colour",
                    _("Accent colour"),
                    max_length=40,
                    required=False,
                    default=s.colour or "",
                    placeholder="#3b82f6",
                ),
            ),
        )
        view.buttons.append(Button(f"{ACTION}:form", _("Change the brand"), form=form))
    return view


async def brand_show(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(await brand_view(ctx))


async def brand_set(ctx: Context, args: dict[str, Any]) -> None:
    what = str(args["what"]).lower()
    value = " ".join(args.get("value") or [])
    if what == "logo":
        await _set_logo(ctx, value, args.get("file"))
        return
    part = "colour" if what == "color" else what
    said = await _set(ctx, part, value)
    await ctx.reply(notice(said, "success"))


async def _set(ctx: Context, part: str, value: str) -> str:
    """Change one part (``name``, ``tagline``, ``colour``); the answer to give."""
    reset = value.strip().lower() in RESET or not value.strip()
    now, by = ctx.now(), ctx.person.id
    if part == "name":
        if not value.strip():
            raise UserError(_("Give the community's name after “brand set name”."))
        name = None if reset else core_brand.check_name(value)
        await core_brand.change(ctx.community.id, by, now, name=name, name_source="leader")
        await _changed(ctx, "brand.name", name or "")
        shown = (await ctx.brand()).name
        return _("The community is now called “{name}”.").format(name=UserText(shown))
    if part == "tagline":
        tagline = "" if reset else core_brand.check_tagline(value)
        await core_brand.change(ctx.community.id, by, now, tagline=tagline)
        await _changed(ctx, "brand.tagline", tagline)
        if not tagline:
            return _("The tagline is removed.")
        return _("The tagline is now “{tagline}”.").format(tagline=UserText(tagline))
    colour = None if reset else core_brand.check_accent(value, _themes(ctx), _platform(ctx))
    await core_brand.change(ctx.community.id, by, now, colour=colour)
    await _changed(ctx, "brand.colour", colour or "")
    if colour is None:
        return _("The accent colour is copkit's again ({colour}).").format(
            colour=core_brand.DEFAULT_ACCENT
        )
    return _("The accent colour is now {colour}.").format(colour=colour)


async def _set_logo(ctx: Context, value: str, upload: Upload | None) -> None:
    now, by = ctx.now(), ctx.person.id
    if upload is None and value.strip().lower() in RESET and value.strip():
        await core_brand.change(ctx.community.id, by, now, logo=None, icon=None)
        await _changed(ctx, "brand.logo", "removed")
        await ctx.reply(
            notice(_("The logo is removed: a monogram in the accent colour stands for it."))
        )
        return
    if upload is None:
        raise UserError(_("Attach the logo (a square PNG, at most 2 MB) to “brand set logo”."))
    if not upload.data and upload.size:
        data_size = upload.size
        raise UserError(
            _("That file is {size} MB: a logo may be 2 MB at most.").format(
                size=f"{data_size / 1024 / 1024:.1f}"
            )
        )
    logo, icon = await asyncio.to_thread(brand_picture.check_logo, upload.data)
    await core_brand.change(ctx.community.id, by, now, logo=logo, icon=icon)
    await _changed(ctx, "brand.logo", "uploaded")
    await ctx.reply(notice(_("The logo is updated."), "success"))


async def _changed(ctx: Context, kind: str, text: str) -> None:
    """Log the change and let every process show the new brand at once."""
    await ctx.log(kind, text=text, member=ctx.person.id)
    await ctx.settings_changed()


async def brand_form(ctx: Context, args: dict[str, Any]) -> None:
    """The brand's form: each field that changed, checked before anything is stored."""
    s = await core_brand.stored(ctx.community.id)
    current = {"name": s.name or "", "tagline": s.tagline, "colour": s.colour or ""}
    typed = {k: " ".join(str(args.get(k) or "").split()) for k in current}
    changes = {k: v for k, v in typed.items() if v != current[k]}
    if not changes:
        await ctx.reply(notice(_("Nothing changed.")), private=True)
        return
    if changes.get("name"):
        core_brand.check_name(changes["name"])
    if changes.get("tagline"):
        core_brand.check_tagline(changes["tagline"])
    if changes.get("colour"):
        core_brand.check_accent(changes["colour"], _themes(ctx), _platform(ctx))
    said = []
    for part in ("name", "tagline", "colour"):
        if part in changes:
            said.append(await _set(ctx, part, changes[part] or "default"))
    await ctx.reply(notice("\n".join(said), "success"))


@hookimpl
def copkit_register_commands() -> list[Command]:
    return [
        Command(
            ("brand",), N_("Show the community's brand: name, tagline, colour, logo."), brand_show
        ),
        Command(
            ("brand", "set"),
            N_("Change the community's name, tagline, accent colour or logo."),
            brand_set,
            (
                Arg(
                    "what",
                    N_("name, tagline, colour or logo"),
                    positional=True,
                    required=True,
                    choices=PARTS,
                ),
                Arg(
                    "value",
                    N_("the new value (default: back to the default)"),
                    type="rest",
                    positional=True,
                    max_length=200,
                ),
                Arg("file", N_("the logo: a square PNG, at most 2 MB"), type="file"),
            ),
            Role.LEADER,
            action=WORDS,
        ),
    ]


@hookimpl
def copkit_register_actions() -> list[Action]:
    return [Action(ACTION, _dispatch_action, role=Role.LEADER, permission="brand set", words=WORDS)]


async def _dispatch_action(ctx: Context, args: dict[str, Any]) -> None:
    if args.get("id") == "form":
        await brand_form(ctx, args)
        return
    raise UserError(_("That button no longer works."))
