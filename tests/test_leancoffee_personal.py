"""Lean coffee's per-person part ("your dots") where a platform has no per-person card: the
board carries a "My dots" button, and pressing it answers the person alone with their own
dots (Discord: the ephemeral answer; the console: their own render). SQLite always;
PostgreSQL with COPKIT_TEST_POSTGRES_URL."""

from __future__ import annotations

from copkit.plugins.leancoffee import models as m
from copkit.plugins.leancoffee import routes as r
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")


async def test_my_dots_answers_each_person_privately_with_their_own(db_url):
    async with Harness(db_url, plugins=PLUGINS, leader="leader") as h:
        await h.say("leader", "leancoffee start")
        for title in ("Testing in prod", "Pairing", "Docs"):
            await h.say("ann", f"leancoffee propose {title}")
        await h.say("leader", "leancoffee voting open")
        s = await m.Session.get()
        await h.rt.live.drain()
        board = await h.view(r.board_key(s.id))
        (mine,) = [b for b in board.buttons if b.label == "My dots"]
        assert mine.action_id == r.MY_DOTS.build(session=s.id)
        assert "“My dots” shows where your dots are." in board.footer
        await h.say("ann", "leancoffee vote 1")
        await h.say("ann", "leancoffee vote 3")
        await h.say("bob", "leancoffee vote 2")

        out = await h.click("ann", mine.action_id)
        assert [x.private_to for x in out] == ["ann"]
        assert out[0].view.text == "Your dots: #1, #3 · 0 dots left."
        out = await h.click("bob", mine.action_id)
        assert [x.private_to for x in out] == ["bob"]
        assert out[0].view.text == "Your dots: #2 · 1 dot left."
        out = await h.click("cid", mine.action_id)
        assert out[0].view.text == "You have 2 dots left: give them from the list below."
        assert "#1, #3" not in str([x.view for x in out])

        await h.say("leader", "leancoffee voting close")
        out = await h.click("ann", mine.action_id)
        assert out[0].view.text == "Your dots went to #1, #3." and out[0].private_to == "ann"
        # a forged session id is a short answer, not a bug
        out = await h.click("ann", r.MY_DOTS.build(session=s.id + 99))
        assert out[0].view.tone == "error" and "no longer exists" in out[0].view.text
