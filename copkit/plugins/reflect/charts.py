"""Pictures: the scorecard (one bar per goal, its value against its target) and the digest's
four panels. matplotlib's object API on the Agg canvas, in a worker thread; sizes in pixels."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Sequence
from typing import Any

DPI = 100
WIDTH = 900
ROW_H = 46
HEAD_H = 60
DIGEST_SIZE = (1000, 700)
GREEN, AMBER, GREY, INK = "#2e9e4f", "#f0b429", "#d9d9d9", "#222222"
AS_TYPED = {"parse_math": False}  # goals are what people wrote: never read as TeX


def scorecard_size(goals: int) -> tuple[int, int]:
    return WIDTH, HEAD_H + ROW_H * max(goals, 1) + 20


def _figure(width: int, height: int) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _clip(text: str, n: int = 48) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def scorecard_png(title: str, rows: Sequence[tuple[str, float | None, str, str]]) -> bytes:
    """``rows``: (goal, progress 0–1 or None, value words, target words)."""
    width, height = scorecard_size(len(rows))
    fig = _figure(width, height)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    ax.text(16, 36, title, fontsize=16, weight="bold", color=INK, **AS_TYPED)
    bar_x, bar_w = 440, 300
    for i, (goal, progress, value, target) in enumerate(rows):
        y = HEAD_H + i * ROW_H
        ax.text(16, y + 26, _clip(goal), fontsize=11, color=INK, **AS_TYPED)
        ax.add_patch(_rect(bar_x, y + 10, bar_w, 22, GREY))
        if progress is not None:
            colour = GREEN if progress >= 1 else AMBER
            ax.add_patch(_rect(bar_x, y + 10, bar_w * progress, 22, colour))
        ax.text(bar_x + bar_w + 12, y + 26, f"{value} / {target}", fontsize=10, color=INK)
    return _png(fig)


def _rect(x: float, y: float, w: float, h: float, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, color=colour, linewidth=0)


def digest_png(
    title: str,
    months: Sequence[str],
    events: Sequence[int],
    levels: Sequence[tuple[str, int, int]],
    give_share: Sequence[float | None],
    health: Sequence[float | None],
    labels: Sequence[str],
) -> bytes:
    """Four panels: events per month, participation levels (previous vs now), the share of
    giving per month, and the health score per month. ``labels`` names the four panels."""
    fig = _figure(*DIGEST_SIZE)
    fig.suptitle(title, fontsize=15, weight="bold", **AS_TYPED)
    axes = fig.subplots(2, 2)
    ax = axes[0][0]
    ax.bar(range(len(months)), list(events), color=GREEN)
    ax.set_xticks(range(len(months)), list(months), fontsize=8)
    ax.set_title(labels[0], fontsize=11)
    ax = axes[0][1]
    names = [n for n, _a, _b in levels]
    xs = range(len(levels))
    ax.bar([x - 0.2 for x in xs], [b for _n, _a, b in levels], width=0.4, color=GREY)
    ax.bar([x + 0.2 for x in xs], [a for _n, a, _b in levels], width=0.4, color=GREEN)
    ax.set_xticks(list(xs), names, fontsize=9)
    ax.set_title(labels[1], fontsize=11)
    for ax, series, label in ((axes[1][0], give_share, labels[2]), (axes[1][1], health, labels[3])):
        points = [(i, v) for i, v in enumerate(series) if v is not None]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", color=GREEN)
        ax.set_ylim(0, 100)
        ax.set_xticks(range(len(months)), list(months), fontsize=8)
        ax.set_title(label, fontsize=11)
    fig.tight_layout()
    return _png(fig)


async def render(fn: Callable[..., bytes], *args: Any) -> bytes:
    """Draw in a worker thread: matplotlib is slow enough to hold up the event loop."""
    return await asyncio.to_thread(fn, *args)
