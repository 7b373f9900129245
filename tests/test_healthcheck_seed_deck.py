"""The seed's deck beside copkit's own: switching keeps every result, and the health check's
scores reach the goals through ``copkit_signals`` (aggregates only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_healthcheck_helpers import MEMBERS, answer, close, start

from copkit.core.i18n import _
from copkit.plugins.healthcheck import logic, seed_deck
from copkit.plugins.healthcheck.deck import DEFAULT_DECK
from copkit.plugins.healthcheck.models import Dimension
from copkit.plugins.healthcheck.signals import measure
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.healthcheck")
SEED_TITLES = [
    "Learning & growth",
    "Help",
    "Safety",
    "Collaborate",
    "Share knowledge & learnings",
    "Align on long-term strategies",
    "Align on how we do work",
    "Fun",
    "Feedback",
    "Ability to decide",
    "Motivation",
]


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        yield h


def test_the_seed_deck_has_eleven_dimensions_in_our_own_words():
    cards = seed_deck.SEED_DECK
    assert [c.title for c in cards] == SEED_TITLES
    keys = [c.key for c in cards]
    assert len(set(keys)) == 11 and not set(keys) & {c.key for c in DEFAULT_DECK}
    for c in cards:
        assert c.awesome and c.crappy and c.awesome != c.crappy
        assert len(c.awesome) <= 300 and len(c.crappy) <= 300
        assert _(c.awesome) == c.awesome  # a gettext message (English here)


async def test_use_seed_then_copkit_keeps_history_and_results(h):
    rid = await start(h)
    for who in MEMBERS:
        await answer(h, who, rid, "green")
    await close(h)
    out = await h.say("leader", "healthcheck deck use seed")
    assert "seed deck" in out[-1].view.text
    cid = (await h._community()).id
    active = [
        d.title
        for d in await Dimension.filter(community_id=cid, retired_at=None).order_by("position")
    ]
    assert active == SEED_TITLES
    deck_view = (await h.say("ann", "healthcheck deck"))[-1].view
    assert "Safety" in deck_view.text or any("Safety" in f.name for f in deck_view.fields)
    refused = await h.say("ann", "healthcheck deck use copkit")
    assert "leader" in refused[-1].view.text.lower()
    bad = await h.say("leader", "healthcheck deck use tarot")
    assert "There is no deck" in bad[-1].view.text
    # a round on the seed deck asks the seed's dimensions
    rid2 = await start(h)
    assert [i.title for i in await logic.items(rid2)] == SEED_TITLES
    for who in MEMBERS:
        await answer(h, who, rid2, ["red"] + ["amber"] * 10)
    await close(h)
    await h.say("leader", "healthcheck deck use copkit")
    active = [
        d.key
        for d in await Dimension.filter(community_id=cid, retired_at=None).order_by("position")
    ]
    assert active == [c.key for c in DEFAULT_DECK]
    # both rounds' results are still there, each with its own deck
    grid = await logic.grid(cid)
    assert len(grid.rounds) == 2 and len(grid.dimensions) == 22
    history = (await h.say("ann", "healthcheck deck history"))[-1].view.text
    assert "switched to the seed deck" in history and "switched to the copkit deck" in history
    assert await seed_deck.current(cid) == "copkit"
    # reset returns to the deck in use
    await h.say("leader", "healthcheck deck use seed")
    await h.say("leader", "healthcheck deck reset")
    assert await Dimension.filter(community_id=cid, retired_at=None).count() == 11


async def test_scores_reach_the_goals_as_aggregates(h):
    rid = await start(h)
    for who, colour in zip(MEMBERS, ["green", "green", "amber", "red", "green"], strict=True):
        await answer(h, who, rid, colour)
    await close(h)
    community = await h._community()
    now = h.clock.now()
    got = {
        m.name: m
        for m in await measure(
            community,
            ["health:purpose", "health.average", "health.days_since", "health.red_twice", "x"],
            now - timedelta(days=30),
            now + timedelta(days=1),
        )
    }
    assert got["health:purpose"].value == 70  # (100+100+50+0+100)/5
    assert got["health.average"].value == 70
    assert got["health.red_twice"].value == 0
    assert 0 <= got["health.days_since"].value <= 1
    assert "x" not in got
    later = datetime(2030, 1, 1, tzinfo=UTC)
    assert await measure(community, ["health:purpose"], later, later + timedelta(days=1)) == []
