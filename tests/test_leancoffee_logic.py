"""Lean coffee's plain logic: ranking and ties, dots, thumbs majority, near-duplicates, parsing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from copkit.core.errors import UserError
from copkit.plugins.leancoffee import logic
from copkit.plugins.leancoffee.routes import UNVOTE_PICK, VOTE_PICK


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


def _state(n: int, phase: str = "voting", pitch: str = "", title: str = "Topic"):
    from datetime import UTC, datetime

    from copkit.plugins.leancoffee.board import BoardState, TopicCard

    topics = [
        TopicCard(id=100 + i, number=i + 1, title=f"{title} {i + 1}", pitch=pitch, dots=i % 4)
        for i in range(n)
    ]
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    return BoardState(1, phase, 2, 480, [240, 120], now, UTC, topics=topics)


def test_board_ranks_by_dots_with_ties_to_the_earlier_topic_and_offers_choices():
    from copkit.plugins.leancoffee.board import render_board

    view = render_board(_state(6))
    todo = view.text.split("**To discuss** (6)")[1].split("**Discussing**")[0]
    order = [line.split("**")[1] for line in todo.strip().splitlines()]
    assert order == ["#4", "#3", "#2", "#6", "#1", "#5"]  # 3, 2, 1, 1, 0, 0 dots
    assert [c.action_id for c in view.choices] == [VOTE_PICK.build(page=1), UNVOTE_PICK.build()]
    proposing = render_board(_state(6, phase="proposing"))
    assert "no dots" not in proposing.text and not proposing.choices


def test_a_board_of_50_long_topics_fits_a_chat_message_and_renders_fast():
    import time

    from copkit.plugins.leancoffee.board import render_board

    state = _state(50, pitch="p" * 300, title="t" * 110)
    state.topics[0].status = "discussing"
    for t in state.topics[40:]:
        t.status, t.order, t.spent = "discussed", t.number, 480
    view = render_board(state)
    assert len(view.title) + len(view.text) <= 4096
    assert "**Discussing**" in view.text and "**Discussed** (10)" in view.text
    assert "… and" in view.text and "#1** " in view.text and "#50** " in view.text
    pages = [c for c in view.choices if c.action_id.startswith("leancoffee:vote:")]
    assert [len(c.options) for c in pages] == [25, 14]
    assert len({c.action_id for c in view.choices}) == len(view.choices)  # ids unique
    timings = []
    for _ in range(50):
        t0 = time.perf_counter()
        render_board(state)
        timings.append(time.perf_counter() - t0)
    assert sorted(timings)[25] < 0.005  # the target: 50 topics within 5 ms
