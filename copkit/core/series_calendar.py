"""One calendar per community: every format's scheduled events (``copkit_calendar_entries``)
and every series (one entry with its RRULE, EXDATEs for skipped dates, an override per moved
date), for ``calendar`` in chat, the ICS feed and the site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from . import store
from .calendar_feed import CalendarEntry, calendar
from .i18n import _
from .recurrence import aware, occurrences
from .series import next_dates, occurrence_uid, series_ref
from .series_models import (
    ACTIVE,
    ENDED,
    PAUSED,
    PLANNED,
    SKIPPED,
    CalendarSetting,
    Occurrence,
    Series,
)
from .timezones import community_zone

if TYPE_CHECKING:
    from .models import Community
    from .plugins import Hooks


def series_here() -> bool:
    """Whether the series' tables are in use (the series plugin is loaded)."""
    from tortoise import Tortoise

    return "series" in Tortoise.apps


async def _made(community: Community) -> set[str]:
    """The calendar UIDs formats made of series dates (shown as the series' dates)."""
    if not series_here():
        return set()
    query = Occurrence.filter(series__community_id=community.id).exclude(ref="")
    return set(await store.column(query, "ref"))


def is_occurrence_uid(uid: str) -> bool:
    """Whether ``uid`` names one date of a series (what a format made of it)."""
    return uid.startswith("series-") and uid.endswith("@copkit") and uid.count("-") >= 2


Window = tuple[datetime, datetime | None]
MAX_LEFT_OUT = 200  # dates of one pause left out of a feed at most (a pause of years)


async def _pauses(community_id: int) -> dict[str, list[Window]]:
    """When each series of the community was paused (the log's ``series.paused`` up to the next
    ``series.resumed`` or ``series.ended``; ``None``: still paused), by the series' log ref."""
    from .models import LogEntry

    rows = await (
        LogEntry.filter(community_id=community_id, kind__in=(PAUSED_KIND, RESUMED_KIND, ENDED_KIND))
        .order_by("id")
        .values_list("kind", "ref", "at")
    )
    windows: dict[str, list[Window]] = {}
    for kind, ref, at in rows:
        mine = windows.setdefault(str(ref), [])
        if kind == PAUSED_KIND:
            if not mine or mine[-1][1] is not None:
                mine.append((at, None))
        elif mine and mine[-1][1] is None:
            mine[-1] = (mine[-1][0], at)
    return windows


PAUSED_KIND, RESUMED_KIND, ENDED_KIND = "series.paused", "series.resumed", "series.ended"


def _paused_dates(s: Series, zone: ZoneInfo, windows: list[Window]) -> list[datetime]:
    """The rule's dates in each closed pause (nothing happened then): left out as EXDATEs."""
    first_local = s.first_local.replace(tzinfo=None)
    out: list[datetime] = []
    for start, end in windows:
        if end is None:
            continue
        for when in occurrences(s.rule, first_local, zone, start, MAX_LEFT_OUT):
            if when >= end:
                break
            out.append(when)
    return out


def _until(s: Series, windows: list[Window]) -> datetime | None:
    """Where the series' RRULE stops: its end, or the pause it is in (a paused series
    advertises no date; resumed, the rule runs on again)."""
    if s.status == ENDED:
        return s.ended_at
    if s.status == PAUSED:
        still = [start for start, end in windows if end is None]
        return (still[-1] if still else s.ended_at or s.created_at) - timedelta(seconds=1)
    return None


async def series_entries(community_id: int, since: datetime) -> list[CalendarEntry]:
    """Each series of the community as calendar entries: ended ones until their end, paused
    ones until their pause, and no date of a past pause."""
    out: list[CalendarEntry] = []
    pauses: dict[str, list[Window]] | None = None
    for s in await Series.filter(community_id=community_id).order_by("id"):
        if s.status == ENDED and s.ended_at is not None and s.ended_at < since:
            continue
        zone = community_zone(s.tz)
        first_local = s.first_local.replace(tzinfo=None)
        starts = occurrences(
            s.rule, first_local, zone, aware(first_local, zone) - timedelta(seconds=1), 1
        )
        if not starts:
            continue
        rows = await Occurrence.filter(series_id=s.id).order_by("original_start")
        length = timedelta(minutes=s.minutes)
        windows: list[Window] = []
        if s.status != ACTIVE or s.sequence:  # a series never paused has no pause to read
            if pauses is None:
                pauses = await _pauses(community_id)
            windows = pauses.get(series_ref(s.id), [])
        held = {o.original_start for o in rows if o.status == SKIPPED or o.moved}
        paused = [d for d in _paused_dates(s, zone, windows) if d not in held]
        common = {
            "uid": s.uid,
            "title": s.title,
            "format": s.format,
            "location": s.where,
            "tz": s.tz,
            "sequence": s.sequence,
        }
        until = _until(s, windows)
        if until is not None and until < starts[0] and starts[0] not in held:
            paused.append(starts[0])  # stopped before its first date (DTSTART always counts)
        out.append(
            CalendarEntry(
                start=starts[0],
                end=starts[0] + length,
                rrule=s.rule,
                exdates=tuple(
                    sorted({o.original_start for o in rows if _left_out(o)} | set(paused))
                ),
                until=until,
                description=_("Every {every}.").format(every=s.every),
                **common,  # type: ignore[arg-type]
            )
        )
        for o in rows:
            called_off = o.status == SKIPPED and o.announced_at is not None
            if (o.moved and o.status != SKIPPED) or called_off:
                out.append(
                    CalendarEntry(
                        start=o.starts_at,
                        end=o.starts_at + length,
                        recurrence_id=o.original_start,
                        description=_("Cancelled.")
                        if called_off
                        else _("Moved from its usual date."),
                        cancelled=called_off,
                        **common,  # type: ignore[arg-type]
                    )
                )
    return out


def _left_out(o: Occurrence) -> bool:
    """A skipped date nobody was told of: an EXDATE. One already announced stays in the
    calendar as an override with ``STATUS:CANCELLED``, so calendars that had it show it
    called off."""
    return o.status == SKIPPED and o.announced_at is None


async def community_entries(
    hooks: Hooks, community: Community, since: datetime
) -> list[CalendarEntry]:
    """Everything in the community's calendar from ``since``: formats' events and series."""
    made = set(
        await Occurrence.filter(series__community_id=community.id)
        .exclude(ref="")
        .values_list("ref", flat=True)
    )
    formats = [
        e
        for e in await hooks.calendar_entries(community, since)
        if not is_occurrence_uid(e.uid) and e.uid not in made
    ]
    return await series_entries(community.id, since) + sorted(formats, key=lambda e: e.start)


async def community_feed(
    hooks: Hooks, community: Community, stamp: datetime, *, days_back: int = 365
) -> bytes:
    """The community's calendar as an .ics feed (the past year and everything ahead)."""
    entries = await community_entries(hooks, community, stamp - timedelta(days=days_back))
    name = community.name or community.external_id
    return calendar(entries, stamp, name=_("{name}: calendar").format(name=name))


@dataclass(frozen=True, slots=True)
class Upcoming:
    """One date in the chat's calendar."""

    start: datetime
    end: datetime
    title: str
    format: str
    series_id: int | None = None
    location: str = ""


async def upcoming(
    hooks: Hooks, community: Community, now: datetime, *, limit: int = 15
) -> list[Upcoming]:
    """The next dates of the community (series expanded, skipped and cancelled left out)."""
    items: list[Upcoming] = []
    made = await _made(community)
    for e in await hooks.calendar_entries(community, now):
        if e.cancelled or e.start < now or is_occurrence_uid(e.uid) or e.uid in made or e.rrule:
            continue
        items.append(Upcoming(e.start, e.end, e.title, e.format, location=e.location))
    live = Series.filter(community_id=community.id, status=ACTIVE) if series_here() else None
    for s in await live if live is not None else []:
        dates = [o for o in await next_dates(s, now, limit + 5) if o.status == PLANNED]
        for o in dates[:limit]:
            if o.starts_at >= now:
                end = o.starts_at + timedelta(minutes=s.minutes)
                items.append(Upcoming(o.starts_at, end, s.title, s.format, s.id, s.where))
    items.sort(key=lambda u: u.start)
    return items[:limit]


@dataclass(frozen=True, slots=True)
class Dated:
    """One dated event of the community, as announcements see it: a format's event or one
    date of a series, with the calendar entry of that date alone (for "add to my calendar").
    ``announce_from`` is when a series date may be announced (its announcement lead)."""

    entry: CalendarEntry
    room_id: str = ""
    announce_from: datetime | None = None


async def dated(hooks: Hooks, community: Community, since: datetime) -> list[Dated]:
    """Every dated event of the community starting at ``since`` or later, cancelled ones
    marked: the formats' events (``copkit_calendar_entries``, as the calendar has them) and
    the stored dates of every series (the next one of a running series is always stored)."""
    made = await _made(community)
    out = [
        Dated(e)
        for e in await hooks.calendar_entries(community, since)
        if not (e.rrule or is_occurrence_uid(e.uid) or e.uid in made)
    ]
    for s in await Series.filter(community_id=community.id) if series_here() else []:
        rows = await Occurrence.filter(series_id=s.id, starts_at__gte=since)
        for o in rows:
            cancelled = o.status == SKIPPED or (s.status != ACTIVE and o.status == PLANNED)
            entry = CalendarEntry(
                uid=occurrence_uid(s, o.original_start),
                title=s.title,
                start=o.starts_at,
                end=o.starts_at + timedelta(minutes=s.minutes),
                sequence=s.sequence + o.sequence,
                cancelled=cancelled,
                location=s.where,
                description=_("Every {every}.").format(every=s.every),
                format=s.format,
            )
            lead = o.starts_at - timedelta(minutes=s.announce_minutes)
            out.append(Dated(entry, s.room_id, lead))
    out.sort(key=lambda d: d.entry.start)
    return out


async def is_public(community_id: int) -> bool:
    row = await CalendarSetting.get_or_none(community_id=community_id)
    return bool(row and row.public)


__all__ = [
    "Dated",
    "Upcoming",
    "community_entries",
    "community_feed",
    "dated",
    "is_occurrence_uid",
    "is_public",
    "occurrence_uid",
    "series_entries",
    "upcoming",
]
