"""Dates and times as people type them: "next friday 12:30", "demain 12h30", "morgen 12 Uhr",
"Jan 9 12:30", "9.1.2026 12:30", "12/05", "noon", "in 2 days".

The words of each language are data (:data:`WORDS`), not translations: they work without any
catalogue. The active language's words are tried first, then the others (so "demain 12h30"
also works in an English-speaking community). The order of day and month in ``12/05`` follows
the active language's short date format (``M/d/yy`` in English, ``dd/MM/y`` in French);
``9.1.2026`` is always day first.

:func:`read` turns a text into its parts (a day, a wall time, a delay) without any time zone;
:mod:`copkit.core.timezones` places them in the community's zone (and refuses wall times a
clock change skips).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache

from .i18n import current_locale


@dataclass(frozen=True, slots=True)
class Words:
    """One language's words for dates (lower case, accents as typed and without)."""

    today: tuple[str, ...]
    tomorrow: tuple[str, ...]
    after_tomorrow: tuple[str, ...]
    next: tuple[str, ...]
    in_: tuple[str, ...]
    noon: tuple[str, ...]
    midnight: tuple[str, ...]
    weekdays: tuple[tuple[str, ...], ...]  # Monday first
    months: tuple[tuple[str, ...], ...]  # January first
    units: dict[str, int]  # word -> seconds
    filler: tuple[str, ...] = ()  # words that add nothing ("at", "um", "à", "o'clock")
    hour_words: tuple[str, ...] = ()  # "12 Uhr", "12 heures"


_EN_UNITS = {"minute": 60, "minutes": 60, "min": 60, "mins": 60, "hour": 3600, "hours": 3600}
_EN_UNITS |= {"day": 86400, "days": 86400, "week": 604800, "weeks": 604800}

WORDS: dict[str, Words] = {
    "en": Words(
        today=("today",),
        tomorrow=("tomorrow", "tmrw"),
        after_tomorrow=("overmorrow",),
        next=("next", "this", "coming"),
        in_=("in",),
        noon=("noon", "midday"),
        midnight=("midnight",),
        weekdays=(
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ),
        months=(
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        units=_EN_UNITS,
        filler=("at", "on", "the", "of", "o'clock", ","),
    ),
    "de": Words(
        today=("heute",),
        tomorrow=("morgen",),
        after_tomorrow=("übermorgen", "uebermorgen"),
        next=("nächsten", "nächster", "nächste", "naechsten", "kommenden", "kommender"),
        in_=("in",),
        noon=("mittag", "mittags"),
        midnight=("mitternacht",),
        weekdays=(
            ("montag", "mo"),
            ("dienstag", "di"),
            ("mittwoch", "mi"),
            ("donnerstag", "do"),
            ("freitag", "fr"),
            ("samstag", "sa", "sonnabend"),
            ("sonntag", "so"),
        ),
        months=(
            ("januar", "jan", "jänner"),
            ("februar", "feb"),
            ("märz", "maerz", "mär"),
            ("april", "apr"),
            ("mai",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov"),
            ("dezember", "dez"),
        ),
        units={
            "minute": 60,
            "minuten": 60,
            "min": 60,
            "stunde": 3600,
            "stunden": 3600,
            "tag": 86400,
            "tage": 86400,
            "tagen": 86400,
            "woche": 604800,
            "wochen": 604800,
        },
        filler=("um", "am", "den", "der", ","),
        hour_words=("uhr",),
    ),
    "fr": Words(
        today=("aujourd'hui", "aujourd’hui", "aujourdhui"),
        tomorrow=("demain",),
        after_tomorrow=("après-demain", "apres-demain"),
        next=("prochain", "prochaine"),
        in_=("dans",),
        noon=("midi",),
        midnight=("minuit",),
        weekdays=(
            ("lundi", "lun"),
            ("mardi", "mar"),
            ("mercredi", "mer"),
            ("jeudi", "jeu"),
            ("vendredi", "ven"),
            ("samedi", "sam"),
            ("dimanche", "dim"),
        ),
        months=(
            ("janvier", "janv"),
            ("février", "fevrier", "févr", "fevr"),
            ("mars",),
            ("avril", "avr"),
            ("mai",),
            ("juin",),
            ("juillet", "juil"),
            ("août", "aout"),
            ("septembre", "sept"),
            ("octobre", "oct"),
            ("novembre", "nov"),
            ("décembre", "decembre", "déc", "dec"),
        ),
        units={
            "minute": 60,
            "minutes": 60,
            "min": 60,
            "heure": 3600,
            "heures": 3600,
            "jour": 86400,
            "jours": 86400,
            "semaine": 604800,
            "semaines": 604800,
        },
        filler=("à", "a", "le", "la", "de", ","),
        hour_words=("heure", "heures"),
    ),
}


def languages() -> list[Words]:
    """The active language's words first, then the others."""
    lang = (current_locale() or "en").replace("-", "_").split("_")[0].lower()
    first = WORDS.get(lang)
    return ([first] if first else []) + [w for k, w in WORDS.items() if k != lang]


@cache
def day_first(locale: str) -> bool:
    """Whether ``12/05`` means 12 May in ``locale`` (its short date format puts the day first)."""
    from babel.core import UnknownLocaleError
    from babel.dates import get_date_format

    try:
        pattern = get_date_format("short", locale=locale.replace("-", "_") or "en").pattern
    except (UnknownLocaleError, ValueError):
        return True
    d, m = pattern.find("d"), pattern.find("M")
    return d < m if d >= 0 and m >= 0 else True


@dataclass(slots=True)
class Parts:
    """What a text says: a day (or a weekday to come, or days from today), a wall time, a delay."""

    day: date | None = None
    offset_days: int | None = None  # today 0, tomorrow 1
    weekday: int | None = None
    strictly_after: bool = False  # "next friday": not today
    at: time | None = None
    delay: timedelta | None = None
    month_day: tuple[int, int] | None = None  # (month, day) without a year

    @property
    def has_day(self) -> bool:
        return any(
            x is not None for x in (self.day, self.offset_days, self.weekday, self.month_day)
        )


_TIME = re.compile(r"^([01]?\d|2[0-3])(?:[:h]([0-5]\d))?(?:h)?(am|pm|a\.m\.|p\.m\.)?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{2,4})?)?$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|\.|er|e)?$")
_YEAR = re.compile(r"^(\d{4})$")


def _year(text: str | None) -> int | None:
    if not text:
        return None
    y = int(text)
    return y + 2000 if y < 100 else y


def _time_of(token: str, nxt: str | None) -> tuple[time, bool] | None:
    """A wall time in ``token`` (``12:30``, ``12h30``, ``9pm``, ``9``+``pm``); whether the
    next token was used (``pm``, ``Uhr``)."""
    used = False
    if nxt in ("am", "pm", "a.m.", "p.m.") and re.fullmatch(r"\d{1,2}(:\d\d)?", token):
        token, used = token + nxt, True
    m = _TIME.match(token)
    if not m:
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    plain_number = m.group(2) is None and half is None and not token.endswith("h")
    if plain_number:
        if nxt is None or not any(nxt in w.hour_words for w in WORDS.values()):
            return None  # a bare number is a day, not an hour
        used = True
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    return time(hour, minute), used


def read(text: str, locale: str) -> Parts | None:
    """The parts of ``text``; ``None`` if a word is not understood or said twice."""
    tokens = [t for t in text.lower().replace(",", " ").split() if t]
    langs = languages()
    parts = Parts()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        step = _step(tok, nxt, tokens, i, parts, langs, locale)
        if not step:
            return None
        i += step
    return parts


_OFFSETS = (("today", 0), ("tomorrow", 1), ("after_tomorrow", 2))


def _step(
    tok: str,
    nxt: str | None,
    tokens: list[str],
    i: int,
    parts: Parts,
    langs: list[Words],
    locale: str,
) -> int:
    """Read what starts at ``tokens[i]`` into ``parts``; how many tokens it took (0: not
    understood)."""
    if any(tok in w.filler or tok in w.hour_words for w in langs):
        return 1
    if _word_in(tok, langs, "in_") and nxt is not None and parts.delay is None:
        delay = _delay(tokens[i + 1 :], langs)
        if delay is None:
            return 0
        parts.delay = delay[0]
        return 1 + delay[1]
    found = _time_of(tok, nxt)
    if found is not None and parts.at is None:
        parts.at = found[0]
        return 2 if found[1] else 1
    for name, at in (("noon", time(12, 0)), ("midnight", time(0, 0))):
        if _word_in(tok, langs, name) and parts.at is None:
            parts.at = at
            return 1
    if parts.has_day:
        year = _YEAR.match(tok)
        if year and parts.month_day is not None:  # "Jan 9 2027"
            (month, day), parts.month_day = parts.month_day, None
            return 1 if _set_day(parts, int(year.group(1)), month, day) else 0
        if _word_in(tok, langs, "next") and parts.weekday is not None:  # "vendredi prochain"
            parts.strictly_after = True
            return 1
        return 0
    for name, days in _OFFSETS:
        if _word_in(tok, langs, name):
            parts.offset_days = days
            return 1
    if _word_in(tok, langs, "next") and nxt is not None:
        wd = _index(nxt, langs, "weekdays")
        if wd is None:
            return 0
        parts.weekday, parts.strictly_after = wd, True
        return 2
    wd = _index(tok, langs, "weekdays")
    if wd is not None:
        parts.weekday = wd
        return 1
    return _date_token(tok, nxt, parts, langs, locale)


def _word_in(tok: str, langs: list[Words], name: str) -> bool:
    return any(tok in getattr(w, name) for w in langs)


def _index(tok: str, langs: list[Words], name: str) -> int | None:
    tok = tok.rstrip(".")
    for w in langs:
        for n, names in enumerate(getattr(w, name)):
            if tok in names:
                return n
    return None


def _delay(tokens: list[str], langs: list[Words]) -> tuple[timedelta, int] | None:
    """``2 days`` / ``1 Woche`` / ``3 jours 2 heures`` / ``2h30m`` at the start of ``tokens``,
    and how many tokens it took."""
    from .errors import UsageError
    from .parsing import parse_duration

    seconds, used = 0, 0
    while used < len(tokens):
        tok = tokens[used]
        unit = tokens[used + 1] if used + 1 < len(tokens) else None
        if tok.isascii() and tok.isdigit() and unit is not None:
            per = next((w.units[unit] for w in langs if unit in w.units), None)
            if per is not None:
                seconds, used = seconds + int(tok[:6]) * per, used + 2
                continue
        if not (tok[:1].isascii() and tok[:1].isdigit()):
            break
        try:
            seconds, used = seconds + int(parse_duration(tok).total_seconds()), used + 1
        except UsageError:
            return None
    return (timedelta(seconds=seconds), used) if seconds and used else None


def _date_token(tok: str, nxt: str | None, parts: Parts, langs: list[Words], locale: str) -> int:
    """A calendar date at ``tok`` (and ``nxt``) into ``parts``; how many tokens it took."""
    m = _ISO_DAY.match(tok)
    if m:
        return 1 if _set_day(parts, int(m.group(1)), int(m.group(2)), int(m.group(3))) else 0
    m = _DOTTED.match(tok)
    if m:
        day, month = int(m.group(1)), int(m.group(2))
        return 1 if _set_partial(parts, _year(m.group(3)), month, day) else 0
    m = _SLASHED.match(tok)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        day, month = (a, b) if day_first(locale) else (b, a)
        return 1 if _set_partial(parts, _year(m.group(3)), month, day) else 0
    named = _index(tok, langs, "months")
    following = _ORDINAL.match(nxt) if nxt is not None else None
    if named is not None and following:  # "Jan 9"
        return 2 if _set_partial(parts, None, named + 1, int(following.group(1))) else 0
    m = _ORDINAL.match(tok)
    named = _index(nxt, langs, "months") if nxt is not None else None
    if m and named is not None:  # "9 Jan", "9. Januar", "9 janvier"
        return 2 if _set_partial(parts, None, named + 1, int(m.group(1))) else 0
    return 0


def _set_partial(parts: Parts, year: int | None, month: int, day: int) -> bool:
    if year is not None:
        return _set_day(parts, year, month, day)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    parts.month_day = (month, day)
    return True


def _set_day(parts: Parts, year: int, month: int, day: int) -> bool:
    try:
        parts.day = date(year, month, day)
    except ValueError:
        return False
    return True
