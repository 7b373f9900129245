"""Issue 17 item 2: dates and times as people type them, in the community's language, with
clock changes handled (property-based where a rule holds for every input)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copkit.core.datewords import WORDS
from copkit.core.errors import UserError
from copkit.core.i18n import use_locale
from copkit.core.parsing import parse_duration
from copkit.core.timezones import parse_day, parse_when
from copkit.testing import Harness

PARIS = ZoneInfo("Europe/Paris")
ZONES = [PARIS, ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney"), ZoneInfo("UTC")]
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris
nows = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


def local(dt: datetime, tz: ZoneInfo = PARIS) -> datetime:
    return dt.astimezone(tz)


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        ("en", "next friday 12:30", "2026-01-09 12:30"),
        ("en", "friday 12:30", "2026-01-09 12:30"),
        ("en", "12:30", "2026-01-05 12:30"),  # still ahead today
        ("en", "9:30", "2026-01-06 09:30"),  # passed: tomorrow
        ("en", "noon", "2026-01-05 12:00"),
        ("en", "tomorrow 12:30", "2026-01-06 12:30"),
        ("en", "Jan 9 12:30", "2026-01-09 12:30"),
        ("en", "9 January 12:30", "2026-01-09 12:30"),
        ("en", "9.1.2026 12:30", "2026-01-09 12:30"),
        ("en", "12/05 12:30", "2026-12-05 12:30"),  # month first in English
        ("fr", "12/05 12:30", "2026-05-12 12:30"),  # day first in French
        ("en", "monday 9am", "2026-01-12 09:00"),  # 9:00 today has passed
        ("en", "in 2 days", "2026-01-07 10:00"),
        ("en", "in 1d 30m", "2026-01-06 10:30"),
        ("de", "morgen 12:30", "2026-01-06 12:30"),
        ("de", "morgen 12 Uhr", "2026-01-06 12:00"),
        ("de", "nächsten Freitag 12:30", "2026-01-09 12:30"),
        ("de", "9. Januar 12:30", "2026-01-09 12:30"),
        ("de", "in 2 Tagen", "2026-01-07 10:00"),
        ("fr", "demain 12h30", "2026-01-06 12:30"),
        ("fr", "vendredi prochain à 12h30", "2026-01-09 12:30"),
        ("fr", "après-demain midi", "2026-01-07 12:00"),
        ("fr", "dans 2 jours", "2026-01-07 10:00"),
        ("en", "demain 12h30", "2026-01-06 12:30"),  # other languages' words still work
        ("en", "friday 12:30 America/New_York", "2026-01-09 18:30"),
        ("en", "2026-01-08 12:30", "2026-01-08 12:30"),
    ],
)
def test_forms_people_type(locale, text, expected):
    with use_locale(locale):
        got = parse_when(text, PARIS, NOW)
    assert local(got).strftime("%Y-%m-%d %H:%M") == expected


def test_a_skipped_wall_time_is_refused_with_the_reason():
    with pytest.raises(UserError, match="does not exist in Europe/Paris .the clocks change"):
        parse_when("2026-03-29 02:30", PARIS, NOW)
    with pytest.raises(UserError, match="does not exist"):
        parse_when("29.3.2026 02:30", PARIS, NOW)


def test_a_wall_time_that_happens_twice_is_the_first():
    got = parse_when("2026-10-25 02:30", PARIS, NOW)
    assert got == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 summer time (+02:00)


def test_refusals_hint_at_a_date_relative_to_now():
    for now in (NOW, NOW + timedelta(days=40)):
        with pytest.raises(UserError) as caught:
            parse_when("whenever", PARIS, now)
        soon = (local(now) + timedelta(days=2)).date()
        assert f"“{soon.isoformat()} 12:30”" in caught.value.message
    with use_locale("de"):
        with pytest.raises(UserError, match="mittwoch 12:30"):
            parse_when("irgendwann", PARIS, NOW)


def test_durations_read_plural_units():
    assert parse_duration("2days") == timedelta(days=2)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("2 weeks") == timedelta(days=14)


@settings(max_examples=300, deadline=None)
@given(
    when=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)),
    tz=st.sampled_from(ZONES),
)
def test_every_wall_time_reads_back_or_is_refused_for_the_clock_change(when, tz):
    wall = when.replace(second=0, microsecond=0)
    text = wall.strftime("%Y-%m-%d %H:%M")
    first = wall.replace(tzinfo=tz, fold=0)
    skipped = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall
    if skipped:
        with pytest.raises(UserError, match="clocks change"):
            parse_when(text, tz, NOW)
        return
    got = parse_when(text, tz, NOW)
    assert got.tzinfo is not None and got.astimezone(tz).replace(tzinfo=None) == wall
    assert got == first.astimezone(UTC)  # the first of two, on the night the clocks go back


@settings(max_examples=200, deadline=None)
@given(
    now=nows,
    lang=st.sampled_from(sorted(WORDS)),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    strictly=st.booleans(),
)
def test_a_weekday_is_the_next_one_to_come(now, lang, weekday, hour, minute, strictly):
    words = WORDS[lang]
    name = words.weekdays[weekday][0]
    text = (
        f"{words.next[0]} {name} {hour:02d}:{minute:02d}"
        if strictly
        else f"{name} {hour}:{minute:02d}"
    )
    try:
        with use_locale(lang):
            got = parse_when(text, PARIS, now)
    except UserError as exc:
        assert "clocks change" in exc.message
        return
    seen = local(got)
    assert seen.weekday() == weekday and (seen.hour, seen.minute) == (hour, minute)
    assert now < got <= now + timedelta(days=8 if strictly else 7, hours=2)
    if strictly:
        assert seen.date() != local(now).date()


@settings(max_examples=200, deadline=None)
@given(now=nows, hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_a_time_alone_is_the_next_one(now, hour, minute):
    try:
        got = parse_when(f"{hour}:{minute:02d}", PARIS, now)
    except UserError as exc:
        assert "clocks change" in exc.message
        return
    assert now < got <= now + timedelta(hours=25)


@settings(max_examples=200, deadline=None)
@given(now=nows, n=st.integers(1, 300), lang=st.sampled_from(sorted(WORDS)))
def test_in_n_days_is_n_days_from_now(now, n, lang):
    words = WORDS[lang]
    unit = next(k for k, v in words.units.items() if v == 86400 and k != "d")
    with use_locale(lang):
        assert parse_when(f"{words.in_[0]} {n} {unit}", PARIS, now) == now + timedelta(days=n)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2026, 1, 6), max_value=date(2026, 12, 31)))
def test_day_and_month_order_follows_the_language(day):
    with use_locale("fr"):
        assert parse_day(f"{day.day}/{day.month}", PARIS, NOW) == day
    with use_locale("en"):
        assert parse_day(f"{day.month}/{day.day}", PARIS, NOW) == day
    with use_locale("de"):
        assert parse_day(f"{day.day}.{day.month}.", PARIS, NOW) == day


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gets_a_user_error_or_a_time(text):
    for reader in (parse_when, parse_day):
        try:
            reader(text, PARIS, NOW)
        except UserError:
            pass


async def test_due_friday_and_at_in_two_days_through_the_commands(db_url):
    from copkit.plugins.brownbag.models import Session
    from copkit.plugins.leancoffee.models import Note

    async with Harness(db_url) as h:
        await h.say("leader", "timezone Europe/Paris")
        await h.say("leader", "leancoffee start")
        await h.say("leader", "leancoffee action write the ADR --due friday")
        note = await Note.filter(kind="action").first()
        assert note is not None and note.due == date(2026, 1, 9)
        out = await h.say("leader", 'brownbag schedule Talk --speaker me --at "in 2 days"')
        assert "not a duration" not in out[0].view.text
        s = await Session.get()
        assert s.starts_at == NOW + timedelta(days=2)
