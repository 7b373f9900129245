"""The brand on Teams, over real HTTP against the fake Bot Connector: the leader sets it by
message (the logo as a pasted picture or a file), and every format's cards then carry the
accent strip and the brand's header (logo, name, tagline); the scorecard's picture its band."""

from __future__ import annotations

import base64
import io

from fakes.bot_connector import OUTBOUND_TOKEN, nodes
from fakes.teams_env import ALICE, OWNER, TeamsEnv
from PIL import Image as PILImage

from copkit.core.brand_models import BrandRow

PLUGINS = (
    "copkit.plugins.core_commands",
    "copkit.plugins.core_brand",
    "copkit.plugins.leancoffee",
    "copkit.plugins.reflect",
)
ACCENT = "#e8590c"


def png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (width, height), (10, 90, 60)).save(buf, format="PNG")
    return buf.getvalue()


def decoded(uri: str) -> PILImage.Image:
    assert uri.startswith("data:image/png;base64,")
    img = PILImage.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    img.load()
    return img.convert("RGBA").convert("RGB")


def cards_since(env: TeamsEnv, before: int) -> list[dict]:
    out = []
    for call in env.connector.calls[before:]:
        body = call.body.get("activity") if call.kind == "create" else call.body
        for att in (body or {}).get("attachments") or []:
            if att.get("contentType") == "application/vnd.microsoft.card.adaptive":
                out.append(att["content"])
    return out


def said(env: TeamsEnv, before: int) -> str:
    return "\n".join(env.connector.texts(c) for c in env.connector.calls[before:])


async def test_brand_on_every_card(env: TeamsEnv):
    before = len(env.connector.calls)
    await env.post(env.a.mention(OWNER, "brand set colour yellow"))
    assert "the light theme of Teams (#ffffff)" in said(env, before)
    assert await BrandRow.all().count() == 0
    before = len(env.connector.calls)
    await env.post(env.a.mention(ALICE, "brand set colour #e8590c"))
    assert "Only the leader can change the brand." in said(env, before)

    for line in (
        f"brand set colour {ACCENT}",
        "brand set name Python Guild",
        "brand set tagline Learn, share",
    ):
        await env.post(env.a.mention(OWNER, line))

    # the logo: a picture pasted in the message (fetched with the bot's token), then a file
    before = len(env.connector.calls)
    await env.post(
        env.connector.attach(env.a.mention(OWNER, "brand set logo"), "wide.png", png(90, 40))
    )
    assert "must be square; this one is 90×40" in said(env, before)
    before = len(env.connector.calls)
    activity = env.connector.attach(env.a.mention(OWNER, "brand set logo"), "logo.png", png(64, 64))
    await env.post(activity)
    assert "The logo is updated." in said(env, before)
    assert env.connector.file_auth[-1] == f"Bearer {OUTBOUND_TOKEN}"
    activity = env.a.mention(OWNER, "brand set logo")
    await env.post(env.connector.attach(activity, "logo.png", png(128, 128), pasted=False))
    assert env.connector.file_auth[-1] == ""  # a file's download URL needs no token
    row = await BrandRow.get()
    assert PILImage.open(io.BytesIO(row.logo)).size == (128, 128)

    before = len(env.connector.calls)
    await env.post(env.a.mention(OWNER, "leancoffee start"))
    await env.post(env.a.mention(ALICE, "leancoffee propose Flaky tests"))
    await env.post(env.a.mention(OWNER, "goals add Two events a month --target 2"))
    await env.post(env.a.mention(ALICE, "goals"))
    await env.post(env.a.mention(ALICE, "roles"))
    cards = cards_since(env, before)
    assert len(cards) >= 4
    for card in cards:
        strip, header = card["body"][0], card["body"][1]
        assert decoded(strip["backgroundImage"]["url"]).getpixel((0, 0)) == (0xE8, 0x59, 0x0C)
        names = [
            b["text"] for col in header["columns"] for b in col["items"] if b["type"] == "TextBlock"
        ]
        assert names[:2] == ["Python Guild", "Learn, share"]
        icon = decoded(header["columns"][0]["items"][0]["url"])
        assert icon.size == (48, 48) and icon.getpixel((24, 24)) == (10, 90, 60)  # the logo
    texts = "\n".join(str(c) for c in cards)
    assert "Lean coffee" in texts and "Scorecard" in texts and "Roles" in texts
    scorecard = next(c for c in cards if "Scorecard" in str(c))
    pictures = [
        decoded(b["url"])
        for b in nodes(scorecard["body"][2:])
        if b.get("type") == "Image" and str(b.get("url", "")).startswith("data:")
    ]
    assert pictures and pictures[0].getpixel((pictures[0].width - 2, 2)) == (0xE8, 0x59, 0x0C)
