"""The retro on Discord (the real discord.py against the fake Discord over loopback): it opens
with lean coffee's open action to review (by the board's button), private writing through the
board's modal (ephemeral answers, the board only counts), a restart, the reveal, a dot by
button, an action, the end with its minutes in the channel."""

from __future__ import annotations

from fakes.discord_bot import BotUnderTest
from fakes.discord_server import EPHEMERAL, FakeDiscord, labels_of, text_of

from copkit.core.actions_models import ActionReview
from copkit.core.models import ShownView
from copkit.plugins.leancoffee.models import Note as LcNote
from copkit.plugins.reflect.retro_models import Retro, RetroAction

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee", "copkit.plugins.reflect")


async def board_of(fake: FakeDiscord, r: Retro) -> dict:
    shown = await ShownView.get(key=f"retro:board:{r.id}")
    return fake.messages[int(shown.ref["message_id"])]


def private_texts(fake: FakeDiscord, call, mark: int) -> list[str]:
    bodies = [call.json.get("data") or {}] + [
        c.json for c in fake.find("POST", r"/webhooks/.*", mark)
    ]
    return [text_of(b) for b in bodies if (b.get("flags") or 0) & EPHEMERAL]


async def test_retro_on_discord(fake: FakeDiscord, db_url: str):
    olga = fake.user("olga")
    ann, bob = fake.user("ann"), fake.user("bob")
    guild = fake.add_guild("CoP", owner=olga, members=[ann, bob])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        await bot.slash(olga, general, "leancoffee start")
        await bot.slash(ann, general, "leancoffee propose", {"title": "Pairing"})
        await bot.slash(olga, general, "leancoffee action", {"text": "Write the pairing guide"})
        await bot.slash(olga, general, "leancoffee end")
        assert await LcNote.filter(kind="action", done=False).count() == 1

        await bot.slash(olga, general, "retro start")
        r = await Retro.get()
        board = await board_of(fake, r)
        assert "Write the pairing guide" in text_of(board)
        assert {"Done 1", "Carry 1", "Drop 1", "Start writing"} <= set(labels_of(board))
        mark = fake.mark()
        refused = await bot.press(ann, board, "Done 1")  # a member may not review
        assert any("Only" in t for t in private_texts(fake, refused, mark))
        assert await ActionReview.all().count() == 0
        await bot.press(olga, board, "Done 1")
        assert "done ✅" in text_of(await board_of(fake, r))
        assert (await LcNote.get(kind="action")).done

        await bot.press(olga, await board_of(fake, r), "Start writing")
        board = await board_of(fake, r)
        mark = fake.mark()
        modal = await bot.press(ann, board, "Write")
        assert modal.json["type"] == 9
        done = await bot.submit(
            ann,
            modal.json["data"],
            {"start": "Pair on reviews", "stop": "Endless standups"},
            message=board,
        )
        assert any("only you see them" in t for t in private_texts(fake, done, mark))
        await bot.slash(bob, general, "retro note", {"prompt": "continue", "text": "Demos"})
        assert "3 notes" in text_of(await board_of(fake, r))
        for m in fake.messages.values():
            if "Endless standups" in text_of(m):
                raise AssertionError(f"a note shown before the reveal: {m}")

        await bot.restart()
        await bot.press(olga, await board_of(fake, r), "Reveal")
        assert "Endless standups" in text_of(await board_of(fake, r))
        await bot.press(olga, await board_of(fake, r), "Dot vote")
        mark = fake.mark()
        dotted = await bot.press(bob, await board_of(fake, r), "● #2")
        assert any("Dot on #2" in t for t in private_texts(fake, dotted, mark))
        await bot.press(olga, await board_of(fake, r), "Close the vote")
        await bot.slash(olga, general, "retro action", {"text": "Shorter meetings", "due": "14d"})
        assert (await RetroAction.get()).due is not None
        await bot.press(olga, await board_of(fake, r), "End the retro")
        minutes = [m for m in fake.messages.values() if "Retro minutes" in text_of(m)]
        assert minutes and "Shorter meetings" in text_of(minutes[-1])
        assert minutes[-1]["channel_id"] == general["id"]
        assert (await Retro.get()).status == "done"
    finally:
        await bot.stop()
