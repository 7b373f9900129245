"""Bad input gets a short answer, never the bug apology (issue 12, #12): huge numbers in
arguments and action ids, characters that pass isdigit() but are no digits, huge durations and
dates, NUL bytes and lone surrogates in text, over-long person and role arguments, an over-long
time zone. SQLite always; PostgreSQL with COPKIT_TEST_POSTGRES_URL."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from copkit.core.dberrors import is_bad_input, is_unavailable
from copkit.core.errors import UsageError
from copkit.core.parsing import clean_text, parse_duration, to_int
from copkit.core.usertext import clean_value
from copkit.plugins.leancoffee.models import Topic
from copkit.plugins.leancoffee.routes import PROPOSE
from copkit.testing import Harness

APOLOGY = "went wrong"
LONG = "x" * 300


@pytest.fixture
async def h(db_url, caplog):
    caplog.set_level(logging.WARNING)
    async with Harness(db_url) as h:
        await h.say("leader", "leancoffee start")
        await h.say("ann", "leancoffee propose First topic")
        yield h
    bugs = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not bugs, [r.getMessage() for r in bugs]


def answer(msgs) -> str:
    return "\n".join(f"{m.view.title} {m.view.text}" for m in msgs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("leancoffee vote ²", "topic's number"),
        ("leancoffee vote 99999999999999999999", "topic's number"),
        ("healthcheck trend ①", "no dimension"),
        ("leancoffee start --timebox 99999999999999999", "not a duration"),
        ("leancoffee extend 99999999999999999", "not a duration"),
        ("healthcheck start --closes-in 99999999999", "not a duration"),
        ("leancoffee action do it --due 99999999999", "not a date"),
        ("log --last 99999999999999999999", "out of range"),
        ("log --last ²", "whole number"),
        ("healthcheck results 99999999999", "out of range"),
        ("roles core add " + LONG, "too long"),
        ("roles corerole " + LONG, "too long"),
        ("leancoffee action do it --owner " + LONG, "too long"),
        ("timezone " + LONG, "not a time zone"),
        ("brownbag upvote 99999999999", "not a talk number"),
        ("brownbag upvote ²", "not a talk number"),
        ("lightning open x --at 99999999999", "date and time"),
    ],
)
async def test_bad_arguments_get_a_short_answer(h, text, expected):
    out = await h.say("leader", text)
    said = answer(out)
    assert APOLOGY not in said, (text, said)
    assert out and out[-1].view.tone == "error", (text, said)
    assert expected in said, (text, said)


@pytest.mark.parametrize(
    ("action_id", "values"),
    [
        ("leancoffee:vote:99999999999", {}),
        ("leancoffee:vote:²", {}),
        ("leancoffee:vote:page1", {"selected": ["99999999999999999999"]}),
        ("leancoffee:thumbs:²:1:up", {}),
        ("leancoffee:thumbs:1:99999999999:up", {}),
        ("leancoffee:minutes:99999999999", {}),
        ("leancoffee:propose:99999999999", {"title": "t"}),
        ("healthcheck:colour:99999999999:1", {"selected": ["red"]}),
        ("healthcheck:take:99999999999", {}),
        ("healthcheck:pulse:99999999999:0", {}),
        ("brownbag:rsvp:99999999999:yes", {}),
        ("lightning:signup:99999999999", {}),
    ],
)
async def test_huge_ids_in_actions_get_a_short_answer(h, action_id, values):
    out = await h.click("ann", action_id, values)
    said = answer(out)
    assert APOLOGY not in said, (action_id, said)


async def test_nul_bytes_and_lone_surrogates_are_stored_cleaned(h):
    sid = (await Topic.first()).session_id
    await h.say("bob", "leancoffee propose with\x00nul")
    await h.say("cat", "leancoffee propose lone \ud800 surrogate")
    out = await h.click("dan", PROPOSE.build(session=sid), {"title": "form\x00 \udfff title"})
    assert APOLOGY not in answer(out)
    titles = set(await Topic.all().values_list("title", flat=True))
    assert {"withnul", "lone \ufffd surrogate", "form \ufffd title"} <= titles


def test_numbers_are_ascii_digits_within_the_database_range():
    assert to_int("42") == 42 and to_int(" -7 ") == -7 and to_int(5) == 5
    for bad in ("²", "①", "١٢", "1_000", "1e3", "", "2147483648", "9" * 40, None, True):
        assert to_int(bad) is None, bad
    assert to_int("2147483647") == 2**31 - 1
    assert to_int("12", 1, 10) is None


def test_durations_are_bounded_and_ascii():
    assert parse_duration("366d") == timedelta(days=366)
    for bad in ("²", "①m", "99999999999999999", "99999999999999999m", "367d", "١٢m"):
        with pytest.raises(UsageError):
            parse_duration(bad)


def test_text_is_cleaned_of_what_no_database_stores():
    assert clean_text("a\x00b\ud800c") == "ab\ufffdc"
    assert clean_value({"t": ["x\x00", {"y": "\udc00"}], "n": 3}) == {
        "t": ["x", {"y": "\ufffd"}],
        "n": 3,
    }


def test_an_over_long_file_name_is_no_database_outage():
    try:
        open("/" + "x" * 300)
    except OSError as exc:
        assert not is_unavailable(exc)
    else:  # pragma: no cover
        raise AssertionError("expected ENAMETOOLONG")


def test_values_the_database_refuses_are_bad_input_not_outages():
    import asyncpg

    for exc in (
        asyncpg.exceptions.StringDataRightTruncationError("value too long"),
        asyncpg.exceptions.NumericValueOutOfRangeError("integer out of range"),
        asyncpg.exceptions._base.DataError("invalid input: value out of int32 range"),
        OverflowError("Python int too large to convert to SQLite INTEGER"),
    ):
        assert is_bad_input(exc) and not is_unavailable(exc), exc


async def test_a_platform_name_with_a_nul_or_a_lone_surrogate_does_not_lock_anyone_out(h):
    from copkit.core.events import Person
    from copkit.core.models import Membership, Room

    for who, room in (
        (Person(id="u1", name="bad\ud800name"), None),
        (Person(id="u2\x00", name="nul\x00"), None),
        (Person(id="u3", name="ok"), "room\udfff"),
    ):
        out = await h.say(who, "leancoffee propose Topic of " + who.id.strip("\x00"), room=room)
        assert APOLOGY not in answer(out) and "too long" not in answer(out), answer(out)
    names = set(await Membership.all().values_list("name", flat=True))
    assert {"bad\ufffdname", "nul"} <= names
    assert await Room.filter(external_id="room\ufffd").exists()
