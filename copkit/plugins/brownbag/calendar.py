"""iCalendar (RFC 5545) entries for talk sessions, with the icalendar library.

Each session has a stable UID; its SEQUENCE rises whenever it is rescheduled, cancelled or
changes speaker, so calendar programs replace the old entry instead of adding another one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event

PRODID = "-//copkit//talk formats//EN"


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """What a calendar needs to know of one session."""

    uid: str
    title: str
    start: datetime
    end: datetime
    sequence: int = 0
    cancelled: bool = False
    location: str = ""
    description: str = ""
    url: str = ""


def _event(entry: CalendarEntry, stamp: datetime) -> Event:
    ev = Event()
    ev.add("uid", entry.uid)
    ev.add("dtstamp", stamp.astimezone(UTC))
    ev.add("dtstart", entry.start.astimezone(UTC))
    ev.add("dtend", entry.end.astimezone(UTC))
    ev.add("summary", entry.title)
    ev.add("sequence", entry.sequence)
    ev.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    if entry.location:
        ev.add("location", entry.location)
    if entry.description:
        ev.add("description", entry.description)
    if entry.url:
        ev.add("url", entry.url)
    return ev


def calendar(entries: Iterable[CalendarEntry], stamp: datetime, *, name: str = "") -> bytes:
    """A VCALENDAR holding ``entries`` (one for a session's .ics, many for a feed)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    for entry in entries:
        cal.add_component(_event(entry, stamp))
    return cal.to_ical()
