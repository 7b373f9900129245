"""The pictures: the traffic-light grid on the results and the trend chart, decoded and measured."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from matplotlib.image import imread
from test_healthcheck_helpers import MEMBERS, PLUGINS, answer, close, start

from copkit.plugins.healthcheck import charts, logic
from copkit.testing import Harness


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG signature and IHDR chunk (checking its CRC)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16:29]
    (crc,) = struct.unpack(">I", data[29:33])
    assert zlib.crc32(kind + body) == crc, "corrupt IHDR"
    width, height = struct.unpack(">II", body[:8])
    return width, height


def pixel(data: bytes, x: float, y: float) -> str:
    """The colour at (x, y) as ``#rrggbb``."""
    img = imread(io.BytesIO(data), format="png")
    r, g, b = (round(float(c) * 255) for c in img[int(y), int(x)][:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def cell(rnd: int, dim: int) -> tuple[float, float]:
    """A point inside a cell's coloured box, away from its centred text."""
    return charts.LABEL_W + rnd * charts.COL_W + 12, charts.HEAD_H + dim * charts.ROW_H + 9


def frame(rnd: int, dim: int) -> tuple[float, float]:
    """A point on a cell's left frame."""
    return charts.LABEL_W + rnd * charts.COL_W + 4, charts.HEAD_H + dim * charts.ROW_H + 18


@pytest.mark.parametrize(("rounds", "dims"), [(1, 1), (2, 11), (12, 15), (5, 7)])
def test_grid_png_has_the_size_it_promises(rounds, dims):
    cells = [[("green", "100", False)] * rounds for _ in range(dims)]
    data = charts.grid_png([f"#{i}" for i in range(rounds)], [f"d{i}" for i in range(dims)], cells)
    assert png_size(data) == charts.grid_size(rounds, dims)
    assert imread(io.BytesIO(data), format="png").shape[:2] == charts.grid_size(rounds, dims)[::-1]


def test_trend_png_size():
    data = charts.trend_png(["#1", "#2", "#3"], [3, 1, 0], [1, 2, 1], [1, 2, 4], [70, 40, 10])
    assert png_size(data) == charts.TREND_SIZE


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        yield h


async def test_results_carry_the_grid_and_trend_on_request(h):
    for colours in (
        ["red", "red", "red", "green", "green"],
        ["red", "red", "amber", "amber", "green"],
    ):
        rid = await start(h)
        n = len(await logic.items(rid))
        for who, colour in zip(MEMBERS, colours, strict=True):
            # Purpose follows the list; Value to me is green for all; the rest amber.
            await answer(h, who, rid, [colour, "green"] + ["amber"] * (n - 2))
        await close(h)
    res = h.last()
    assert res.title == "Health check #2: results"
    (img,) = res.images
    assert img.filename == "healthcheck-2.png" and img.alt
    assert png_size(img.png) == charts.grid_size(2, 11) == (440, 486)
    # Row 0 is Purpose: red both times, framed in round 2 (red two rounds running).
    assert pixel(img.png, *cell(0, 0)) == charts.FILL["red"]
    assert pixel(img.png, *cell(1, 0)) == charts.FILL["red"]
    assert pixel(img.png, *frame(1, 0)) == "#222222"
    assert pixel(img.png, *frame(0, 0)) != "#222222"
    assert pixel(img.png, *cell(1, 1)) == charts.FILL["green"]
    assert pixel(img.png, *cell(1, 2)) == charts.FILL["amber"]

    trend = (await h.say("ann", "healthcheck trend value"))[-1].view
    (chart,) = trend.images
    assert png_size(chart.png) == charts.TREND_SIZE
    hist = (await h.say("ann", "healthcheck history"))[-1].view
    assert png_size(hist.images[0].png) == (440, 486)
