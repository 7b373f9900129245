"""Pictures: the traffic-light grid (dimensions × rounds) and one dimension's trend, as PNG bytes.

matplotlib's object API with the Agg canvas: no pyplot global state, no display, safe in a
worker thread. Sizes are whole pixels chosen here, so callers (and tests) know them.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence

DPI = 100
FILL = {"green": "#2e9e4f", "amber": "#f0b429", "red": "#d64545", None: "#d9d9d9"}
INK = {"green": "white", "amber": "#222222", "red": "white", None: "#666666"}
LABEL_W = 260
COL_W = 90
ROW_H = 36
HEAD_H = 70
FOOT_H = 20
MAX_ROUNDS = 12
TREND_SIZE = (800, 420)
# Titles are what people wrote: drawn as typed, never read as TeX ("$^$" would not even draw).
AS_TYPED = {"parse_math": False}


def grid_size(rounds: int, dimensions: int) -> tuple[int, int]:
    """The grid picture's size in pixels."""
    return LABEL_W + COL_W * max(rounds, 1), HEAD_H + ROW_H * max(dimensions, 1) + FOOT_H


def _figure(width: int, height: int):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def grid_png(
    rounds: Sequence[str],
    dimensions: Sequence[str],
    cells: Sequence[Sequence[tuple[str | None, str, bool]]],
    *,
    title: str = "",
    note: str = "",
) -> bytes:
    """``cells[d][r]`` is ``(dominant colour or None, text, highlighted)`` for dimension ``d`` in
    round ``r``; a highlighted cell (red two rounds running) gets a thick dark frame. ``note``
    is a one-line key under the grid."""
    from matplotlib.patches import Rectangle

    width, height = grid_size(len(rounds), len(dimensions))
    fig = _figure(width, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    if title:
        ax.text(10, 22, title, fontsize=12, fontweight="bold", va="center", **AS_TYPED)
    if note:
        ax.text(10, height - FOOT_H / 2, note, fontsize=7, color="#555555", va="center", **AS_TYPED)
    for r, label in enumerate(rounds):
        x = LABEL_W + r * COL_W + COL_W / 2
        ax.text(
            x, HEAD_H - 14, label, ha="center", va="bottom", fontsize=8, linespacing=1.1, **AS_TYPED
        )
    for d, name in enumerate(dimensions):
        y = HEAD_H + d * ROW_H
        ax.text(
            LABEL_W - 10, y + ROW_H / 2, name[:34], ha="right", va="center", fontsize=9, **AS_TYPED
        )
        for r in range(len(rounds)):
            colour, text, flagged = cells[d][r] if r < len(cells[d]) else (None, "", False)
            x = LABEL_W + r * COL_W
            ax.add_patch(
                Rectangle(
                    (x + 4, y + 4),
                    COL_W - 8,
                    ROW_H - 8,
                    facecolor=FILL[colour],
                    edgecolor="#222222" if flagged else "white",
                    linewidth=3 if flagged else 1,
                )
            )
            if text:
                ax.text(
                    x + COL_W / 2,
                    y + ROW_H / 2,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=INK[colour],
                    **AS_TYPED,
                )
    return _png(fig)


def trend_png(
    rounds: Sequence[str],
    green: Sequence[int],
    amber: Sequence[int],
    red: Sequence[int],
    scores: Sequence[int | None],
    *,
    title: str = "",
    labels: Sequence[str] = ("green", "amber", "red", "score"),
) -> bytes:
    """Stacked shares of green, amber and red per round, with the score (0–100) as a line."""
    width, height = TREND_SIZE
    fig = _figure(width, height)
    ax = fig.add_axes((0.08, 0.14, 0.88, 0.74))
    xs = list(range(len(rounds)))
    totals = [max(g + a + r, 1) for g, a, r in zip(green, amber, red, strict=True)]
    g = [100 * v / t for v, t in zip(green, totals, strict=True)]
    a = [100 * v / t for v, t in zip(amber, totals, strict=True)]
    r = [100 * v / t for v, t in zip(red, totals, strict=True)]
    ax.bar(xs, g, color=FILL["green"], width=0.6, label=labels[0])
    ax.bar(xs, a, bottom=g, color=FILL["amber"], width=0.6, label=labels[1])
    ax.bar(
        xs,
        r,
        bottom=[x + y for x, y in zip(g, a, strict=True)],
        color=FILL["red"],
        width=0.6,
        label=labels[2],
    )
    pts = [(x, s) for x, s in zip(xs, scores, strict=True) if s is not None]
    if pts:
        ax.plot(
            [p[0] for p in pts],
            [p[1] for p in pts],
            color="#1f3b73",
            marker="o",
            linewidth=2,
            label=labels[3],
        )
    ax.set_xticks(xs, list(rounds), fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_xlim(-0.6, max(len(xs) - 0.4, 0.6))
    ax.set_ylabel("%")
    ax.legend(loc="upper left", bbox_to_anchor=(0, 1.13), ncol=4, fontsize=8, frameon=False)
    if title:
        fig.text(0.96, 0.95, title, ha="right", fontsize=11, fontweight="bold", **AS_TYPED)
    return _png(fig)


async def render(fn, *args, **kwargs) -> bytes:
    """Draw in a worker thread so a picture never blocks the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)
