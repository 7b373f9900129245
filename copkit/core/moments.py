"""Moments inside text: a time each platform shows in its own way (see ``views.When``).

A moment is carried inside a string, like user text (:mod:`copkit.core.usertext`), between two
Unicode noncharacters: U+FDD2, the instant as Unix seconds, U+FDD4, a style, U+FDD4, the text
to show where the platform has nothing better (the community's zone and language), U+FDD3.
People cannot type these characters (input cleaning removes U+FDD0…U+FDEF), so no one can forge
a moment. Adapters turn a moment into ``<t:…:F>`` (Discord), ``{{DATE(…)}}`` (Teams cards) or
its text (the console, files, labels).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

OPEN, SEP, CLOSE = "\ufdd2", "\ufdd4", "\ufdd3"
Style = Literal["full", "date", "time", "seconds", "relative"]
STYLES: tuple[str, ...] = ("full", "date", "time", "seconds", "relative")
_MOMENT = re.compile("\ufdd2(-?[0-9]{1,12})\ufdd4([a-z]+)\ufdd4([^\ufdd2\ufdd3\ufdd4]*)\ufdd3")
_STRAY = re.compile("[\ufdd2\ufdd3\ufdd4]")


@dataclass(frozen=True, slots=True)
class Moment:
    unix: int
    style: str
    fallback: str


def encode(unix: int, style: str, fallback: str) -> str:
    return f"{OPEN}{unix}{SEP}{style}{SEP}{_STRAY.sub('', fallback)}{CLOSE}"


def has_moments(text: str) -> bool:
    return OPEN in text


def replace_moments(text: str, show: Callable[[Moment], str] | None = None) -> str:
    """``text`` with each moment shown by ``show`` (default: its text); a moment cut in two
    (a text shortened in its middle) loses its marks."""
    if OPEN not in text and CLOSE not in text and SEP not in text:
        return text

    def put(m: re.Match[str]) -> str:
        moment = Moment(int(m.group(1)), m.group(2), m.group(3))
        return show(moment) if show else moment.fallback

    return _STRAY.sub("", _MOMENT.sub(put, text))


def moments_in(text: str) -> list[Moment]:
    return [Moment(int(m.group(1)), m.group(2), m.group(3)) for m in _MOMENT.finditer(text)]
