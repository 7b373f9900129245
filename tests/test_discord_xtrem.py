"""Xtrem Reading and Xtrem Watch on Discord (the real discord.py against the fake Discord over
loopback; SQLite, and PostgreSQL with COPKIT_TEST_POSTGRES_URL).

Reading: books added (one titled ``@everyone **x**``), readers pick, groups formed — each gets
its own thread, opened once and posted into after; with Manage Channels a voice channel per
group in the session channel's category, deleted at the end. Without the permission (or when
Discord answers 403) a short note and no channel, and the session goes on in the threads. The
round's timer fires after a restart, once. Watch: the source list through a group's thread.
Bad input (joining twice, a rating of 7, presenting out of turn) is answered privately and
changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fakes.discord_bot import BotUnderTest
from fakes.discord_server import (
    BASIC_PERMISSIONS,
    EPHEMERAL,
    MANAGE_CHANNELS,
    MANAGE_EVENTS,
    PIN_MESSAGES,
    SEND_POLLS,
    Call,
    FakeDiscord,
    text_of,
)

from copkit.adapters.discord.voice import voice_name
from copkit.core.facilitation import groups
from copkit.core.facilitation.models import Group, GroupMember
from copkit.core.models import Place
from copkit.plugins.xtrem.models import Book, Rating, Reading, Session, Source

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.xtrem")
NOTE = "I can't open voice rooms here: I need the Manage Channels permission. Use the group thread."
BOT_PERMISSIONS = (
    BASIC_PERMISSIONS | MANAGE_EVENTS | SEND_POLLS | PIN_MESSAGES
)  # the fake's default
HOSTILE = "@everyone **x**"
THEME = "**ops** @here"
NEW_CHANNEL = r"/guilds/\d+/channels"


def body(call: Call) -> dict[str, Any]:
    data = call.json or {}
    return data.get("data", data) if call.path.endswith("/callback") else data


def private_texts(fake: FakeDiscord, answer: Call, mark: int) -> list[str]:
    """What only the person who asked saw: the ephemeral response and follow-ups."""
    bodies = [body(answer)] + [c.json or {} for c in fake.find("POST", r"/webhooks/.*", mark)]
    return [text_of(b) for b in bodies if (b.get("flags") or 0) & EPHEMERAL]


def posted_in(fake: FakeDiscord, channel_id: str, since: int = 0) -> list[str]:
    """What the bot posted for everyone in a channel: posts, and answers to commands run there."""
    out = []
    for c in fake.calls[since:]:
        token = re.fullmatch(r"/(?:interactions/\d+|webhooks/\d+)/([^/]+)(?:/callback)?", c.path)
        b = body(c)
        if c.method != "POST" or (b.get("flags") or 0) & EPHEMERAL:
            continue
        if c.path == f"/channels/{channel_id}/messages":
            out.append(text_of(b))
        elif token and fake.interactions.get(token[1], {}).get("channel_id") == int(channel_id):
            if not c.path.endswith("/callback") or (c.json or {}).get("type") == 4:
                out.append(text_of(b))
    return out


def public_texts(fake: FakeDiscord, since: int = 0) -> list[str]:
    return [text_of(b) for b in fake.posted(since) if not (b.get("flags") or 0) & EPHEMERAL]


async def snapshot() -> tuple[int, ...]:
    sessions = await Session.all()
    return (
        await Book.filter(removed_at=None).count(),
        await Reading.all().count(),
        await Rating.all().count(),
        await GroupMember.filter(left_at=None).count(),
        await Group.filter(status="open").count(),
        await Source.all().count(),
        sum(s.version for s in sessions),
    )


async def refused(bot, who, channel, command, options, answer: str) -> None:
    """``who`` runs ``command``: a short private answer containing ``answer``, nothing changed,
    nothing posted for everyone."""
    before = await snapshot()
    mark = bot.fake.mark()
    call = await bot.slash(who, channel, command, options)
    said = private_texts(bot.fake, call, mark)
    assert any(answer in t for t in said), (said, public_texts(bot.fake, mark))
    assert all(len(t) < 200 for t in said), said
    assert not public_texts(bot.fake, mark), public_texts(bot.fake, mark)
    assert await snapshot() == before


class Room:
    """A guild with a facilitator (the owner), four readers and the session's channel."""

    def __init__(self, fake: FakeDiscord, *, permissions: int, category: bool = True) -> None:
        self.fake = fake
        self.olga = fake.user("olga")
        self.people = [fake.user(n) for n in ("ann", "bob", "cid", "dee")]
        self.guild = fake.add_guild(
            "CoP", owner=self.olga, members=self.people, bot_permissions=permissions
        )
        fake.add_channel(self.guild, "general")
        self.category = fake.add_channel(self.guild, "Learning", ctype=4) if category else None
        self.channel = fake.add_channel(self.guild, "reading", category=self.category)

    async def reading_groups(self, bot: BotUnderTest, *, voice: bool = True) -> Session:
        """Books on the list, a session started with voice, four picks, the groups formed."""
        ann = self.people[0]
        titles = [(HOSTILE, THEME), ("Team Topologies", "teams"), ("Accelerate", THEME)]
        titles.append(("Turn the Ship Around", "teams"))
        for title, theme in titles:
            await bot.slash(
                ann, self.channel, "xtremreading book add", {"title": title, "theme": theme}
            )
        assert await Book.all().count() == 4
        options: dict[str, Any] = {"round": "15m"}
        if voice:
            options["voice"] = True
        await bot.slash(self.olga, self.channel, "xtremreading start", options)
        for n, who in enumerate(self.people, start=1):
            await bot.slash(
                who, self.channel, "xtremreading pick", {"number": str(n), "hope": f"idea {n}"}
            )
        await bot.slash(self.olga, self.channel, "xtremreading next")
        s = await Session.get()
        assert s.step == "groups"
        return s

    def threads(self, since: int = 0) -> list[dict[str, Any]]:
        """The threads the bot opened on the session's channel (their fake channels)."""
        made = []
        for c in self.fake.find("POST", rf"/channels/{self.channel['id']}/threads", since):
            made += [
                ch
                for ch in self.fake.channels.values()
                if ch.get("parent_id") == self.channel["id"] and ch["name"] == c.json["name"]
            ]
        return made


async def thread_of(s: Session, number: int) -> str:
    place = await Place.get(key=f"xtremreading:{s.id}:group:{number}", kind="thread")
    return place.room_id


async def test_reading_groups_threads_voice_channels_and_timer_after_restart(
    fake: FakeDiscord, db_url: str
):
    room = Room(fake, permissions=BOT_PERMISSIONS | MANAGE_CHANNELS)
    ann = room.people[0]
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        mark = fake.mark()
        s = await room.reading_groups(bot)
        # each group its own thread, opened once, its first messages inside it
        threads = room.threads()
        assert len(threads) == 2, threads
        made = await groups.groups(f"xtremreading:{s.id}")
        assert [g.theme for g in made] == [THEME, "teams"]
        assert {t["name"] for t in threads} == {"Group 1 · **ops** @\u200bhere", "Group 2 · teams"}
        for g in made:
            tid = await thread_of(s, g.number)
            assert tid in {t["id"] for t in threads}
            inside = "\n".join(posted_in(fake, tid, mark))
            names = [m.name for m in await groups.members(g.id)]
            assert all(n in inside for n in names), inside
            assert "🔊 A voice channel is open for this group" in inside
        first = "\n".join(posted_in(fake, await thread_of(s, 1), mark))
        assert "\\*\\*ops\\*\\* @\u200bhere" in first, first  # the theme as typed, escaped
        assert "“@\u200beveryone \\*\\*x\\*\\*”" in first, first  # the title too
        # a voice channel per group, in the session channel's category, named after the group
        made_voice = fake.find("POST", NEW_CHANNEL, mark)
        assert [c.json["type"] for c in made_voice] == [2, 2]
        assert [c.json["name"] for c in made_voice] == [
            "Group 1 · **ops** @here",
            "Group 2 · teams",
        ]
        assert {str(c.json.get("parent_id")) for c in made_voice} == {room.category["id"]}
        voice_rooms = await Place.filter(kind="voice", closed_at=None).order_by("key")
        assert len(voice_rooms) == 2
        assert all(fake.channels[int(p.room_id)]["type"] == 2 for p in voice_rooms)

        # bad input: joining a group twice (the same one, or another)
        mine = await groups.group_of(f"xtremreading:{s.id}", ann["id"])
        assert mine is not None
        other = 3 - mine.number
        await refused(
            bot,
            ann,
            room.channel,
            "xtremreading join",
            {"group": str(mine.number)},
            f"in group {mine.number} already",
        )
        await refused(
            bot, ann, room.channel, "xtremreading join", {"group": str(other)}, "can move you"
        )

        # round 1 starts; a key point posted from the group's thread lands in that thread
        await bot.slash(room.olga, room.channel, "xtremreading next")
        tid1 = await thread_of(s, 1)
        in_first = [m.member for m in await groups.members(made[0].id)]
        author = next(u for u in room.people if u["id"] in in_first)
        mark = fake.mark()
        call = await bot.slash(
            author,
            fake.channels[int(tid1)],
            "xtremreading note",
            {"text": "Read the TOC @everyone"},
        )
        assert any("kept for the minutes" in t for t in private_texts(fake, call, mark))
        assert any("Read the TOC @\u200beveryone" in t for t in posted_in(fake, tid1, mark))

        # the process stops mid-round and starts again: the timers fire, once
        await bot.restart()
        mark = fake.mark()
        await bot.advance(minutes=14)
        assert sum("One minute left" in t for t in posted_in(fake, room.channel["id"], mark)) == 1
        await bot.advance(minutes=2)
        await bot.restart()
        await bot.advance(minutes=30)
        room_said = posted_in(fake, room.channel["id"], mark)
        assert sum("Time's up: the facilitator moves on" in t for t in room_said) == 1, room_said
        for g in made:
            assert (
                sum("Time's up" in t for t in posted_in(fake, await thread_of(s, g.number), mark))
                == 1
            )
        assert len(room.threads()) == 2, "no thread opened twice"

        # on to the end: the voice channels are deleted, the threads stay
        for _step in ("round2", "share", "daytoday", "rate"):
            await bot.slash(room.olga, room.channel, "xtremreading next")
        assert (await Session.get()).step == "rate"
        await refused(
            bot,
            author,
            fake.channels[int(tid1)],
            "xtremreading rate",
            {"readability": "7", "recommendation": "3"},
            "a whole number from 1 to 5",
        )
        await bot.slash(
            author, room.channel, "xtremreading rate", {"readability": "4", "recommendation": "5"}
        )
        assert await Rating.filter(member=author["id"], readability=4).count() == 1
        mark = fake.mark()
        await bot.slash(room.olga, room.channel, "xtremreading next")
        assert (await Session.get()).status == "done"
        deleted = {c.path.rsplit("/", 1)[1] for c in fake.find("DELETE", r"/channels/\d+", mark)}
        assert deleted == {p.room_id for p in voice_rooms}
        assert not await Place.filter(kind="voice", closed_at=None).exists()
        assert all(t["id"] in {str(k) for k in fake.channels} for t in threads)

        # nothing the bot sent could ping anyone
        for c in fake.calls:
            b = body(c)
            if c.method in ("POST", "PATCH") and isinstance(b, dict) and "embeds" in b:
                assert b.get("allowed_mentions") == {"parse": []}, c
    finally:
        await bot.stop()


FR_NOTE = (
    "Je ne peux pas ouvrir de salons vocaux ici : il me faut la permission « Gérer les salons ». "
    "Utilisez le fil du groupe."
)


@pytest.mark.parametrize("locale, note", [("en-US", NOTE), ("fr", FR_NOTE)])
async def test_without_manage_channels_a_note_and_no_channel(
    fake: FakeDiscord, db_url: str, locale: str, note: str
):
    """The note in the facilitator's language (who moved the session on)."""
    room = Room(fake, permissions=BOT_PERMISSIONS)
    room.olga["locale"] = locale
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        mark = fake.mark()
        s = await room.reading_groups(bot)
        assert not fake.find("POST", NEW_CHANNEL, mark), "the permission is checked first"
        to_olga = [text_of(b) for b in fake.posted(mark) if (b.get("flags") or 0) & EPHEMERAL]
        assert sum(note in t for t in to_olga) == 1, to_olga  # once, not once per group
        for g in await groups.groups(f"xtremreading:{s.id}"):
            assert any(note in t for t in posted_in(fake, await thread_of(s, g.number), mark))
        assert not await Place.filter(kind="voice").exists()
        await bot.slash(room.olga, room.channel, "xtremreading next")  # the session goes on
        assert (await Session.get()).step == "round1"
    finally:
        await bot.stop()


async def test_a_refusal_from_discord_is_the_same_note(fake: FakeDiscord, db_url: str):
    """Manage Channels held, yet Discord answers 403 (a category's overwrite): the same note."""
    room = Room(fake, permissions=BOT_PERMISSIONS | MANAGE_CHANNELS, category=False)
    fake.fail[("POST", NEW_CHANNEL)] = (403, {"message": "Missing Permissions", "code": 50013})
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        mark = fake.mark()
        s = await room.reading_groups(bot)
        (tried,) = fake.find("POST", NEW_CHANNEL, mark)  # refused once: not asked again
        assert tried.json.get("parent_id") is None  # no category: none asked for
        for g in await groups.groups(f"xtremreading:{s.id}"):
            assert any(NOTE in t for t in posted_in(fake, await thread_of(s, g.number), mark))
        assert not await Place.filter(kind="voice").exists()
        await bot.slash(room.olga, room.channel, "xtremreading stop")
        assert not fake.find("DELETE", r"/channels/\d+", mark)
    finally:
        await bot.stop()


async def test_a_category_that_denies_manage_channels_gets_the_note(fake: FakeDiscord, db_url: str):
    """Manage Channels held in the server, denied by the category's overwrite: copkit reads
    the overwrite as Discord would and asks nothing; the same note."""
    room = Room(fake, permissions=BOT_PERMISSIONS | MANAGE_CHANNELS)
    assert room.category is not None
    deny = {"id": fake.bot_role(room.guild)["id"], "type": 0, "allow": "0"}
    room.category["permission_overwrites"] = [{**deny, "deny": str(MANAGE_CHANNELS)}]
    assert fake._missing(room.guild, MANAGE_CHANNELS, room.category) is not None
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        mark = fake.mark()
        s = await room.reading_groups(bot)
        assert not fake.find("POST", NEW_CHANNEL, mark)
        for g in await groups.groups(f"xtremreading:{s.id}"):
            assert any(NOTE in t for t in posted_in(fake, await thread_of(s, g.number), mark))
    finally:
        await bot.stop()


async def test_a_session_in_a_voice_chat_talks_to_each_group_in_its_voice_channel(
    fake: FakeDiscord, db_url: str
):
    """Started from a voice channel's chat (voice without asking): no threads there, so each
    group's messages go to its own voice channel's chat."""
    room = Room(fake, permissions=BOT_PERMISSIONS | MANAGE_CHANNELS)
    room.channel = fake.add_channel(room.guild, "Reading room", voice=True, category=room.category)
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        mark = fake.mark()
        s = await room.reading_groups(bot, voice=False)
        assert s.options["voice"] is True
        made = fake.find("POST", NEW_CHANNEL, mark)
        assert len(made) == 2 and not fake.find("POST", r"/channels/\d+/threads", mark)
        for g in await groups.groups(f"xtremreading:{s.id}"):
            voice = await Place.get(key=f"xtremreading:{s.id}:group:{g.number}", kind="voice")
            assert await thread_of(s, g.number) == voice.room_id
            inside = "\n".join(posted_in(fake, voice.room_id, mark))
            assert all(m.name in inside for m in await groups.members(g.id)), inside
        await bot.slash(room.olga, room.channel, "xtremreading next")
        for g in await groups.groups(f"xtremreading:{s.id}"):
            assert any(
                "Techniques" in t for t in posted_in(fake, await thread_of(s, g.number), mark)
            )
    finally:
        await bot.stop()


async def test_a_stopped_session_deletes_its_voice_channels(fake: FakeDiscord, db_url: str):
    room = Room(fake, permissions=BOT_PERMISSIONS | MANAGE_CHANNELS)
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        await room.reading_groups(bot)
        made = {str(c) for c in await Place.filter(kind="voice").values_list("room_id", flat=True)}
        assert len(made) == 2
        await bot.restart()
        mark = fake.mark()
        await bot.slash(room.olga, room.channel, "xtremreading stop")
        deleted = {c.path.rsplit("/", 1)[1] for c in fake.find("DELETE", r"/channels/\d+", mark)}
        assert deleted == made
        assert not set(made) & {str(k) for k in fake.channels}
        assert not await Place.filter(kind="voice", closed_at=None).exists()
    finally:
        await bot.stop()


async def test_watch_sources_through_the_group_thread(fake: FakeDiscord, db_url: str):
    room = Room(fake, permissions=BOT_PERMISSIONS | MANAGE_CHANNELS)
    olga, (ann, bob, cid, dee) = room.olga, room.people
    ch = room.channel
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        await bot.slash(olga, ch, "xtremwatch start", {"voice": True})
        for who, topic in (
            (ann, "WebAssembly"),
            (bob, HOSTILE),
            (cid, "Local-first"),
            (dee, "Platforms"),
        ):
            await bot.slash(who, ch, "xtremwatch topic", {"text": topic})
        await bot.slash(olga, ch, "xtremwatch next")  # the pitch: the timer passes the word
        for _turn in range(4):
            await bot.advance(minutes=1)
        assert (await Session.get()).step == "vote"
        for who, votes in ((ann, (1, 2)), (bob, (2, 1)), (cid, (1, 3)), (dee, (2, 4))):
            for n in votes:
                await bot.slash(who, ch, "xtremwatch vote", {"topic": str(n)})
        await bot.slash(olga, ch, "xtremwatch next")  # the groups, their threads and voice
        s = await Session.get()
        made = await groups.groups(f"xtremwatch:{s.id}")
        assert sorted(g.theme for g in made) == sorted(["WebAssembly", HOSTILE])
        names = [c.json["name"] for c in fake.find("POST", NEW_CHANNEL)]
        assert sorted(names) == sorted(["Group 1 · " + made[0].theme, "Group 2 · " + made[1].theme])
        await bot.slash(olga, ch, "xtremwatch next")  # dive

        # ann posts a source from her group's thread: it lands there and in the list
        g = await groups.group_of(f"xtremwatch:{s.id}", ann["id"])
        assert g is not None
        tid = (await Place.get(key=f"xtremwatch:{s.id}:group:{g.number}", kind="thread")).room_id
        thread = fake.channels[int(tid)]
        mark = fake.mark()
        call = await bot.slash(
            ann,
            thread,
            "xtremwatch source",
            {"link": "https://webassembly.org/", "about": "The **standard**"},
        )
        assert any("Source #1 kept" in t for t in private_texts(fake, call, mark))
        inside = posted_in(fake, tid, mark)
        assert any(
            "https://webassembly.org/" in t and "The \\*\\*standard\\*\\*" in t for t in inside
        ), inside
        row = await Source.get()
        assert (row.finder, row.group, row.topic) == (ann["id"], g.number, g.theme)
        await refused(
            bot,
            bob,
            thread,
            "xtremwatch source",
            {"link": "https://webassembly.org/"},
            "already (#1",
        )

        # presenting out of turn is refused
        for _step in ("sync", "deepdive", "prepare", "present"):
            await bot.slash(olga, ch, "xtremwatch next")
        first = await groups.by_number(f"xtremwatch:{s.id}", 1)
        members = [m.member for m in await groups.members(first.id)]
        outsider = next(u for u in room.people if u["id"] not in members)
        await refused(bot, outsider, ch, "xtremwatch present", None, "It's group 1's turn")
        insider = next(u for u in room.people if u["id"] in members)
        await bot.slash(insider, ch, "xtremwatch present")
        await refused(bot, insider, ch, "xtremwatch present", None, "under way")

        # the end: the source list in the minutes, the voice channels gone
        for _step in ("group 2", "discuss"):
            await bot.slash(olga, ch, "xtremwatch next")
        mark = fake.mark()
        await bot.slash(olga, ch, "xtremwatch next")
        assert (await Session.get()).status == "done"
        minutes = "\n".join(public_texts(fake, mark))
        assert "https://webassembly.org/" in minutes and "Ann" in minutes, minutes
        assert len(fake.find("DELETE", r"/channels/\d+", mark)) == 2
    finally:
        await bot.stop()


def test_voice_channel_names_keep_to_discords_rules():
    assert voice_name("Group 1 · " + HOSTILE) == "Group 1 · @everyone **x**"
    assert voice_name("Group\n2\t\u0007 · x\u200b\u202e") == "Group 2 · x"
    long = voice_name("Group 3 · " + "word " * 60)
    assert len(long) == 100 and long.endswith("…")
    assert voice_name("\n\t ") == "copkit"
    assert re.fullmatch(r"[^\n\r\t]{1,100}", voice_name("Group 9 · " + "é" * 300))
