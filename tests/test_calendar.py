"""One calendar: every format's events and every series, in chat (``calendar``), as a file
(``calendar ics``) and as a feed served over HTTP (``/c/<community>/calendar.ics``, only when
the leader made it public), parsed back with icalendar: RRULE for series, EXDATE for skipped
dates, overrides for moved ones, stable UIDs, SEQUENCE on changes, STATUS:CANCELLED."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar

from copkit.adapters.calendar_http import add_calendar_routes
from copkit.core.series_models import Series
from copkit.plugins.brownbag.models import Session
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
        await h.say("bob", "help")  # known to copkit, so he can be named as a speaker
        yield h


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def events(cal: Calendar) -> dict[str, list]:
    out: dict[str, list] = {}
    for ev in cal.walk("VEVENT"):
        out.setdefault(str(ev["SUMMARY"]), []).append(ev)
    return out


async def calendar_file(h: Harness, who: str = "ann") -> Calendar:
    [msg] = await h.say(who, "calendar ics")
    [file] = msg.view.attachments
    assert msg.private_to == who and file.mime_type == "text/calendar"
    assert b"\n" not in file.data.replace(b"\r\n", b""), "CRLF line ends only"
    return Calendar.from_ical(file.data)


async def test_brown_bag_series_makes_a_session_a_week_ahead_with_its_own_rsvps(h):
    out = await h.say(
        "leader",
        'brownbag schedule "Tech talk" --speaker @bob --every "2nd tuesday 12:30" --where "Room Ada"',
    )
    assert out[-1].view.title == "Series #1: Tech talk"
    await h.advance(days=1, hours=3)  # 6 Jan 12:00: a week before 13 Jan, the session is made
    s = await Session.get()
    assert s.starts_at == utc(2026, 1, 13, 11, 30) and s.speaker_id == "bob"
    assert s.uid == "series-1-20260113T113000Z@copkit"
    view = await h.view(f"brownbag:session:{s.id}")
    assert view.event is not None and view.event.start == s.starts_at  # a Discord server event
    await h.click("ann", f"brownbag:rsvp:{s.id}:going")
    # Skipping an announced date cancels its session; those going are told.
    await h.say("leader", "series skip 2026-01-13")
    assert (await Session.get(id=s.id)).status == "cancelled"
    assert any("is cancelled" in t for t in h.texts())
    # ... and the next date comes a week ahead of 10 February.
    await h.advance(days=29)
    assert await Session.filter(starts_at=utc(2026, 2, 10, 11, 30)).exists()


async def test_lightning_series_opens_sign_ups_a_week_ahead(h):
    await h.say("leader", 'lightning open "Lightning night" --every "last friday 18:00" --slots 6')
    await h.advance(days=18)  # 23 Jan 09:00 UTC: not yet a week before Friday 30 January
    assert not await Event.exists()
    await h.advance(hours=8)
    ev = await Event.get()
    assert ev.starts_at == utc(2026, 1, 30, 17, 0) and ev.slots == 6
    # In the calendar once: as the series' date, not also as the lightning event.
    cal = await calendar_file(h)
    assert list(events(cal)) == ["Lightning night"]


async def test_feed_has_rrule_exdate_overrides_sequence_and_cancellations(h):
    await h.say("leader", 'leancoffee start --every "2nd tuesday 12:30" --title "Coffee"')
    await h.say("leader", 'brownbag schedule "One-off" --speaker @bob --at "2026-01-20 12:30"')
    one_off = await Session.get()
    cal = await calendar_file(h)
    by_title = events(cal)
    [coffee] = by_title["Coffee"]
    assert str(coffee["RRULE"].to_ical().decode()) == "FREQ=MONTHLY;BYDAY=+2TU"
    assert coffee.decoded("DTSTART") == datetime(2026, 1, 13, 12, 30).replace(
        tzinfo=coffee.decoded("DTSTART").tzinfo
    )
    assert str(coffee["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    uid, seq = str(coffee["UID"]), int(coffee["SEQUENCE"])
    [bag] = by_title["Brown bag: One-off"]
    assert str(bag["UID"]) == one_off.uid and str(bag["STATUS"]) == "CONFIRMED"

    await h.say("leader", "series skip 2026-02-10")
    await h.say("leader", 'series move 2026-03-10 --to "2026-03-11 09:00"')
    await h.say("leader", f"brownbag cancel {one_off.id}")
    by_title = events(await calendar_file(h))
    master, moved = sorted(by_title["Coffee"], key=lambda e: "RECURRENCE-ID" in e)
    assert str(master["UID"]) == uid == str(moved["UID"]), "one UID for the whole series"
    assert int(master["SEQUENCE"]) == seq + 2
    exdates = [d.dt for line in [master["EXDATE"]] for d in line.dts]
    assert [d.astimezone(UTC) for d in exdates] == [utc(2026, 2, 10, 11, 30)]
    assert moved.decoded("RECURRENCE-ID").astimezone(UTC) == utc(2026, 3, 10, 11, 30)
    assert moved.decoded("DTSTART").astimezone(UTC) == utc(2026, 3, 11, 8, 0)
    [bag] = by_title["Brown bag: One-off"]
    assert str(bag["STATUS"]) == "CANCELLED" and int(bag["SEQUENCE"]) == 1

    # An ended series stops: UNTIL.
    await h.say("leader", "series end")
    [master] = [e for e in events(await calendar_file(h))["Coffee"] if "RECURRENCE-ID" not in e]
    assert master["RRULE"]["UNTIL"][0] == h.clock.now().replace(microsecond=0)


async def test_calendar_in_chat_lists_the_next_dates_of_every_format(h):
    await h.say("leader", 'leancoffee start --every "week on friday 12:30"')
    await h.say("leader", 'brownbag schedule "Kubernetes" --speaker @bob --at "2026-01-08 12:30"')
    await h.say("leader", "series skip 2026-01-16")
    [msg] = await h.say("ann", "calendar")
    lines = msg.view.text.splitlines()
    assert lines[0] == "- Thu 8 Jan 2026, 12:30 — Brown bag: Kubernetes · brownbag"
    assert lines[1] == "- Fri 9 Jan 2026, 12:30 — Lean coffee · leancoffee (series #1)"
    assert lines[2] == "- Fri 23 Jan 2026, 12:30 — Lean coffee · leancoffee (series #1)"
    assert "Times in Europe/Paris" in msg.view.footer


async def test_feed_over_http_only_when_public(h):
    await h.say("leader", 'leancoffee start --every "month" --first "2026-01-20 12:30"')
    community_id = (await Series.get()).community_id
    app = web.Application()
    add_calendar_routes(app, h.rt)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}/c/{community_id}/calendar.ics"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as r:
                assert r.status == 404  # off by default
            for who, expect in (("ann", "Only"), ("leader", "public")):
                out = await h.say(who, "calendar public")
                assert expect in out[-1].view.text
            async with http.get(url) as r:
                assert r.status == 200 and r.content_type == "text/calendar"
                body = await r.read()
                etag = r.headers["ETag"]
            [ev] = Calendar.from_ical(body).walk("VEVENT")
            assert str(ev["RRULE"].to_ical().decode()) == "FREQ=MONTHLY"
            h.clock.advance(timedelta(minutes=5))  # DTSTAMP moves; the content does not
            async with http.get(url, headers={"If-None-Match": etag}) as r:
                assert r.status == 304
            for bad in ("999999", "abc", "-1", "1%00"):
                async with http.get(f"http://127.0.0.1:{port}/c/{bad}/calendar.ics") as r:
                    assert r.status == 404
            await h.say("leader", "calendar off")
            async with http.get(url) as r:
                assert r.status == 404
    finally:
        await runner.cleanup()


def dates_in(cal: Calendar, title: str, after: datetime, before: datetime) -> list[datetime]:
    """The dates a calendar app shows of the series ``title`` between two moments: its RRULE
    from DTSTART (UNTIL included), less its EXDATEs, with its overrides (moved dates; cancelled
    ones left out), read back with dateutil as clients do."""
    from dateutil.rrule import rrulestr

    mine = events(cal)[title]
    [master] = [e for e in mine if "RECURRENCE-ID" not in e]
    start = master.decoded("DTSTART")
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=start)
    exdates = master.get("EXDATE", [])
    gone = {
        d.dt.astimezone(UTC)
        for line in (exdates if isinstance(exdates, list) else [exdates])
        for d in line.dts
    }
    overrides = {e.decoded("RECURRENCE-ID").astimezone(UTC): e for e in mine if e is not master}
    out = []
    for when in rule.between(after, before, inc=True):
        when = when.astimezone(UTC)
        if when in gone:
            continue
        if when in overrides:
            if str(overrides[when]["STATUS"]) == "CANCELLED":
                continue
            when = overrides[when].decoded("DTSTART").astimezone(UTC)
        out.append(when)
    return out


async def test_a_paused_or_ended_series_advertises_no_date_ahead(h):
    """Paused: the feed's RRULE stops at the pause (past dates stay); resumed: the dates ahead
    come back, and none of the pause's; ended: nothing ahead again. SEQUENCE grows each time."""
    await h.say("leader", 'leancoffee start --every "2nd tuesday 12:30" --title "Coffee"')
    year = (utc(2026, 1, 1), utc(2027, 12, 31))
    await h.advance(utc(2026, 1, 13, 11, 30) - h.clock.now())  # 13 January happens
    await h.say("leader", "leancoffee end")
    await h.advance(utc(2026, 2, 1) - h.clock.now())
    cal = await calendar_file(h)
    assert len(events(cal)["Coffee"]) == 1  # the session held is the series' date, once
    running = dates_in(cal, "Coffee", *year)
    assert running[:3] == [
        utc(2026, 1, 13, 11, 30),
        utc(2026, 2, 10, 11, 30),
        utc(2026, 3, 10, 11, 30),
    ]
    seq = int(events(cal)["Coffee"][0]["SEQUENCE"])

    await h.say("leader", "series pause")
    cal = await calendar_file(h)
    assert dates_in(cal, "Coffee", *year) == [utc(2026, 1, 13, 11, 30)]  # the past only
    # The feed a calendar app subscribes to says the same.
    await h.say("leader", "calendar public")
    app = web.Application()
    add_calendar_routes(app, h.rt)
    async with TestClient(TestServer(app)) as client:
        r = await client.get(f"/c/{(await Series.get()).community_id}/calendar.ics")
        assert r.status == 200
        feed = Calendar.from_ical(await r.read())
    assert dates_in(feed, "Coffee", *year) == [utc(2026, 1, 13, 11, 30)]
    assert int(events(cal)["Coffee"][0]["SEQUENCE"]) > seq

    await h.advance(utc(2026, 3, 20) - h.clock.now())  # 10 February and 10 March: paused
    await h.say("leader", "series resume")
    cal = await calendar_file(h)
    resumed = dates_in(cal, "Coffee", *year)
    assert resumed[:3] == [
        utc(2026, 1, 13, 11, 30),
        utc(2026, 4, 14, 10, 30),
        utc(2026, 5, 12, 10, 30),
    ]
    assert len(resumed) > 10  # every month of 2026 and 2027 ahead
    assert int(events(cal)["Coffee"][0]["SEQUENCE"]) > seq + 1

    await h.say("leader", "series end")
    assert dates_in(await calendar_file(h), "Coffee", *year) == [utc(2026, 1, 13, 11, 30)]


async def test_a_series_paused_before_its_first_date_shows_none(h):
    await h.say("leader", 'leancoffee start --every "week on friday 12:30" --title "Weekly"')
    await h.say("leader", "series pause")
    cal = await calendar_file(h)
    assert dates_in(cal, "Weekly", utc(2026, 1, 1), utc(2027, 1, 1)) == []
    await h.say("leader", "series resume")
    ahead = dates_in(await calendar_file(h), "Weekly", utc(2026, 1, 1), utc(2026, 2, 1))
    assert ahead == [utc(2026, 1, d, 11, 30) for d in (9, 16, 23, 30)]
