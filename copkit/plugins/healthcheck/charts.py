"""Pictures: the traffic-light grid (dimensions × rounds) and one dimension's trend, as PNG bytes.

matplotlib's object API with the Agg canvas: no pyplot global state, no display, safe in a
worker thread. Sizes are whole pixels chosen here, so callers (and tests) know them.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable, Sequence
from typing import Any

from copkit.core.glyphs import drawable

log = logging.getLogger(__name__)

DPI = 100
# Text on every fill meets WCAG AA (4.5:1) — tests/test_healthcheck_charts.py measures it.
FILL = {"green": "#1e7b3c", "amber": "#f2b82e", "red": "#b3261e", None: "#e3e3e3"}
INK = {"green": "#ffffff", "amber": "#1a1a1a", "red": "#ffffff", None: "#4a4a4a"}
# Colour is never the only signal: each cell also carries a symbol (the key explains them).
SYMBOL = {"green": "●", "amber": "▲", "red": "■", None: ""}
LABEL_W = 260
COL_W = 90
ROW_H = 36
HEAD_H = 70
FOOT_H = 40
MIN_W = 640  # room for the key under the grid, even with a single round
MAX_ROUNDS = 8  # the grid shows the last rounds only; the trend shows one dimension's history
TREND_SIZE = (800, 420)
# Titles are what people wrote: drawn as typed, never read as TeX ("$^$" would not even draw).
AS_TYPED = {"parse_math": False}


def grid_size(rounds: int, dimensions: int) -> tuple[int, int]:
    """The grid picture's size in pixels."""
    width = max(LABEL_W + COL_W * max(min(rounds, MAX_ROUNDS), 1), MIN_W)
    return width, HEAD_H + ROW_H * max(dimensions, 1) + FOOT_H


def _figure(width: int, height: int) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)  # drawable(): no glyph missing, no box drawn
    return buf.getvalue()


def grid_png(
    rounds: Sequence[str],
    dimensions: Sequence[str],
    cells: Sequence[Sequence[tuple[str | None, str, bool]]],
    *,
    title: str = "",
    note: str = "",
) -> bytes:
    """``cells[d][r]`` is ``(colour or None, text, highlighted)`` for dimension ``d`` in round
    ``r``; a highlighted cell (red two rounds running) gets a thick dark frame. ``note`` is the
    key under the grid (two lines at most). Only the last :data:`MAX_ROUNDS` rounds are drawn."""
    from matplotlib.patches import Rectangle

    if len(rounds) > MAX_ROUNDS:
        cut = len(rounds) - MAX_ROUNDS
        rounds = rounds[cut:]
        cells = [row[cut:] for row in cells]
    width, height = grid_size(len(rounds), len(dimensions))
    fig = _figure(width, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    if title:
        ax.text(
            10,
            22,
            drawable(title, bold=True),
            fontsize=12,
            fontweight="bold",
            va="center",
            **AS_TYPED,
        )
    if note:
        ax.text(
            10,
            height - FOOT_H / 2,
            drawable(note),
            fontsize=8,
            color="#333333",
            va="center",
            linespacing=1.3,
            wrap=False,
            **AS_TYPED,
        )
    for r, label in enumerate(rounds):
        x = LABEL_W + r * COL_W + COL_W / 2
        ax.text(
            x,
            HEAD_H - 14,
            drawable(label),
            ha="center",
            va="bottom",
            fontsize=8,
            linespacing=1.1,
            **AS_TYPED,
        )
    for d, name in enumerate(dimensions):
        y = HEAD_H + d * ROW_H
        label = drawable(name)
        label = label if len(label) <= 34 else label[:33] + "…"
        ax.text(LABEL_W - 10, y + ROW_H / 2, label, ha="right", va="center", fontsize=9, **AS_TYPED)
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
                shown = f"{SYMBOL[colour]} {text}".strip()
                ax.text(
                    x + COL_W / 2,
                    y + ROW_H / 2,
                    shown,
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
    axis: str = "% of answers · score 0–100",
    hidden: Sequence[bool] = (),
    hidden_label: str = "too few answers",
) -> bytes:
    """Stacked shares of green, amber and red per round, with the score (0–100) as a line.
    A round in ``hidden`` (too few answers) stays in its place as a labelled gap."""
    width, height = TREND_SIZE
    fig = _figure(width, height)
    ax = fig.add_axes((0.09, 0.16, 0.87, 0.66))
    xs = list(range(len(rounds)))
    gaps = [bool(hidden[i]) if i < len(hidden) else False for i in xs]
    green = [0 if gaps[i] else v for i, v in enumerate(green)]
    amber = [0 if gaps[i] else v for i, v in enumerate(amber)]
    red = [0 if gaps[i] else v for i, v in enumerate(red)]
    scores = [None if gaps[i] else v for i, v in enumerate(scores)]
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
    # The score as a line, broken where a round is hidden (a gap, not a join across it).
    line = [float("nan") if v is None else float(v) for v in scores]
    if any(v is not None for v in scores):
        ax.plot(xs, line, color="#1f3b73", marker="o", linewidth=2, label=labels[3])
    for x, gap in zip(xs, gaps, strict=True):
        if gap:
            ax.text(
                x,
                50,
                drawable(hidden_label),
                ha="center",
                va="center",
                rotation=90,
                fontsize=8,
                color="#4a4a4a",
                **AS_TYPED,
            )
    ax.set_xticks(xs, [drawable(r) for r in rounds], fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_xlim(-0.6, max(len(xs) - 0.4, 0.6))
    ax.set_ylabel(drawable(axis), fontsize=8)
    # The legend sits in its own band above the plot, inside the picture, whatever the rounds.
    fig.legend(loc="upper left", bbox_to_anchor=(0.09, 0.93), ncol=4, fontsize=8, frameon=False)
    if title:
        fig.text(
            0.96,
            0.95,
            drawable(title, bold=True),
            ha="right",
            va="top",
            fontsize=11,
            fontweight="bold",
            **AS_TYPED,
        )
    return _png(fig)


async def render(fn: Callable[..., bytes], *args: Any, **kwargs: Any) -> bytes:
    """Draw in a worker thread so a picture never blocks the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)
