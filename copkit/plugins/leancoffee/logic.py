"""Plain lean coffee logic, free of storage and platforms: easy to unit-test."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from copkit.core.errors import UserError
from copkit.core.i18n import _, ngettext
from copkit.core.parsing import parse_duration
from copkit.core.routes import parse_int
from copkit.core.timezones import parse_day

from .models import MAX_DOTS

TITLE_MAX = 120
PITCH_MAX = 300
NOTE_MAX = 500
SIMILAR = 0.8  # difflib ratio from which two titles are flagged as near-duplicates
DEFAULT_VOTES = 2
DEFAULT_TIMEBOX = 8 * 60
DEFAULT_EXTENSIONS = (4 * 60, 2 * 60)
DEFAULT_THUMBS_WINDOW = 60
HEADS_UP = 60  # seconds before the end of a timebox

_SPACES = re.compile(r"\s+")


class Ranked(Protocol):
    id: int
    number: int


T = TypeVar("T", bound=Ranked)


def clean(text: str | None) -> str:
    """Collapse whitespace (titles typed in chat often carry stray spaces or newlines)."""
    return _SPACES.sub(" ", text or "").strip()


def check_title(title: str) -> str:
    title = clean(title)
    if not title:
        raise UserError(_("A topic needs a title."))
    if len(title) > TITLE_MAX:
        raise UserError(
            _("That title is too long ({n} characters, at most {max}).").format(
                n=len(title), max=TITLE_MAX
            )
        )
    return title


def check_pitch(pitch: str | None) -> str:
    pitch = (pitch or "").strip()
    if len(pitch) > PITCH_MAX:
        raise UserError(
            _("That pitch is too long ({n} characters, at most {max}).").format(
                n=len(pitch), max=PITCH_MAX
            )
        )
    return pitch


def check_note(text: str) -> str:
    text = clean(text)
    if not text:
        raise UserError(_("Write something after the command."))
    if len(text) > NOTE_MAX:
        raise UserError(
            _("That is too long ({n} characters, at most {max}).").format(n=len(text), max=NOTE_MAX)
        )
    return text


def topic_number(raw: object) -> int:
    """``3`` or ``#3`` → 3 (ASCII digits only: ``²`` and ``①`` are no numbers)."""
    n = parse_int(raw, lo=1, hi=99_999)
    if n is None:
        raise UserError(_("Give the topic's number, e.g. 3."))
    return n


def check_votes(votes: int | None) -> int:
    if votes is None:
        return DEFAULT_VOTES
    if not 1 <= votes <= MAX_DOTS:
        raise UserError(_("Votes must be between 1 and {max}.").format(max=MAX_DOTS))
    return votes


def check_timebox(timebox: timedelta | None) -> int:
    if timebox is None:
        return DEFAULT_TIMEBOX
    seconds = int(timebox.total_seconds())
    if not 60 <= seconds <= 2 * 3600:
        raise UserError(_("The timebox must be between 1 minute and 2 hours."))
    return seconds


def parse_extensions(raw: Sequence[str] | None) -> list[int]:
    """``["4", "2"]`` (minutes, or durations like 90s) → seconds; ``none`` or ``0`` → no extensions."""
    if raw is None:
        return list(DEFAULT_EXTENSIONS)
    if [r.lower() for r in raw] in (["none"], ["0"], []):
        return []
    if len(raw) > 5:
        raise UserError(_("At most 5 extensions."))
    out = []
    for r in raw:
        try:
            seconds = int(parse_duration(r).total_seconds())
        except UserError:
            raise UserError(
                _("“{value}” is not an extension; give minutes, e.g. --extensions 4,2.").format(
                    value=r
                )
            ) from None
        if not 30 <= seconds <= 3600:
            raise UserError(_("Each extension must be between 30 seconds and 1 hour."))
        out.append(seconds)
    return out


def check_window(window: timedelta | None) -> int:
    if window is None:
        return DEFAULT_THUMBS_WINDOW
    seconds = int(window.total_seconds())
    if not 10 <= seconds <= 600:
        raise UserError(_("The thumbs vote window must be between 10 seconds and 10 minutes."))
    return seconds


def parse_due(raw: str | None, today: date) -> date | None:
    """A due day as people type it (``2026-02-01``, ``7d``, ``friday``, ``Jan 9``), the same
    words as brown bags' times (:func:`copkit.core.timezones.parse_day`)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    noon = datetime.combine(today, time(12), UTC)
    return parse_day(raw, ZoneInfo("UTC"), noon)


def similar_topic(title: str, others: Iterable[tuple[int, str]]) -> int | None:
    """The number of the earlier topic whose title is nearest to ``title`` if they look alike
    (case and spacing ignored); ties go to the earlier topic."""
    key = clean(title).casefold()
    best: tuple[float, int] | None = None
    for number, other in sorted(others):
        ratio = difflib.SequenceMatcher(None, key, clean(other).casefold()).ratio()
        if ratio >= SIMILAR and (best is None or ratio > best[0]):
            best = (ratio, number)
    return best[1] if best else None


def rank(topics: Iterable[T], dots: dict[int, int]) -> list[T]:
    """Most dots first; ties go to the earlier topic (the lower number)."""
    return sorted(topics, key=lambda t: (-dots.get(t.id, 0), t.number))


def free_dot(used: Iterable[int], budget: int) -> int | None:
    """The lowest dot index not yet used, or ``None`` when the budget is spent."""
    taken = set(used)
    return next((d for d in range(budget) if d not in taken), None)


@dataclass(frozen=True, slots=True)
class ThumbsCount:
    up: int = 0
    neutral: int = 0
    down: int = 0

    @property
    def total(self) -> int:
        return self.up + self.neutral + self.down

    @property
    def keep_going(self) -> bool:
        """A majority of 👍 and ✋ together keeps going; a tie or no vote moves on."""
        return self.up + self.neutral > self.down

    def as_list(self) -> list[int]:
        return [self.up, self.neutral, self.down]

    def __str__(self) -> str:
        return f"👍 {self.up} · ✋ {self.neutral} · 👎 {self.down}"


def count_thumbs(values: Iterable[str]) -> ThumbsCount:
    values = list(values)
    return ThumbsCount(values.count("up"), values.count("neutral"), values.count("down"))


def everyone_voted(present: Iterable[str], voters: Iterable[str]) -> bool:
    """True when the adapter reported people present and all of them voted."""
    present = set(present)
    return bool(present) and present <= set(voters)


def timer_step(left: float) -> tuple[str, float]:
    """What the next timer job is, and in how many seconds: a heads-up one minute before the end
    when the timebox is longer than that, else the end itself."""
    if left > HEADS_UP:
        return "headsup", left - HEADS_UP
    return "end", max(left, 0.0)


def minutes_text(seconds: float) -> str:
    """A duration for people: ``8 min``, ``1 min 30 s``, ``45 s``."""
    seconds = int(round(seconds))
    m, s = divmod(seconds, 60)
    if m and s:
        return _("{m} min {s} s").format(m=m, s=s)
    if m:
        return _("{m} min").format(m=m)
    return _("{s} s").format(s=s)


def dots_text(n: int) -> str:
    """``●● 2 dots``; one ● per dot up to ten, then a single ● before the number."""
    if n == 0:
        return _("no dots")
    words = ngettext("{n} dot", "{n} dots", n).format(n=n)
    return ("●" * n if n <= 10 else "●") + " " + words
