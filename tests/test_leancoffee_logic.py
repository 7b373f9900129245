"""Lean coffee's plain logic: ranking and ties, dots, thumbs majority, near-duplicates, parsing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from copkit.core.errors import UserError
from copkit.plugins.leancoffee import logic


@dataclass
class T:
    id: int
    number: int


def test_rank_most_dots_first_and_ties_go_to_the_earlier_topic():
    a, b, c, d = T(10, 1), T(11, 2), T(12, 3), T(13, 4)
    assert logic.rank([d, c, b, a], {11: 2, 12: 2, 13: 1}) == [b, c, d, a]
    assert logic.rank([c, a, b], {}) == [a, b, c]  # no dots: in proposal order


def test_free_dot_is_the_lowest_unused_index_within_the_budget():
    assert logic.free_dot([], 2) == 0
    assert logic.free_dot([0], 2) == 1
    assert logic.free_dot([1], 2) == 0
    assert logic.free_dot([0, 1], 2) is None
    assert logic.free_dot([0, 1, 2], 3) is None


@pytest.mark.parametrize(
    ("up", "neutral", "down", "keep"),
    [
        (2, 0, 1, True),
        (1, 1, 1, True),
        (0, 2, 1, True),
        (1, 0, 1, False),
        (0, 0, 1, False),
        (0, 0, 0, False),
        (1, 1, 2, False),
        (0, 1, 0, True),
    ],
)
def test_thumbs_majority_of_up_and_neutral_keeps_going(up, neutral, down, keep):
    count = logic.count_thumbs(["up"] * up + ["neutral"] * neutral + ["down"] * down)
    assert (count.up, count.neutral, count.down) == (up, neutral, down)
    assert count.keep_going is keep
    assert count.as_list() == [up, neutral, down]


def test_everyone_voted_needs_reported_presence():
    assert logic.everyone_voted(["ann", "bob"], ["bob", "ann", "zoe"])
    assert not logic.everyone_voted(["ann", "bob"], ["ann"])
    assert not logic.everyone_voted([], ["ann"])  # nobody reported: wait for the window


def test_near_duplicates_are_flagged_against_the_earlier_topic():
    others = [(1, "Testing in production"), (2, "Remote pairing"), (3, "testing  in production")]
    assert logic.similar_topic("Testing in production!", others) == 1
    assert logic.similar_topic("remote PAIRING", others) == 2
    assert logic.similar_topic("Career ladders", others) is None


def test_title_pitch_and_note_limits():
    assert logic.check_title("  a\n title  ") == "a title"
    for bad in ("", "   ", "x" * 121):
        with pytest.raises(UserError):
            logic.check_title(bad)
    assert logic.check_title("x" * 120)
    with pytest.raises(UserError):
        logic.check_pitch("p" * 301)
    with pytest.raises(UserError):
        logic.check_note("")


def test_start_options():
    assert logic.check_votes(None) == 2 and logic.check_votes(5) == 5
    for bad in (0, 11, -1):
        with pytest.raises(UserError):
            logic.check_votes(bad)
    assert logic.check_timebox(None) == 480
    assert logic.check_timebox(timedelta(minutes=5)) == 300
    with pytest.raises(UserError):
        logic.check_timebox(timedelta(seconds=30))
    assert logic.parse_extensions(None) == [240, 120]
    assert logic.parse_extensions(["3", "90s"]) == [180, 90]
    assert logic.parse_extensions(["none"]) == []
    for bad in (["x"], ["4", "2", "1", "1", "1", "1"], ["120"]):
        with pytest.raises(UserError):
            logic.parse_extensions(bad)


def test_due_dates():
    today = date(2026, 1, 5)
    assert logic.parse_due("2026-02-01", today) == date(2026, 2, 1)
    assert logic.parse_due("7d", today) == date(2026, 1, 12)
    assert logic.parse_due("", today) is None
    with pytest.raises(UserError):
        logic.parse_due("someday", today)


def test_timer_steps_give_a_heads_up_one_minute_before_the_end():
    assert logic.timer_step(480) == ("headsup", 420)
    assert logic.timer_step(60) == ("end", 60)
    assert logic.timer_step(-5) == ("end", 0)


def test_topic_numbers_and_texts():
    assert logic.topic_number("#3") == 3 and logic.topic_number(7) == 7
    for bad in ("", "x", "0", "-1"):
        with pytest.raises(UserError):
            logic.topic_number(bad)
    assert logic.minutes_text(480) == "8 min"
    assert logic.minutes_text(90) == "1 min 30 s"
    assert logic.dots_text(0) == "no dots" and logic.dots_text(2) == "●● 2 dots"
