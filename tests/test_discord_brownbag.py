"""Brown bags on Discord: scheduling one creates a server event (moved and cancelled with the
talk), people who said they come are told in a direct message whose buttons still work after a
restart, and a server where the bot may not create events gets a clear note instead."""

from __future__ import annotations

from fakes.discord_bot import BotUnderTest
from fakes.discord_server import BASIC_PERMISSIONS, EPHEMERAL, FakeDiscord, labels_of, text_of
from icalendar import Calendar

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.brownbag")


def dm_recipients(fake: FakeDiscord, since: int) -> list[str]:
    """Who received a direct message from the bot after ``since``."""
    out = []
    for c in fake.find("POST", r"/channels/\d+/messages", since):
        channel = fake.channels[int(c.path.split("/")[2])]
        if channel["type"] == 1:
            out.append(channel["recipients"][0]["id"])
    return out


def body(call) -> dict:
    return call.json.get("data") or {}


async def test_brown_bag_is_a_server_event(fake: FakeDiscord, db_url: str):
    olga, ann, bob = fake.user("olga"), fake.user("ann"), fake.user("bob")
    guild = fake.add_guild("CoP", owner=olga, members=[ann, bob])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        await bot.slash(ann, general, "copkit help")  # ann has used copkit: she can be named
        mark = fake.mark()
        made = await bot.slash(
            olga,
            general,
            "brownbag schedule",
            {"title": "Rust at work", "speaker": ann, "at": "2026-01-08 12:30", "where": "Room 4"},
        )
        created = fake.find("POST", rf"/guilds/{guild['id']}/scheduled-events", mark)
        assert len(created) == 1
        event = created[0].json
        assert event["name"] == "Brown bag: Rust at work"
        assert event["entity_type"] == 3 and event["entity_metadata"] == {"location": "Room 4"}
        assert event["scheduled_start_time"].startswith("2026-01-08T12:30:00")
        assert event["scheduled_end_time"].startswith("2026-01-08T13:15:00")
        assert event["privacy_level"] == 2
        announcement = fake.message_of(made)
        assert "Brown bag #1: Rust at work" in text_of(announcement)
        assert labels_of(announcement)[-1] == "Add to calendar"
        assert dm_recipients(fake, mark) == [ann["id"]], "the speaker is told"

        mark = fake.mark()
        going = await bot.press(bob, announcement, labels_of(announcement)[0])
        assert going.json["type"] == 7 and "Going (1)" in labels_of(body(going))
        (note,) = fake.find("POST", rf"/webhooks/{fake.app_id}/[^/]+", mark)
        assert note.json["flags"] & EPHEMERAL and "You're going" in text_of(note.json)

        (event_id,) = fake.events
        mark = fake.mark()
        await bot.slash(
            olga, general, "brownbag reschedule", {"session": "1", "at": "2026-01-09 12:30"}
        )
        moved = fake.find("PATCH", rf"/guilds/\d+/scheduled-events/{event_id}", mark)
        assert moved and moved[-1].json["scheduled_start_time"].startswith("2026-01-09T12:30:00")
        assert sorted(dm_recipients(fake, mark)) == sorted([ann["id"], bob["id"]])
        dm_to_bob = next(
            c
            for c in fake.find("POST", r"/channels/\d+/messages", mark)
            if "moved" in text_of(c.json)
        )

        await bot.restart()
        ics = await bot.press(bob, fake.message_of(dm_to_bob), "Update my calendar")
        # A real file on the message (multipart upload), with CRLF line ends, one event.
        [(name, data)] = ics.files
        assert name == "brownbag-1.ics" and "brownbag-1.ics" in text_of(body(ics))
        assert data.startswith(b"BEGIN:VCALENDAR\r\n") and b"\n" not in data.replace(b"\r\n", b"")
        [event] = Calendar.from_ical(data).walk("VEVENT")
        assert event["SEQUENCE"] == 1

        mark = fake.mark()
        await bot.slash(olga, general, "brownbag cancel", {"session": "1"})
        cancelled = fake.find("PATCH", rf"/guilds/\d+/scheduled-events/{event_id}", mark)
        assert cancelled and cancelled[-1].json["status"] == 4
        assert len(fake.events) == 1, "one event from start to end"
    finally:
        await bot.stop()


async def test_without_the_events_permission_the_announcement_says_so(fake, db_url):
    olga = fake.user("olga")
    guild = fake.add_guild("Strict", owner=olga, bot_permissions=BASIC_PERMISSIONS)
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        made = await bot.slash(
            olga,
            general,
            "brownbag schedule",
            {"title": "Go", "speaker": olga, "at": "2026-01-08 12:30"},
        )
        assert "give me the Manage Events permission" in text_of(body(made))
        assert not fake.find("POST", r"/guilds/\d+/scheduled-events")
    finally:
        await bot.stop()
