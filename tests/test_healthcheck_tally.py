"""The health check's counting rules as plain functions: no database, no clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from copkit.core.errors import UserError
from copkit.plugins.healthcheck import logic, report
from copkit.plugins.healthcheck.tally import Tally, change, participation, red_twice, tally


def t(green=0, amber=0, red=0, better=0, same=0, worse=0) -> Tally:
    return Tally(green, amber, red, better, same, worse)


def test_tally_groups_rows_and_counts_colours_trends_and_comments():
    rows = [
        ("purpose", "green", "better", "clear"),
        ("purpose", "green", "same", None),
        ("purpose", "red", "worse", "lost"),
        ("energy", "amber", None, ""),
        ("energy", None, "better", "no colour given"),
    ]
    out = tally(rows)
    assert out["purpose"].counts() == {
        "green": 2,
        "amber": 0,
        "red": 1,
        "better": 1,
        "same": 1,
        "worse": 1,
    }
    assert out["purpose"].comments == ["clear", "lost"]
    assert out["purpose"].answered == 3
    # A trend without a colour is a trend vote, not an answered colour; empty comments are dropped.
    assert out["energy"].answered == 1 and out["energy"].better == 1
    assert out["energy"].comments == ["no colour given"]


def test_tally_ignores_unknown_values():
    out = tally([("x", "purple", "sideways", None)])
    assert out["x"].answered == 0 and sum(out["x"].counts().values()) == 0
    assert out["x"].dominant is None and out["x"].score is None


@pytest.mark.parametrize(
    ("tal", "dominant"),
    [
        (t(green=3, amber=1, red=1), "green"),
        (t(green=1, amber=3, red=1), "amber"),
        (t(green=2, red=2), "red"),  # a tie goes to the worse colour
        (t(green=2, amber=2), "amber"),
        (t(green=1, amber=1, red=1), "red"),
        (t(), None),
    ],
)
def test_dominant_colour_with_ties_going_to_the_worse(tal, dominant):
    assert tal.dominant == dominant


def test_score_and_change_since_previous_round():
    before, now = t(green=1, amber=2, red=2), t(green=4, amber=1)
    assert before.score == 40 and now.score == 90
    assert change(before, now) == 50
    assert change(now, before) == -50
    assert change(None, now) is None
    assert change(t(), now) is None


def test_red_two_rounds_running():
    assert red_twice(t(red=3), t(red=2, green=1))
    assert not red_twice(t(red=3), t(green=3))
    assert not red_twice(t(amber=3), t(red=3))
    assert not red_twice(None, t(red=3))


@pytest.mark.parametrize(
    ("responses", "members", "pct"), [(5, 6, 83), (0, 6, 0), (3, 0, 0), (7, 5, 100), (1, 3, 33)]
)
def test_participation_rate(responses, members, pct):
    assert participation(responses, members) == pct


def test_min_responses_below_three_is_refused_and_duration_bounded():
    with pytest.raises(UserError, match="at least 3"):
        logic.check_start(timedelta(days=3), 2)
    with pytest.raises(UserError, match="between 10 minutes and 60 days"):
        logic.check_start(timedelta(minutes=5), 3)
    logic.check_start(timedelta(days=3), 3)


def test_reminder_a_day_before_or_half_way():
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert logic.reminder_at(start, start + timedelta(days=3)) == start + timedelta(days=2)
    assert logic.reminder_at(start, start + timedelta(hours=10)) == start + timedelta(hours=5)
    assert logic.reminder_at(start, start + timedelta(minutes=30)) is None


def _round(rid, number, enough=True, min_responses=3):
    return SimpleNamespace(id=rid, number=number, enough=enough, min_responses=min_responses)


def test_grid_cells_hide_small_counts_and_highlight_red_twice():
    rounds = [_round(1, 1), _round(2, 2), _round(3, 3, enough=False), _round(4, 4)]
    dims = [(10, "Purpose"), (11, "Energy")]
    tallies = {
        1: {10: t(red=3), 11: t(green=2)},  # Energy: 2 answers < 3, hidden
        2: {10: t(red=2, green=1), 11: t(green=3)},
        4: {10: t(red=3)},
    }
    asked = {1: {10, 11}, 2: {10, 11}, 3: {10, 11}, 4: {10}}
    cells = report.grid_cells(rounds, dims, tallies, asked)
    assert cells[0] == [
        ("red", "0", False),
        ("red", "33", True),
        (None, "–", False),
        ("red", "0", True),
    ]
    assert cells[1] == [
        (None, "–", False),
        ("green", "100", False),
        (None, "–", False),
        (None, "", False),
    ]
