"""The canvas in a Teams channel, over real HTTP against the fake Bot Connector: ``canvas``
shows the card with its picture, ``canvas pin`` posts the live copy and says that Teams has
no pinned messages, an edit updates that post in place, a member is refused."""

from __future__ import annotations

import base64
import io

from fakes.bot_connector import card_text
from fakes.teams_env import ALICE, OWNER, TeamsEnv
from PIL import Image as PILImage

from copkit.core.models import ShownView
from copkit.plugins.workshop.canvas_commands import PINNED
from copkit.plugins.workshop.canvas_models import CanvasVersion

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.workshop.canvas")


def images(card: dict) -> list[PILImage.Image]:
    out = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Image" and str(node.get("url", "")).startswith("data:"):
                raw = base64.b64decode(node["url"].split(",", 1)[1])
                out.append(PILImage.open(io.BytesIO(raw)))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return out


async def test_the_canvas_on_teams(env: TeamsEnv):
    await env.post(env.a.mention(OWNER, "canvas"))
    assert "There is no canvas yet" in env.connector.texts(env.connector.posts()[-1])

    await env.post(
        env.a.mention(OWNER, "canvas edit vision add Better **Python** [x](https://e.example)")
    )
    await env.post(env.a.mention(OWNER, "canvas edit measures add one event a month"))
    assert await CanvasVersion.all().count() == 2

    mark = len(env.connector.calls)
    await env.post(env.a.mention(ALICE, "canvas"))
    (shown,) = [c for c in env.connector.posts() if c in env.connector.calls[mark:]]
    text = env.connector.texts(shown)
    assert r"Better \*\*Python\*\* \[x\]\(https://e.example\)" in text  # literal
    assert "one event a month" in text
    pictures = images(shown.body)
    assert pictures and pictures[0].width >= 600  # shrunk to Teams' inline budget, still there

    # canvas pin: the live copy is posted; Teams has no pins, and the owner is told
    mark = len(env.connector.calls)
    await env.post(env.a.mention(OWNER, "canvas pin"))
    said = [
        env.connector.texts(c) for c in env.connector.calls[mark:] if c in env.connector.posts()
    ]
    assert any("no pinned messages" in t for t in said), said
    post = (await ShownView.get(key=PINNED)).ref["message_id"]

    # an edit updates the live copy in place
    mark = len(env.connector.calls)
    await env.post(env.a.mention(OWNER, "canvas edit how add Monthly talks"))
    updates = [c for c in env.connector.calls[mark:] if c.kind == "update"]
    assert updates and updates[-1].activity_id == post
    assert "Monthly talks" in card_text(
        {"attachments": [{"content": env.connector.messages[post].card}]}
    )

    # a member may not edit
    await env.post(env.a.mention(ALICE, "canvas edit how add mine"))
    assert "Only" in env.connector.texts(env.connector.posts()[-1])
    assert await CanvasVersion.all().count() == 3
