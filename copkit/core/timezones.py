"""Reading and showing times in a community's time zone (shared by every format).

Times are typed in the community's zone (``Community.timezone``) unless the text names another
one: ``2026-12-03 12:30``, ``2026-12-03T12:30``, ``2026-12-03 12:30 Europe/Paris``,
``2026-12-03 12:30+01:00``, ``tomorrow 12:30``, ``in 2h``, and the words people use in
English, French and German (:mod:`copkit.core.datewords`: "next friday 12:30", "demain 12h30",
"morgen 12 Uhr", "Jan 9 12:30", "9.1.2026 12:30", "in 2 days"). Stored times are aware UTC
datetimes.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_date, format_datetime, format_timedelta

from .datewords import Parts, languages, read
from .errors import UserError
from .i18n import _, current_locale
from .parsing import parse_duration

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


@cache
def _zone_names() -> dict[str, str]:
    """Every zone name known here, by its lower-case form."""
    return {n.lower(): n for n in available_timezones() if "/" in n or n == "UTC"}


def find_zone(text: str) -> ZoneInfo:
    """The zone ``text`` names, as people type it: ``Europe/Paris``, ``europe/paris``,
    ``Paris``, ``new york``, ``UTC``; else an error suggesting the closest names."""
    raw = "_".join((text or "").strip().split())[:64]
    names = _zone_names()
    exact = names.get(raw.lower())
    if exact:
        return ZoneInfo(exact)
    cities: dict[str, list[str]] = {}
    for lower, name in names.items():
        cities.setdefault(lower.rsplit("/", 1)[-1], []).append(name)
    found = cities.get(raw.lower(), [])
    if len(found) == 1:
        return ZoneInfo(found[0])
    close = found or [
        names.get(c) or cities[c][0]
        for c in difflib.get_close_matches(raw.lower(), [*names, *cities], n=3, cutoff=0.6)
    ]
    hint = (
        " " + _("Did you mean: {names}?").format(names=", ".join(dict.fromkeys(close)))
        if close
        else ""
    )
    raise UserError(
        _("“{tz}” is not a time zone I know (try Europe/Paris).").format(tz=raw[:60]) + hint
    )


def community_zone(name: str | None) -> ZoneInfo:
    """A community's time zone: ``name``, or UTC when it is unset or unknown."""
    try:
        return zone(name)
    except UserError:
        return ZoneInfo("UTC")


def _example(tz: ZoneInfo, now: datetime) -> tuple[str, str]:
    """Two ways to write a time two days from now, in the active language's words."""
    words = languages()[0]
    soon = now.astimezone(tz).date() + timedelta(days=2)
    weekday = words.weekdays[soon.weekday()][0]
    return f"{weekday} 12:30", f"{soon.isoformat()} 12:30"


def _unreadable(text: str, tz: ZoneInfo, now: datetime) -> UserError:
    example, iso = _example(tz, now)
    return UserError(
        _("I can't read “{value}” as a date and time. Try “{example}” or “{iso}”.").format(
            value=text[:60], example=example, iso=iso
        )
    )


def _needs_time(text: str) -> UserError:
    return UserError(
        _('Please give a time as well, in quotes: "{value} 12:30".').format(value=text[:60])
    )


def _split_zone(raw: str) -> tuple[str, ZoneInfo | None]:
    """A zone named at the end (``… Europe/Paris``, ``… UTC``) taken off the text."""
    m = _ZONE_TAIL.match(raw)
    if m and ("/" in m.group(2) or m.group(2).upper() in ("UTC", "GMT")):
        return m.group(1), zone(m.group(2))
    return raw, None


def parse_when(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """``text`` as an aware UTC datetime; local times are read in ``tz``.

    Takes ISO forms (``2026-12-03 12:30``, with an offset or a zone after it) and the words
    of :mod:`copkit.core.datewords` ("next friday 12:30", "demain 12h30", "in 2 days"). A
    wall time that a clock change skips is refused; one that happens twice (the night the
    clocks go back) is the first of the two."""
    raw = " ".join((text or "").split())
    if not raw:
        raise _unreadable(text or "", tz, now)
    raw, named = _split_zone(raw)
    tz = named or tz
    iso = _iso(raw)
    if iso is not None:
        return iso if iso.tzinfo is not None else _localize(iso, tz)
    if _ISO_DATE.match(raw):
        raise _needs_time(raw)
    parts = read(raw, current_locale())
    if parts is None:
        raise _unreadable(raw, tz, now)
    if parts.delay is not None:
        if parts.has_day or parts.at is not None:
            raise _unreadable(raw, tz, now)
        return (now + parts.delay).astimezone(UTC)
    if parts.at is None:
        raise _needs_time(raw)
    local_now = now.astimezone(tz)
    day = _day_of(parts, local_now, raw, tz, now)
    if day is None:  # only a time: today if it is still to come, else tomorrow
        day = local_now.date()
        if datetime.combine(day, parts.at) <= local_now.replace(tzinfo=None):
            day += timedelta(days=1)
    return _localize(datetime.combine(day, parts.at), tz)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso(raw: str) -> datetime | None:
    """``raw`` as an ISO date and time (naive unless it carries an offset or ``Z``)."""
    if not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", raw):
        return None
    text = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed


def _day_of(
    parts: Parts, local_now: datetime, raw: str, tz: ZoneInfo, now: datetime
) -> date | None:
    """The day ``parts`` name, seen from ``local_now``; ``None`` when they name none."""
    today = local_now.date()
    if parts.day is not None:
        return parts.day
    if parts.offset_days is not None:
        return today + timedelta(days=parts.offset_days)
    if parts.weekday is not None:
        day = today + timedelta(days=(parts.weekday - today.weekday()) % 7)
        passed = parts.at is not None and parts.at <= local_now.time()
        if day == today and (parts.strictly_after or passed):
            day += timedelta(days=7)
        return day
    if parts.month_day is not None:
        month, dom = parts.month_day
        for year in (today.year, today.year + 1):
            try:
                day = date(year, month, dom)
            except ValueError:
                continue
            if day >= today:
                return day
        raise _unreadable(raw, tz, now)
    return None


def parse_day(text: str, tz: ZoneInfo, now: datetime) -> date:
    """A day as people type it (``friday``, ``tomorrow``, ``Jan 9``, ``9.1.2026``,
    ``2026-02-01``, ``in 2 weeks``, ``7d``), seen from ``now`` in ``tz``."""
    raw = " ".join((text or "").split())
    today = now.astimezone(tz).date()
    if _ISO_DATE.match(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    if raw[:1].isdigit():
        try:
            delta = parse_duration(raw)
            return today + timedelta(days=max(1, round(delta.total_seconds() / 86400)))
        except UserError:
            pass
    parts = read(raw, current_locale()) if raw else None
    if parts is not None and parts.delay is not None and not parts.has_day:
        return (now + parts.delay).astimezone(tz).date()
    day = _day_of(parts, now.astimezone(tz), raw, tz, now) if parts is not None else None
    if day is None:
        example = languages()[0].weekdays[(today.weekday() + 2) % 7][0]
        raise UserError(
            _("“{value}” is not a date (try {example}, {iso} or 7d).").format(
                value=raw[:60], example=example, iso=(today + timedelta(days=2)).isoformat()
            )
        )
    return day


def _localize(local: datetime, tz: ZoneInfo) -> datetime:
    aware = local.replace(tzinfo=tz, fold=0)  # twice in a night the clocks go back: the first
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


def show_day(day: date) -> str:
    """A calendar day (a due date) as ``Thu 3 Dec 2026`` in the active language."""
    return format_date(day, "EEE d MMM y", locale=_babel_locale())


def show_relative(when: datetime, now: datetime) -> str:
    """``in 2 hours``, ``3 days ago`` in the active language."""
    return format_timedelta(when - now, add_direction=True, threshold=1.5, locale=_babel_locale())


def _babel_locale() -> str:
    loc = current_locale() or "en"
    return loc.replace("-", "_")
