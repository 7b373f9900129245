"""Hostile text typed into several formats, through the real chat libraries: on Discord (the
fake Discord) and on Teams (the fake Bot Connector), what people wrote is shown as typed —
never bold, never a masked link, a heading or a spoiler, and never a ping or a mention."""

from __future__ import annotations

import json
import re

from fakes.bot_connector import CHANNEL, action
from fakes.discord_bot import BotUnderTest
from fakes.discord_server import FakeDiscord, text_of
from fakes.teams_env import ALICE, BOB, OWNER, TeamsEnv

from copkit.core.models import ShownView
from copkit.plugins.leancoffee.models import Session
from copkit.plugins.leancoffee.routes import board_key

PLUGINS = (
    "copkit.plugins.core_commands",
    "copkit.plugins.leancoffee",
    "copkit.plugins.brownbag",
    "copkit.plugins.healthcheck",
)
PHISH = "**FREE NITRO** [login here](https://evil.example/login)"
PINGS = "@everyone <@123> <@&456> ||spoiler|| # heading"
# What must never reach a platform unescaped.
RAW = ("**FREE NITRO**", "[login here](", "<@123>", "<@&456>", "||spoiler||", "@everyone")


def _message_bodies(fake: FakeDiscord, since: int) -> list[dict]:
    out = []
    for c in fake.calls[since:]:
        body = c.json or {}
        if c.path.endswith("/callback"):
            body = body.get("data") or {}
        if c.method in ("POST", "PATCH") and isinstance(body, dict):
            if "content" in body or "embeds" in body or "poll" in body:
                out.append(body)
    return out


async def test_discord_shows_hostile_text_literally_and_pings_nobody(fake: FakeDiscord, db_url):
    olga, ann = fake.user("olga"), fake.user("ann")
    guild = fake.add_guild("CoP", owner=olga, members=[ann])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        mark = fake.mark()
        await fake.slash(olga, general, "leancoffee start", {"title": PHISH})
        await bot.settle()
        await fake.slash(ann, general, "leancoffee propose", {"title": PHISH, "pitch": PINGS})
        await bot.settle()
        await fake.slash(ann, general, "brownbag propose", {"title": f"{PHISH} {PINGS}"})
        await bot.settle()
        await fake.slash(
            olga, general, "healthcheck pulse", {"question": PHISH, "options": f'"{PINGS}" no'}
        )
        await bot.settle()
        await fake.slash(
            olga, general, "healthcheck deck-add", {"title": PHISH, "awesome": PINGS, "crappy": "b"}
        )
        await bot.settle()
        await fake.quiet(0.2)
        bodies = _message_bodies(fake, mark)
        assert any("Added “\\*\\*FREE" in text_of(b) for b in bodies)  # the deck's answer
        shown = "\n".join(text_of(b) for b in bodies)
        assert "\\*\\*FREE NITRO\\*\\* \\[login here\\]\\(https://evil.example/login\\)" in shown
        assert "\\<@123\\>" in shown and "\\<@&456\\>" in shown and "\\|\\|spoiler\\|\\|" in shown
        for raw in RAW:
            assert raw not in shown, raw
        assert "\ufdd0" not in json.dumps([c.json for c in fake.calls[mark:]])
        for body in bodies:
            assert body.get("allowed_mentions") == {"parse": []}, body
        names = [c.json["name"] for c in fake.calls[mark:] if c.json and "name" in c.json]
        assert all("\ufdd0" not in n and "@everyone" not in n for n in names), names
    finally:
        await bot.stop()


async def test_teams_shows_hostile_text_literally_and_mentions_nobody(env: TeamsEnv):
    start = len(env.connector.messages)
    await env.post(env.a.mention(OWNER, f"leancoffee start --title '{PHISH}'"))
    await env.post(env.a.mention(ALICE, f"leancoffee propose {PHISH}"))
    # typed text arrives as HTML (tags stripped); a form's value arrives as it was typed
    s = await Session.filter(room_id=CHANNEL).order_by("-id").first()
    board_id = (await ShownView.get(key=board_key(s.id))).ref["message_id"]
    send = action(env.connector.messages[board_id].card, "Send")
    inputs = {"title": "<at>Bob</at> [x](https://evil.example)", "pitch": "<at>Bob</at> hi"}
    status, _ = await env.post(env.a.execute(BOB, board_id, send["data"], inputs=inputs))
    assert status == 200
    await env.post(env.a.mention(BOB, f"brownbag propose {PHISH} <at>Everyone</at>"))
    await env.post(env.a.mention(OWNER, f"healthcheck pulse '{PHISH}' '<at>Bob</at>' no"))
    posted = list(env.connector.messages.values())[start:]
    cards = [m.card for m in posted if m.activity.get("attachments")]
    assert cards
    blocks = [
        t
        for card in cards
        for node in _walk(card)
        if node.get("type") == "TextBlock"
        for t in [node["text"]]
    ]
    joined = "\n".join(blocks)
    assert "\\*\\*FREE NITRO\\*\\* \\[login here\\]\\(https://evil.example/login\\)" in joined
    assert "[login here](" not in joined and "**FREE" not in joined
    assert "<at>" not in joined and "\\<at\\>Bob\\</at\\> \\[x\\]\\(https://evil" in joined
    everything = json.dumps(cards)
    assert "\ufdd0" not in everything
    assert not re.search(r'"entities"', everything)  # no card mentions anyone
    for m in posted:
        assert not [e for e in (m.activity.get("entities") or []) if e.get("type") == "mention"]


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)
