"""Reading and showing times in a community's time zone (shared by every format).

Times are typed in the community's zone (``Community.timezone``) unless the text names another
one: ``2026-12-03 12:30``, ``2026-12-03T12:30``, ``2026-12-03 12:30 Europe/Paris``,
``2026-12-03 12:30+01:00``, ``tomorrow 12:30``, ``in 2h``. Stored times are aware UTC datetimes.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime, format_timedelta

from .errors import UserError
from .i18n import _, current_locale
from .parsing import parse_duration

_RELATIVE = re.compile(r"^(today|tomorrow)\s+(\d{1,2}):(\d{2})$", re.I)
_IN = re.compile(r"^in\s+(\S.*)$", re.I)
_ZONE_TAIL = re.compile(r"^(.*\d)\s+([A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*)$")


def zone(name: str | None) -> ZoneInfo:
    """The time zone called ``name``; a short error if there is none."""
    name = (name or "UTC").strip()
    try:
        if not name or ".." in name or name.startswith("/"):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UserError(
            _("“{tz}” is not a time zone I know (try Europe/Paris).").format(tz=name[:60])
        ) from None


def community_zone(name: str | None) -> ZoneInfo:
    """A community's time zone: ``name``, or UTC when it is unset or unknown."""
    try:
        return zone(name)
    except UserError:
        return ZoneInfo("UTC")


def _unreadable(text: str) -> UserError:
    return UserError(
        _("I can't read “{value}” as a date and time. Try 2026-12-03 12:30.").format(
            value=text[:60]
        )
    )


def parse_when(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """``text`` as an aware UTC datetime; local times are read in ``tz``."""
    raw = " ".join((text or "").split())
    if not raw:
        raise _unreadable(text or "")
    m = _IN.match(raw)
    if m:  # "in 2h", "in 1d 30m"
        return (now + parse_duration(m.group(1).replace(" ", ""))).astimezone(UTC)
    m = _RELATIVE.match(raw)
    if m:
        day: date = now.astimezone(tz).date()
        if m.group(1).lower() == "tomorrow":
            day += timedelta(days=1)
        try:
            local = datetime.combine(day, time(int(m.group(2)), int(m.group(3))))
        except ValueError:
            raise _unreadable(raw) from None
        return _localize(local, tz)
    m = _ZONE_TAIL.match(raw)
    if m:  # a zone after the time: "2026-12-03 12:30 Europe/Paris"
        raw, tz = m.group(1), zone(m.group(2))
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise _unreadable(raw) from None
    if len(raw) <= 10:  # a date without a time
        raise UserError(
            _('Please give a time as well, in quotes: "{value} 12:30".').format(value=raw)
        )
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    return _localize(parsed, tz)


def _localize(local: datetime, tz: ZoneInfo) -> datetime:
    aware = local.replace(tzinfo=tz)
    # A wall time skipped by a daylight-saving change does not survive the round trip.
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != local:
        raise UserError(
            _("{value} does not exist in {tz} (the clocks change then).").format(
                value=local.strftime("%Y-%m-%d %H:%M"), tz=tz.key
            )
        )
    return aware.astimezone(UTC)


def parse_future(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """Like :func:`parse_when`, refusing times that are not in the future."""
    when = parse_when(text, tz, now)
    if when <= now:
        raise UserError(_("{when} is in the past.").format(when=show(when, tz)))
    return when


def show(when: datetime, tz: ZoneInfo, *, with_zone: bool = True) -> str:
    """``Thu 3 Dec 2026, 12:30 (Europe/Paris)`` in the active language."""
    text = format_datetime(when, "EEE d MMM y, HH:mm", tzinfo=tz, locale=_babel_locale())
    return f"{text} ({tz.key})" if with_zone else text


def show_time(when: datetime, tz: ZoneInfo, *, seconds: bool = False) -> str:
    pattern = "HH:mm:ss" if seconds else "HH:mm"
    return format_datetime(when, pattern, tzinfo=tz, locale=_babel_locale())


def show_date(when: datetime, tz: ZoneInfo) -> str:
    """``Thu 3 Dec 2026`` in the active language."""
    return format_date(when.astimezone(tz).date(), "EEE d MMM y", locale=_babel_locale())


def show_relative(when: datetime, now: datetime) -> str:
    """``in 2 hours``, ``3 days ago`` in the active language."""
    return format_timedelta(when - now, add_direction=True, threshold=1.5, locale=_babel_locale())


def _babel_locale() -> str:
    loc = current_locale() or "en"
    return loc.replace("-", "_")
