"""The vision workshop on Discord (the real discord.py against the fake Discord over loopback):
a private writing step through the board's modal (answers are ephemeral, the board only
counts), a restart, the reveal, a merge, the name vote with the board's select menu, and the
leader election with its Accept button — the community's leader changes on accepting."""

from __future__ import annotations

from fakes.discord_bot import BotUnderTest
from fakes.discord_server import EPHEMERAL, FakeDiscord, labels_of, text_of

from copkit.core.models import Membership, ShownView
from copkit.plugins.workshop.models import Workshop

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.workshop")


async def board_of(fake: FakeDiscord, w: Workshop) -> dict:
    shown = await ShownView.get(key=f"workshop:board:{w.id}")
    return fake.messages[int(shown.ref["message_id"])]


def private_texts(fake: FakeDiscord, call, mark: int) -> list[str]:
    bodies = [call.json.get("data") or {}] + [
        c.json for c in fake.find("POST", r"/webhooks/.*", mark)
    ]
    return [text_of(b) for b in bodies if (b.get("flags") or 0) & EPHEMERAL]


async def test_workshop_on_discord(fake: FakeDiscord, db_url: str):
    olga = fake.user("olga")
    ann, bob, cid = fake.user("ann"), fake.user("bob"), fake.user("cid")
    guild = fake.add_guild("CoP", owner=olga, members=[ann, bob, cid])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        await bot.slash(olga, general, "workshop start", {"dots": 2})
        w = await Workshop.get()
        board = await board_of(fake, w)
        assert "Vision workshop · 1/7 Vision and importance" in text_of(board)
        assert {"Write a note…", "I'm done", "Reveal"} <= set(labels_of(board))

        # private writing through the modal: the answer is ephemeral, the board only counts
        mark = fake.mark()
        modal = await bot.press(ann, board, "Write a note")
        assert modal.json["type"] == 9
        done = await bot.submit(
            ann,
            modal.json["data"],
            {"vision": "Learn testing together @everyone", "importance": "Incidents repeat"},
            message=board,
        )
        assert any("only you see them" in t for t in private_texts(fake, done, mark))
        await bot.slash(bob, general, "workshop note", {"text": "learn testing together"})
        await bot.slash(cid, general, "workshop done")
        board = await board_of(fake, w)
        assert "3 notes from 2 people" in text_of(board)
        for m in fake.messages.values():
            if "Incidents repeat" in text_of(m):
                raise AssertionError(f"a note shown before the reveal: {m}")

        # a restart, then the reveal (by the board's button) and a merge
        await bot.restart()
        await bot.press(olga, await board_of(fake, w), "Reveal")
        board = await board_of(fake, w)
        assert "Incidents repeat" in text_of(board)
        assert "Learn testing together @\u200beveryone" in text_of(board) or (
            "Learn testing together @everyone" in text_of(board)
        )
        await bot.slash(olga, general, "workshop merge", {"note": "3", "into": "1"})
        board = await board_of(fake, w)
        assert "— Ann, Bob" in text_of(board)
        mark = fake.mark()
        stale = await bot.press(ann, board, "Next step")  # only the facilitator
        assert any("Only" in t for t in private_texts(fake, stale, mark))

        # on to the name: proposals, then the vote by the board's select menu
        for _ in range(5):
            await bot.slash(olga, general, "workshop skip")
        assert (await Workshop.get(id=w.id)).step == "name"
        await bot.slash(ann, general, "workshop propose", {"name": "Craft Guild"})
        await bot.slash(bob, general, "workshop propose", {"name": "Test Pilots"})
        await bot.press(olga, await board_of(fake, w), "Open the vote")
        board = await board_of(fake, w)
        select = fake.component(board, "Vote for…")
        first = select["options"][0]["value"]
        for who in (ann, bob):
            await bot.press(who, board, "Vote for…", values=[first])
        mark = fake.mark()
        again = await bot.press(ann, board, "Vote for…", values=[first])
        assert any("only 1 vote" in t for t in private_texts(fake, again, mark))
        await bot.press(olga, await board_of(fake, w), "Close the vote")
        assert (await Workshop.get(id=w.id)).name == "Craft Guild"

        # the leader: nominated, voted, and the leader changes only on accepting
        await bot.slash(bob, general, "workshop nominate", {"person": ann})
        await bot.press(olga, await board_of(fake, w), "Open the vote")
        await bot.slash(bob, general, "workshop vote", {"number": "1"})
        await bot.press(olga, await board_of(fake, w), "Close the vote")
        assert (await Membership.get(role=2)).person_id == olga["id"]
        await bot.press(ann, await board_of(fake, w), "Accept")
        assert (await Membership.get(role=2)).person_id == ann["id"]
        summary = [m for m in fake.messages.values() if "Our community: Craft Guild" in text_of(m)]
        assert summary and summary[-1]["channel_id"] == general["id"]
        assert not (summary[-1].get("flags") or 0) & EPHEMERAL
        assert "The workshop is over" in text_of(await board_of(fake, w))
    finally:
        await bot.stop()
