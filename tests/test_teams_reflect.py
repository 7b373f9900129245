"""Reflect on Teams, over real HTTP against the fake Bot Connector: the scorecard in the channel
with its picture inline (decoded here), the digest in the leader's private chat, on demand and by
its monthly timer after a restart."""

from __future__ import annotations

import base64
import io

from fakes.bot_connector import CHANNEL
from fakes.teams_env import ALICE, OWNER, TeamsEnv
from PIL import Image as PILImage

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee", "copkit.plugins.reflect")


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def pictures(body) -> list[tuple[int, int]]:
    sizes = []
    for b in _walk(body):
        if b.get("type") == "Image" and str(b.get("url", "")).startswith("data:image/png;base64,"):
            img = PILImage.open(io.BytesIO(base64.b64decode(b["url"].split(",", 1)[1])))
            img.load()
            assert img.format == "PNG"
            sizes.append(img.size)
    return sizes


async def test_scorecard_and_digest_on_teams(env: TeamsEnv):
    await env.post(
        env.a.mention(OWNER, "goals add Two events a month --target 2 --signal events_held")
    )
    await env.post(env.a.mention(OWNER, "leancoffee start"))
    await env.post(env.a.mention(ALICE, "leancoffee propose Flaky tests"))
    await env.post(env.a.mention(OWNER, "leancoffee end"))
    before = len(env.connector.calls)
    await env.post(env.a.mention(ALICE, "goals"))
    shown = [
        c
        for c in env.connector.calls[before:]
        if "Scorecard" in env.connector.texts(c) and c.conversation.startswith(CHANNEL)
    ]
    assert shown, "the scorecard is public, in the channel"
    assert "this month: 1 (target 2)" in env.connector.texts(shown[-1]).replace("**", "")
    assert pictures(shown[-1].body) == [(900, 60 + 46 + 20)]

    before = len(env.connector.calls)
    await env.post(env.a.mention(OWNER, "digest"))
    digests = [
        c for c in env.connector.calls[before:] if "Monthly digest" in env.connector.texts(c)
    ]
    assert digests and not any(c.conversation.startswith(CHANNEL) for c in digests)
    assert "1 event held (leancoffee 1)." in env.connector.texts(digests[-1])
    assert pictures(digests[-1].body) == [(1000, 700)]
    assert len(str(digests[-1].body)) < 28_000

    await env.restart()
    before = len(env.connector.calls)
    assert await env.run_timers(days=31) >= 1
    monthly = [
        c
        for c in env.connector.calls[before:]
        if "Monthly digest: 2026-01" in env.connector.texts(c)
    ]
    assert monthly and all(OWNER["id"] in c.conversation for c in monthly)
    assert pictures(monthly[-1].body) == [(1000, 700)]
