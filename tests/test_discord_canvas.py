"""The canvas on Discord, against the fake Discord over loopback: the workshop's outcome is
posted as a picture and pinned (``PUT …/messages/pins/…``), ``/copkit canvas`` shows it with its
PNG, an edit by slash command or by the modal of its button re-renders the pinned copy (a new
file on the same message), and a member without the core role is refused."""

from __future__ import annotations

import io

from fakes.discord_bot import BotUnderTest
from fakes.discord_server import FakeDiscord, text_of
from PIL import Image as PILImage

from copkit.core.context import JobContext
from copkit.core.models import Community, ShownView
from copkit.plugins.workshop.canvas_commands import PINNED, store_outcome
from copkit.plugins.workshop.canvas_models import CanvasVersion
from copkit.plugins.workshop.outcome import WorkshopOutcome

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.workshop.canvas")


def png_of(call) -> PILImage.Image:
    (name, png), *_rest = call.files
    assert name == "canvas.png" and png.startswith(b"\x89PNG")
    img = PILImage.open(io.BytesIO(png))
    img.load()
    return img


async def test_the_canvas_is_pinned_shown_and_edited(fake: FakeDiscord, db_url: str):
    olga, ann = fake.user("olga"), fake.user("ann")
    guild = fake.add_guild("CoP", owner=olga, members=[ann])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        await bot.slash(olga, general, "copkit formats")  # the community exists
        community = await Community.get(platform="discord")
        assert bot.runtime is not None
        ctx = JobContext(bot.runtime.services, community, general["id"], 0, "workshop.finish")
        mark = fake.mark()
        await store_outcome(
            ctx,
            WorkshopOutcome(
                community_id=community.id,
                workshop_id=1,
                name="Rustaceans @everyone",
                leader="Olga",
                date="2026-12-02",
                participants=["Olga", "Ann"],
                boxes={"vision": ["Safe systems code for all"], "measures": ["one meetup a month"]},
            ),
        )
        await bot.settle()
        (posted,) = fake.find("POST", rf"/channels/{general['id']}/messages", mark)
        assert png_of(posted).size[0] == 2400
        pinned_msg = fake.message_of(posted)
        (pin,) = fake.find("PUT", rf"/channels/{general['id']}/messages/pins/\d+", mark)
        assert pin.path.endswith(f"/{pinned_msg['id']}") and pinned_msg["pinned"]
        assert "Safe systems code for all" in text_of(pinned_msg)
        assert posted.json["allowed_mentions"] == {"parse": []}
        assert pinned_msg["embeds"][0]["title"] == "Rustaceans @\u200beveryone"

        # /copkit canvas: the view with its picture, for anyone
        mark = fake.mark()
        shown = await bot.slash(ann, general, "copkit canvas")
        assert shown.files and png_of(shown).size[1] > 1000
        assert "one meetup a month" in text_of(shown.json["data"])

        # ann is not core team: refused by command and by the button's modal
        mark = fake.mark()
        await fake.slash(ann, general, "canvas edit", {"box": "how", "op": "add", "words": "x"})
        refused = await bot._answered(mark)
        assert "Only" in text_of(refused.json.get("data") or {})
        form = await bot.press(ann, pinned_msg, "Add to the canvas")
        assert form.json["type"] == 9  # the modal opens; submitting it is refused
        done = await bot.submit(
            ann, form.json["data"], {"box": "how", "text": "x"}, message=pinned_msg
        )
        assert "Only" in text_of(done.json.get("data") or {})
        assert await CanvasVersion.all().count() == 1

        # the owner edits: the pinned message is edited with a new picture
        mark = fake.mark()
        await bot.slash(
            olga, general, "canvas edit", {"box": "how", "op": "add", "words": "Monthly talks"}
        )
        await bot.settle()
        ref = (await ShownView.get(key=PINNED)).ref
        edits = fake.find("PATCH", rf"/channels/{general['id']}/messages/{ref['message_id']}", mark)
        assert edits and edits[-1].files, "the pinned copy is re-rendered with a new file"
        assert "Monthly talks" in text_of(fake.messages[int(ref["message_id"])])

        # and through the modal of the pinned copy's button
        form = await bot.press(olga, pinned_msg, "Add to the canvas")
        await bot.submit(
            olga, form.json["data"], {"box": "impact", "text": "new hires"}, message=pinned_msg
        )
        await bot.settle()
        assert "new hires" in text_of(fake.messages[int(ref["message_id"])])
        assert await CanvasVersion.all().count() == 3
    finally:
        await bot.stop()
