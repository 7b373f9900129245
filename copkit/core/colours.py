"""Colours as people type them, and whether text stays readable on them (WCAG 2 contrast).

:func:`parse_colour` reads ``#3b82f6``, ``3b82f6``, ``#38f``, ``blue``, ``rebeccapurple`` (the
148 CSS colour names), ``rgb(59, 130, 246)`` and ``hsl(217, 91%, 60%)``, and returns the colour
as ``#rrggbb``. :func:`contrast` is the WCAG 2 contrast ratio of two colours (1 to 21).
"""

from __future__ import annotations

import re

from .errors import UserError
from .i18n import _

_HEX = re.compile(r"^#?([0-9a-f]{3}|[0-9a-f]{6})$")


def hex_of(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def rgb_of(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` → ``(r, g, b)``."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def parse_colour(text: str) -> str:
    """The colour ``text`` names, as ``#rrggbb``, or a :class:`UserError` giving examples."""
    from PIL import ImageColor

    typed = " ".join((text or "").split()).lower()
    match = _HEX.match(typed)
    if match:
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return "#" + digits
    if typed and len(typed) <= 40 and not typed.startswith("#"):
        try:
            rgb = ImageColor.getrgb(typed)
        except ValueError:
            pass
        else:
            return hex_of((rgb[0], rgb[1], rgb[2]))
    raise UserError(
        _(
            "“{text}” is not a colour I know. Give it as #3b82f6, 3b82f6, "
            "a CSS name such as teal, or rgb(59, 130, 246)."
        ).format(text=(text or "").strip()[:40])
    )


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb`` (0 black … 1 white)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb_of(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``."""
    return "#000000" if contrast(colour, "#000000") >= contrast(colour, "#ffffff") else "#ffffff"


def mix(colour: str, other: str, share: float) -> str:
    """``colour`` moved ``share`` (0…1) of the way towards ``other``."""
    a, b = rgb_of(colour), rgb_of(other)
    mixed = tuple(round(x + (y - x) * share) for x, y in zip(a, b, strict=True))
    return hex_of((mixed[0], mixed[1], mixed[2]))
