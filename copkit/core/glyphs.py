"""Text for the pictures copkit draws (matplotlib and Pillow, in DejaVu Sans, the font matplotlib
ships): which characters that font can draw. A character it has no glyph for (an emoji, most
symbols) would come out as an empty box ("tofu"), so :func:`drawable` leaves it out of the text
and the log says so. (The site's HTML pages show them: their stylesheet names the emoji fonts
of each platform, and CI installs Debian's fonts-noto-color-emoji for the browser tests.)"""

from __future__ import annotations

import logging
import unicodedata
from functools import cache

log = logging.getLogger("copkit.pictures")


@cache
def glyphs(bold: bool = False) -> frozenset[int]:
    """The code points DejaVu Sans (or DejaVu Sans Bold) has glyphs for."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    props = font_manager.FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
    return frozenset(FT2Font(font_manager.findfont(props)).get_charmap())


def drawable(text: str, *, bold: bool = False) -> str:
    """``text`` without the characters the font cannot draw (emoji would be empty boxes):
    they are left out, and the log says so once per text."""
    have = glyphs(bold)
    kept = "".join(
        ch
        for ch in text
        if ch in "\n " or ord(ch) in have and unicodedata.category(ch)[0] not in "C"
    )
    kept = " ".join(part for part in kept.split(" ") if part).strip()
    if kept != " ".join(text.split(" ")).strip():
        log.warning(
            "a picture leaves out %d character(s) its font cannot draw", len(text) - len(kept)
        )
    return kept
