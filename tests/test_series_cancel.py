"""A series paused (or ended) with a date already announced calls that date off in every
format: the brown bag's session is cancelled and those going are told, the lightning
evening's sign-ups close and its speakers are told, the lean coffee's and the health check's
announcement says "Cancelled" — and a resume before that date does not bring it back. The
calendar keeps the date as an override with STATUS:CANCELLED (parsed back with icalendar)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from copkit.core.series_models import Occurrence, Series
from copkit.plugins.brownbag.models import Session
from copkit.plugins.healthcheck.models import Round
from copkit.plugins.leancoffee.models import Session as Coffee
from copkit.plugins.lightningtalks.models import Event
from copkit.testing import Harness

PLUGINS = [
    "copkit.plugins.core_commands",
    "copkit.plugins.series",
    "copkit.plugins.leancoffee",
    "copkit.plugins.healthcheck",
    "copkit.plugins.brownbag",
    "copkit.plugins.lightningtalks",
]


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "timezone Europe/Paris")
        await h.say("bob", "help")
        yield h


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def feed_entries(h: Harness, title: str) -> list:
    [msg] = await h.say("ann", "calendar ics")
    cal = Calendar.from_ical(msg.view.attachments[0].data)
    return [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == title]


async def assert_called_off(h: Harness, title: str, start: datetime) -> None:
    master, *overrides = sorted(await feed_entries(h, title), key=lambda e: "RECURRENCE-ID" in e)
    assert "RRULE" in master and "EXDATE" not in master
    [off] = overrides
    assert off.decoded("RECURRENCE-ID").astimezone(UTC) == start
    assert str(off["STATUS"]) == "CANCELLED"


async def test_pausing_calls_off_an_announced_brown_bag_and_resuming_keeps_it_off(h):
    await h.say(
        "leader", 'brownbag schedule "Tech talk" --speaker @bob --every "2nd tuesday 12:30"'
    )
    await h.advance(days=1, hours=3)  # a week before 13 January: the session is made
    s = await Session.get()
    await h.click("ann", f"brownbag:rsvp:{s.id}:going")
    out = await h.say("leader", "series pause")
    assert (await Session.get(id=s.id)).status == "cancelled"
    assert any(m.private_to == "ann" and "is cancelled" in m.view.text for m in out), [
        (m.private_to, m.view.text) for m in out
    ]
    await assert_called_off(h, "Tech talk", utc(2026, 1, 13, 11, 30))
    await h.say("leader", "series resume")  # before the 13th: that date stays off
    await h.advance(days=8)
    assert await Session.all().count() == 1
    assert (await Session.get(id=s.id)).status == "cancelled"
    await assert_called_off(h, "Tech talk", utc(2026, 1, 13, 11, 30))
    nxt = await Occurrence.filter(status="planned").exclude(open_job=None).get()
    assert nxt.starts_at == utc(2026, 2, 10, 11, 30)


async def test_ending_calls_off_an_announced_lightning_evening_and_tells_its_speakers(h):
    await h.say("leader", 'lightning open "Lightning night" --every "last friday 18:00" --slots 1')
    await h.advance(days=18, hours=8)  # a week before Friday 30 January: sign-ups open
    ev = await Event.get()
    await h.say("bob", f"lightning signup Rust in 5 minutes --event {ev.id}")
    await h.say("ann", f"lightning signup Pairing --event {ev.id}")  # waiting list
    out = await h.say("leader", "series end")
    assert (await Event.get(id=ev.id)).status == "cancelled"
    told = {m.private_to for m in out if "is cancelled" in m.view.text}
    assert told == {"bob", "ann"}
    card = await h.view(f"lightning:event:{ev.id}")
    assert not card.buttons and "cancelled" in card.footer
    out = await h.say("cid", f"lightning signup Late --event {ev.id}")
    assert out[-1].view.tone == "error"
    await assert_called_off(h, "Lightning night", utc(2026, 1, 30, 17, 0))
    await h.advance(days=8)
    assert (await Event.get(id=ev.id)).status == "cancelled"  # the evening never runs


@pytest.mark.parametrize(
    ("line", "model"),
    [
        ('leancoffee start --every "2nd tuesday 12:30" --title "Coffee"', Coffee),
        ('healthcheck start --every "2nd tuesday 12:30" --closes-in 2d', Round),
    ],
)
async def test_pausing_calls_off_an_announced_lean_coffee_or_health_check(h, line, model):
    await h.say("leader", line)
    await h.advance(days=7, hours=3)  # 12 January 12:00 UTC: announced a day ahead
    o = await Occurrence.get()
    assert o.announced_at is not None
    await h.say("leader", "series pause")
    view = await h.view(f"series:occurrence:{o.id}")
    assert view.title.startswith("Cancelled:") and view.event is not None
    assert view.event.cancelled  # Discord cancels its server event
    await h.say("leader", "series resume")
    await h.advance(days=2)  # past 13 January 12:30: not opened
    assert not await model.exists()
    await assert_called_off(h, (await Series.get()).title, utc(2026, 1, 13, 11, 30))
