"""The brand on Discord, against the fake Discord over loopback: the leader sets it with the
slash command (the logo as an attachment option), and every format's embeds then carry its
accent colour and its footer; pictures carry a band in the accent. Bad colours and logos get a
short private answer and change nothing."""

from __future__ import annotations

import io

from fakes.discord_bot import BotUnderTest
from fakes.discord_server import EPHEMERAL, FakeDiscord, text_of
from PIL import Image as PILImage

from copkit.core.brand_models import BrandRow

PLUGINS = (
    "copkit.plugins.core_commands",
    "copkit.plugins.core_brand",
    "copkit.plugins.leancoffee",
    "copkit.plugins.reflect",
)
ACCENT = "#e8590c"  # reads on Discord's light (3.6:1) and dark (3.5:1) themes


def png(width: int, height: int, colour: tuple[int, int, int] = (20, 120, 200)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buf, format="PNG")
    return buf.getvalue()


def embeds_of(calls: list) -> list[dict]:
    out = []
    for c in calls:
        body = c.json.get("data", c.json) if isinstance(c.json, dict) else {}
        out += (body or {}).get("embeds") or []
    return out


async def test_brand_on_every_embed_and_picture(fake: FakeDiscord, db_url: str):
    olga, ann = fake.user("olga"), fake.user("ann")
    guild = fake.add_guild("CoP", owner=olga, members=[ann])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        # before any brand: copkit's own colour, no brand footer
        mark = fake.mark()
        await bot.slash(olga, general, "leancoffee start")
        before = embeds_of(fake.find("POST", r"/.*", mark))
        assert before and all(e.get("color") != int(ACCENT[1:], 16) for e in before)
        await bot.slash(olga, general, "leancoffee end")

        # a colour that fails the dark theme: refused privately, with the ratio
        refused = await bot.slash(
            olga, general, "copkit brand-set", {"what": "colour", "value": "blue"}
        )
        body = refused.json["data"]
        assert body["flags"] & EPHEMERAL
        said = text_of(body)
        assert "the dark theme of Discord (#313338)" in said and "1.5:1" in said and "3:1" in said
        assert await BrandRow.all().count() == 0

        for what, value in (
            ("colour", ACCENT),
            ("name", "Python Guild"),
            ("tagline", "Learn & share"),
        ):
            answer = await bot.slash(
                olga, general, "copkit brand-set", {"what": what, "value": value}
            )
            assert (
                "flags" not in answer.json["data"] or not answer.json["data"]["flags"] & EPHEMERAL
            )

        # a member may look at it, not change it
        hidden = await bot.slash(ann, general, "copkit brand")
        assert "The brand of Python Guild" in text_of(hidden.json["data"])
        assert not any(
            c.get("label") == "Change the brand"
            for r in hidden.json["data"].get("components", [])
            for c in r["components"]
        )

        # the logo: not square, then a good one, as attachment options
        wide = fake.attachment("wide.png", png(300, 200))
        answer = await bot.slash(olga, general, "copkit brand-set", {"what": "logo", "file": wide})
        assert "must be square; this one is 300×200" in text_of(answer.json["data"])
        junk = fake.attachment("logo.png", b"not a picture at all", "image/png")
        answer = await bot.slash(olga, general, "copkit brand-set", {"what": "logo", "file": junk})
        assert "not a picture" in text_of(answer.json["data"])
        logo = fake.attachment("logo.png", png(256, 256))
        answer = await bot.slash(olga, general, "copkit brand-set", {"what": "logo", "file": logo})
        assert "The logo is updated." in text_of(answer.json["data"])
        row = await BrandRow.get()
        assert PILImage.open(io.BytesIO(row.logo)).size == (256, 256)

        # every format's views now carry the accent and the footer: the lean coffee's board,
        # the scorecard (and its picture), the core's own views
        mark = fake.mark()
        await bot.slash(olga, general, "leancoffee start")
        await bot.slash(ann, general, "leancoffee propose", {"title": "Flaky tests"})
        await bot.slash(olga, general, "leancoffee end")
        await bot.slash(olga, general, "goals add", {"text": "Two events a month", "target": "2"})
        await bot.slash(ann, general, "copkit goals")
        await bot.slash(ann, general, "copkit roles")
        calls = fake.find("POST", r"/.*", mark) + fake.find("PATCH", r"/.*", mark)
        embeds = embeds_of(calls)
        titled = [e for e in embeds if e.get("title")]
        assert len(titled) >= 3
        for e in titled:
            assert e["color"] == int(ACCENT[1:], 16), e.get("title")
            assert e["footer"]["text"].endswith("Python Guild · Learn & share"), e.get("title")
        assert any("Lean coffee" in (e.get("title") or "") for e in titled)
        pictures = [f for c in calls for f in c.files if f[0] == "scorecard.png"]
        assert pictures
        picture = PILImage.open(io.BytesIO(pictures[0][1])).convert("RGB")
        assert picture.getpixel((picture.width - 2, 2)) == (0xE8, 0x59, 0x0C)  # the band
        assert picture.size[1] > 60 + 46 + 20  # the scorecard's own height, plus the band
    finally:
        await bot.stop()
