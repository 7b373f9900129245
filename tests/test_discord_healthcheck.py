"""A health check on Discord: a round answered privately (ephemeral cards walked through in one
message), results with the grid picture as an attachment, and an anonymous pulse that is never a
native Discord poll (those show who voted)."""

from __future__ import annotations

import logging

import pytest
from fakes.discord_bot import BotUnderTest
from fakes.discord_server import EPHEMERAL, labels_of, text_of

from copkit.plugins.healthcheck.models import Answer, Respondent, Round

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.healthcheck")


@pytest.fixture
async def world(fake, db_url):
    olga = fake.user("olga")
    people = [fake.user(n) for n in ("ann", "bob", "cid")]
    guild = fake.add_guild("CoP", owner=olga, members=people)
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    yield bot, olga, people, general
    await bot.stop()


def body(call) -> dict:
    return call.json.get("data") or {}


async def test_round_answered_privately_then_results_with_a_picture(fake, world):
    bot, olga, people, general = world
    start = await bot.slash(olga, general, "healthcheck start", {"min-responses": 3})
    assert start.json["type"] == 4 and not body(start).get("flags", 0) & EPHEMERAL
    announcement = fake.message_of(start)
    assert labels_of(announcement) == ["Take the health check", "My answers"]
    rid = (await Round.get()).id

    for n, who in enumerate(people):
        colour = ("green", "green", "red")[n]
        first = await bot.press(who, announcement, "Take the health check")
        assert first.json["type"] == 4 and body(first)["flags"] & EPHEMERAL
        card = fake.message_of(first)
        assert "1/11" in text_of(card)
        assert labels_of(card)[:2] == ["How is it?", "Where is it heading?"]
        step = await bot.press(who, card, "How is it?", values=[colour])
        assert step.json["type"] == 7, "the private card is updated in place"
        step = await bot.press(who, card, "Where is it heading?", values=["same"])
        assert step.json["type"] == 7 and "2/11" in text_of(body(step))
        for _ in range(10):
            step = await bot.press(who, card, "Skip ›")
            assert step.json["type"] == 7
        assert "What did we forget?" in text_of(body(step))
        done = await bot.press(who, card, "Done")
        assert done.json["type"] == 7 and "Thank you!" in text_of(body(done))

    assert await Respondent.filter(round_id=rid).count() == 3
    assert await Answer.filter(round_id=rid, colour="red").count() == 1
    # nobody's answer ever left their private messages
    for c in fake.calls:
        if c.method == "POST" and c.path.endswith("/callback") and c.json["type"] == 4:
            public = not body(c).get("flags", 0) & EPHEMERAL
        elif c.method in ("POST", "PATCH") and c.path.startswith("/channels/"):
            public = True
        else:
            continue
        assert not public or "Your answer" not in text_of(c.json.get("data", c.json)), c
    announcement = fake.messages[int(announcement["id"])]
    assert "3 or more" in [f["value"] for e in announcement["embeds"] for f in e.get("fields", [])]

    closed = await bot.slash(olga, general, "healthcheck close")
    assert await bot.advance(seconds=0) == 1  # the results' post: the close's own next step
    results = [
        c for c in fake.calls[fake.calls.index(closed) :] if c.files or (c.json or {}).get("data")
    ]
    with_picture = [c for c in results if c.files]
    assert with_picture, "the results carry the grid picture as an attachment"
    picture = with_picture[0]
    name, png = picture.files[0]
    assert name == "healthcheck-1.png" and png.startswith(b"\x89PNG")
    shown = picture.json.get("data", picture.json)
    assert "Health check #1: results" in text_of(shown)
    assert shown["embeds"][0]["image"]["url"] == f"attachment://{name}"
    assert "🟢 2 · 🟡 0 · 🔴 1" in text_of(shown)


async def test_anonymous_pulse_uses_buttons_never_a_native_poll(fake, world):
    bot, olga, people, general = world
    start = await bot.slash(
        olga, general, "healthcheck pulse", {"question": "Fridays ok?", "options": "yes no maybe"}
    )
    pulse = fake.message_of(start)
    assert labels_of(pulse) == ["1. yes", "2. no", "3. maybe"]
    for who in people:
        vote = await bot.press(who, pulse, "2. no")
        assert body(vote)["flags"] & EPHEMERAL and "Your vote: no" in text_of(body(vote))
    pulse = fake.messages[int(pulse["id"])]
    assert "3 or more" in [f["value"] for e in pulse["embeds"] for f in e.get("fields", [])]
    bodies = [c.json for c in fake.calls if isinstance(c.json, dict)]
    assert not any(b.get("poll") or (b.get("data") or {}).get("poll") for b in bodies)
    assert all(p["username"] not in text_of(pulse) for p in people)


async def test_verbose_logs_carry_no_answer(fake, world, caplog):
    """``copkit -v`` on Discord: no log line at any level names a button, a choice, a form's
    text or the person who answered (discord.py logs whole gateway events and HTTP bodies at
    DEBUG; copkit holds those loggers at INFO)."""
    from copkit.logs import HELD_AT_INFO, configure_logging

    saved = {n: logging.getLogger(n).level for n in HELD_AT_INFO}
    caplog.set_level(logging.DEBUG)
    configure_logging(verbose=True)
    try:
        bot, olga, people, general = world
        ann = people[0]
        start = await bot.slash(olga, general, "healthcheck start", {"min-responses": 3})
        first = await bot.press(ann, fake.message_of(start), "Take the health check")
        card = fake.message_of(first)
        await bot.press(ann, card, "How is it?", values=["red"])
        await bot.press(ann, card, "Where is it heading?", values=["worse"])
        form = await bot.press(ann, card, "Comment")
        assert form.json["type"] == 9, "the comment form opens"
        said = await bot.submit(ann, form.json["data"], {"comment": "zebra-secret-42"}, card)
        assert said.json["type"] in (4, 7)
        await fake.quiet(0.2)
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
    lines = [r.getMessage() for r in caplog.records]
    lines += [logging.Formatter().formatException(r.exc_info) for r in caplog.records if r.exc_info]
    assert lines, "something was logged at DEBUG"
    for line in lines:
        for secret in ("zebra-secret-42", "healthcheck:", "'red'", '"red"', ann["id"]):
            assert secret not in line, (secret, line[:300])


async def test_no_stored_form_or_row_keeps_a_comment_next_to_its_author(
    fake, world, db_url, caplog
):
    """Discord keeps the form a button opens (copkit_shown_view): a comment form prefilled with
    the member's comment would keep their answer there, in answering order, for 90 days. After
    the close, through the Discord adapter: no row of any table, no byte of the files and no log
    record (at every level, as ``copkit -v``) links a member to an answer."""
    from test_healthcheck_anonymity import _all_rows, _assert_unlinked, _raw_bytes
    from tortoise import Tortoise

    from copkit.logs import HELD_AT_INFO as QUIET_LOGGERS
    from copkit.plugins.healthcheck.models import Note

    caplog.set_level(logging.DEBUG)
    for name in QUIET_LOGGERS:
        caplog.set_level(logging.INFO, logger=name)
    bot, olga, people, general = world
    start = await bot.slash(olga, general, "healthcheck start", {"min-responses": 3})
    announcement = fake.message_of(start)
    for n, who in enumerate(people):
        card = fake.message_of(await bot.press(who, announcement, "Take the health check"))
        await bot.press(who, card, "How is it?", values=["red"])
        opened = await bot.press(who, card, "Comment")
        assert opened.json["type"] == 9
        modal = opened.json["data"]
        await bot.submit(who, modal, {"comment": f"qz{n}secret"}, message=card)
        again = await bot.press(who, card, "Comment")  # the form again: never prefilled
        assert f"qz{n}secret" not in str(again.json)
    rid = (await Round.get()).id
    links = {a.token for a in await Answer.filter(round_id=rid)}
    links |= {(await Round.get(id=rid)).secret}
    assert len(links) == 4 and all(links)
    await bot.slash(olga, general, "healthcheck close")
    # Discord got its answer ("thinking") before the close finished: scan once the results are
    # posted (their job scrubs the files again).
    await bot.advance(seconds=0)
    ids = {p["id"]: f"qz{n}secret" for n, p in enumerate(people)}
    for table, row in await _all_rows(None):
        for member, secret in ids.items():
            assert not (member in row and secret in row), f"{table}: {row}"
        assert not [t for t in links if t in row], f"{table}: {row}"
    _assert_unlinked(await _raw_bytes(db_url), tuple(links))
    for rec in caplog.records:
        text = rec.getMessage()
        assert "secret" not in text and "'red'" not in text, f"{rec.name}: {text[:200]}"
    assert await Note.all().count() == 0
    conn = Tortoise.get_connection("default")
    rows = await conn.execute_query_dict("SELECT * FROM copkit_shown_view")
    assert any("healthcheck:comment" in str(r) for r in rows), "the forms are stored"
    assert not [r for r in rows if "secret" in str(r)], "a stored form holds a comment"
    comments = await Answer.filter(comment__not_isnull=True).values_list("comment", flat=True)
    assert sorted(comments) == ["qz0secret", "qz1secret", "qz2secret"]  # kept, unattributed
