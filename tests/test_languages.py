"""Issue 17 item 4: answering people in their language (Discord's interaction.locale),
localised slash command names and descriptions, language and time zone typed as people do,
[community] defaults from copkit.toml, and config values checked with file, line and key."""

from __future__ import annotations

from io import BytesIO

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from fakes.discord_bot import BotUnderTest
from fakes.discord_server import FakeDiscord, text_of

from copkit.core import i18n
from copkit.core.config import load_settings
from copkit.core.errors import ConfigError
from copkit.core.models import Community
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")


async def test_discord_answers_in_the_members_language(fake: FakeDiscord, db_url: str):
    olga, ann = fake.user("olga"), fake.user("ann")
    ann["locale"] = "de"
    guild = fake.add_guild("CoP", owner=olga, members=[ann])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        answer = await bot.slash(ann, general, "copkit timezone", {"zone": "Europe/Paris"})
        said = text_of(answer.json["data"])
        assert said.startswith("Nur ") and " kann " in said and "Only" not in said
        answer = await bot.slash(olga, general, "copkit timezone", {"zone": "Europe/Paris"})
        assert "Time zone set to Europe/Paris." in text_of(answer.json["data"])
    finally:
        await bot.stop()


def _catalogue(entries: dict[tuple[str | None, str], str]) -> i18n._gettext.GNUTranslations:
    catalog = Catalog(locale="de")
    for (context, msgid), msgstr in entries.items():
        catalog.add(msgid, msgstr, context=context)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return i18n._gettext.GNUTranslations(buf)


async def test_slash_command_names_and_descriptions_are_localised(
    fake: FakeDiscord, db_url: str, monkeypatch
):
    german = _catalogue(
        {
            ("slash command name", "start"): "starten",
            ("slash command name", "leancoffee"): "Bad Name",  # Discord would refuse it
            (None, "Start a lean coffee in this room."): "Ein Lean Coffee in diesem Raum starten.",
        }
    )
    real = i18n.translations
    monkeypatch.setattr(i18n, "translations", lambda loc: german if loc == "de" else real(loc))
    olga = fake.user("olga")
    guild = fake.add_guild("CoP", owner=olga, members=[])
    fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        (put,) = fake.find("PUT", rf"/applications/{fake.app_id}/commands")
        lc = next(c for c in put.json if c["name"] == "leancoffee")
        assert not (lc.get("name_localizations") or {}).get("de")  # refused: left out
        start = next(o for o in lc["options"] if o["name"] == "start")
        assert start["name_localizations"]["de"] == "starten"
        assert start["description_localizations"]["de"] == "Ein Lean Coffee in diesem Raum starten."
    finally:
        await bot.stop()


@pytest.mark.parametrize(("typed", "stored"), [("de-DE", "de"), ("EN", "en"), ("de_AT", "de")])
async def test_language_as_people_type_it(db_url, typed, stored):
    async with Harness(db_url) as h:
        await h.say("leader", f"language {typed}")
        assert (await Community.get()).locale == stored
        [answer] = await h.say("bob", "language")
        assert f"speaks {stored}" in answer.view.text or stored in answer.view.text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("europe/paris", "Europe/Paris"), ("Paris", "Europe/Paris"), ("new york", "America/New_York")],
)
async def test_time_zone_as_people_type_it(db_url, typed, stored):
    async with Harness(db_url) as h:
        await h.say("leader", f"timezone {typed}")
        assert (await Community.get()).timezone == stored
        [answer] = await h.say("bob", "timezone")
        assert f"time zone is {stored}" in answer.view.text


async def test_an_unknown_zone_suggests_the_closest(db_url):
    async with Harness(db_url) as h:
        [answer] = await h.say("leader", "timezone Pariss")
        assert "Did you mean: Europe/Paris?" in answer.view.text
        assert (await Community.get()).timezone == "UTC"


async def test_community_defaults_apply_to_new_communities(db_url):
    async with Harness(db_url) as h:
        h.rt.communities.defaults = {"locale": "de", "timezone": "Europe/Paris"}
        [answer] = await h.say("leader", "timezone")
        row = await Community.get()
        assert (row.locale, row.timezone) == ("de", "Europe/Paris")
        assert "Europe/Paris" in answer.view.text


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[community]\nlocale = "en"\ntimezone = "Mars/Base"\n',
            "copkit.toml:3: community.timezone: unknown time zone 'Mars/Base'",
        ),
        ('[community]\nlocale = "xx"\n', "copkit.toml:2: community.locale: unknown locale 'xx'"),
        (
            '[plugins]\ndisabled = ["leancoffee", "retro"]\n',
            "copkit.toml:2: plugins.disabled: unknown plugin 'retro'",
        ),
        (
            '[discord]\nshard_ids = ["a"]\n',
            "copkit.toml:2: discord.shard_ids must be a list of integers",
        ),
        ('[teams]\nport = "x"\n', "copkit.toml:2: teams.port must be an integer"),
    ],
)
def test_config_values_are_checked_with_file_line_and_key(tmp_path, monkeypatch, toml, message):
    from copkit.adapters.discord.settings import DiscordSettings
    from copkit.adapters.teams.settings import TeamsSettings

    monkeypatch.chdir(tmp_path)
    (tmp_path / "copkit.toml").write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings("copkit.toml", env={}, adapters=[DiscordSettings, TeamsSettings])
    assert message in str(caught.value)


def test_config_locale_is_normalised(tmp_path):
    path = tmp_path / "copkit.toml"
    path.write_text('[community]\nlocale = "de-DE"\ntimezone = "Europe/Paris"\n')
    settings = load_settings(path, env={})
    assert (settings.locale, settings.timezone) == ("de", "Europe/Paris")
