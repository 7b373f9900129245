"""A view's files, on each platform: Discord uploads them with the message (multipart, see
also tests/test_discord_brownbag.py), Teams sends them inline in the activity the Bot
Connector receives, the console saves them to its folder and prints the path."""

from __future__ import annotations

import base64

import aiohttp
from fakes.bot_connector import card_text
from fakes.teams_env import OWNER, TeamsEnv
from icalendar import Calendar

from copkit.adapters.console.app import ConsoleSession
from copkit.adapters.discord.render import render as discord_render
from copkit.adapters.teams import cards
from copkit.core.clock import FakeClock
from copkit.core.views import Attachment, Image, View

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.series", "copkit.plugins.brownbag")
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def test_discord_sends_files_next_to_pictures():
    png = b"\x89PNG..."
    view = View(
        title="Export",
        images=[Image("chart.png", png)],
        attachments=[
            Attachment("my export.csv", "text/csv", b"a,b\r\n"),
            Attachment("cal.ics", "text/calendar", ICS),
        ],
    )
    r = discord_render(view)
    assert [f.filename for f in r.files()] == ["chart.png", "my_export.csv", "cal.ics"]
    assert r.embeds[0].to_dict()["image"]["url"] == "attachment://chart.png"  # only the picture
    assert r.message_kwargs()["files"][2].fp.read() == ICS
    plain = discord_render(
        View(text="Your file", attachments=[Attachment("a.md", "text/markdown", b"# A")])
    )
    assert plain.content == "Your file" and [f.filename for f in plain.files()] == ["a.md"]


def test_teams_files_fit_the_message_or_say_why_not():
    big = Attachment("big.csv", "text/csv", b"x" * 40_000)
    small = Attachment("cal.ics", "text/calendar", ICS, "the entry")
    view = View(title="Files", attachments=[small, big])
    activity = cards.message(cards.render(view), view)
    card, *files = activity["attachments"]
    assert [f["name"] for f in files] == ["cal.ics"]
    assert files[0]["contentUrl"] == "data:text/calendar;base64," + base64.b64encode(ICS).decode()
    text = card_text({"attachments": [card]})
    assert "📎 cal.ics — the entry" in text and "big.csv (too large to send here: 39 KB)" in text
    assert len(str(activity)) < 28_000


async def test_teams_ics_is_a_file_the_bot_connector_receives(env: TeamsEnv):
    await env.post(env.a.mention(OWNER, "timezone Europe/Paris"))
    await env.post(
        env.a.mention(OWNER, 'brownbag schedule "Files" --speaker me --at "2026-01-08 12:30"')
    )
    mark = len(env.connector.calls)
    await env.post(env.a.mention(OWNER, "brownbag ics 1"))
    sent = [
        a
        for c in env.connector.calls[mark:]
        if c.kind in ("send", "reply") and isinstance(c.body, dict)
        for a in c.body.get("attachments", [])
        if a.get("contentType") == "text/calendar"
    ]
    assert len(sent) == 1 and sent[0]["name"] == "brownbag-1.ics"
    head, data = sent[0]["contentUrl"].split(",", 1)
    assert head == "data:text/calendar;base64"
    ics = base64.b64decode(data)
    assert b"\n" not in ics.replace(b"\r\n", b"")  # CRLF line ends
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Brown bag: Files"

    # The calendar feed is served by the same aiohttp application, once made public.
    await env.post(env.a.mention(OWNER, "calendar public"))
    feed = env.url.replace("/api/messages", "/c/1/calendar.ics")
    async with aiohttp.ClientSession() as http, http.get(feed) as r:
        assert r.status == 200 and r.content_type == "text/calendar"
        [event] = Calendar.from_ical(await r.read()).walk("VEVENT")
        assert str(event["SUMMARY"]) == "Brown bag: Files"


async def test_console_saves_files_and_prints_where(tmp_path):
    out: list[str] = []
    folder = tmp_path / "files"
    session = ConsoleSession(
        f"sqlite://{tmp_path}/c.db",
        clock=FakeClock(),
        out=out.append,
        plugins=list(PLUGINS),
        files_dir=folder,
        user="ann",
    )
    await session.start()
    try:
        await session.run_script(
            [
                "timezone Europe/Paris",
                'brownbag schedule "Files" --speaker me --at "2026-01-08 12:30"',
                "brownbag ics 1",
                'brownbag reschedule 1 --at "2026-01-09 12:30"',
                "brownbag ics 1",
            ]
        )
    finally:
        await session.stop()
    text = "\n".join(out)
    first, second = folder / "brownbag-1.ics", folder / "brownbag-1-2.ics"
    assert f"[file brownbag-1.ics, {first.stat().st_size} bytes, saved to {first}]" in text
    assert f"saved to {second}]" in text  # the moved entry did not overwrite the first
    seqs = [
        Calendar.from_ical(p.read_bytes()).walk("VEVENT")[0]["SEQUENCE"] for p in (first, second)
    ]
    assert seqs == [0, 1]
