"""Announcements through the core: every format's events announced in the leader's channel
when scheduled (with the event as an .ics), reminded ahead, moves and cancellations told
there, each once (across a restart), and a channel copkit may not post in noted to the
leader once. Runs on SQLite, and on PostgreSQL when ``COPKIT_TEST_POSTGRES_URL`` is set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from copkit.core.announce_models import Announcement, AnnounceSetting, NotifyOptIn
from copkit.core.errors import UserError
from copkit.core.views import ToRoom
from copkit.testing import Harness, Message

PLUGINS = [
    "copkit.plugins.core_commands",
    "copkit.plugins.series",
    "copkit.plugins.leancoffee",
    "copkit.plugins.brownbag",
    "copkit.plugins.lightningtalks",
    "copkit.plugins.announce",
]
NEWS = "news"


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "timezone Europe/Paris")
        await h.say("ann", "hello", room=NEWS)  # copkit has seen the news channel
        await h.say("bob", "hello")
        yield h


def in_news(h: Harness, since: int = 0) -> list[Message]:
    return [m for m in h.messenger.log[since:] if m.room_id == NEWS and m.private_to is None]


def titles(msgs: list[Message]) -> list[str]:
    return [m.view.title for m in msgs]


async def until(h: Harness, when: datetime) -> int:
    return await h.advance(when - h.clock.now())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def brownbag(h: Harness, title: str = "Property testing", at: str = "2026-01-08 12:30"):
    await h.say("leader", f'brownbag schedule "{title}" --speaker @bob --at "{at}"')


async def test_every_format_is_announced_once_with_its_calendar_file(h):
    [hello, answer] = await h.say("leader", "announce channel #news")
    assert hello.room_id == NEWS and "announcements" in hello.view.text
    assert "Announcements go to #news" in answer.view.text
    await brownbag(h)
    await h.say("leader", 'lightning open "Friday lightning" --at "2026-01-09 17:00" --slots 5')
    await h.say("leader", 'leancoffee start --every "week on friday 12:30" --title "Coffee"')
    mark = len(h.messenger.log)
    await h.advance(minutes=5)
    got = titles(in_news(h, mark))
    assert (
        "New event: Brown bag: Property testing" in got
        and "New event: Lightning talks: Friday lightning" in got
    )
    assert "New event: Coffee" not in got  # a series date: announced a day ahead, as its own
    bb = next(
        m for m in in_news(h, mark) if m.view.title == "New event: Brown bag: Property testing"
    )
    assert "Thu 8 Jan 2026, 12:30" in bb.view.text
    [ics] = bb.view.attachments
    [event] = Calendar.from_ical(ics.data).walk("VEVENT")
    assert str(event["summary"]) == "Brown bag: Property testing"
    # Nothing twice, however often it sweeps (and after a restart).
    await h.advance(minutes=30)
    await h.restart()
    await h.advance(minutes=30)
    assert titles(in_news(h, mark)).count("New event: Brown bag: Property testing") == 1
    # The coffee on Friday 9 Jan 12:30 Paris is announced a day ahead.
    await until(h, utc(2026, 1, 8, 11, 40))
    [coffee] = [m for m in in_news(h, mark) if m.view.title == "New event: Coffee"]
    assert "**Format:** Lean coffee" in coffee.view.text  # a series' own title: say which


async def test_a_reminder_comes_before_and_survives_a_restart(h):
    await h.say("leader", "announce channel here", room=NEWS)
    await h.say("leader", "announce before 2h")
    await brownbag(h)  # Thu 8 Jan 12:30 Paris = 11:30 UTC
    await h.advance(minutes=5)
    mark = len(h.messenger.log)
    await until(h, utc(2026, 1, 8, 9, 0))
    assert not [t for t in titles(in_news(h, mark)) if t.startswith("Starting")]
    await h.restart()
    await until(h, utc(2026, 1, 8, 9, 31))
    reminders = [t for t in titles(in_news(h, mark)) if t.startswith("Starting")]
    assert reminders == ["Starting in 2 hours: Brown bag: Property testing"], titles(
        in_news(h, mark)
    )
    await h.restart()
    await until(h, utc(2026, 1, 8, 11, 0))
    assert [t for t in titles(in_news(h, mark)) if t.startswith("Starting")] == reminders


async def test_moves_and_cancellations_are_told_where_it_was_announced(h):
    await h.say("leader", "announce channel here", room=NEWS)
    await brownbag(h)
    await h.advance(minutes=5)
    first = next(m for m in in_news(h) if m.view.title == "New event: Brown bag: Property testing")
    mark = len(h.messenger.log)
    await h.say("leader", 'brownbag reschedule 1 --at "2026-01-12 12:30"')
    await h.advance(minutes=5)
    [moved] = [m for m in in_news(h, mark) if m.view.title.startswith("Moved")]
    assert "Mon 12 Jan 2026, 12:30" in moved.view.text and "Thu 8 Jan" in moved.view.text
    assert "Mon 12 Jan 2026" in first.view.text  # the announcement follows, in place
    await h.say("leader", "brownbag cancel 1")
    await h.advance(minutes=5)
    await h.advance(minutes=5)
    cancelled = [
        m for m in in_news(h, mark) if m.view.title == "Cancelled: Brown bag: Property testing"
    ]
    assert len(cancelled) == 1
    [ics] = cancelled[0].view.attachments
    [event] = Calendar.from_ical(ics.data).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert first.view.title == "Cancelled: Brown bag: Property testing"
    kinds = sorted(a.kind for a in await Announcement.all())
    assert kinds == ["cancelled", "moved", "scheduled"]


async def test_series_skips_are_cancellations(h):
    await h.say("leader", "announce channel here", room=NEWS)
    await h.say("leader", 'leancoffee start --every "week on friday 12:30" --title "Coffee"')
    await until(h, utc(2026, 1, 8, 11, 40))
    assert "New event: Coffee" in titles(in_news(h))
    mark = len(h.messenger.log)
    await h.say("leader", "series skip 2026-01-09")
    await h.advance(minutes=5)
    assert "Cancelled: Coffee" in titles(in_news(h, mark))


async def test_a_channel_copkit_cannot_post_in_gets_one_note_to_the_leader(h):
    await h.say("leader", "announce channel here", room=NEWS)
    for n in range(3):
        await brownbag(h, f"Talk {n}", at=f"2026-01-1{n} 12:30")
    h.messenger.failures = 0
    refuse = h.messenger.send

    async def refused(community, room_id, target, view, request):
        if room_id == NEWS and target == ToRoom(NEWS):
            raise UserError("I'm not allowed to post in #news.")
        return await refuse(community, room_id, target, view, request)

    h.messenger.send = refused  # type: ignore[method-assign]
    mark = len(h.messenger.log)
    await h.advance(minutes=5)
    await h.advance(minutes=30)
    notes = [m for m in h.messenger.log[mark:] if m.private_to == "leader"]
    assert len(notes) == 1 and "I'm not allowed to post in #news." in notes[0].view.text
    assert await Announcement.filter(posted_at__not_isnull=True).count() == 0
    h.messenger.send = refuse  # type: ignore[method-assign]
    await h.say("leader", "announce channel here", room=NEWS)  # fixed: named again
    await h.advance(minutes=1)
    assert len([t for t in titles(in_news(h, mark)) if t.startswith("New event")]) == 3


async def test_a_burst_of_events_is_spread_over_sweeps(h):
    for n in range(8):
        await brownbag(h, f"Talk {n}", at=f"2026-01-2{n} 12:30")
    await h.say("leader", "announce channel here", room=NEWS)
    mark = len(h.messenger.log)
    await h.advance(seconds=1)
    assert len(in_news(h, mark)) == 5
    await h.advance(minutes=1)
    assert len(in_news(h, mark)) == 8


async def test_the_notification_role_is_opt_in(h):
    await h.say("leader", "announce channel here", room=NEWS)
    [answer] = await h.say("ann", "notify me")
    assert "no notification role" in answer.view.text
    [answer] = await h.say("leader", "announce role")
    [role] = h.messenger.roles
    assert h.messenger.role_names[role] == "Cop news" and "I made the role" in answer.view.text
    await h.say("ann", "notify me")
    await h.say("ann", "notify me")  # twice: no change
    await h.say("bob", "notify me")
    await h.say("bob", "notify off")
    assert h.messenger.roles[role] == {"ann"}
    assert [o.person_id for o in await NotifyOptIn.all()] == ["ann"]
    await brownbag(h)
    await h.advance(minutes=5)
    [post] = [m for m in in_news(h) if m.view.title.startswith("New event")]
    assert post.view.notify == role
    await h.say("leader", "announce role off")
    await brownbag(h, "Other")
    await h.advance(minutes=5)
    [other] = [m for m in in_news(h) if m.view.title == "New event: Brown bag: Other"]
    assert other.view.notify == ""


@pytest.mark.parametrize(
    ("who", "line", "answer"),
    [
        ("ann", "announce channel here", "Only the leader"),
        ("leader", "announce channel #nowhere", "I don't know a channel “#nowhere” here"),
        ("leader", "announce before soon", "is not a duration"),
        ("leader", "announce before 30d", "at most 7 days"),
        ("leader", "announce before", "Say how long before"),
        ("leader", "whatson every someday", "Say one day of the week and a time"),
        ("leader", "whatson every monday", "Say one day of the week and a time"),
        ("leader", "whatson every weekdays 9:00", "Say one day of the week and a time"),
        ("ann", "whatson now", "Only the leader or core team"),
    ],
)
async def test_bad_input_gets_a_short_answer_and_changes_nothing(h, who, line, answer):
    msgs = await h.say(who, line)
    assert answer in msgs[-1].view.text, msgs[-1].view.text
    s = await AnnounceSetting.get_or_none()
    assert s is None or (not s.room_id and s.before_minutes == 60 and not s.whatson_rule)


async def test_announcement_status(h):
    await h.say("leader", "announce channel here", room=NEWS)
    await h.say("leader", "announce before 45m")
    [msg] = await h.say("ann", "announce")
    fields = {f.name: f.value for f in msg.view.fields}
    assert fields["Channel"] == "#news" and fields["Reminder"] == "45 min before"
    await h.say("leader", "announce off")
    mark = len(h.messenger.log)
    await brownbag(h)
    await h.advance(minutes=10)
    assert in_news(h, mark) == []
    assert (await AnnounceSetting.get()).sweep_job is None


async def test_three_sweeps_at_once_post_once(h):
    """Three workers run the sweep at the same moment: each announcement once."""
    import asyncio

    from copkit.core import announce
    from copkit.core.context import JobContext

    await h.say("leader", "announce channel here", room=NEWS)
    await brownbag(h)
    s = await AnnounceSetting.get()
    community = await h.rt.community_by_id(s.community_id)
    mark = len(h.messenger.log)
    scopes = [JobContext(h.rt.services, community, "", s.sweep_job or 0, "x") for _ in range(3)]
    await asyncio.gather(*(announce.sweep(sc, s) for sc in scopes))
    assert titles(in_news(h, mark)) == ["New event: Brown bag: Property testing"]


def test_the_sweep_interval_is_short_enough_for_reminders():
    from copkit.core import announce

    assert announce.SWEEP_EVERY <= timedelta(minutes=5)
