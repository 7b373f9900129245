"""Plain functions of lightning talks: ordering the line-up, shuffling it fairly, the clock."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from copkit.core.errors import UserError
from copkit.core.i18n import _, ngettext
from copkit.core.parsing import to_int

T = TypeVar("T")

MAX_SLOTS = 50
MAX_MINUTES = 30
TITLE_MAX = 100
SEED_MAX = 10**9


def shuffled(items: Sequence[T], seed: int) -> list[T]:
    """``items`` (in sign-up order) in a random order that ``seed`` determines: anyone who knows
    the seed and the sign-up order can check the draw."""
    out = list(items)
    random.Random(seed).shuffle(out)
    return out


def reordered(items: Sequence[T], picks: Sequence[int]) -> list[T]:
    """``items`` with the 1-based positions in ``picks`` first, in that order, then the rest as
    they were. ``reordered([a, b, c], [3, 1]) == [c, a, b]``."""
    n = len(items)
    if not picks:
        raise UserError(_("Give the new order as line-up numbers, e.g. 3 1 2."))
    bad = [p for p in picks if not 1 <= p <= n]
    if bad:
        raise UserError(
            _("There is no talk {n} in the line-up (it has {count}).").format(n=bad[0], count=n)
        )
    if len(set(picks)) != len(picks):
        raise UserError(_("Each line-up number may appear only once."))
    first = [items[p - 1] for p in picks]
    return first + [x for i, x in enumerate(items, 1) if i not in set(picks)]


def parse_positions(words: Sequence[str]) -> list[int]:
    """``["3", "1,2"]`` → ``[3, 1, 2]``; a short error for anything else."""
    out: list[int] = []
    for word in words:
        for part in str(word).replace(",", " ").split():
            n = to_int(part, 0, 9999) if part.isdigit() else None
            if n is None:
                raise UserError(_("“{value}” is not a line-up number.").format(value=part[:20]))
            out.append(n)
    return out


def check_title(text: str) -> str:
    title = " ".join((text or "").split())
    if not title:
        raise UserError(_("Give your talk a title."))
    if len(title) > TITLE_MAX:
        raise UserError(
            _("A talk title has at most {max} characters (this one has {n}).").format(
                max=TITLE_MAX, n=len(title)
            )
        )
    return title


def check_slots(slots: int) -> int:
    if not 1 <= slots <= MAX_SLOTS:
        raise UserError(_("Slots must be between 1 and {max}.").format(max=MAX_SLOTS))
    return slots


def check_minutes(minutes: int) -> int:
    if not 1 <= minutes <= MAX_MINUTES:
        raise UserError(_("A talk lasts between 1 and {max} minutes.").format(max=MAX_MINUTES))
    return minutes


def check_seed(raw: object) -> int:
    text = str(raw).strip()
    n = to_int(text, 0, SEED_MAX - 1) if text.isdigit() else None
    if n is None:
        raise UserError(_("A seed is a whole number below {max}.").format(max=SEED_MAX))
    return n


def wait_text(minutes: int) -> str:
    """How long until something, roughly: "45 minutes", "3 hours", "2 days"."""
    if minutes >= 2 * 24 * 60:
        days = minutes // (24 * 60)
        return ngettext("{n} day", "{n} days", days).format(n=days)
    if minutes >= 120:
        hours = minutes // 60
        return ngettext("{n} hour", "{n} hours", hours).format(n=hours)
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
