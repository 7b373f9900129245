"""``announce`` (channel, off, before, role), ``notify me|off``, ``whatson`` (every, off,
now) and ``invite``: the commands of the core's announcements (:mod:`copkit.core.announce`,
:mod:`copkit.core.whatson`, :mod:`copkit.core.invite`)."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from typing import Any

from copkit.core import announce, whatson
from copkit.core.announce_models import AnnounceSetting, NotifyOptIn
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.invite import invite_view
from copkit.core.models import Room
from copkit.core.parsing import parse_duration
from copkit.core.roles import Role
from copkit.core.specs import Arg, Command, JobType
from copkit.core.store import insert_if_absent
from copkit.core.timezones import show
from copkit.core.views import Field, ToRoom, UserText, View, notice

WHERE = Arg(
    "where",
    N_("“here”, or the channel (#channel)"),
    positional=True,
    required=True,
    max_length=200,
)
BEFORE = Arg("time", N_("how long before, e.g. 1h or 30m; “off” for none"), positional=True)
ROLE_NAME = Arg(
    "name", N_("the role's name; “off” to stop notifying"), type="rest", positional=True
)
WHEN = Arg("when", N_("a day and a time, e.g. monday 9:00"), type="rest", positional=True)
_MENTION = re.compile(r"^<#(\d+)>$")
MOST_AHEAD = timedelta(days=7)
OFF = ("off", "none", "0")


def _channel(s: AnnounceSetting) -> str:
    if not s.room_id:
        return _("none")
    return f"<#{s.room_id}>" if s.room_id.isdigit() else f"#{UserText(s.room_name or s.room_id)}"


def _ahead(minutes: int) -> str:
    if not minutes:
        return _("no reminder")
    if minutes % 60 == 0:
        return _("{n} h before").format(n=minutes // 60)
    return _("{n} min before").format(n=minutes)


async def status(ctx: Context, args: dict[str, Any]) -> None:
    s = await announce.setting_of(ctx.community.id)
    fields = [
        Field(_("Channel"), _channel(s)),
        Field(_("Reminder"), _ahead(s.before_minutes)),
        Field(_("Notification role"), f"<@&{s.notify_role}>" if s.notify_role else _("none")),
        Field(_("What's on"), UserText(s.whatson_every) if s.whatson_rule else _("off")),
    ]
    text = _("Every event of every format is announced in the channel when it is scheduled.")
    if s.broken_at is not None:
        text += "\n" + _("Stopped: I could not post there. Name the channel again to restart.")
    await ctx.reply(View(title=_("Announcements"), text=text, fields=fields))


async def _room(ctx: Context, where: str) -> tuple[str, str]:
    """The room ``where`` names: ``here``, a channel mention, or a room's name."""
    word = where.strip()
    if word.casefold() in ("here", "ici", "hier"):
        return ctx.room.id, ctx.room.name or ctx.room.id
    m = _MENTION.match(word)
    if m:
        row = await Room.get_or_none(community_id=ctx.community.id, external_id=m[1])
        return m[1], row.name if row is not None and row.name else m[1]
    name = word.lstrip("#").strip().casefold()
    for row in await Room.filter(community_id=ctx.community.id):
        if row.name.casefold() == name or row.external_id == word:
            return row.external_id, row.name or row.external_id
    raise UserError(
        _(
            "I don't know a channel “{where}” here: say “announce channel here” in it, or "
            "mention it (#channel)."
        ).format(where=word[:60])
    )


async def set_channel(ctx: Context, args: dict[str, Any]) -> None:
    room_id, name = await _room(ctx, str(args.get("where") or ""))
    hello = notice(_("This channel now gets the community's announcements."))
    ref = await ctx.show(hello, target=ToRoom(room_id))  # refused: the leader is told, nothing set
    if ref is not None and not ref.get("message_id"):
        raise UserError(_("I can't post in that channel yet: say “announce channel here” in it."))
    s = await announce.setting_of(ctx.community.id)
    await AnnounceSetting.filter(id=s.id).update(
        room_id=room_id,
        room_name=name[:200],
        set_by=ctx.person.id,
        set_in=ctx.room_id,
        broken_at=None,
    )
    await ctx.log("announce.channel", ref=room_id, text=name, member=ctx.person.id)
    await announce.restart_sweep(ctx)
    if s.whatson_rule:
        await whatson.restart(ctx)
    s = await announce.setting_of(ctx.community.id)
    await ctx.reply(
        notice(
            _(
                "Announcements go to {channel}: every event when it is scheduled, and a "
                "reminder ({before})."
            ).format(channel=_channel(s), before=_ahead(s.before_minutes)),
            "success",
        )
    )


async def channel_off(ctx: Context, args: dict[str, Any]) -> None:
    s = await announce.setting_of(ctx.community.id)
    await AnnounceSetting.filter(id=s.id).update(room_id="", sweep_job=None)
    await ctx.cancel_job(s.sweep_job)
    await ctx.log("announce.off", member=ctx.person.id)
    await ctx.reply(notice(_("Announcements are off."), "success"))


async def set_before(ctx: Context, args: dict[str, Any]) -> None:
    raw = str(args.get("time") or "").strip()
    if not raw:
        raise UserError(_("Say how long before, e.g. “announce before 1h”, or “off”."))
    ahead = timedelta(0) if raw.casefold() in OFF else parse_duration(raw)
    if ahead > MOST_AHEAD:
        raise UserError(_("A reminder comes at most 7 days before."))
    minutes = int(ahead.total_seconds() // 60)
    s = await announce.setting_of(ctx.community.id)
    await AnnounceSetting.filter(id=s.id).update(before_minutes=minutes)
    await ctx.log("announce.before", text=str(minutes), member=ctx.person.id)
    if s.room_id:
        await announce.restart_sweep(ctx)
    await ctx.reply(notice(_("Reminders: {before}.").format(before=_ahead(minutes)), "success"))


async def set_role(ctx: Context, args: dict[str, Any]) -> None:
    words = " ".join(args.get("name") or []).strip()
    s = await announce.setting_of(ctx.community.id)
    if words.casefold() in OFF:
        await AnnounceSetting.filter(id=s.id).update(notify_role="")
        await ctx.log("announce.role_off", member=ctx.person.id)
        await ctx.reply(notice(_("Announcements notify nobody now."), "success"))
        return
    roles = ctx.roles
    if roles is None:
        raise UserError(_("This platform has no roles to notify: announcements are posted only."))
    if s.notify_role:
        raise UserError(_("The notification role exists already. “announce role off” first."))
    name = words[:100] or _("{name} news").format(name=ctx.community.name or "copkit")
    role_id = await roles.create_role(ctx.community, name)
    if not await AnnounceSetting.filter(id=s.id, notify_role="").update(notify_role=role_id):
        raise UserError(_("The notification role exists already. “announce role off” first."))
    await ctx.log("announce.role", ref=role_id, text=name, member=ctx.person.id)
    for person in await NotifyOptIn.filter(community_id=ctx.community.id):
        await roles.give_role(ctx.community, person.person_id, role_id, True)
    await ctx.reply(
        notice(
            _(
                "I made the role {role}: announcements mention it, and only those who said "
                "“notify me” have it."
            ).format(role=f"<@&{role_id}>" if role_id.isdigit() else UserText(name)),
            "success",
        )
    )


async def notify(ctx: Context, on: bool) -> None:
    s = await announce.setting_of(ctx.community.id)
    roles = ctx.roles
    if roles is None or not s.notify_role:
        raise UserError(
            _(
                "There is no notification role here: follow the announcements channel ({channel})."
            ).format(channel=_channel(s))
        )
    changed: object
    if on:
        changed = await insert_if_absent(
            NotifyOptIn, community_id=ctx.community.id, person_id=ctx.person.id, at=ctx.now()
        )
    else:
        changed = await NotifyOptIn.filter(
            community_id=ctx.community.id, person_id=ctx.person.id
        ).delete()
    await roles.give_role(ctx.community, ctx.person.id, s.notify_role, on)
    if changed:
        await ctx.log("announce.notify_on" if on else "announce.notify_off", member=ctx.person.id)
    text = (
        _("You'll be notified of every announcement. “notify off” stops it.")
        if on
        else _("You won't be notified any more.")
    )
    await ctx.reply(notice(text, "success"), private=True)


async def notify_me(ctx: Context, args: dict[str, Any]) -> None:
    await notify(ctx, True)


async def notify_off(ctx: Context, args: dict[str, Any]) -> None:
    await notify(ctx, False)


# What's on ----------------------------------------------------------------------------------


async def whatson_status(ctx: Context, args: dict[str, Any]) -> None:
    s = await announce.setting_of(ctx.community.id)
    if not s.whatson_rule:
        text = _("No weekly post. The leader can start one: “whatson every monday 9:00”.")
    else:
        due = whatson.next_post(s, ctx.zone, ctx.now())
        text = _("Every {when}; next: {next}.").format(
            when=UserText(s.whatson_every), next=show(due, ctx.zone) if due else "—"
        )
    await ctx.reply(View(title=_("What's on"), text=text))


async def whatson_every(ctx: Context, args: dict[str, Any]) -> None:
    words = " ".join(args.get("when") or []).strip()
    rule, first = whatson.read_weekly(words, ctx.zone, ctx.now())
    s = await announce.setting_of(ctx.community.id)
    await AnnounceSetting.filter(
        id=s.id
    ).update(
        whatson_rule=rule,
        whatson_first=first.replace(tzinfo=UTC),  # a wall-clock time, kept as it is
        whatson_every=words[:100],
        whatson_room=ctx.room_id,
    )
    await ctx.log("announce.whatson_every", text=words[:100], member=ctx.person.id)
    due = await whatson.restart(ctx)
    where = _channel(s) if s.room_id else _("this channel")
    await ctx.reply(
        notice(
            _("What's on: every {when} in {where}; the first on {next}.").format(
                when=UserText(words), where=where, next=show(due, ctx.zone) if due else "—"
            ),
            "success",
        )
    )


async def whatson_off(ctx: Context, args: dict[str, Any]) -> None:
    s = await announce.setting_of(ctx.community.id)
    await AnnounceSetting.filter(id=s.id).update(whatson_rule="", whatson_job=None)
    await ctx.cancel_job(s.whatson_job)
    await ctx.log("announce.whatson_off", member=ctx.person.id)
    await ctx.reply(notice(_("No more weekly posts."), "success"))


async def whatson_now(ctx: Context, args: dict[str, Any]) -> None:
    d = await whatson.digest(ctx, ctx.now())
    if d.empty:
        await ctx.reply(
            notice(_("Nothing to say this week: the weekly post would be skipped.")), private=True
        )
        return
    view = whatson.whatson_view(ctx, d)
    view.footer = _("A preview, for you only.")
    await ctx.reply(view, private=True)


async def invite(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(await invite_view(ctx))


def commands() -> list[Command]:
    lead = N_("change announcements")
    return [
        Command(("announce",), N_("Where and when events are announced."), status),
        Command(
            ("announce", "channel"),
            N_("Announce every event in this channel (or another)."),
            set_channel,
            (WHERE,),
            Role.LEADER,
            action=lead,
        ),
        Command(
            ("announce", "off"), N_("Stop announcing."), channel_off, role=Role.LEADER, action=lead
        ),
        Command(
            ("announce", "before"),
            N_("When the reminder comes before an event."),
            set_before,
            (BEFORE,),
            Role.LEADER,
            action=lead,
        ),
        Command(
            ("announce", "role"),
            N_("A role to notify, given to those who ask (Discord)."),
            set_role,
            (ROLE_NAME,),
            Role.LEADER,
            action=lead,
        ),
        Command(("notify", "me"), N_("Be notified of every announcement."), notify_me),
        Command(("notify", "off"), N_("Stop being notified."), notify_off),
        Command(("whatson",), N_("The weekly “what's on” post."), whatson_status),
        Command(
            ("whatson", "every"),
            N_("Post “what's on” every week at this day and time."),
            whatson_every,
            (WHEN,),
            Role.LEADER,
            action=lead,
        ),
        Command(
            ("whatson", "off"),
            N_("Stop the weekly post."),
            whatson_off,
            role=Role.LEADER,
            action=lead,
        ),
        Command(
            ("whatson", "now"),
            N_("Preview this week's post (for you only)."),
            whatson_now,
            role=Role.CORE,
            action=N_("preview the weekly post"),
        ),
        Command(("invite",), N_("A message to invite someone to the community."), invite),
    ]


def jobs() -> list[JobType]:
    return [
        JobType(announce.SWEEP_JOB, announce.sweep_job),
        JobType(whatson.JOB, whatson.whatson_job),
    ]
