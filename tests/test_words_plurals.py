"""Issue 17 item 9: private answers say "(only you see this)"; counts go through ngettext."""

from __future__ import annotations

from copkit.adapters.console import ConsoleSession
from copkit.core.clock import FakeClock
from copkit.plugins.leancoffee.logic import dots_text
from copkit.testing import Harness


async def test_console_private_header_speaks_to_the_reader(db_url):
    lines: list[str] = []
    session = ConsoleSession(db_url, clock=FakeClock(), out=lines.append)
    await session.start()
    try:
        await session.run_script(["help", "/as ann", "help"])
    finally:
        await session.stop()
    text = "\n".join(lines)
    assert text.count("(only you see this) What I can do") == 2
    assert "sees)" not in text


async def test_one_person_told_is_singular(db_url):
    async with Harness(db_url) as h:
        await h.say("bob", "help")
        await h.say("leader", 'brownbag schedule "Testing" --speaker @bob --at "2026-01-08 12:30"')
        out = await h.say("leader", "brownbag cancel 1")
        assert "1 person was told." in out[-1].view.text
        await h.say("leader", 'brownbag schedule "Again" --speaker @bob --at "2026-01-08 12:30"')
        await h.say("ann", "brownbag rsvp 2 going")
        out = await h.say("leader", "brownbag cancel 2")
        assert "2 people were told." in out[-1].view.text


def test_dots_count_in_words():
    assert dots_text(1) == "● 1 dot"
    assert dots_text(3) == "●●● 3 dots"


async def test_one_dot_each_reads_singular(db_url):
    async with Harness(db_url) as h:
        await h.say("leader", "leancoffee start --votes 1")
        await h.say("ann", "leancoffee propose Tests")
        out = await h.say("leader", "leancoffee voting open")
        assert any("1 dot each. Put it on the topic" in m.view.text for m in out)
        await h.say("ann", "leancoffee vote 1")
        [answer] = await h.say("ann", "leancoffee vote 1")
        assert "You have used your 1 dot." in answer.view.text
