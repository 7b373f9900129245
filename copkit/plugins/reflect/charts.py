"""Pictures: the scorecard (one bar per goal, its value against its target) and the digest's
four panels, drawn with Pillow (a few milliseconds, where a matplotlib figure takes hundreds)
in DejaVu Sans, the font matplotlib ships. Text is drawn as typed, without the characters the
font has no glyph for (:func:`copkit.core.glyphs.drawable`); sizes are whole pixels."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from copkit.core.glyphs import drawable

WIDTH = 900
ROW_H = 46
HEAD_H = 60
DIGEST_SIZE = (1000, 700)
GREEN, AMBER, GREY, INK, PALE = "#2e9e4f", "#f0b429", "#d9d9d9", "#222222", "#888888"


def scorecard_size(goals: int) -> tuple[int, int]:
    return WIDTH, HEAD_H + ROW_H * max(goals, 1) + 20


@cache
def _font(size: int, bold: bool = False) -> Any:
    import matplotlib
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name)
    return ImageFont.truetype(path, size)


def _canvas(width: int, height: int) -> tuple[Any, Any]:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), "white")
    return img, ImageDraw.Draw(img)


def _png(img: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)  # fast: the pictures are flat colours
    return buf.getvalue()


def _clip(text: str, n: int = 48) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def scorecard_png(title: str, rows: Sequence[tuple[str, float | None, str, str]]) -> bytes:
    """``rows``: (goal, progress 0–1 or None, value words, target words)."""
    img, draw = _canvas(*scorecard_size(len(rows)))
    draw.text((16, 18), drawable(title, bold=True), fill=INK, font=_font(22, True))
    bar_x, bar_w = 440, 300
    for i, (goal, progress, value, target) in enumerate(rows):
        y = HEAD_H + i * ROW_H
        draw.text((16, y + 12), _clip(drawable(goal)), fill=INK, font=_font(15))
        draw.rectangle((bar_x, y + 10, bar_x + bar_w, y + 32), fill=GREY)
        if progress is not None and progress > 0:
            colour = GREEN if progress >= 1 else AMBER
            draw.rectangle((bar_x, y + 10, bar_x + bar_w * progress, y + 32), fill=colour)
        words = drawable(f"{value} / {target}")
        draw.text((bar_x + bar_w + 12, y + 13), words, fill=INK, font=_font(14))
    return _png(img)


def _panel(draw: Any, box: tuple[int, int, int, int], title: str) -> tuple[int, int, int, int]:
    """Draw a panel's frame and title; the plotting area inside it."""
    x0, y0, x1, y1 = box
    draw.text((x0 + 8, y0 + 4), drawable(title, bold=True), fill=INK, font=_font(15, True))
    area = (x0 + 40, y0 + 34, x1 - 16, y1 - 30)
    draw.line((area[0], area[3], area[2], area[3]), fill=PALE)
    draw.line((area[0], area[1], area[0], area[3]), fill=PALE)
    return area


def _labels(draw: Any, area: tuple[int, int, int, int], labels: Sequence[str]) -> list[float]:
    """Evenly spaced x positions for ``labels``, written under the area."""
    x0, _y0, x1, y1 = area
    step = (x1 - x0) / max(len(labels), 1)
    xs = [x0 + step * (i + 0.5) for i in range(len(labels))]
    for x, label in zip(xs, map(drawable, labels), strict=True):
        w = draw.textlength(label, font=_font(12))
        draw.text((x - w / 2, y1 + 6), label, fill=INK, font=_font(12))
    return xs


def _scale(draw: Any, area: tuple[int, int, int, int], top: float) -> None:
    for value in (0, top):
        y = area[3] - (area[3] - area[1]) * (value / top if top else 0)
        text = f"{value:g}"
        w = draw.textlength(text, font=_font(11))
        draw.text((area[0] - 6 - w, y - 7), text, fill=PALE, font=_font(11))


def _bars(
    draw: Any,
    area: tuple[int, int, int, int],
    xs: list[float],
    series: Sequence[Sequence[float]],
    colours: Sequence[str],
) -> None:
    top = max([1.0, *(v for s in series for v in s)])
    _scale(draw, area, top)
    width = (area[2] - area[0]) / max(len(xs), 1) * 0.7 / len(series)
    for k, (values, colour) in enumerate(zip(series, colours, strict=True)):
        for x, v in zip(xs, values, strict=True):
            left = x - width * len(series) / 2 + k * width
            height = (area[3] - area[1]) * v / top
            if height > 0:
                draw.rectangle((left, area[3] - height, left + width - 2, area[3]), fill=colour)


def _line(
    draw: Any, area: tuple[int, int, int, int], xs: list[float], values: Sequence[float | None]
) -> None:
    _scale(draw, area, 100)
    points = [
        (x, area[3] - (area[3] - area[1]) * max(0.0, min(v, 100.0)) / 100)
        for x, v in zip(xs, values, strict=True)
        if v is not None
    ]
    if len(points) > 1:
        draw.line(points, fill=GREEN, width=3)
    for x, y in points:
        draw.ellipse((x - 5, y - 5, x + 5, y + 5), fill=GREEN)


def digest_png(
    title: str,
    months: Sequence[str],
    events: Sequence[int],
    levels: Sequence[tuple[str, int, int]],
    give_share: Sequence[float | None],
    health: Sequence[float | None],
    labels: Sequence[str],
) -> bytes:
    """Four panels: events per month, participation levels (previous in grey, now in green),
    the share of giving per month (%) and the health score per month. ``labels`` names them."""
    width, height = DIGEST_SIZE
    img, draw = _canvas(width, height)
    draw.text((16, 12), drawable(title, bold=True), fill=INK, font=_font(22, True))
    half_w, top, half_h = width // 2, 50, (height - 50) // 2
    boxes = [
        (0, top, half_w, top + half_h),
        (half_w, top, width, top + half_h),
        (0, top + half_h, half_w, height),
        (half_w, top + half_h, width, height),
    ]
    area = _panel(draw, boxes[0], labels[0])
    _bars(draw, area, _labels(draw, area, months), [[float(n) for n in events]], [GREEN])
    area = _panel(draw, boxes[1], labels[1])
    xs = _labels(draw, area, [n for n, _a, _b in levels])
    _bars(
        draw,
        area,
        xs,
        [[float(b) for _n, _a, b in levels], [float(a) for _n, a, _b in levels]],
        [GREY, GREEN],
    )
    for box, series, label in ((boxes[2], give_share, labels[2]), (boxes[3], health, labels[3])):
        area = _panel(draw, box, label)
        _line(draw, area, _labels(draw, area, months), series)
    return _png(img)


async def render(fn: Callable[..., bytes], *args: Any) -> bytes:
    """Draw in a worker thread, off the event loop."""
    return await asyncio.to_thread(fn, *args)
