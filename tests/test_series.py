"""Series through the core: ``--every`` on a format's command, each date announced, reminded
and opened at its local time (across a daylight-saving change), skip, move, pause, resume and
end, and bad input answered shortly. Runs on SQLite, and on PostgreSQL when
``COPKIT_TEST_POSTGRES_URL`` is set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from copkit.core.models import Job
from copkit.core.recurrence import parse_every
from copkit.core.series_models import Occurrence, Series
from copkit.plugins.healthcheck.models import Round
from copkit.plugins.leancoffee.models import Session as Coffee
from copkit.testing import Harness

PLUGINS = [
    "copkit.plugins.core_commands",
    "copkit.plugins.series",
    "copkit.plugins.leancoffee",
    "copkit.plugins.healthcheck",
    "copkit.plugins.brownbag",
    "copkit.plugins.lightningtalks",
]
PARIS = "Europe/Paris"
# Europe/Paris leaves winter time on Sunday 2026-03-29 (UTC+1 → UTC+2) and goes back on
# Sunday 2026-10-25. The fake clock starts on Monday 2026-01-05 09:00 UTC.


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", f"timezone {PARIS}")
        yield h


async def until(h: Harness, when: datetime) -> int:
    """Move the fake clock to ``when`` and run what fell due."""
    return await h.advance(when - h.clock.now())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Reading --every ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule", "at"),
    [
        ("2nd tuesday 12:30", "FREQ=MONTHLY;BYDAY=+2TU", "12:30"),
        ("every last Friday of the month at 16:00", "FREQ=MONTHLY;BYDAY=-1FR", "16:00"),
        ("week on friday", "FREQ=WEEKLY;BYDAY=FR", None),
        ("2 weeks on monday 9:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "09:00"),
        ("month", "FREQ=MONTHLY", None),
        ("3 months", "FREQ=MONTHLY;INTERVAL=3", None),
        ("weekdays 8h45", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "08:45"),
        ("tuesdays 12:30", "FREQ=WEEKLY;BYDAY=TU", "12:30"),
    ],
)
def test_every_reads_as_an_rrule(text, rule, at):
    r = parse_every(text)
    assert r.rrule == rule
    assert (r.at.strftime("%H:%M") if r.at else None) == at


# Opening at the wall-clock time, across daylight saving --------------------------------------


async def test_lean_coffee_series_opens_at_12_30_paris_time_across_the_clock_change(h):
    out = await h.say(
        "leader",
        'leancoffee start --every "week on friday 12:30" --first "2026-03-20 12:30" '
        "--votes 3 --timebox 7m --title Fridays",
    )
    assert out[-1].view.title == "Series #1: Fridays"
    assert "First: Fri 20 Mar 2026, 12:30." in out[-1].view.text
    s = await Series.get()
    assert (s.rule, s.tz, s.format) == ("FREQ=WEEKLY;BYDAY=FR", PARIS, "leancoffee")

    # 12:30 in Paris is 11:30 UTC in winter (20 and 27 March) and 10:30 UTC in summer (3 April).
    for opens in (utc(2026, 3, 20, 11, 30), utc(2026, 3, 27, 11, 30), utc(2026, 4, 3, 10, 30)):
        await until(h, opens - timedelta(minutes=1))
        assert not await Coffee.filter(ended_at=None).exists(), f"opened before {opens}"
        await until(h, opens)
        coffee = await Coffee.get(ended_at=None)
        assert coffee.started_at == opens and coffee.room_id == "general"
        # ... with the series' options
        assert (coffee.votes, coffee.timebox, coffee.title) == (3, 420, "Fridays")
        await h.say("leader", "leancoffee end")
    assert await Coffee.all().count() == 3
    # Announced a day ahead and reminded 15 minutes before, once per date, in the room.
    texts = h.texts()
    assert sum("Coming up: Fridays" in t for t in texts) == 3
    assert sum("Starting soon: Fridays" in t for t in texts) == 3
    assert any("Fri 3 Apr 2026, 12:30 (Europe/Paris)" in t for t in texts)


async def test_health_check_every_three_months_opens_itself_after_a_restart(h):
    out = await h.say(
        "leader", 'healthcheck start --every "3 months" --first "2026-02-02 09:00" --closes-in 2d'
    )
    assert out[-1].view.title.startswith("Series #1")
    await h.restart()  # the dates are rows and jobs in the database
    await until(h, utc(2026, 2, 2, 8, 0))  # 09:00 in Paris (winter)
    r = await Round.get()
    assert r.opened_at == utc(2026, 2, 2, 8, 0) and r.closes_at == utc(2026, 2, 4, 8, 0)
    await until(h, utc(2026, 2, 5))
    # The next date is planned: 2 May 09:00 in Paris is 07:00 UTC (summer time).
    nxt = await Occurrence.filter(status="planned").first()
    assert nxt is not None and nxt.starts_at == utc(2026, 5, 2, 7, 0)
    await until(h, utc(2026, 5, 2, 7, 0))
    assert await Round.filter().count() == 2


# Changing one date, the whole series ----------------------------------------------------------


async def test_skip_move_pause_resume_end(h):
    await h.say("leader", 'leancoffee start --every "2nd tuesday 12:30"')
    listed = (await h.say("ann", "series list"))[-1].view.text
    assert listed == (
        "- **#1** Lean coffee (leancoffee) — every “2nd tuesday 12:30” · "
        "next: Tue 13 Jan 2026, 12:30 · running"
    )
    shown = (await h.say("ann", "series show"))[-1].view.text
    assert "- Tue 13 Jan 2026, 12:30" in shown and "- Tue 10 Feb 2026, 12:30" in shown

    # A holiday: 13 January is skipped, the series goes on with 10 February.
    out = await h.say("leader", "series skip 2026-01-13")
    assert out[-1].view.text == "Skipped: Lean coffee on 2026-01-13."
    shown = (await h.say("ann", "series show 1"))[-1].view.text
    assert "~~Tue 13 Jan 2026, 12:30~~ skipped" in shown
    await until(h, utc(2026, 1, 14))
    assert not await Coffee.exists()
    # One date moved: 10 February happens on the 11th at 13:00 instead.
    await h.say("leader", 'series move 2026-02-10 --to "2026-02-11 13:00"')
    await until(h, utc(2026, 2, 10, 12))
    assert not await Coffee.exists()
    await until(h, utc(2026, 2, 11, 12, 0))
    assert (await Coffee.get()).started_at == utc(2026, 2, 11, 12, 0)
    await h.say("leader", "leancoffee end")

    # Paused: March does not happen; resumed: April does.
    await h.say("leader", "series pause")
    await until(h, utc(2026, 3, 11))
    assert await Coffee.all().count() == 1
    await h.say("leader", "series resume")
    await until(h, utc(2026, 4, 14, 10, 30))
    assert await Coffee.all().count() == 2
    await h.say("leader", "leancoffee end")
    out = await h.say("leader", "series end 1")
    assert out[-1].view.text == "Series #1 (Lean coffee) has ended."
    await until(h, utc(2026, 6, 1))
    assert await Coffee.all().count() == 2
    assert not await Job.filter(handler="series.step", done_at=None).exists()


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        ('leancoffee start --every "someday"', "I can't read “someday” as a repeat"),
        ('leancoffee start --every "13:99 week"', "I can't read"),
        ('leancoffee start --every "week on funday"', "I can't read"),
        ('leancoffee start --every "month" --votes 0', "Votes must be between 1 and 10."),
        ('leancoffee start --every "month" --first "yesterday"', "I can't read"),
        ("series skip 2026-12-22", "2026-12-22 is not a date of any series here."),
        ("series pause", "There is no series here"),
        ("series show 7", "There is no series #7 here."),
    ],
)
async def test_bad_input_gets_a_short_answer(h, line, answer):
    out = await h.say("leader", line)
    assert answer in out[-1].view.text, out[-1].view.text
    assert out[-1].view.tone == "error"
    assert not await Series.exists()


async def test_bad_dates_of_a_series_change_nothing(h):
    await h.say("leader", 'leancoffee start --every "2nd tuesday 12:30"')
    for line, answer in [
        ("series skip 2026-12-22", "2026-12-22 is not a date of any series here."),
        ("series skip 2026-12-22 --series 1", "2026-12-22 is not a date of series #1."),
        ("series skip 22/12/2026", "I can't read “22/12/2026” as a date."),
        ("series skip 2026-13-45", "I can't read “2026-13-45” as a date."),
        ('series move 2026-01-13 --to "2025-01-01 10:00"', "is in the past"),
        ("series resume", "Series #1 is not paused."),
    ]:
        out = await h.say("leader", line)
        assert answer in out[-1].view.text, (line, out[-1].view.text)
    out = await h.say("ann", "series skip 2026-01-13")
    assert "core team" in out[-1].view.text.lower() or "only" in out[-1].view.text.lower()
    assert not await Occurrence.filter(status="skipped").exists()
    await h.say("leader", "series skip 2026-01-13")
    out = await h.say("leader", "series skip 2026-01-13")
    assert "already skipped" in out[-1].view.text


async def test_two_series_on_one_day_need_a_number(h):
    await h.say("leader", 'leancoffee start --every "2nd tuesday 12:30"')
    await h.say("leader", 'healthcheck start --every "2nd tuesday 9:00"')
    out = await h.say("leader", "series skip 2026-02-10")
    assert "--series 1, --series 2" in out[-1].view.text
    await h.say("leader", "series skip 2026-02-10 --series 2")
    assert await Occurrence.filter(status="skipped").count() == 1
