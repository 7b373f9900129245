"""The goals API (copkit.core.goals), stored in the core's own app ``goals``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from copkit.core import goals
from copkit.core.errors import UserError
from copkit.core.goals_models import GoalRow, GoalValue
from copkit.testing import Harness

PLUGINS = ["copkit.plugins.core_commands"]


@pytest.fixture
async def cid(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("ann", "help")
        yield (await h._community()).id


async def test_add_list_update_remove(cid):
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    a = await goals.add_goal(
        cid, "  Two events a month ", target=2, cadence="month", signal="events_held", now=at
    )
    b = await goals.add_goal(
        cid, "Newcomers feel welcome", source="canvas", source_ref="canvas:1:measures", now=at
    )
    assert (a.text, a.target, a.cadence, a.signal, a.source) == (
        "Two events a month",
        2.0,
        "month",
        "events_held",
        "manual",
    )
    assert a.created_at == at and b.source == "canvas" and b.source_ref == "canvas:1:measures"
    assert [g.id for g in await goals.goals_of(cid)] == [a.id, b.id]
    assert await goals.goals_of(cid + 99) == []

    changed = await goals.update_goal(a.id, target=3, signal="events_held:leancoffee")
    assert (changed.target, changed.signal, changed.text) == (3.0, "events_held:leancoffee", a.text)
    cleared = await goals.update_goal(a.id, target=None, cadence=None, signal=None)
    assert (cleared.target, cleared.cadence, cleared.signal) == (None, None, None)
    with pytest.raises(TypeError):
        await goals.update_goal(a.id, community_id=5)

    await goals.record_value(b.id, "2026-01", 4, by="ann")
    await goals.remove_goal(b.id)
    await goals.remove_goal(b.id)  # twice: nothing more happens
    assert [g.id for g in await goals.goals_of(cid)] == [a.id]
    assert await GoalValue.filter(goal_id=b.id).count() == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"text": ""},
        {"text": "x" * 301},
        {"target": "lots"},
        {"target": float("nan")},
        {"target": float("inf")},
        {"cadence": "fortnight"},
        {"signal": "happiness"},
        {"signal": "health"},  # needs a dimension
        {"signal": "distinct_hosts:x"},  # takes none
        {"signal": "newcomer_contribution:999"},
        {"signal": "events_held:Bad Name!"},
    ],
)
async def test_bad_values_are_refused_and_store_nothing(cid, kwargs):
    text = kwargs.pop("text", "A goal")
    with pytest.raises(UserError):
        await goals.add_goal(cid, text, **kwargs)
    assert await GoalRow.filter(community_id=cid).count() == 0


async def test_update_refuses_bad_values_and_unknown_goals(cid):
    g = await goals.add_goal(cid, "A goal", target=1)
    with pytest.raises(UserError):
        await goals.update_goal(g.id, cadence="daily")
    with pytest.raises(UserError):
        await goals.update_goal(g.id + 1, target=2)
    assert (await goals.get_goal(g.id)).cadence is None


async def test_signals_are_normalised(cid):
    g = await goals.add_goal(cid, "Healthy", signal=" Health:Safety ")
    assert g.signal == "health:safety"
    assert goals.signal_parts(g.signal) == ("health", "safety")
    g2 = await goals.add_goal(cid, "Newcomers", signal="newcomer_contribution:30")
    assert g2.signal == "newcomer_contribution:30"


async def test_record_value_replaces_and_checks_the_period(cid):
    g = await goals.add_goal(cid, "Blog posts", target=4, cadence="quarter")
    assert await goals.record_value(g.id, "2026-q1", 2, by="ann") == 2.0
    await goals.record_value(g.id, "2026-Q1", 3, by="bob")
    await goals.record_value(g.id, "2026-Q2", 1, by="bob")
    assert await goals.values_of(g.id) == {"2026-Q1": 3.0, "2026-Q2": 1.0}
    assert await GoalValue.filter(goal_id=g.id).count() == 2
    for bad in ("2026-03", "2026-Q5", "spring", "", "2026-W03"):
        with pytest.raises(UserError):
            await goals.record_value(g.id, bad, 1, by="ann")
    with pytest.raises(UserError):
        await goals.record_value(g.id, "2026-Q3", "many", by="ann")  # type: ignore[arg-type]
    assert (await goals.values_for([g.id])) == {g.id: {"2026-Q1": 3.0, "2026-Q2": 1.0}}


async def test_too_many_goals(cid):
    for i in range(goals.GOALS_MAX):
        await goals.add_goal(cid, f"goal {i}")
    with pytest.raises(UserError):
        await goals.add_goal(cid, "one more")


def test_periods():
    d = datetime(2026, 1, 7, 15, tzinfo=UTC)  # a Wednesday
    assert goals.period_of("week", d) == "2026-W02"
    assert goals.period_of("month", d) == goals.period_of(None, d) == "2026-01"
    assert goals.period_of("quarter", d) == "2026-Q1"
    assert goals.period_of("year", d) == "2026"
    assert goals.period_bounds("week", d) == (
        datetime(2026, 1, 5, tzinfo=UTC),
        datetime(2026, 1, 12, tzinfo=UTC),
    )
    assert goals.period_bounds("quarter", datetime(2026, 11, 30, tzinfo=UTC)) == (
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert goals.previous_period("month", d) == (
        datetime(2025, 12, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert goals.check_period("week", "2026-w02") == "2026-W02"
    assert goals.check_period("year", "2026") == "2026"
