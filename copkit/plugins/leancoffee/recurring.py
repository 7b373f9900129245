"""Lean coffee as a series (``leancoffee start --every …``; each date is opened at its time
by :func:`.flow.copkit_series_occurrence`, with the series' options), and lean coffees in the
community's calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from copkit.core import series
from copkit.core.calendar_feed import CalendarEntry
from copkit.core.context import Context
from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import _
from copkit.core.models import Community
from copkit.core.timezones import parse_future

from . import logic
from .models import Session
from .routes import lc


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


async def start_series(ctx: Context, args: dict[str, Any]) -> None:
    """``leancoffee start --every …``: the options are checked now, used at each date."""
    logic.check_votes(args.get("votes"))
    logic.check_timebox(args.get("timebox"))
    logic.parse_extensions(args.get("extensions"))
    logic.check_window(args.get("thumbs"))
    options = {
        "votes": args.get("votes"),
        "timebox": _seconds(args.get("timebox")),
        "extensions": args.get("extensions"),
        "thumbs": _seconds(args.get("thumbs")),
        "title": args.get("title"),
    }
    first = parse_future(args["first"], ctx.zone, ctx.now()) if args.get("first") else None
    s = await series.create(
        ctx,
        format=lc.name,
        title=logic.clean(args.get("title"))[:200] or _("Lean coffee"),
        every=str(args["every"]),
        at=first,
        minutes=60,
        options=options,
        announce=args.get("announce"),
    )
    dates = await series.next_dates(s, ctx.now(), 1)
    await ctx.reply(series.created_view(s, dates[0].starts_at if dates else None))


@hookimpl
async def copkit_calendar_entries(community: Community, since: datetime) -> list[CalendarEntry]:
    rows = await Session.filter(community_id=community.id, started_at__gte=since).order_by(
        "started_at"
    )
    return [
        CalendarEntry(
            uid=f"leancoffee-{s.id}@copkit",
            title=s.title or _("Lean coffee"),
            start=s.started_at,
            end=s.ended_at or s.started_at + timedelta(hours=1),
            format=lc.name,
        )
        for s in rows
    ]
