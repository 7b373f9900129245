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
        ["red", "red", "red", "red", "green"],
        ["red", "red", "red", "amber", "green"],
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
    assert png_size(img.png) == charts.grid_size(2, 11) == (640, 506)
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
    assert png_size(hist.images[0].png) == (640, 506)


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("colour", ["green", "amber", "red", None])
def test_cell_text_meets_wcag_aa_and_colour_is_not_the_only_signal(colour):
    assert contrast(charts.FILL[colour], charts.INK[colour]) >= 4.5
    if colour is not None:
        assert charts.SYMBOL[colour]
    assert len({charts.SYMBOL[c] for c in ("green", "amber", "red")}) == 3


def test_the_colour_follows_the_number():
    from copkit.plugins.healthcheck.tally import band

    assert [band(s) for s in (0, 33, 34, 47, 50, 66, 67, 100, None)] == [
        "red",
        "red",
        "amber",
        "amber",
        "amber",
        "amber",
        "green",
        "green",
        None,
    ]


def _text_width_px(text: str, size: float) -> float:
    from matplotlib.textpath import TextPath

    longest = max(text.split("\n"), key=len)
    return TextPath((0, 0), longest, size=size).get_extents().width * charts.DPI / 72


def test_the_key_fits_a_single_round_grid_and_long_names_are_cut():
    note = (
        "Score 0–100: ● 67 and up · ▲ 34–66 · ■ 33 and below\n"
        "Framed: red two rounds running · –: too few answers · the last 8 rounds"
    )
    width, _h = charts.grid_size(1, 1)
    assert _text_width_px(note, 8) < width - 20
    data = charts.grid_png(["#1"], ["x" * 80], [[("green", "90", False)]], note=note)
    assert png_size(data) == (width, _h)


def test_twelve_rounds_show_the_last_eight_not_a_strip():
    cells = [[("green", str(i), False) for i in range(12)]]
    data = charts.grid_png([f"#{i}" for i in range(12)], ["d"], cells)
    assert png_size(data) == charts.grid_size(12, 1) == (charts.LABEL_W + 8 * charts.COL_W, 146)


def test_emoji_are_left_out_of_pictures_without_warnings_on_the_terminal(caplog, recwarn):
    assert charts.drawable("🚀 Delivery 🎉") == "Delivery"
    assert charts.drawable("Équipe — ①") == "Équipe — ①"
    with caplog.at_level("WARNING"):
        data = charts.grid_png(["#1"], ["🚀 Speed"], [[("red", "10", False)]], title="Health 🎉")
        charts.trend_png(
            ["#1", "#2"], [1, 0], [1, 0], [1, 0], [50, None], title="💡 Ideas", hidden=[False, True]
        )
    assert png_size(data)[0] == charts.MIN_W
    assert not [w for w in recwarn if "Glyph" in str(w.message)]
    assert "cannot draw" in caplog.text


def test_a_hidden_round_is_a_gap_in_the_trend_not_a_vanished_round():
    shown = charts.trend_png(
        ["#1", "#2", "#3"],
        [3, 9, 0],
        [1, 9, 1],
        [1, 9, 4],
        [70, 50, 10],
        hidden=[False, True, False],
    )
    joined = charts.trend_png(
        ["#1", "#2", "#3"],
        [3, 0, 0],
        [1, 0, 1],
        [1, 0, 4],
        [70, None, 10],
        hidden=[False, True, False],
    )
    # what a hidden round held does not show: the same picture whatever its (too few) answers
    assert shown == joined
    assert png_size(shown) == charts.TREND_SIZE
