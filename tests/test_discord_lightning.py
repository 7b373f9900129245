"""Lightning talks on Discord: opening them posts the announcement and a line-up in a new public
thread; people sign up through the modal and the slash command; with the slots full the next
one waits, a withdrawal moves the first in waiting into the line-up (told by DM), and after a
restart the cut-off closes sign-ups in the thread."""

from __future__ import annotations

from fakes.discord_bot import BotUnderTest
from fakes.discord_server import EPHEMERAL, FakeDiscord, labels_of, text_of

from copkit.core.models import ShownView

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.lightningtalks")


async def test_signup_thread_with_a_waiting_list(fake: FakeDiscord, db_url: str):
    olga = fake.user("olga")
    ann, bob, cid = fake.user("ann"), fake.user("bob"), fake.user("cid")
    guild = fake.add_guild("CoP", owner=olga, members=[ann, bob, cid])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        mark = fake.mark()
        opened = await bot.slash(
            olga,
            general,
            "lightning open",
            {
                "title": "Friday @everyone",
                "at": "2026-01-09 17:00",
                "slots": 2,
                "cutoff": "2026-01-09 16:00",
            },
        )
        announcement = fake.message_of(opened)
        assert announcement["channel_id"] == general["id"]
        (made,) = fake.find("POST", rf"/channels/{general['id']}/threads", mark)
        assert made.json["type"] == 11
        assert made.json["name"] == "Lightning talks: Friday @\u200beveryone"
        thread = next(c for c in fake.channels.values() if c.get("parent_id") == general["id"])
        lineup_post = fake.find("POST", rf"/channels/{thread['id']}/messages", mark)[0]
        lineup = fake.message_of(lineup_post)

        # sign up through the modal (in the thread or on the announcement) and by command
        form = await bot.press(ann, announcement, "Sign up")
        assert form.json["type"] == 9
        done = await bot.submit(ann, form.json["data"], {"title": "Vim in 5"}, message=announcement)
        assert "line-up" in text_of(done.json.get("data") or {}) or any(
            "line-up" in text_of(c.json) for c in fake.find("POST", r"/webhooks/.*")
        )
        await bot.slash(bob, general, "lightning signup", {"title": "Rust in 5"})
        mark = fake.mark()
        waiting = await bot.slash(cid, general, "lightning signup", {"title": "Go in 5"})
        private = [waiting.json.get("data") or {}] + [
            c.json for c in fake.find("POST", r"/webhooks/.*", mark)
        ]
        note = next(b for b in private if "waiting list" in text_of(b))
        assert note["flags"] & EPHEMERAL

        shown = await ShownView.filter(room_id=thread["id"]).first()
        assert shown is not None, "the line-up lives in the thread"
        lineup = fake.messages[int(lineup["id"])]
        assert "Vim in 5" in text_of(lineup) and "Rust in 5" in text_of(lineup)
        assert "Go in 5" in text_of(lineup)  # on the waiting list

        # bob withdraws: cid moves up and is told in a direct message
        mark = fake.mark()
        await bot.slash(bob, general, "lightning withdraw")
        dm = await fake.wait_for("POST", r"/users/@me/channels", since=mark)
        assert str(dm.json["recipient_id"]) == cid["id"]
        told = fake.find("POST", r"/channels/\d+/messages", mark)[-1]
        assert "A slot opened" in text_of(told.json)
        lineup = fake.messages[int(lineup["id"])]
        assert "Rust in 5" not in text_of(lineup)
        assert labels_of(lineup)  # still offers its buttons

        # after a restart, the cut-off closes sign-ups and says so in the thread
        await bot.restart()
        mark = fake.mark()
        assert await bot.advance(days=5) >= 1
        closed = fake.find("POST", rf"/channels/{thread['id']}/messages", mark)
        assert [c.json["content"] for c in closed] == ["Sign-ups are closed."]
    finally:
        await bot.stop()
