"""``series`` (list, show, skip, move, pause, resume, end) and ``calendar`` (next dates, the
feed as a file, public or off)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from copkit.core import series as core_series
from copkit.core.context import Context, JobContext
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.roles import Role
from copkit.core.routes import parse_int
from copkit.core.series_calendar import community_entries, community_feed, upcoming
from copkit.core.series_models import ACTIVE, ENDED, PAUSED, SKIPPED, CalendarSetting, Series
from copkit.core.specs import Arg, Command, JobType
from copkit.core.store import upsert
from copkit.core.timezones import community_zone, parse_future, show
from copkit.core.views import Attachment, UserText, View, notice

SERIES = Arg("series", N_("the series' number (needed when there are several)"), positional=True)
SERIES_OPT = Arg("series", N_("the series' number (when several meet that day)"))
DATE = Arg("date", N_("the date, e.g. 2026-12-22"), positional=True, required=True)
SHOWN_DATES = 6


def _day(raw: object) -> datetime:
    text = str(raw or "").strip()
    try:
        if len(text) < 10 or (len(text) > 10 and text[10] not in " T"):
            raise ValueError(text)
        return datetime.fromisoformat(text[:10])
    except ValueError:
        raise UserError(
            _("I can't read “{value}” as a date. Try 2026-12-22.").format(value=text[:30])
        ) from None


async def _series(ctx: Context, raw: object, *, live: bool = True) -> Series:
    """Series number ``raw``, or the community's only live series when ``raw`` is empty."""
    query = Series.filter(community_id=ctx.community.id)
    if raw is None or str(raw).strip() == "":
        rows = await query.filter(status__in=(ACTIVE, PAUSED)).order_by("id")
        if len(rows) == 1:
            return rows[0]
        if not rows:
            raise UserError(
                _("There is no series here. Start one with --every, e.g. on “leancoffee start”.")
            )
        raise UserError(
            _("There are {n} series: say which, e.g. “series show {id}”.").format(
                n=len(rows), id=rows[0].id
            )
        )
    sid = parse_int(raw)
    found = await query.get_or_none(id=sid) if sid is not None else None
    if found is None or (live and found.status == ENDED and sid is None):
        raise UserError(_("There is no series #{id} here.").format(id=str(raw)[:20]))
    return found


def _status(s: Series) -> str:
    return {ACTIVE: _("running"), PAUSED: _("paused"), ENDED: _("ended")}.get(s.status, s.status)


async def list_series(ctx: Context, args: dict[str, Any]) -> None:
    rows = await Series.filter(community_id=ctx.community.id).exclude(status=ENDED).order_by("id")
    if not rows:
        await ctx.reply(
            View(
                title=_("Series"),
                text=_("No series yet. Add --every to a format's start or schedule command."),
            )
        )
        return
    now = ctx.now()
    lines = []
    for s in rows:
        zone = community_zone(s.tz)
        nxt = [o for o in await core_series.next_dates(s, now, 20) if o.status != SKIPPED]
        when = show(nxt[0].starts_at, zone, with_zone=False) if nxt and s.status == ACTIVE else "—"
        lines.append(
            _("- **#{id}** {title} ({format}) — every “{every}” · next: {when} · {status}").format(
                id=s.id,
                title=UserText(s.title),
                format=s.format,
                every=UserText(s.every),
                when=when,
                status=_status(s),
            )
        )
    await ctx.reply(View(title=_("Series"), text="\n".join(lines)))


async def show_series(ctx: Context, args: dict[str, Any]) -> None:
    s = await _series(ctx, args.get("series"))
    zone = community_zone(s.tz)
    lines = []
    for o in await core_series.next_dates(s, ctx.now(), SHOWN_DATES):
        when = show(o.starts_at, zone, with_zone=False)
        if o.status == SKIPPED:
            when = _("~~{when}~~ skipped").format(
                when=show(o.original_start, zone, with_zone=False)
            )
        elif o.moved:
            when = _("{when} (moved)").format(when=when)
        lines.append(f"- {when}")
    await ctx.reply(
        View(
            title=_("Series #{id}: {title}").format(id=s.id, title=UserText(s.title)),
            text=_("Every “{every}” ({zone}), {status}.").format(
                every=UserText(s.every), zone=zone.key, status=_status(s)
            )
            + "\n"
            + "\n".join(lines),
        )
    )


async def skip_date(ctx: Context, args: dict[str, Any]) -> None:
    day = _day(args.get("date"))
    sid = _optional_id(args.get("series"))
    s, o = await core_series.find_date(ctx, day, sid)
    await core_series.skip(ctx, s, o, ctx.person.id)
    await ctx.reply(
        notice(
            _("Skipped: {title} on {day}.").format(
                title=UserText(s.title), day=day.date().isoformat()
            ),
            "success",
        )
    )


async def move_date(ctx: Context, args: dict[str, Any]) -> None:
    day = _day(args.get("date"))
    s, o = await core_series.find_date(ctx, day, _optional_id(args.get("series")))
    to = parse_future(str(args.get("to") or ""), community_zone(s.tz), ctx.now())
    await core_series.move(ctx, s, o, to, ctx.person.id)
    await ctx.reply(
        notice(
            _("Moved: {title} of {day} is now {when}.").format(
                title=UserText(s.title),
                day=day.date().isoformat(),
                when=show(to, community_zone(s.tz)),
            ),
            "success",
        )
    )


def _optional_id(raw: object) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    n = parse_int(raw)
    if n is None:
        raise UserError(_("“{value}” is not a series number.").format(value=str(raw)[:20]))
    return n


async def _change(ctx: Context, args: dict[str, Any], status: str, done: str) -> None:
    s = await _series(ctx, args.get("series"))
    s = await core_series.set_status(ctx, s, status, ctx.person.id)
    await ctx.reply(notice(done.format(id=s.id, title=UserText(s.title)), "success"))


async def pause(ctx: Context, args: dict[str, Any]) -> None:
    await _change(ctx, args, PAUSED, _("Series #{id} ({title}) is paused."))


async def resume(ctx: Context, args: dict[str, Any]) -> None:
    await _change(ctx, args, ACTIVE, _("Series #{id} ({title}) runs again."))


async def end(ctx: Context, args: dict[str, Any]) -> None:
    await _change(ctx, args, ENDED, _("Series #{id} ({title}) has ended."))


# The calendar -------------------------------------------------------------------------------


async def show_calendar(ctx: Context, args: dict[str, Any]) -> None:
    items = await upcoming(ctx.runtime.hooks, ctx.community, ctx.now())
    zone = ctx.zone
    if not items:
        await ctx.reply(View(title=_("Calendar"), text=_("Nothing scheduled yet.")))
        return
    lines = []
    for u in items:
        series = _(" (series #{id})").format(id=u.series_id) if u.series_id else ""
        lines.append(
            f"- {show(u.start, zone, with_zone=False)} — {UserText(u.title)} · {u.format}{series}"
        )
    await ctx.reply(
        View(
            title=_("Calendar"),
            text="\n".join(lines),
            footer=_("Times in {zone}. “calendar ics” gives the whole calendar as a file.").format(
                zone=zone.key
            ),
        )
    )


async def calendar_file(ctx: Context, args: dict[str, Any]) -> None:
    body = await community_feed(ctx.runtime.hooks, ctx.community, ctx.now())
    n = len(
        await community_entries(ctx.runtime.hooks, ctx.community, ctx.now() - timedelta(days=365))
    )
    await ctx.reply(
        View(
            title=_("The community's calendar"),
            text=_("Open calendar.ics with your calendar program ({n} entries).").format(n=n),
            attachments=[Attachment("calendar.ics", "text/calendar", body, _("iCalendar"))],
        ),
        private=True,
    )


def feed_path(community_id: int) -> str:
    return f"/c/{community_id}/calendar.ics"


async def _publish(ctx: Context, public: bool) -> None:
    await upsert(CalendarSetting, {"community_id": ctx.community.id}, {"public": public})
    await ctx.log("calendar.public" if public else "calendar.off", member=ctx.person.id)
    if public:
        text = _("The calendar feed is public: anyone with its address can subscribe ({path}).")
    else:
        text = _("The calendar feed is off.")
    await ctx.reply(notice(text.format(path=feed_path(ctx.community.id)), "success"))


async def make_public(ctx: Context, args: dict[str, Any]) -> None:
    await _publish(ctx, True)


async def make_off(ctx: Context, args: dict[str, Any]) -> None:
    await _publish(ctx, False)


async def step_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    await core_series.run_step(ctx, payload)


def commands() -> list[Command]:
    change = N_("change series")
    return [
        Command(("series", "list"), N_("List the recurring events."), list_series),
        Command(("series", "show"), N_("Show a series' next dates."), show_series, (SERIES,)),
        Command(
            ("series", "skip"),
            N_("Skip one date of a series (a holiday)."),
            skip_date,
            (DATE, SERIES_OPT),
            Role.CORE,
            action=change,
        ),
        Command(
            ("series", "move"),
            N_("Move one date of a series."),
            move_date,
            (
                DATE,
                Arg("to", N_('the new time, e.g. "2026-12-23 12:30"'), required=True),
                SERIES_OPT,
            ),
            Role.CORE,
            action=change,
        ),
        Command(
            ("series", "pause"), N_("Pause a series."), pause, (SERIES,), Role.CORE, action=change
        ),
        Command(
            ("series", "resume"),
            N_("Resume a paused series."),
            resume,
            (SERIES,),
            Role.CORE,
            action=change,
        ),
        Command(("series", "end"), N_("End a series."), end, (SERIES,), Role.CORE, action=change),
        Command(("calendar",), N_("The community's next events."), show_calendar),
        Command(("calendar", "ics"), N_("The whole calendar as an .ics file."), calendar_file),
        Command(
            ("calendar", "public"),
            N_("Serve the calendar feed to anyone with its address."),
            make_public,
            role=Role.LEADER,
            action=N_("publish the calendar"),
        ),
        Command(
            ("calendar", "off"),
            N_("Stop serving the calendar feed."),
            make_off,
            role=Role.LEADER,
            action=N_("publish the calendar"),
        ),
    ]


def jobs() -> list[JobType]:
    return [JobType(core_series.JOB, step_job)]


__all__ = ["commands", "jobs"]
