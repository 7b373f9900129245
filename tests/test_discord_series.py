"""A series on Discord: each date, when it is announced, becomes a server event (cancelled
when the date is skipped), and the lean coffee opens in the channel at its time."""

from __future__ import annotations

from fakes.discord_bot import BotUnderTest
from fakes.discord_server import FakeDiscord, text_of

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.series", "copkit.plugins.leancoffee")


async def test_each_date_of_a_series_is_a_server_event(fake: FakeDiscord, db_url: str):
    olga = fake.user("olga")
    guild = fake.add_guild("CoP", owner=olga, members=[])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        await bot.slash(olga, general, "copkit timezone", {"zone": "Europe/Paris"})
        await bot.slash(
            olga,
            general,
            "leancoffee start",
            {"every": "week on friday 12:30", "title": "Friday coffee"},
        )
        mark = fake.mark()
        await bot.advance(days=3, hours=3)  # Thursday 8 Jan, 12:00 UTC: a day ahead
        [created] = fake.find("POST", rf"/guilds/{guild['id']}/scheduled-events", mark)
        assert created.json["name"] == "Friday coffee"
        assert created.json["scheduled_start_time"].startswith("2026-01-09T11:30:00")
        posts = fake.find("POST", rf"/channels/{general['id']}/messages", mark)
        assert any("Coming up: Friday coffee" in text_of(p.json) for p in posts)

        mark = fake.mark()
        await bot.advance(hours=23, minutes=30)  # Friday 9 Jan, 11:30 UTC = 12:30 in Paris
        posts = fake.find("POST", rf"/channels/{general['id']}/messages", mark)
        assert any("Starting soon" in text_of(p.json) for p in posts)
        assert any("Lean coffee" in text_of(p.json) for p in posts), "the board is posted"
        await bot.slash(olga, general, "leancoffee end", {})

        # The next Friday is announced, then skipped: its server event is cancelled.
        await bot.advance(days=6, hours=1)
        (event_id,) = [e for e in fake.events if fake.events[e]["name"] == "Friday coffee"][-1:]
        mark = fake.mark()
        await bot.slash(olga, general, "copkit series skip", {"date": "2026-01-16"})
        cancelled = fake.find("PATCH", rf"/guilds/\d+/scheduled-events/{event_id}", mark)
        assert cancelled and cancelled[-1].json["status"] == 4
    finally:
        await bot.stop()
