"""Announcements on Discord: the leader names a channel and makes copkit's opt-in role;
members opt in and out (copkit gives and takes the role); an event is announced there with
its .ics and a mention of that role alone (no one else can be pinged); a channel copkit may
not post in gets one direct message to the leader, not an error per event."""

from __future__ import annotations

import json
from datetime import timedelta

from fakes.discord_bot import BotUnderTest
from fakes.discord_server import FakeDiscord, text_of

from copkit.adapters.discord.commands import plan_commands

PLUGINS = (
    "copkit.plugins.core_commands",
    "copkit.plugins.series",
    "copkit.plugins.brownbag",
    "copkit.plugins.announce",
)


def slash_name(bot: BotUnderTest, *path: str) -> str:
    """The slash command offering the core command ``path`` (as laid out for this bot)."""
    assert bot.runtime is not None
    plan = plan_commands(bot.runtime.registry, None)  # type: ignore[arg-type]
    [name] = [n for n, c in plan.by_name.items() if c.path == path]
    return name.lstrip("/")


async def test_announcements_and_the_opt_in_role(fake: FakeDiscord, db_url: str):
    olga, ann, bob = fake.user("olga"), fake.user("ann"), fake.user("bob")
    guild = fake.add_guild("CoP", owner=olga, members=[ann, bob])
    general = fake.add_channel(guild, "general")
    news = fake.add_channel(guild, "news")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        await bot.slash(olga, general, "copkit timezone", {"zone": "Europe/Paris"})
        mark = fake.mark()
        await bot.slash(
            olga, general, slash_name(bot, "announce", "channel"), {"where": f"<#{news['id']}>"}
        )
        [hello] = fake.find("POST", rf"/channels/{news['id']}/messages", mark)
        assert "announcements" in text_of(hello.json)
        await bot.slash(olga, general, slash_name(bot, "announce", "role"), {})
        [made] = fake.find("POST", rf"/guilds/{guild['id']}/roles", mark)
        assert made.json["name"] == "CoP news" and made.json["mentionable"] is True
        assert made.json["permissions"] == "0"
        role = next(r for r in guild["roles"] if r["name"] == "CoP news")

        await bot.slash(ann, general, slash_name(bot, "notify", "me"), {})
        await bot.slash(bob, general, slash_name(bot, "notify", "me"), {})
        await bot.slash(bob, general, slash_name(bot, "notify", "off"), {})
        assert role["id"] in fake.member_of(guild, ann)["roles"]  # type: ignore[index]
        assert role["id"] not in fake.member_of(guild, bob)["roles"]  # type: ignore[index]

        await bot.slash(
            olga,
            general,
            "brownbag schedule",
            {"title": "Property testing", "speaker": bob, "at": "2026-01-08 12:30"},
        )
        mark = fake.mark()
        await bot.advance(minutes=5)
        posts = fake.find("POST", rf"/channels/{news['id']}/messages", mark)
        [post] = [p for p in posts if "New event" in text_of(p.json)]
        assert post.json["content"] == f"<@&{role['id']}>"
        assert post.json["allowed_mentions"] == {"parse": [], "roles": [int(role["id"])]}
        assert [name for name, _data in post.files] == ["event.ics"]

        # Every other message pings nobody.
        for call in fake.find("POST", r"/channels/\d+/messages"):
            if call is not post:
                assert call.json.get("allowed_mentions", {"parse": []}).get("roles") in (
                    None,
                    [],
                ), call.json
    finally:
        await bot.stop()


async def test_a_channel_copkit_may_not_post_in_is_told_to_the_leader_once(
    fake: FakeDiscord, db_url: str
):
    olga, bob = fake.user("olga"), fake.user("bob")
    guild = fake.add_guild("CoP", owner=olga, members=[bob])
    general = fake.add_channel(guild, "general")
    news = fake.add_channel(guild, "news")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        await bot.slash(olga, general, "copkit timezone", {"zone": "Europe/Paris"})
        await bot.slash(
            olga, general, slash_name(bot, "announce", "channel"), {"where": f"<#{news['id']}>"}
        )
        for n in range(3):
            await bot.slash(
                olga,
                general,
                "brownbag schedule",
                {"title": f"Talk {n}", "speaker": bob, "at": f"2026-01-1{n} 12:30"},
            )
        fake.fail[("POST", rf"/channels/{news['id']}/messages")] = (
            403,
            {"message": "Missing Permissions", "code": 50013},
        )
        mark = fake.mark()
        await bot.advance(minutes=5)
        await bot.advance(timedelta(hours=2))
        tries = fake.find("POST", rf"/channels/{news['id']}/messages", mark)
        assert len(tries) == 1  # one refusal stops it
        dms = [
            c
            for c in fake.find("POST", r"/channels/\d+/messages", mark)
            if "Announcements are stopped" in text_of(c.json)
        ]
        assert len(dms) == 1
        assert f"<#{news['id']}>" in text_of(dms[0].json)
        assert "Send Messages" in text_of(dms[0].json)
        assert json.dumps(dms[0].json).count("Announcements are stopped") == 1
    finally:
        await bot.stop()
