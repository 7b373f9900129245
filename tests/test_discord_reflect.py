"""Reflect on Discord, against the fake Discord over loopback: the scorecard (its picture an
attachment, decoded here) and the monthly digest, privately, to the leader."""

from __future__ import annotations

import io

from fakes.discord_bot import BotUnderTest
from fakes.discord_server import EPHEMERAL, FakeDiscord, text_of
from PIL import Image as PILImage

PLUGINS = (
    "copkit.plugins.core_commands",
    "copkit.plugins.leancoffee",
    "copkit.plugins.reflect",
)


def decoded(png: bytes) -> tuple[int, int]:
    img = PILImage.open(io.BytesIO(png))
    img.load()
    assert img.format == "PNG"
    return img.size


async def test_scorecard_and_digest_on_discord(fake: FakeDiscord, db_url: str):
    olga, ann = fake.user("olga"), fake.user("ann")
    guild = fake.add_guild("CoP", owner=olga, members=[ann])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        await bot.slash(
            olga,
            general,
            "goals add",
            {"text": "Two events a month <@everyone>", "target": "2", "signal": "events_held"},
        )
        await bot.slash(olga, general, "leancoffee start")
        await bot.slash(ann, general, "leancoffee propose", {"title": "Flaky tests"})
        await bot.slash(olga, general, "leancoffee end")
        mark = fake.mark()
        answered = await bot.slash(ann, general, "copkit goals")
        calls = [answered, *fake.find("POST", r"/channels/.*", mark)]
        with_picture = [c for c in calls if c.files]
        assert with_picture, "the scorecard carries its picture as an attachment"
        name, png = with_picture[0].files[0]
        assert name == "scorecard.png" and decoded(png) == (900, 60 + 46 + 20)
        shown = with_picture[0].json.get("data", with_picture[0].json)
        assert "Scorecard" in text_of(shown)
        assert "this month: **1** (target 2)" in text_of(shown)
        assert "@everyone" not in text_of(shown).replace("@\u200beveryone", "")  # user text
        assert shown["embeds"][0]["image"]["url"] == f"attachment://{name}"

        mark = fake.mark()
        digest = await bot.slash(olga, general, "digest")
        body = digest.json.get("data") or {}
        private = [body, *(c.json for c in fake.find("POST", r"/webhooks/.*", mark))]
        card = next(b for b in private if "Monthly digest" in text_of(b))
        assert card["flags"] & EPHEMERAL
        assert "1 event held (leancoffee 1)." in text_of(card)
        files = [f for c in [digest, *fake.find("POST", r"/webhooks/.*", mark)] for f in c.files]
        assert files and files[0][0] == "digest.png" and decoded(files[0][1]) == (1000, 700)

        # the monthly digest by its timer, in the leader's direct messages, after a restart
        await bot.restart()
        mark = fake.mark()
        assert await bot.advance(days=31) >= 1
        dm = await fake.wait_for("POST", r"/users/@me/channels", since=mark)
        assert str(dm.json["recipient_id"]) == olga["id"]
        sent = [c for c in fake.find("POST", r"/channels/\d+/messages", mark) if c.files]
        assert any(f[0] == "digest.png" for c in sent for f in c.files)
        assert any("Monthly digest: 2026-01" in text_of(c.json) for c in sent)
    finally:
        await bot.stop()
