"""Brown bags through the core: backlog, schedule, RSVP, reminders, calendar, feedback, record."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from copkit.core.models import Job
from copkit.core.timezones import parse_when, zone
from copkit.plugins.brownbag.models import Feedback, Rsvp, Session, Talk, Upvote
from copkit.plugins.brownbag.sessions import community_feed
from copkit.testing import Harness

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.brownbag"]
# The fake clock starts on Monday 2026-01-05 09:00 UTC (10:00 in Paris).
PARIS = "Europe/Paris"


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", f"timezone {PARIS}")
        for who in ("bob", "ann", "cid", "dee"):
            await h.say(who, "help brownbag")
        yield h


def private(h: Harness, person: str, since: int = 0) -> list[str]:
    """Texts only ``person`` saw, from log position ``since``."""
    return [
        f"{m.view.title} {m.view.text}".strip()
        for m in h.messenger.log[since:]
        if m.private_to == person
    ]


def ics_of(view) -> Calendar:
    """The calendar in an .ics answer (shown as a code block), parsed back."""
    body = view.text.strip().removeprefix("```").removesuffix("```").strip()
    return Calendar.from_ical(body.replace("\n", "\r\n"))


def event_of(cal: Calendar):
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 1
    return events[0]


async def schedule(h: Harness, at: str = "2026-01-08 12:30", **opts: str) -> Session:
    extra = " ".join(f'--{k} "{v}"' for k, v in opts.items())
    await h.say(
        "leader", f'brownbag schedule "Property testing" --speaker @bob --at "{at}" {extra}'
    )
    return await Session.filter().order_by("-id").first()


# Backlog ---------------------------------------------------------------------------------------


async def test_backlog_shows_demand_next_to_speakers(h):
    await h.say("bob", 'brownbag propose "Property testing" --speaker me')
    await h.say("ann", "brownbag propose Kubernetes for developers")
    await h.say("ann", "brownbag propose Writing ADRs --speaker @cid")
    for who in ("ann", "cid", "dee"):
        await h.say(who, "brownbag upvote 2")
    await h.say("dee", "brownbag upvote #3")
    [answer] = await h.say("ann", "brownbag upvote 2")
    assert answer.private_to == "ann" and "already upvoted #2" in answer.view.text
    await h.click("dee", "brownbag:volunteer", {"selected": ["2"]})

    [msg] = await h.say("leader", "brownbag backlog")
    lines = msg.view.text.splitlines()
    # Most wanted first, each with its votes and who could give it.
    assert lines[0] == "- **#2** Kubernetes for developers — 3 votes · could give it: dee"
    assert lines[1] == "- **#3** Writing ADRs — 1 vote · could give it: cid"
    assert lines[2] == "- **#1** Property testing — 0 votes · could give it: bob"
    assert [c.action_id for c in msg.view.choices] == ["brownbag:upvote", "brownbag:volunteer"]
    assert await Upvote.filter(talk_id=2).count() == 3


async def test_concurrent_upvotes_count_once_per_person(h):
    await h.say("ann", "brownbag propose Observability")
    await asyncio.gather(
        *[h.click(who, "brownbag:upvote", {"selected": ["1"]}) for who in ["bob"] * 5 + ["cid"] * 5]
    )
    assert await Upvote.filter(talk_id=1).count() == 2


async def test_backlog_bad_input_changes_nothing(h):
    await h.say("ann", "brownbag propose Observability")
    for line, expected in [
        ("brownbag upvote 9", "There is no talk #9"),
        ("brownbag upvote nine", "not a talk number"),
        ("brownbag propose", "Give the talk a title"),
        ("brownbag propose " + "x" * 201, "at most 200 characters"),
        ("brownbag propose Chaos --speaker @nobody", "I don't know nobody yet"),
        ("brownbag drop 1", "Only"),
    ]:
        [answer] = await h.say("ann", line)
        assert expected in answer.view.text, line
    assert await Talk.all().count() == 1
    await h.say("leader", "brownbag drop 1")
    [msg] = await h.say("ann", "brownbag backlog")
    assert "Nothing proposed yet" in msg.view.text


# Scheduling and RSVPs -------------------------------------------------------------------------


async def test_schedule_reads_times_in_the_community_time_zone(h):
    s = await schedule(h, where="Room 4", duration="1h")
    assert s.starts_at == datetime(2026, 1, 8, 11, 30, tzinfo=UTC)  # 12:30 in Paris
    assert s.minutes == 60 and s.where == "Room 4" and s.speaker_id == "bob"
    view = await h.view(f"brownbag:session:{s.id}")
    assert view.title == "Brown bag #1: Property testing"
    assert "**When:** Thu 8 Jan 2026, 12:30–13:30 (Europe/Paris)" in view.text
    assert "You're speaking at a brown bag" in private(h, "bob")[-1]
    # The platform-neutral scheduled-event intent an adapter may honour.
    assert view.event is not None
    assert view.event.uid == s.uid and not view.event.cancelled
    assert view.event.start == s.starts_at
    assert view.event.end == s.starts_at + timedelta(hours=1)
    assert view.event.location == "Room 4"
    # Another zone, named in the time or with --tz.
    await h.say(
        "leader", 'brownbag schedule Later --speaker bob --at "2026-02-02 12:30 America/New_York"'
    )
    await h.say(
        "leader", 'brownbag schedule Third --speaker bob --at "2026-02-03 09:00" --tz Asia/Tokyo'
    )
    later, third = await Session.filter(id__in=[2, 3]).order_by("id")
    assert later.starts_at == datetime(2026, 2, 2, 17, 30, tzinfo=UTC)
    assert third.starts_at == datetime(2026, 2, 3, 0, 0, tzinfo=UTC)


async def test_rsvp_counts_are_visible_and_one_per_person(h):
    s = await schedule(h)
    await h.click("ann", f"brownbag:rsvp:{s.id}:going")
    await h.click("cid", f"brownbag:rsvp:{s.id}:going")
    await h.say("dee", f"brownbag rsvp {s.id} maybe")
    await h.say("cid", f"brownbag rsvp {s.id} no")  # changed their mind
    await asyncio.gather(*[h.click("dee", f"brownbag:rsvp:{s.id}:going") for _ in range(5)])
    view = await h.view(f"brownbag:session:{s.id}")
    assert [(f.name, f.value) for f in view.fields] == [
        ("Going", "2"),
        ("Maybe", "0"),
        ("Not going", "1"),
    ]
    assert [b.label for b in view.buttons][:3] == ["Going (2)", "Maybe (0)", "Not going (1)"]
    assert await Rsvp.filter(session_id=s.id).count() == 3
    [answer] = await h.say("ann", f"brownbag rsvp {s.id} whenever")
    assert "answer must be one of: going, maybe, no" in answer.view.text
    [msg] = await h.say("ann", "brownbag list")
    assert "Property testing — bob, Thu 8 Jan 2026, 12:30–13:15 (Europe/Paris) · 2 going" in (
        msg.view.text
    )


async def test_reminders_reach_speaker_and_those_going_and_survive_restarts(h):
    s = await schedule(h)  # 2026-01-08 11:30 UTC
    await h.click("ann", f"brownbag:rsvp:{s.id}:going")
    await h.click("cid", f"brownbag:rsvp:{s.id}:maybe")
    await h.click("dee", f"brownbag:rsvp:{s.id}:no")
    mark = len(h.messenger.log)
    await h.restart()
    await h.advance(datetime(2026, 1, 7, 11, 29, tzinfo=UTC) - h.clock.now())
    assert private(h, "bob", mark) == [] and private(h, "ann", mark) == []
    await h.advance(minutes=2)  # 24 h before
    assert private(h, "bob", mark) == [
        "Brown bag reminder You are speaking tomorrow: “Property testing”.\n"
        "Thu 8 Jan 2026, 12:30–13:15 (Europe/Paris)"
    ]
    assert len(private(h, "ann", mark)) == 1 and "starts tomorrow" in private(h, "ann", mark)[0]
    assert private(h, "cid", mark) == [] and private(h, "dee", mark) == []
    await h.restart()
    await h.advance(datetime(2026, 1, 8, 11, 15, tzinfo=UTC) - h.clock.now())  # 15 min before
    assert "You are speaking in 15 minutes" in private(h, "bob", mark)[-1]
    assert "starts in 15 minutes" in private(h, "ann", mark)[-1]
    assert len(private(h, "ann", mark)) == 2  # each reminder once, restarts or not
    await h.restart()
    assert len(private(h, "ann", mark)) == 2


async def test_reminders_follow_a_reschedule_and_stop_on_cancel(h):
    s = await schedule(h)
    await h.click("ann", f"brownbag:rsvp:{s.id}:going")
    await h.say("leader", f'brownbag reschedule {s.id} --at "2026-01-12 12:30"')
    mark = len(h.messenger.log)
    await h.advance(days=3)  # past the old reminders: nothing fires
    assert private(h, "ann", mark) == []
    await h.advance(datetime(2026, 1, 11, 11, 31, tzinfo=UTC) - h.clock.now())
    assert len(private(h, "ann", mark)) == 1
    await h.say("leader", f"brownbag cancel {s.id}")
    mark = len(h.messenger.log)
    await h.advance(days=2)
    assert private(h, "ann", mark) == [] and private(h, "bob", mark) == []
    assert await Job.filter(done_at=None).count() == 0


async def test_a_backlog_talk_is_scheduled_once_even_when_two_leaders_try_at_once(h):
    await h.say("leader", "roles core add @ann")
    await h.say("bob", "brownbag propose Property testing --speaker me")
    line = 'brownbag schedule --talk 1 --speaker me --at "2026-01-08 12:30"'
    answers = await asyncio.gather(h.say("leader", line), h.say("ann", line))
    assert await Session.all().count() == 1
    s = await Session.get(id=1)
    assert s.speaker_id in ("leader", "ann") and s.talk_id == 1
    refused = {m.id: m for m in answers[0] + answers[1] if "already scheduled" in m.view.text}
    assert len(refused) == 1
    assert await Job.filter(done_at=None).count() == 3  # two reminders and the end, once


# Calendar --------------------------------------------------------------------------------------


async def test_ics_keeps_its_uid_and_raises_sequence_on_every_change(h):
    s = await schedule(h, where="https://meet.example/bb")
    [msg] = await h.say("ann", f"brownbag ics {s.id}")
    assert msg.private_to == "ann"
    ev = event_of(ics_of(msg.view))
    assert str(ev["UID"]) == s.uid
    assert ev["SEQUENCE"] == 0 and str(ev["STATUS"]) == "CONFIRMED"
    assert ev.decoded("DTSTART") == datetime(2026, 1, 8, 11, 30, tzinfo=UTC)
    assert ev.decoded("DTEND") == datetime(2026, 1, 8, 12, 15, tzinfo=UTC)
    assert str(ev["SUMMARY"]) == "Brown bag: Property testing"
    assert str(ev["LOCATION"]) == "https://meet.example/bb"

    await h.say("leader", f'brownbag reschedule {s.id} --at "2026-01-09 13:00" --duration 30')
    [msg] = await h.click("ann", f"brownbag:ics:{s.id}")
    ev = event_of(ics_of(msg.view))
    assert str(ev["UID"]) == s.uid and ev["SEQUENCE"] == 1
    assert ev.decoded("DTSTART") == datetime(2026, 1, 9, 12, 0, tzinfo=UTC)
    assert ev.decoded("DTEND") == datetime(2026, 1, 9, 12, 30, tzinfo=UTC)

    await h.say("leader", f"brownbag speaker {s.id} @cid")
    ev = event_of(ics_of((await h.say("ann", f"brownbag ics {s.id}"))[0].view))
    assert ev["SEQUENCE"] == 2 and "cid" in str(ev["DESCRIPTION"])

    await h.say("leader", f"brownbag cancel {s.id}")
    ev = event_of(ics_of((await h.say("ann", f"brownbag ics {s.id}"))[0].view))
    assert str(ev["UID"]) == s.uid and ev["SEQUENCE"] == 3
    assert str(ev["STATUS"]) == "CANCELLED"
    view = await h.view(f"brownbag:session:{s.id}")
    assert view.event is not None and view.event.cancelled


async def test_community_feed_holds_every_session(h):
    a = await schedule(h)
    b = await schedule(h, at="2026-01-15 12:30")
    await h.say("leader", f"brownbag cancel {b.id}")
    community = await h._community()
    cal = Calendar.from_ical(await community_feed(community.id, h.clock.now()))
    assert str(cal["X-WR-CALNAME"]) == "Cop: brown bags"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {a.uid, b.uid}
    assert str(events[b.uid]["STATUS"]) == "CANCELLED" and events[b.uid]["SEQUENCE"] == 1


# Changes -------------------------------------------------------------------------------------


async def test_reschedule_cancel_and_speaker_change_tell_the_people_concerned(h):
    await h.say("bob", "brownbag propose Property testing --speaker me")
    await h.say("leader", 'brownbag schedule --talk 1 --speaker @bob --at "2026-01-08 12:30"')
    s = await Session.get(id=1)
    assert s.title == "Property testing" and (await Talk.get(id=1)).status == "scheduled"
    await h.click("ann", "brownbag:rsvp:1:going")
    await h.click("cid", "brownbag:rsvp:1:maybe")
    await h.click("dee", "brownbag:rsvp:1:no")

    mark = len(h.messenger.log)
    await h.say("leader", 'brownbag reschedule 1 --at "2026-01-09 12:30" --where "Room 7"')
    for who in ("ann", "cid", "bob"):
        assert private(h, who, mark) == [
            "Brown bag moved “Property testing” by bob is now Fri 9 Jan 2026, "
            "12:30–13:15 (Europe/Paris)."
        ], who
    assert private(h, "dee", mark) == []
    assert (await Session.get(id=1)).where == "Room 7"

    mark = len(h.messenger.log)
    await h.say("leader", "brownbag speaker 1 @cid")
    assert "You're speaking at a brown bag" in private(h, "cid", mark)[0]
    assert "cid now gives “Property testing”" in private(h, "bob", mark)[0]
    view = await h.view("brownbag:session:1")
    assert "**Speaker:** cid" in view.text

    mark = len(h.messenger.log)
    await h.say("leader", "brownbag cancel 1")
    for who in ("ann", "cid"):
        assert private(h, who, mark) == [
            "Brown bag cancelled “Property testing” by cid, Fri 9 Jan 2026, 12:30–13:15 "
            "(Europe/Paris), is cancelled."
        ], who
    assert private(h, "dee", mark) == []
    assert "2 people were told" in private(h, "leader", mark)[-1]
    view = await h.view("brownbag:session:1")
    assert view.title.startswith("Cancelled:") and view.tone == "warning"
    assert (await Talk.get(id=1)).status == "open"  # back in the backlog
    [answer] = await h.click("ann", "brownbag:rsvp:1:going")
    assert "not open for RSVPs" in answer.view.text


async def test_bad_input_gets_a_clear_answer_and_changes_nothing(h):
    s = await schedule(h)
    jobs = await Job.all().count()
    for who, line, expected in [
        ("leader", 'brownbag reschedule 1 --at "2026-01-04 12:30"', "is in the past"),
        ("leader", 'brownbag reschedule 1 --at "next tuesday-ish"', "I can't read"),
        ("leader", 'brownbag reschedule 1 --at "2026-13-40 12:30"', "I can't read"),
        ("leader", 'brownbag reschedule 1 --at "2026-02-01"', "Please give a time as well"),
        ("leader", 'brownbag reschedule 1 --at "2026-03-29 02:30"', "does not exist in Europe"),
        ("leader", 'brownbag reschedule 1 --at "2026-02-01 12:00" --tz Mars/Olympus', "not a time"),
        ("leader", 'brownbag reschedule 1 --at "2026-02-01 12:00 Mars/Base"', "not a time zone"),
        ("leader", 'brownbag reschedule 1 --at "2026-02-01 12:00" --duration 2m', "between 5"),
        ("leader", 'brownbag reschedule 1 --at "2026-02-01 12:00" --duration soon', "duration"),
        ("leader", 'brownbag reschedule 7 --at "2026-02-01 12:00"', "There is no brown bag #7"),
        ("leader", "brownbag reschedule 1", "at is missing"),
        ("ann", 'brownbag reschedule 1 --at "2026-02-01 12:00"', "Only"),
        ("ann", "brownbag cancel 1", "Only"),
        ("ann", "brownbag speaker 1 @ann", "Only"),
        ("leader", "brownbag speaker 1 @bob", "already the speaker"),
        ("leader", "brownbag speaker 1 @zed", "I don't know zed"),
        ("leader", 'brownbag schedule Talk --speaker @bob --at "yesterday"', "I can't read"),
        ("leader", 'brownbag schedule Talk --speaker @bob --at "in a while"', "not a duration"),
        ("leader", 'brownbag schedule --speaker @bob --at "2026-02-01 12:00"', "title"),
        ("ann", "brownbag done 1", "Only"),
        ("bob", "brownbag done 1", "has not started yet"),
        ("ann", "brownbag feedback 1 5", "Feedback opens when"),
        ("bob", "brownbag links 1 --slides ftp://x", "is not a web link"),
        ("bob", "brownbag links 1", "Give --recording or --slides"),
        ("ann", "brownbag links 1 --slides https://x.example", "Only"),
    ]:
        answers = await h.say(who, line)
        assert len(answers) == 1 and answers[0].private_to == who, line
        assert expected in answers[0].view.text, (line, answers[0].view.text)
        assert "Traceback" not in answers[0].view.text
    after = await Session.get(id=s.id)
    assert (after.starts_at, after.sequence, after.minutes, after.speaker_id, after.status) == (
        s.starts_at,
        0,
        45,
        "bob",
        "scheduled",
    )
    assert after.slides_url == "" and await Session.all().count() == 1
    assert await Job.all().count() == jobs


# After ---------------------------------------------------------------------------------------


async def test_done_asks_for_feedback_and_the_record_sums_it_up(h):
    s = await schedule(h)
    for who in ("ann", "cid", "dee"):
        await h.click(who, f"brownbag:rsvp:{s.id}:going")
    mark = len(h.messenger.log)
    await h.restart()
    await h.advance(datetime(2026, 1, 8, 12, 15, tzinfo=UTC) - h.clock.now())  # the end
    prompt = [m for m in h.messenger.log[mark:] if m.private_to == "ann" and m.view.buttons]
    assert prompt and prompt[0].view.title == "How was “Property testing”?"
    buttons = prompt[0].view.buttons
    assert [b.label for b in buttons] == ["1", "2", "3", "4", "5"]
    assert buttons[4].form is not None and buttons[4].form.inputs[0].label == "One thing I'll apply"
    assert not [m for m in h.messenger.log[mark:] if m.private_to == "bob" and m.view.buttons]

    await h.click("ann", buttons[4].form.action_id, {"apply": "One property per bug fix"})
    await h.click("cid", f"brownbag:feedback:{s.id}:3", {"apply": ""})
    await h.say("dee", f"brownbag feedback {s.id} 4 shrink my failing examples")
    [again] = await h.say("dee", f"brownbag feedback {s.id} 5 shrink my failing examples")
    assert "updated" in again.view.text
    [bad] = await h.say("dee", f"brownbag feedback {s.id} 6")
    assert "from 1 to 5" in bad.view.text
    [own] = await h.say("bob", f"brownbag feedback {s.id} 5")
    assert "Speakers don't rate" in own.view.text
    assert await Feedback.filter(session_id=s.id).count() == 3

    await h.say("bob", f"brownbag links {s.id} --recording https://video.example/bb1")
    await h.say("leader", f"brownbag links {s.id} --slides https://slides.example/bb1")
    await h.say("leader", f"brownbag done {s.id} --attendance 12")  # corrects the head count

    [msg] = await h.say("ann", f"brownbag record {s.id}")
    fields = {f.name: f.value for f in msg.view.fields}
    assert msg.view.title == "Record of brown bag #1: Property testing"
    assert fields["Speaker"] == "bob"
    assert fields["Date"] == "Thu 8 Jan 2026, 12:30 (Europe/Paris)"
    assert fields["Attendance"] == "12"
    assert fields["Average rating"] == "4.3/5 (3 ratings)"  # (5 + 3 + 5) / 3
    assert fields["Recording"] == "https://video.example/bb1"
    assert fields["Slides"] == "https://slides.example/bb1"
    assert fields["What people will apply"] == (
        "- One property per bug fix\n- shrink my failing examples"
    )
    view = await h.view(f"brownbag:session:{s.id}")
    assert view.title.startswith("Done:") and "**Slides:** https://slides.example/bb1" in view.text

    [past] = await h.say("ann", "brownbag record")
    assert "Property testing — bob, Thu 8 Jan 2026, 12:30 · 12 attended · 4.3/5" in past.view.text


async def test_speaker_can_close_early_and_attendance_defaults_to_those_going(h):
    s = await schedule(h)
    await h.click("ann", f"brownbag:rsvp:{s.id}:going")
    await h.click("bob", f"brownbag:rsvp:{s.id}:going")  # the speaker is not counted
    await h.advance(datetime(2026, 1, 8, 11, 40, tzinfo=UTC) - h.clock.now())
    await h.say("bob", f"brownbag done {s.id}")
    assert (await Session.get(id=s.id)).attendance == 1
    [again] = await h.say("bob", f"brownbag done {s.id}")
    assert "already done" in again.view.text
    await h.advance(hours=1)  # the end timer finds it done and does nothing
    assert await Job.filter(done_at=None).count() == 0
    prompts = [m for m in h.messenger.log if m.private_to == "ann" and m.view.buttons]
    assert len(prompts) == 1


# Reading times -------------------------------------------------------------------------------


def test_parse_when_forms():
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    paris = zone(PARIS)
    expected = datetime(2026, 1, 8, 11, 30, tzinfo=UTC)
    for text in (
        "2026-01-08 12:30",
        "2026-01-08T12:30",
        " 2026-01-08   12:30 ",
        "2026-01-08 12:30 Europe/Paris",
        "2026-01-08 06:30 America/New_York",
        "2026-01-08 12:30+01:00",
        "2026-01-08T11:30Z",
    ):
        assert parse_when(text, paris, now) == expected, text
    assert parse_when("tomorrow 12:30", paris, now) == datetime(2026, 1, 6, 11, 30, tzinfo=UTC)
    assert parse_when("today 23:00", paris, now) == datetime(2026, 1, 5, 22, 0, tzinfo=UTC)
    assert parse_when("in 2h", paris, now) == datetime(2026, 1, 5, 11, 0, tzinfo=UTC)
    assert parse_when("in 1d 30m", paris, now) == datetime(2026, 1, 6, 9, 30, tzinfo=UTC)
    # Summer time in Paris.
    assert parse_when("2026-07-01 12:30", paris, now) == datetime(2026, 7, 1, 10, 30, tzinfo=UTC)


async def test_rsvp_takes_the_words_people_use_in_every_language(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", 'brownbag schedule Testing --at "2026-01-09 12:30" --speaker leader')
        s = await Session.get()
        for said, answer in (
            ("yes", "going"),
            ("No", "no"),
            ("Going", "going"),
            ("peut-être", "maybe"),
            ("nicht dabei", "no"),
            ("oui", "going"),
            ("vielleicht", "maybe"),
            ("not going", "no"),
        ):
            await h.say("ann", f"brownbag rsvp {s.id} {said}")
            assert (await Rsvp.get(session_id=s.id, member_id="ann")).answer == answer, said
        await h.say("leader", "language de")
        await h.say("ann", f"brownbag rsvp {s.id} Ja")
        assert (await Rsvp.get(session_id=s.id, member_id="ann")).answer == "going"


async def test_the_reminder_promise_names_only_reminders_still_to_come(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        # the clock starts on Monday 09:00: a brown bag at 11:00 gets no reminder the day before
        await h.say("leader", 'brownbag schedule Soon --at "2026-01-05 11:00" --speaker leader')
        await h.say("leader", 'brownbag schedule Later --at "2026-01-07 12:30" --speaker leader')
        soon, later = await Session.all().order_by("id")
        [answer] = [m for m in await h.say("ann", f"brownbag rsvp {soon.id} going") if m.private_to]
        assert "I'll remind you 15 min before." in answer.view.text
        assert "24 h" not in answer.view.text
        assert "24 h" not in (await h.view(f"brownbag:session:{soon.id}")).footer
        [answer] = [
            m for m in await h.say("ann", f"brownbag rsvp {later.id} going") if m.private_to
        ]
        assert "I'll remind you 24 h and 15 min before." in answer.view.text
        # once the day-before reminder went out, newcomers are promised only the last one
        await h.advance(hours=28)
        [answer] = [
            m for m in await h.say("bob", f"brownbag rsvp {later.id} going") if m.private_to
        ]
        assert "I'll remind you 15 min before." in answer.view.text
        assert "24 h" not in (await h.view(f"brownbag:session:{later.id}")).footer
