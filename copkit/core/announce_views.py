"""What the announcements channel shows of an event: its announcement (updated in place when
it moves or is cancelled), the reminder before it starts, and the notes of a move or a
cancellation; each with the event alone as an .ics file ("add to my calendar")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from .calendar_feed import CalendarEntry, calendar
from .i18n import _
from .views import Attachment, UserText, View, When

ICS_NAME = "event.ics"


def ics(entry: CalendarEntry, stamp: datetime) -> Attachment:
    """The event alone as an iCalendar file (cancelled ones say so: calendars drop them)."""
    body = calendar([entry], stamp, name=entry.title)
    return Attachment(ICS_NAME, "text/calendar", body, _("add to my calendar"))


def _lines(entry: CalendarEntry, zone: ZoneInfo, format_title: str) -> list[str]:
    lines = [_("**When:** {when}").format(when=When(entry.start, zone))]
    if entry.location:
        lines.append(_("**Where:** {where}").format(where=UserText(entry.location)))
    if format_title:
        lines.append(_("**Format:** {format}").format(format=format_title))
    return lines


def scheduled_view(
    entry: CalendarEntry, zone: ZoneInfo, stamp: datetime, *, format_title: str = "", role: str = ""
) -> View:
    """The announcement of an event (or, once cancelled, the same message saying so)."""
    title = UserText(entry.title)
    lines = _lines(entry, zone, format_title)
    if entry.cancelled:
        return View(
            title=_("Cancelled: {title}").format(title=title),
            text="\n".join(lines),
            tone="warning",
            attachments=[ics(entry, stamp)],
        )
    return View(
        title=_("New event: {title}").format(title=title),
        text="\n".join(lines),
        footer=_("Add it to your calendar with the attached file."),
        attachments=[ics(entry, stamp)],
        notify=role,
    )


def reminder_view(
    entry: CalendarEntry, zone: ZoneInfo, now: datetime, *, format_title: str = "", role: str = ""
) -> View:
    return View(
        title=_("Starting {soon}: {title}").format(
            soon=When(entry.start, zone, "relative", now=now), title=UserText(entry.title)
        ),
        text="\n".join(_lines(entry, zone, format_title)),
        notify=role,
    )


def moved_view(
    entry: CalendarEntry, was: datetime, zone: ZoneInfo, stamp: datetime, *, role: str = ""
) -> View:
    return View(
        title=_("Moved: {title}").format(title=UserText(entry.title)),
        text=_("Now {when} (it was {was}).").format(
            when=When(entry.start, zone), was=When(was, zone)
        ),
        footer=_("The attached file updates your calendar."),
        tone="warning",
        attachments=[ics(entry, stamp)],
        notify=role,
    )


def cancelled_view(
    entry: CalendarEntry, zone: ZoneInfo, stamp: datetime, *, role: str = ""
) -> View:
    return View(
        title=_("Cancelled: {title}").format(title=UserText(entry.title)),
        text=_("It was planned for {when}.").format(when=When(entry.start, zone)),
        footer=_("The attached file removes it from your calendar."),
        tone="warning",
        attachments=[ics(entry, stamp)],
        notify=role,
    )


def cannot_post_view(channel: str, reason: str) -> View:
    """The one note to the leader when the announcements channel refuses copkit."""
    return View(
        title=_("Announcements are stopped"),
        text=_(
            "I could not post in the announcements channel {channel}: {reason}\n"
            "Nothing more is posted there until you name it again with “announce channel”."
        ).format(channel=channel, reason=reason),
        tone="warning",
    )
