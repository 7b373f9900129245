"""Lean coffee minutes and backlog as a leader uses them over several sessions: markers that go
with a merge, thumbs rounds labelled, two lean coffees on one day, pruning the backlog."""

from __future__ import annotations

from copkit.plugins.leancoffee.minutes import _thumbs_line
from copkit.plugins.leancoffee.models import Topic
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")
LEAD = "leader"


def said(msgs) -> str:
    return "\n".join(f"{m.view.title} {m.view.text} {m.view.footer or ''}" for m in msgs)


def test_thumbs_rounds_are_labelled_when_there_are_several():
    assert _thumbs_line([[2, 1, 0]]) == "👍 2 ✋ 1 👎 0"
    assert (
        _thumbs_line([[2, 1, 0], [1, 0, 2]]) == "round 1: 👍 2 ✋ 1 👎 0; round 2: 👍 1 ✋ 0 👎 2"
    )


async def test_a_merge_or_a_removal_takes_the_near_duplicate_marker_with_it(db_url):
    async with Harness(db_url, plugins=PLUGINS, leader=LEAD) as h:
        await h.say(LEAD, "leancoffee start")
        await h.say("ann", "leancoffee propose Testing in production")
        await h.say("bob", "leancoffee propose testing in production!")
        await h.say("cat", "leancoffee propose Testing in production?")
        assert {t.number: t.similar_to for t in await Topic.all()} == {1: None, 2: 1, 3: 1}
        out = await h.say(LEAD, "leancoffee merge 1 2")
        assert "#1 merged into #2" in said(out)
        # #2 absorbed #1: it no longer "looks like #1"; #3 now looks like #2
        assert {t.number: t.similar_to for t in await Topic.filter(status="open")} == {
            2: None,
            3: 2,
        }
        await h.say(LEAD, "leancoffee remove 2")
        assert (await Topic.get(number=3)).similar_to is None


async def test_two_lean_coffees_on_one_day_are_both_in_the_minutes(db_url):
    async with Harness(db_url, plugins=PLUGINS, leader=LEAD) as h:
        await h.say(LEAD, "leancoffee start --title Morning")
        await h.say("ann", "leancoffee propose Alpha")
        await h.say(LEAD, "leancoffee end")
        await h.advance(hours=3)
        await h.say(LEAD, "leancoffee start --title Afternoon")
        await h.say(LEAD, "leancoffee end")
        day = h.clock.now().date().isoformat()
        out = await h.say("ann", f"leancoffee minutes {day}")
        text = said(out)
        assert "2 lean coffees ran that day" in text
        assert text.index("Morning") < text.index("Afternoon")
        # "last" is still the one that ended last
        assert "Afternoon" in said(await h.say("ann", "leancoffee minutes"))


async def test_the_backlog_can_be_pruned_and_old_topics_are_offered(db_url):
    async with Harness(db_url, plugins=PLUGINS, leader=LEAD) as h:
        await h.say(LEAD, "leancoffee start")
        await h.say("ann", "leancoffee propose Alpha")
        await h.say("ann", "leancoffee propose Beta")
        await h.say(LEAD, "leancoffee end")
        text = said(await h.say("ann", "leancoffee backlog"))
        assert "1. Alpha" in text and "2. Beta" in text and "drop old" not in text
        for _ in range(2):  # two more lean coffees that do not reach them
            await h.say(LEAD, "leancoffee start")
            await h.say(LEAD, "leancoffee end")
        text = said(await h.say("ann", "leancoffee backlog"))
        assert "waited 3 lean coffees" in text and "leancoffee backlog drop old" in text

        before = await Topic.filter(in_backlog=True).count()
        for bad, answer in (
            ("leancoffee backlog drop 1", "Only the leader or core team can prune the backlog."),
        ):
            assert answer in said(await h.say("ann", bad))
        for bad in ("9", "0", "x", "1 x", "²"):
            out = said(await h.say(LEAD, f"leancoffee backlog drop {bad}"))
            assert "Give numbers from the backlog list (1 to 2)" in out
        assert await Topic.filter(in_backlog=True).count() == before

        assert "1 topic taken out" in said(await h.say(LEAD, "leancoffee backlog drop 1"))
        text = said(await h.say("ann", "leancoffee backlog"))
        assert "Alpha" not in text and "1. Beta" in text
        assert "1 topic taken out" in said(await h.say(LEAD, "leancoffee backlog drop old"))
        assert "The backlog is empty." in said(await h.say("ann", "leancoffee backlog"))
        # the next lean coffee starts with nothing carried over
        out = said(await h.say(LEAD, "leancoffee start"))
        assert "carried over" not in out
        assert "No topic has waited" not in out
        out = said(await h.say(LEAD, "leancoffee backlog drop old"))
        assert "The backlog is empty." in out
