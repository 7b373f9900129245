"""The facilitation moves' plain functions: clocks, timer plans, note text, dot tallies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from copkit.core.errors import UserError
from copkit.core.facilitation import dots, notes, owner_of, phases
from copkit.core.facilitation.models import Option, Phase

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_clock_and_minutes_text():
    assert phases.clock_text(245) == "4:05"
    assert phases.clock_text(0) == "0:00"
    assert phases.clock_text(-3) == "0:00"
    assert phases.clock_text(3723) == "1:02:03"
    assert phases.minutes_text(300) == "5 min"
    assert phases.minutes_text(61) == "2 min"
    assert phases.minutes_text(45) == "45 s"


def test_timer_plan_has_a_heads_up_only_past_a_minute():
    assert phases.timer_plan(300) == {"end": 300, "warn": 240}
    assert phases.timer_plan(60) == {"end": 60}
    assert phases.timer_plan(30) == {"end": 30}


def test_seconds_left_by_status():
    p = Phase(status="running", ends_at=NOW + timedelta(seconds=90), seconds=300)
    assert phases.seconds_left(p, NOW) == 90
    assert phases.seconds_left(p, NOW + timedelta(minutes=5)) == 0
    paused = Phase(status="paused", paused_left=42, seconds=300)
    assert phases.seconds_left(paused, NOW) == 42
    assert phases.seconds_left(Phase(status="ended", seconds=1), NOW) == 0


def test_check_seconds_bounds():
    assert phases.check_seconds(1) == 1
    for bad in (0, -1, 24 * 3600 + 1):
        with pytest.raises(UserError):
            phases.check_seconds(bad)


def test_note_text_is_tidied_and_bounded():
    assert notes.check_text("  one   idea\n here ") == "one idea here"
    assert notes.check_text("a\x00b") == "ab"
    for bad in ("", "   ", "\n\t"):
        with pytest.raises(UserError, match="Write something"):
            notes.check_text(bad)
    with pytest.raises(UserError, match="at most 300"):
        notes.check_text("x" * 301)
    assert notes.check_text("x" * 300) == "x" * 300
    with pytest.raises(UserError, match="at most 10"):
        notes.check_text("x" * 11, limit=10)


def test_dot_ranking_and_top():
    a, b, c = (Option(id=i, position=i, key=str(i), label=str(i)) for i in (1, 2, 3))
    counts = [dots.Count(a, 1), dots.Count(b, 3), dots.Count(c, 3)]
    assert [x.option.id for x in dots.ranked(counts)] == [2, 3, 1]
    assert [x.option.id for x in dots.top(counts)] == [2, 3]
    assert dots.top([dots.Count(a, 0)]) == []
    assert dots.left_text(0) == "That was your last dot."
    assert dots.left_text(1) == "1 dot left."
    assert dots.left_text(2) == "2 dots left."


def test_owner_key():
    assert owner_of("workshop", 3) == "workshop:3"
    with pytest.raises(ValueError):
        owner_of("x" * 100, 1)
