"""Issue 17 item 1: a time in the view model (``When``), rendered natively by each adapter:
Discord's timestamp markup, Adaptive Cards' DATE/TIME functions, the community's zone in the
console (and wherever a platform shows plain text)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fakes.bot_connector import card_text
from fakes.discord_bot import BotUnderTest
from fakes.discord_server import FakeDiscord, text_of
from fakes.teams_env import OWNER, TeamsEnv

from copkit.adapters.discord.render import render as discord_render
from copkit.adapters.teams.cards import render as card_render
from copkit.core.moments import moments_in
from copkit.core.timezones import zone
from copkit.core.usertext import clean_input, plain_text, render_text
from copkit.core.views import Field, UserText, View, When

PLUGINS = (
    "copkit.plugins.core_commands",
    "copkit.plugins.brownbag",
    "copkit.plugins.lightningtalks",
)
PARIS = zone("Europe/Paris")
AT = datetime(2026, 1, 8, 11, 30, tzinfo=UTC)  # 12:30 in Paris
UNIX = int(AT.timestamp())


def test_a_time_survives_formatting_and_reads_in_the_community_zone():
    text = "Starts {when}, by {who}.".format(when=When(AT, PARIS), who=UserText("<bob>"))
    assert plain_text(text) == "Starts Thu 8 Jan 2026, 12:30 (Europe/Paris), by <bob>."
    assert [m.unix for m in moments_in(text)] == [UNIX]
    assert plain_text(When(AT, PARIS, "time")) == "12:30"
    assert plain_text(When(AT, PARIS, "seconds")) == "12:30:00"
    assert plain_text(When(AT, PARIS, "date")) == "Thu 8 Jan 2026"
    later = When(AT, PARIS, "relative", now=AT - timedelta(hours=2))
    assert plain_text(later) == "in 2 hours"


def test_nobody_can_type_a_time_and_a_cut_one_leaves_no_marks():
    forged = clean_input(When(AT, PARIS))
    assert moments_in(forged) == []
    cut = ("x " + When(AT, PARIS))[:12]
    assert "\ufdd2" not in plain_text(cut) and "\ufdd2" not in render_text(cut, str)


def test_discord_shows_timestamps_in_text_and_field_values_only():
    view = View(
        title="Talk at " + When(AT, PARIS),
        text="Starts " + When(AT, PARIS) + " (" + When(AT, PARIS, "relative", now=AT) + ")",
        fields=[Field("Date " + When(AT, PARIS, "date"), When(AT, PARIS, "time"))],
        footer="Closes " + When(AT, PARIS),
    )
    embed = discord_render(view).embeds[0].to_dict()
    assert embed["description"] == f"Starts <t:{UNIX}:F> (<t:{UNIX}:R>)"
    assert embed["fields"][0]["value"] == f"<t:{UNIX}:t>"
    assert "<t:" not in embed["title"] + embed["fields"][0]["name"] + embed["footer"]["text"]
    assert "12:30 (Europe/Paris)" in embed["title"]


def test_teams_cards_use_date_and_time_functions_in_text_blocks():
    view = View(text="Starts " + When(AT, PARIS), fields=[Field("Date", When(AT, PARIS))])
    card = card_render(view)
    blocks = [b for b in card["body"] if b.get("type") == "TextBlock"]
    iso = "2026-01-08T11:30:00Z"
    fn = f"{{{{DATE({iso}, SHORT)}}}} {{{{TIME({iso})}}}}"
    assert any(b["text"] == "Starts " + fn for b in blocks)
    assert any(b["text"] == fn for b in blocks), "a field with a time is a TextBlock"
    facts = [f for b in card["body"] if b.get("type") == "FactSet" for f in b["facts"]]
    assert not any("{{" in f["value"] for f in facts), "FactSets do not format dates"


async def test_discord_brown_bag_announcement_carries_timestamps(fake: FakeDiscord, db_url: str):
    olga, ann = fake.user("olga"), fake.user("ann")
    guild = fake.add_guild("CoP", owner=olga, members=[ann])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        await bot.slash(olga, general, "copkit timezone", {"zone": "Europe/Paris"})
        await bot.slash(ann, general, "copkit help")
        made = await bot.slash(
            olga,
            general,
            "brownbag schedule",
            {"title": "Rust at work", "speaker": ann, "at": "2026-01-08 12:30"},
        )
        shown = text_of(fake.message_of(made))
        assert f"<t:{UNIX}:F>" in shown
        assert f"<t:{UNIX + 45 * 60}:t>" in shown
    finally:
        await bot.stop()


async def test_teams_lightning_announcement_uses_card_dates(env: TeamsEnv):
    await env.post(env.a.mention(OWNER, "timezone Europe/Paris"))
    await env.post(env.a.mention(OWNER, 'lightning open "Friday" --at "2026-01-09 17:00"'))
    cards = [card_text(c.body) for c in env.connector.calls if c.kind in ("send", "reply")]
    assert any(
        "{{DATE(2026-01-09T16:00:00Z, SHORT)}} {{TIME(2026-01-09T16:00:00Z)}}" in t for t in cards
    )


async def test_console_shows_times_in_the_community_zone(tmp_path):
    from copkit.adapters.console import ConsoleSession
    from copkit.core.clock import FakeClock

    lines: list[str] = []
    session = ConsoleSession(f"sqlite://{tmp_path / 'c.db'}", clock=FakeClock(), out=lines.append)
    await session.start()
    try:
        await session.run_script(
            [
                "timezone Europe/Paris",
                'brownbag schedule "Testing" --speaker me --at "2026-01-08 12:30"',
            ]
        )
    finally:
        await session.stop()
    text = "\n".join(lines)
    assert "Thu 8 Jan 2026, 12:30–13:15 (Europe/Paris)" in text
    assert "<t:" not in text and "{{DATE" not in text
