"""Recurrence rules as people type them (``--every``), read into RFC 5545 rules for
``dateutil.rrule``.

Accepted, case-insensitive, an optional ``every`` first and an optional time (``12:30``, ``at
12:30``) anywhere::

    2nd tuesday 12:30        the second Tuesday of each month   FREQ=MONTHLY;BYDAY=+2TU
    last friday 16:00        the last Friday of each month       FREQ=MONTHLY;BYDAY=-1FR
    week on friday           each Friday                         FREQ=WEEKLY;BYDAY=FR
    2 weeks on monday 9:00   every other Monday                  FREQ=WEEKLY;INTERVAL=2;BYDAY=MO
    tuesday 12:30            each Tuesday                        FREQ=WEEKLY;BYDAY=TU
    day / weekday            each day / Monday to Friday
    month / 3 months         on the first date's day of month    FREQ=MONTHLY;INTERVAL=3

Occurrences are computed on the community's wall clock (naive local times, then placed in the
zone), so a series at 12:30 stays at 12:30 across daylight-saving changes; a local time that
does not exist on a spring-forward day is read the way :mod:`zoneinfo` reads it (one hour on).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from .errors import UserError
from .i18n import _

WEEKDAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
_SHORT = {name[:3]: code for name, code in WEEKDAYS.items()}
ORDINALS = {
    "1st": 1,
    "first": 1,
    "2nd": 2,
    "second": 2,
    "3rd": 3,
    "third": 3,
    "4th": 4,
    "fourth": 4,
    "5th": 5,
    "fifth": 5,
    "last": -1,
}
UNITS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
MAX_INTERVAL = {"DAILY": 365, "WEEKLY": 52, "MONTHLY": 24, "YEARLY": 5}
DEFAULT_TIME = time(12, 30)
_TIME_ANYWHERE = re.compile(r"(?:\bat\s+)?\b([0-9]{1,2})(?::|h)([0-9]{2})\b")


@dataclass(frozen=True, slots=True)
class Rule:
    """A recurrence: the RRULE value (without DTSTART) and the wall-clock time, if typed."""

    rrule: str
    at: time | None = None

    def first_start(self, zone: ZoneInfo, now: datetime, at: datetime | None = None) -> datetime:
        """The local naive start the rule counts from: ``at`` (the first occurrence) when
        given, else today at the rule's time (or 12:30)."""
        if at is not None:
            local = at.astimezone(zone).replace(tzinfo=None)
            if self.at is not None:
                local = datetime.combine(local.date(), self.at)
            return local
        return datetime.combine(now.astimezone(zone).date(), self.at or DEFAULT_TIME)


def _bad(text: str) -> UserError:
    return UserError(
        _(
            "I can't read “{every}” as a repeat. Try “2nd tuesday 12:30”, “week on friday”, "
            "“month” or “3 months”."
        ).format(every=text[:60])
    )


def _weekday(word: str) -> str | None:
    word = word.rstrip(",").lower()
    if word.endswith("s") and word[:-1] in WEEKDAYS:
        word = word[:-1]
    return WEEKDAYS.get(word) or _SHORT.get(word)


def parse_every(text: str) -> Rule:
    """``text`` (what follows ``--every``) as a :class:`Rule`; a short error if unreadable."""
    raw = " ".join((text or "").lower().split())
    if not raw or len(raw) > 80:
        raise _bad(text or "")
    at: time | None = None
    m = _TIME_ANYWHERE.search(raw)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour > 23 or minute > 59:
            raise _bad(text)
        at = time(hour, minute)
        raw = (raw[: m.start()] + raw[m.end() :]).strip()
    words = [w for w in raw.replace(",", " ").split() if w not in ("every", "each", "of")]
    words = [w for w in words if w not in ("the", "month")] if _has_ordinal(words) else words
    rule = _read(words)
    if rule is None:
        raise _bad(text)
    return Rule(rule, at)


def _has_ordinal(words: list[str]) -> bool:
    return bool(words) and words[0] in ORDINALS


def _read(words: list[str]) -> str | None:
    if not words:
        return None
    if _has_ordinal(words):  # "2nd tuesday", "last friday of the month"
        if len(words) != 2 or _weekday(words[1]) is None:
            return None
        return f"FREQ=MONTHLY;BYDAY={ORDINALS[words[0]]:+d}{_weekday(words[1])}"
    if words in (["weekday"], ["weekdays"], ["workday"], ["workdays"]):
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if all(_weekday(w) for w in words):  # "tuesday", "mondays and thursdays" (without "and")
        return "FREQ=WEEKLY;BYDAY=" + ",".join(_unique(_weekday(w) or "" for w in words))
    interval = 1
    if words[0].isascii() and words[0].isdigit():
        interval = int(words[0])
        words = words[1:]
    if not words:
        return None
    unit = words[0].removesuffix("s")
    freq = UNITS.get(unit)
    if freq is None or not 1 <= interval <= MAX_INTERVAL[freq]:
        return None
    rest = words[1:]
    parts = [f"FREQ={freq}"] + ([f"INTERVAL={interval}"] if interval > 1 else [])
    if rest:
        if rest[0] != "on" or freq != "WEEKLY" or len(rest) < 2:
            return None
        days = [_weekday(w) for w in rest[1:] if w != "and"]
        if not all(days):
            return None
        parts.append("BYDAY=" + ",".join(_unique(d or "" for d in days)))
    return ";".join(parts)


def _unique(items: Iterator[str] | list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def rule_set(rule: str, first_local: datetime) -> rrule:
    """The dateutil rule for ``rule`` counted from the naive local ``first_local``."""
    parsed = rrulestr(rule, dtstart=first_local)
    assert isinstance(parsed, rrule)
    return parsed


def aware(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall-clock time in ``zone``, as an aware UTC datetime."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def occurrences(
    rule: str, first_local: datetime, zone: ZoneInfo, after: datetime, count: int
) -> list[datetime]:
    """The next ``count`` starts (aware, UTC) strictly after ``after``."""
    rs = rule_set(rule, first_local)
    out: list[datetime] = []
    local_after = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    moment = rs.after(local_after, inc=False)
    while moment is not None and len(out) < count:
        start = aware(moment, zone)
        if start > after:
            out.append(start)
        moment = rs.after(moment, inc=False)
    return out


def on_day(rule: str, first_local: datetime, zone: ZoneInfo, day: datetime) -> datetime | None:
    """The rule's start (aware, UTC) on the local date of ``day``, if it has one."""
    rs = rule_set(rule, first_local)
    start = datetime.combine(day.date(), time(0, 0))
    moment = rs.after(start, inc=True)
    if moment is None or moment.date() != day.date():
        return None
    return aware(moment, zone)
