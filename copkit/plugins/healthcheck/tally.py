"""Counting answers: plain functions with no database, easy to test."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

COLOURS = ("green", "amber", "red")
TRENDS = ("better", "same", "worse")
# A tie between colours goes to the worse one: a health check should not hide a problem.
_TIE_ORDER = {"red": 0, "amber": 1, "green": 2}
_SCORE = {"green": 100, "amber": 50, "red": 0}


@dataclass
class Tally:
    """The answers to one dimension in one round."""

    green: int = 0
    amber: int = 0
    red: int = 0
    better: int = 0
    same: int = 0
    worse: int = 0
    comments: list[str] = field(default_factory=list)

    def add(self, colour: str | None, trend: str | None, comment: str | None = None) -> None:
        if colour in COLOURS:
            setattr(self, colour, getattr(self, colour) + 1)
        if trend in TRENDS:
            setattr(self, trend, getattr(self, trend) + 1)
        if comment:
            self.comments.append(comment)

    @property
    def answered(self) -> int:
        """How many gave a colour."""
        return self.green + self.amber + self.red

    @property
    def dominant(self) -> str | None:
        """The most frequent colour; a tie goes to the worse colour."""
        if not self.answered:
            return None
        return max(COLOURS, key=lambda c: (getattr(self, c), -_TIE_ORDER[c]))

    @property
    def score(self) -> int | None:
        """0 (all red) to 100 (all green)."""
        if not self.answered:
            return None
        total = sum(_SCORE[c] * getattr(self, c) for c in COLOURS)
        return round(total / self.answered)

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in (*COLOURS, *TRENDS)}


def tally(rows: Iterable[tuple[Any, str | None, str | None, str | None]]) -> dict[Any, Tally]:
    """``(key, colour, trend, comment)`` rows → one :class:`Tally` per key."""
    out: dict[Any, Tally] = {}
    for key, colour, trend, comment in rows:
        out.setdefault(key, Tally()).add(colour, trend, comment)
    return out


def change(previous: Tally | None, now: Tally | None) -> int | None:
    """The score's change since the previous round (``None`` if either has no score)."""
    if previous is None or now is None or previous.score is None or now.score is None:
        return None
    return now.score - previous.score


def red_twice(previous: Tally | None, now: Tally | None) -> bool:
    """Red two rounds running."""
    return bool(previous and now and previous.dominant == "red" and now.dominant == "red")


def participation(responses: int, members: int) -> int:
    """Responses as a percentage of members (0 when nobody is known)."""
    if members <= 0:
        return 0
    return min(100, round(100 * responses / members))


def band(score: int | None) -> str | None:
    """The colour a score (0 all red … 100 all green) is drawn in: the same measure as the
    number in the cell, so a 50 is never red beside an amber 47."""
    if score is None:
        return None
    return "green" if score >= 67 else "red" if score <= 33 else "amber"
