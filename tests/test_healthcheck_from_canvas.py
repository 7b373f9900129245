"""``healthcheck deck from-canvas``: one dimension per goal of the canvas, proposed to the leader
and added by the button or ``--add``; read through the core's ``copkit_canvas`` hook, so the
health check works (and says so) without the canvas plugin."""

from __future__ import annotations

import pytest

from copkit.plugins.healthcheck.deck_canvas import FROM_CANVAS
from copkit.plugins.healthcheck.models import Dimension
from copkit.testing import Harness

PLUGINS = [
    "copkit.plugins.core_commands",
    "copkit.plugins.healthcheck",
    "copkit.plugins.workshop.canvas",
]


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("bob", "help")
        yield h


async def titles(h: Harness) -> list[str]:
    return [d.title async for d in Dimension.filter(retired_at=None).order_by("position")]


async def test_one_dimension_per_goal(h):
    await h.say("leader", "healthcheck deck from-canvas")
    assert "no canvas yet" in h.last("leader").text
    await h.say("leader", "canvas edit vision add Better Python together")
    await h.say("leader", "healthcheck deck from-canvas")
    assert "no measures yet" in h.last("leader").text

    await h.say("leader", "canvas edit measures add one event a month")
    await h.say("leader", "canvas edit measures add half of us have presented **once** this year")
    await h.say("leader", "healthcheck deck from-canvas")
    view = h.last()
    assert "1. one event a month" in view.text
    assert "We are clearly on our way: “one event a month”." in view.text
    assert (
        "We are not getting closer to “half of us have presented **once** this year”" in view.text
    )
    button = view.buttons[0]
    assert button.label == "Add these 2 to the deck"
    before = await titles(h)
    assert "one event a month" not in before  # proposing changes nothing

    await h.click("bob", button.action_id)  # the leader's, not a member's
    assert "Only" in h.last("bob").text
    await h.say("leader", "canvas edit measures add a third one")
    await h.click("leader", button.action_id)  # proposed from version 3; the canvas is at 4
    assert "changed since" in h.last("leader").text
    assert await titles(h) == before

    await h.click("leader", FROM_CANVAS.build(version=4))
    assert "Added 3 dimensions from the canvas" in h.last().text
    after = await titles(h)
    assert after[-3:] == [
        "one event a month",
        "half of us have presented **once** this year",
        "a third one",
    ]
    await h.say("leader", "healthcheck deck from-canvas --add")  # again: already there
    assert "Added 0 dimensions" in h.last().text and "already has" in h.last().text
    assert await titles(h) == after
    await h.say("leader", "healthcheck deck edit one-event-a-month --awesome 'We meet monthly.'")
    assert (await Dimension.get(key="one-event-a-month")).awesome == "We meet monthly."


async def test_without_the_canvas_plugin_it_says_there_is_no_canvas(db_url):
    plugins = ["copkit.plugins.core_commands", "copkit.plugins.healthcheck"]
    async with Harness(db_url, plugins=plugins) as h:
        await h.say("leader", "healthcheck deck from-canvas --add")
        assert "no canvas yet" in h.last("leader").text


async def test_goals_are_the_dimensions_once_there_are_some(h):
    await h.say("leader", "canvas edit measures add one event a month")
    await h.say("leader", "canvas edit measures add a wiki page per talk")
    await h.say("leader", "canvas goal 2 --cadence month")
    await h.say("leader", "healthcheck deck from-canvas")
    text = h.last().text
    assert "1. a wiki page per talk" in text and "one event a month" not in text
