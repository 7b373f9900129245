"""Edits are coalesced (at most about one per interval per message) and end on the latest view;
the language follows the community's locale."""

from __future__ import annotations

import asyncio

from copkit.core.messenger import EditCoalescer
from copkit.core.views import Poll, View
from copkit.testing import Harness, MemoryMessenger


async def test_a_burst_of_updates_becomes_few_edits_ending_on_the_latest():
    messenger = MemoryMessenger()
    ref = await messenger.send(None, "room", None, View(text="v0"), None)
    coalescer = EditCoalescer(interval=0.2)
    for i in range(1, 101):
        await coalescer.edit(messenger, None, ref, View(text=f"v{i}"))
    await asyncio.sleep(0.3)
    msg = messenger.messages[ref["message_id"]]
    assert msg.view.text == "v100"
    assert msg.edits == 2  # the first at once, the latest after the interval


async def test_drain_sends_the_pending_latest_view():
    messenger = MemoryMessenger()
    ref = await messenger.send(None, "room", None, View(text="v0"), None)
    coalescer = EditCoalescer(interval=10)
    await coalescer.edit(messenger, None, ref, View(text="v1"))
    await coalescer.edit(messenger, None, ref, View(text="v2"))
    await coalescer.edit(messenger, None, ref, View(text="v3"))
    await coalescer.drain()
    assert messenger.messages[ref["message_id"]].view.text == "v3"
    assert messenger.messages[ref["message_id"]].edits == 2


def test_poll_limits_are_checked():
    import pytest

    with pytest.raises(ValueError):
        Poll("p", "Q?", tuple(str(i) for i in range(11)))


async def test_language_follows_the_community_locale(db_url):
    async with Harness(db_url, plugins=["copkit.plugins.core_commands"]) as h:
        out = await h.say("leader", "language de")
        assert out[0].view.text == "Sprache ist jetzt de."
        out = await h.say("bob", "formats disable x")
        assert out[0].view.text == "Nur die Leitung kann Formate abschalten."
        out = await h.say("leader", "language en")
        assert out[0].view.text == "Language set to en."
