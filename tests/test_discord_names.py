"""Issue 17 item 4: slash command names in the member's language. Every word of every synced
name is declared for translation, and the French and German names the fake Discord receives in
the sync keep to Discord's rules: lowercase, no spaces, at most 32 characters, unique among the
commands next to them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fakes.discord_bot import BotUnderTest
from fakes.discord_server import FakeDiscord

from copkit.adapters.discord.names import declared
from copkit.adapters.discord.translate import translate_name

# Discord's own rule for names: letters and digits of any script, - and _, 1 to 32 of them.
DISCORD_NAME = re.compile(r"^[-_\w]{1,32}$")
LANGUAGES = ("fr", "de")


def levels(commands: list[dict[str, Any]], path: str = "") -> list[tuple[str, list[dict]]]:
    """(where, the commands side by side there) for the top level and each group."""
    out = [(path or "/", commands)]
    for cmd in commands:
        children = [o for o in cmd.get("options") or [] if o.get("type") in (1, 2)]
        if children:
            out += levels(children, f"{path}/{cmd['name']}")
    return out


@pytest.fixture
async def synced(fake: FakeDiscord, db_url: str) -> list[dict[str, Any]]:
    olga = fake.user("olga")
    guild = fake.add_guild("CoP", owner=olga, members=[])
    fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url).start()
    try:
        (put,) = fake.find("PUT", rf"/applications/{fake.app_id}/commands")
        return put.json
    finally:
        await bot.stop()


async def test_slash_command_names_are_french_and_german_within_discords_rules(synced):
    words = set(declared())
    seen = 0
    for where, side_by_side in levels(synced):
        for lang in LANGUAGES:
            names = []
            for cmd in side_by_side:
                assert set(cmd["name"].split("-")) <= words, f"{cmd['name']} is not declared"
                local = (cmd.get("name_localizations") or {}).get(lang)
                if local is not None:
                    seen += 1
                    assert DISCORD_NAME.match(local) and local == local.lower(), (lang, local)
                    assert local != cmd["name"]
                names.append(local or cmd["name"])
            doubles = sorted({n for n in names if names.count(n) > 1})
            assert not doubles, f"{lang}: {where} has two commands called {doubles}"
    assert seen > 150, "most names are translated"
    by_name = {c["name"]: c for c in synced}
    lc = {o["name"]: o for o in by_name["leancoffee"]["options"]}
    assert lc["start"]["name_localizations"] == {"fr": "démarrer", "de": "starten"}
    core = {o["name"]: o for o in by_name["copkit"]["options"]}
    assert core["roles-core-add"]["name_localizations"]["fr"] == "rôles-cœur-ajouter"
    assert by_name["workshop"]["name_localizations"]["fr"] == "atelier"


def test_a_dashed_name_is_translated_word_by_word():
    assert translate_name("formats-enable", "de") == "formate-einschalten"
    assert translate_name("formats-enable", "en") == "formats-enable"
