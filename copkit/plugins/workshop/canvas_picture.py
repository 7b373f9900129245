"""The canvas as a PNG to pin and to put on a wall (Pillow, the DejaVu fonts matplotlib ships).

Layout, as the seed's example canvas: the community's name large on top with its leader and
date; Vision / Mission wide beside Importance; How, Measures, Who / What; Communication,
Resources and the force field (or who took part); the Community Canvas themes below when the
canvas was extended. Text is wrapped to its box; a box that cannot hold everything ends with
"…and N more". Characters the font has no glyph for are replaced by a lookalike or dropped,
never drawn as empty boxes. :func:`layout` returns where each text went, so tests can check
that nothing leaves its box.
"""

from __future__ import annotations

import asyncio
import functools
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from copkit.core.i18n import _, ngettext

from .canvas_model import BOXES, EXTENDED, Box, Canvas

if TYPE_CHECKING:  # Pillow is imported when a picture is drawn (start-up stays quick)
    from PIL import Image
    from PIL.ImageFont import FreeTypeFont

WIDTH = 2400
MARGIN = 48
GAP = 28
HEAD_H = 210
ROW_H = 460
FOOT_H = 90
PAD = 22
BAND_H = 64
TITLE_SIZE, SUB_SIZE, BOX_TITLE_SIZE, ITEM_SIZE, FOOT_SIZE = 84, 32, 32, 27, 24
LINE_H = 36

BACKGROUND = (250, 248, 243)
INK = (34, 34, 34)
MUTED = (110, 110, 110)
BORDER = (200, 196, 188)
BANDS = (
    (255, 214, 153),
    (255, 190, 190),
    (190, 225, 190),
    (180, 210, 240),
    (220, 200, 240),
    (250, 230, 160),
    (200, 230, 230),
)
SUPPORT, SLOW = (30, 120, 60), (170, 40, 40)


@dataclass(frozen=True, slots=True)
class Rect:
    left: int
    top: int
    right: int
    bottom: int

    def holds(self, box: tuple[int, int, int, int]) -> bool:
        left, top, right, bottom = box
        return (
            self.left <= left and self.top <= top and right <= self.right and bottom <= self.bottom
        )


@dataclass
class Placed:
    """One piece of text drawn: where its box is and the pixels the text covers."""

    area: Rect
    text: str
    bbox: tuple[int, int, int, int]


@dataclass
class Picture:
    size: tuple[int, int]
    boxes: list[tuple[str, Rect]] = field(default_factory=list)
    texts: list[Placed] = field(default_factory=list)


def _fonts_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@functools.lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> FreeTypeFont:
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(_fonts_dir() / name), size)


@functools.lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    regular = set(FT2Font(str(_fonts_dir() / "DejaVuSans.ttf")).get_charmap())
    bold = set(FT2Font(str(_fonts_dir() / "DejaVuSans-Bold.ttf")).get_charmap())
    return frozenset(regular & bold)


_DROP = {"So", "Sk", "Cn", "Co", "Cs", "Cf", "Mn", "Me", "Cc"}


def drawable(text: str) -> str:
    """``text`` with only characters the font can draw: a lookalike (``𝐁`` → ``B``) where one
    exists, emoji and symbols it lacks dropped, other letters shown as ``?``."""
    have = _glyphs()
    out: list[str] = []
    for ch in text:
        if ord(ch) in have:
            out.append(ch)
            continue
        if ch.isspace():
            out.append(" ")
            continue
        plain = unicodedata.normalize("NFKD", ch)
        kept = "".join(c for c in plain if ord(c) in have and unicodedata.category(c) != "Mn")
        if kept:
            out.append(kept)
        elif unicodedata.category(ch) not in _DROP:
            out.append("?")
    return " ".join("".join(out).split())


def wrap(text: str, font: FreeTypeFont, width: int) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels (a word too long is cut)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while font.getlength(word) > width:
            low, high = 1, len(word)  # the longest start of the word that fits (at least 1)
            while low < high:
                mid = (low + high + 1) // 2
                if font.getlength(word[:mid]) <= width:
                    low = mid
                else:
                    high = mid - 1
            lines.append(word[:low])
            word = word[low:]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


def _ellipsis(line: str, font: FreeTypeFont, width: int) -> str:
    while line and font.getlength(line + "…") > width:
        line = line[:-1]
    return line.rstrip() + "…"


def fit_items(
    items: list[str], font: FreeTypeFont, width: int, lines: int
) -> tuple[list[list[str]], str]:
    """The wrapped items that fit in ``lines`` lines, and "…and N more" (or "") for the rest."""
    out: list[list[str]] = []
    used = 0
    for i, item in enumerate(items):
        wrapped = wrap(item, font, width)
        reserve = 1 if i < len(items) - 1 else 0
        if used + len(wrapped) + reserve <= lines:
            out.append(wrapped)
            used += len(wrapped)
            continue
        room = lines - used - (1 if i < len(items) - 1 else 0)
        if room >= 1 and (not out or room >= 2):
            clipped = wrapped[:room]
            clipped[-1] = _ellipsis(clipped[-1], font, width)
            out.append(clipped)
        break
    hidden = len(items) - len(out)
    more = ngettext("…and {n} more", "…and {n} more", hidden).format(n=hidden) if hidden else ""
    return out, more


def _grid(canvas: Canvas) -> list[list[tuple[str, int]]]:
    """Rows of (box key, columns it spans) on a three-column grid."""
    third = "force" if canvas.force_field else "people"
    rows = [
        [("vision", 2), ("importance", 1)],
        [("how", 1), ("measures", 1), ("impact", 1)],
        [("communication", 1), ("resources", 1), (third, 1)],
    ]
    if canvas.extended:
        keys = [b.key for b in EXTENDED]
        rows += [[(k, 1) for k in keys[i : i + 3]] for i in range(0, len(keys), 3)]
    return rows


def _box_content(
    canvas: Canvas, key: str, goals: frozenset[str] = frozenset()
) -> tuple[str, list[tuple[str, tuple[int, int, int]]]]:
    """A box's title and its items with their colour (a measure that is a goal marked ◎)."""
    boxes: dict[str, Box] = {b.key: b for b in BOXES + EXTENDED}
    if key == "force":
        items = []
        for idea, side, strength in canvas.force_field:
            mark = "▲" if side == "support" else "▼"
            extra = f" ({strength})" if strength else ""
            items.append((f"{mark} {idea}{extra}", SUPPORT if side == "support" else SLOW))
        return _("Force field"), items
    if key == "people":
        return _("Who took part"), [(p, INK) for p in canvas.participants]
    if key == "measures":
        return _(boxes[key].title), [
            (f"◎ {i}" if i in goals else i, INK) for i in canvas.items(key)
        ]
    return _(boxes[key].title), [(i, INK) for i in canvas.items(key)]


def _height(rows: int) -> int:
    return HEAD_H + rows * ROW_H + (rows - 1) * GAP + GAP + FOOT_H + MARGIN


def layout(
    canvas: Canvas, *, name: str, footer: str, goals: frozenset[str] = frozenset()
) -> tuple[Image.Image, Picture]:
    from PIL import Image, ImageDraw

    rows = _grid(canvas)
    size = (WIDTH, _height(len(rows)))
    img = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(img)
    pic = Picture(size)

    def text(
        xy: tuple[int, int],
        s: str,
        font: FreeTypeFont,
        area: Rect,
        fill: tuple[int, int, int] = INK,
    ) -> None:
        draw.text(xy, s, font=font, fill=fill)
        bbox = draw.textbbox(xy, s, font=font)
        pic.texts.append(Placed(area, s, (int(bbox[0]), int(bbox[1]), int(bbox[2]), int(bbox[3]))))

    inner = WIDTH - 2 * MARGIN
    head = Rect(MARGIN, MARGIN // 2, WIDTH - MARGIN, HEAD_H - 8)
    title_font = _font(TITLE_SIZE, bold=True)
    title = drawable(name) or _("Our community")
    title_line = wrap(title, title_font, inner)[0]
    if len(wrap(title, title_font, inner)) > 1:
        title_line = _ellipsis(title_line, title_font, inner)
    text((MARGIN, MARGIN // 2 + 8), title_line, title_font, head)
    sub = [drawable(_("Leader: {name}").format(name=canvas.leader))] if canvas.leader else []
    sub += [drawable(canvas.date)] if canvas.date else []
    if sub:
        sub_font = _font(SUB_SIZE)
        line = wrap("  ·  ".join(sub), sub_font, inner)[0]
        text((MARGIN, MARGIN // 2 + 8 + TITLE_SIZE + 22), line, sub_font, head, MUTED)

    col_w = (inner - 2 * GAP) // 3
    top = HEAD_H
    item_font, box_font = _font(ITEM_SIZE), _font(BOX_TITLE_SIZE, bold=True)
    n = 0
    for row in rows:
        left = MARGIN
        for key, span in row:
            width = col_w * span + GAP * (span - 1)
            rect = Rect(left, top, left + width, top + ROW_H)
            pic.boxes.append((key, rect))
            band = BANDS[n % len(BANDS)]
            n += 1
            draw.rounded_rectangle(
                (rect.left, rect.top, rect.right, rect.bottom),
                18,
                fill=(255, 255, 255),
                outline=BORDER,
                width=3,
            )
            draw.rounded_rectangle(
                (rect.left, rect.top, rect.right, rect.top + BAND_H), 18, fill=band
            )
            draw.rectangle(
                (rect.left, rect.top + BAND_H - 18, rect.right, rect.top + BAND_H), fill=band
            )
            title_text, items = _box_content(canvas, key, goals)
            body = Rect(rect.left + 3, rect.top + 3, rect.right - 3, rect.bottom - 3)
            bt = wrap(drawable(title_text), box_font, width - 2 * PAD)[0]
            text((rect.left + PAD, rect.top + 14), bt, box_font, body)
            text_w = width - 2 * PAD - 34
            lines = (ROW_H - BAND_H - 2 * PAD) // LINE_H
            fitted, more = fit_items([drawable(s) for s, _c in items], item_font, text_w, lines)
            y = rect.top + BAND_H + PAD
            for (_s, colour), wrapped in zip(items, fitted, strict=False):
                text((rect.left + PAD, y), "•", item_font, body, colour)
                for line in wrapped:
                    text((rect.left + PAD + 34, y), line, item_font, body, colour)
                    y += LINE_H
            if more:
                text((rect.left + PAD + 34, y), more, item_font, body, MUTED)
            if not items:
                text((rect.left + PAD, y), "—", item_font, body, MUTED)
            left += width + GAP
        top += ROW_H + GAP
    foot = Rect(MARGIN, top, WIDTH - MARGIN, size[1])
    foot_font = _font(FOOT_SIZE)
    text((MARGIN, top + 10), wrap(drawable(footer), foot_font, inner)[0], foot_font, foot, MUTED)
    return img, pic


def canvas_png(
    canvas: Canvas, *, name: str, footer: str, goals: frozenset[str] = frozenset()
) -> bytes:
    img, _pic = layout(canvas, name=name, footer=footer, goals=goals)
    out = io.BytesIO()
    # A palette of 128 colours keeps the anti-aliased text smooth, and makes the file a third
    # of the size and three times faster to encode than full colour.
    from PIL import Image

    palette = img.quantize(colors=128, method=Image.Quantize.FASTOCTREE)
    palette.save(out, format="PNG", compress_level=6)
    return out.getvalue()


async def render(
    canvas: Canvas, *, name: str, footer: str, goals: frozenset[str] = frozenset()
) -> bytes:
    """:func:`canvas_png` in a worker thread (drawing takes a few tens of milliseconds)."""
    return await asyncio.to_thread(canvas_png, canvas, name=name, footer=footer, goals=goals)
