"""A community's calendar as iCalendar (RFC 5545), with the icalendar library.

Every format says what it has scheduled through ``copkit_calendar_entries`` (one
:class:`CalendarEntry` per event); series come from :mod:`copkit.core.series` as one entry
with an RRULE, their skipped dates as EXDATE and their moved dates as overrides (the series'
UID with a RECURRENCE-ID). UIDs never change; SEQUENCE rises with every change, so calendar
programs replace an entry instead of adding another; a cancelled event stays in the feed as
STATUS:CANCELLED.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (imported when a calendar is built: about 8 MB a process rarely needs)
    from icalendar import Event

PRODID = "-//copkit//community calendar//EN"


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """What a calendar needs to know of one event (or of a whole series, with ``rrule``).

    ``start``/``end`` are aware datetimes. A series entry gives ``rrule`` (an RRULE value),
    ``tz`` (its wall-clock zone: the occurrences keep their local time across daylight-saving
    changes), ``exdates`` (skipped starts) and ``until``; an override of one date of a series
    gives the series' ``uid`` and the date it replaces as ``recurrence_id``."""

    uid: str
    title: str
    start: datetime
    end: datetime
    sequence: int = 0
    cancelled: bool = False
    location: str = ""
    description: str = ""
    url: str = ""
    format: str = ""
    rrule: str = ""
    tz: str = ""
    exdates: tuple[datetime, ...] = ()
    until: datetime | None = None
    recurrence_id: datetime | None = None


def _moment(when: datetime, tz: str) -> datetime:
    if tz:
        from zoneinfo import ZoneInfo

        return when.astimezone(ZoneInfo(tz))
    return when.astimezone(UTC)


def _event(entry: CalendarEntry, stamp: datetime) -> Event:
    from icalendar import Event, vRecur

    ev = Event()
    ev.add("uid", entry.uid)
    ev.add("dtstamp", stamp.astimezone(UTC))
    ev.add("dtstart", _moment(entry.start, entry.tz))
    ev.add("dtend", _moment(entry.end, entry.tz))
    ev.add("summary", entry.title)
    ev.add("sequence", entry.sequence)
    ev.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    if entry.rrule:
        recur = vRecur.from_ical(entry.rrule)
        if entry.until is not None:
            recur["UNTIL"] = entry.until.astimezone(UTC)
        ev.add("rrule", recur)
        for skipped in entry.exdates:
            ev.add("exdate", _moment(skipped, entry.tz))
    if entry.recurrence_id is not None:
        ev.add("recurrence-id", _moment(entry.recurrence_id, entry.tz))
    if entry.location:
        ev.add("location", entry.location)
    if entry.description:
        ev.add("description", entry.description)
    if entry.url:
        ev.add("url", entry.url)
    if entry.format:
        ev.add("categories", [entry.format])
    return ev


def calendar(entries: Iterable[CalendarEntry], stamp: datetime, *, name: str = "") -> bytes:
    """A VCALENDAR holding ``entries`` (one for an event's .ics, many for a feed), with the
    VTIMEZONE of every zone a series uses. Lines end with CRLF, as RFC 5545 says."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    zoned = False
    for entry in entries:
        cal.add_component(_event(entry, stamp))
        zoned = zoned or bool(entry.tz)
    if zoned:
        cal.add_missing_timezones()
    return cal.to_ical()
