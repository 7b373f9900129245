"""iCalendar entries for talk sessions: the core's calendar (:mod:`copkit.core.calendar_feed`).

Each session has a stable UID; its SEQUENCE rises whenever it is rescheduled, cancelled or
changes speaker, so calendar programs replace the old entry instead of adding another one.
"""

from __future__ import annotations

from copkit.core.calendar_feed import CalendarEntry, calendar

__all__ = ["CalendarEntry", "calendar"]
