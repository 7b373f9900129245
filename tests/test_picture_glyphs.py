"""Emoji in titles never come out of a picture as empty boxes ("tofu"): matplotlib's health
check pictures and Pillow's scorecard leave out what DejaVu Sans cannot draw, and say so in
the log; matplotlib then warns of no missing glyph."""

from __future__ import annotations

import warnings

from copkit.core.glyphs import drawable
from copkit.plugins.healthcheck import charts
from copkit.plugins.reflect import charts as reflect_charts


def test_drawable_keeps_letters_and_symbols_the_font_has():
    assert drawable("🚀 Delivery 🎉") == "Delivery"
    assert drawable("Équipe — ① ✓") == "Équipe — ① ✓"
    assert drawable("☕ Lean coffee", bold=True) == "☕ Lean coffee"  # DejaVu has ☕


def test_matplotlib_pictures_with_emoji_titles_miss_no_glyph(caplog):
    with warnings.catch_warnings(record=True) as seen, caplog.at_level("WARNING"):
        warnings.simplefilter("always")
        charts.grid_png(["#1 🎉"], ["🚀 Speed"], [[("red", "10", False)]], title="Health 🎉")
        charts.trend_png(
            ["#1", "#2"], [1, 0], [1, 0], [1, 0], [50, None], title="💡 Ideas", hidden=[False, True]
        )
    assert not [w for w in seen if "Glyph" in str(w.message)], [str(w.message) for w in seen]
    assert "cannot draw" in caplog.text


def test_pillow_pictures_leave_emoji_out():
    with_emoji = reflect_charts.scorecard_png("🎯 Goals 🚀", [("🦀 Talks given", 0.5, "3", "6")])
    plain = reflect_charts.scorecard_png("Goals", [("Talks given", 0.5, "3", "6")])
    assert with_emoji == plain  # the same pixels: no box where an emoji was
