"""The health check through the core: rounds, answers, results, history, export, timers, pulse."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import timedelta

import pytest
from test_healthcheck_helpers import (
    MEMBERS,
    PLUGINS,
    answer,
    close,
    field,
    field_name,
    start,
    text_of,
)

from copkit.core.events import Person
from copkit.core.models import Job
from copkit.plugins.healthcheck import logic
from copkit.plugins.healthcheck import routes as R
from copkit.plugins.healthcheck.models import Answer, Note, PulseVote, Respondent, Round
from copkit.testing import Harness


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        yield h


def _export(out) -> str:
    """The export: one file, sent privately."""
    [file] = out[-1].view.attachments
    assert file.filename.startswith("healthcheck-export.")
    return file.data.decode("utf-8")


async def test_round_with_five_members_results_only_after_close(h):
    rid = await start(h)
    ann = await h.view(R.round_key(rid))
    assert "Health check #1" in ann.title and "Anonymous" in ann.text
    assert [b.label for b in ann.buttons] == ["Take the health check", "My answers"]

    # Purpose (position 0): 3 green, 1 amber, 1 red; trends 2 better, 3 same; two comments.
    colours = {"ann": "green", "bob": "green", "cid": "green", "dan": "amber", "eve": "red"}
    for who in MEMBERS:
        trend = "better" if who in ("ann", "bob") else "same"
        comments = {0: "We know why we meet"} if who == "bob" else {}
        if who == "eve":
            comments = {0: "I lost track of why"}
        await answer(
            h, who, rid, colours[who], trend, comments, note="Onboarding" if who == "cid" else None
        )
        # Members see only their own answers, privately.
        assert h.last(private_to=who).footer.startswith("Only you see this")

    early = await h.say("ann", "healthcheck results")
    assert "still open" in early[-1].view.text
    assert "🟢 3" not in "\n".join(text_of(m.view) for m in h.messenger.log if not m.private_to)
    assert (await h.view(R.round_key(rid))).fields[0].value == "5 or more"

    out = await close(h)
    res = [m.view for m in out if "results" in m.view.title][-1]
    assert res.title == "Health check #1: results"
    assert "5 of 6 members answered (83%)." in res.text
    purpose = field(res, "Purpose")
    assert field_name(res, "Purpose") == "🟢 Purpose"  # the dominant colour
    assert "🟢 3 · 🟡 1 · 🔴 1 · score 70 · first time asked" in purpose
    assert "Heading: ↗ 2 · → 3 · ↘ 0" in purpose
    assert "“We know why we meet”" in purpose and "“I lost track of why”" in purpose
    assert "“Onboarding”" in field(res, "What did we forget?")
    # The other dimensions: 3 green, 1 amber, 1 red each as well.
    assert field_name(res, "Energy") == "🟢 Energy"
    assert res.images and res.images[0].png.startswith(b"\x89PNG")
    closed = await h.view(R.round_key(rid))
    assert "closed" in closed.title and closed.buttons[0].disabled

    again = await h.say("cid", "healthcheck results 1")
    assert "5 of 6 members answered (83%)." in again[-1].view.text


async def test_members_change_answers_until_close_and_count_once(h):
    rid = await start(h)
    first = (await logic.items(rid))[0].id
    await answer(h, "ann", rid, "green", "better", {0: "first thought"})
    await h.click("ann", R.COLOUR.build(round=rid, item=first), {"selected": ["red"]})
    await h.click("ann", R.TREND.build(round=rid, item=first), {"selected": ["worse"]})
    await h.click("ann", R.COMMENT.build(round=rid, item=first), {"comment": "second thought"})
    mine = h.last(private_to="ann")
    assert "Your answer: 🔴 red · ↘ worse · “second thought”" in mine.text
    await h.click("ann", R.COMMENT.build(round=rid, item=first), {"comment": "  "})  # removed
    assert "thought" not in h.last(private_to="ann").text
    status = await h.say("ann", "healthcheck status")
    assert "Answers so far: fewer than 3" in status[-1].view.text
    assert "You have rated 11 of 11 dimensions." in status[-1].view.text
    for who in ("bob", "cid"):
        await answer(h, who, rid, "green")
    assert await Respondent.filter(round_id=rid).count() == 3
    assert await Answer.filter(round_id=rid, item_id=first).count() == 3
    await close(h)
    res = h.last()
    assert "🟢 2 · 🟡 0 · 🔴 1" in field(res, "Purpose")
    assert "thought" not in text_of(res)
    assert "3 of 4 members answered" in res.text


async def test_results_need_min_responses_and_small_rounds_are_discarded(h):
    out = await h.say("leader", "healthcheck start --min-responses 2")
    assert "min-responses must be at least 3" in out[-1].view.text
    assert await Round.all().count() == 0
    rid = await start(h, "--min-responses 4")
    for who in ("ann", "bob", "cid"):
        await answer(h, who, rid, "red", comments={0: f"secret of {who}"})
    out = await close(h)
    text = "\n".join(text_of(m.view) for m in out)
    assert "Only 3 members answered (4 needed): not enough answers to stay anonymous." in text
    assert "secret" not in text and "🔴" not in text
    # Unread and gone: nothing of the answers is left to show later.
    assert await Answer.filter(round_id=rid).count() == 0
    assert await Note.filter(round_id=rid).count() == 0
    assert (await Round.get(id=rid)).secret is None
    assert "not enough answers" in (await h.say("ann", "healthcheck results"))[-1].view.text
    hist = (await h.say("ann", "healthcheck history"))[-1].view
    assert "3 of 4 answered (75%) · not enough answers to stay anonymous" in hist.text
    assert not hist.images  # no round with results: no picture


async def test_dimension_answered_by_too_few_is_hidden_with_its_comments(h):
    rid = await start(h)
    ids = await logic.items(rid)
    for who in ("ann", "bob", "cid"):
        await answer(h, who, rid, "green")
    # Only ann rates "Purpose"'s neighbour "Value to me"? No: everyone rated all. Make a round
    # where only two rate Energy by starting a second round.
    await close(h)
    rid2 = await start(h)
    ids = await logic.items(rid2)
    energy = next(i for i, it in enumerate(ids) if it.title == "Energy")
    colours = ["green"] * len(ids)
    skip_energy = list(colours)
    skip_energy[energy] = ""
    await answer(h, "ann", rid2, colours, comments={energy: "only two of us"})
    await answer(h, "bob", rid2, colours)
    await answer(h, "cid", rid2, skip_energy, trends=["same"] * energy + [""] * (len(ids) - energy))
    await close(h)
    res = h.last()
    assert "Only 2 answers: too few to show and stay anonymous." in field(res, "Energy")
    assert "only two of us" not in text_of(res)
    assert field_name(res, "Energy") == "⚪ Energy"


async def test_change_since_previous_round_and_red_two_rounds_running(h):
    rid = await start(h)
    for who, colour in zip(MEMBERS, ["red", "red", "red", "amber", "green"], strict=True):
        await answer(h, who, rid, colour)
    await close(h)
    first = h.last()
    assert "⚠" not in text_of(first)
    assert "🔴 3 · score 30" in field(first, "Purpose")

    rid = await start(h)
    ids = await logic.items(rid)
    for who, colour in zip(MEMBERS, ["red", "red", "amber", "green", "green"], strict=True):
        # Purpose stays red; every other dimension turns green.
        await answer(h, who, rid, [colour] + ["green"] * (len(ids) - 1), "worse")
    await close(h)
    res = h.last()
    assert "⚠ Red two rounds running: Purpose" in res.text.replace("**", "")
    assert field_name(res, "Purpose") == "🔴 Purpose — ⚠ red two rounds running"
    assert "▲ +20 since #1 (was 🔴 30)" in field(res, "Purpose")
    assert "▲ +70 since #1 (was 🔴 30)" in field(res, "Energy")
    assert "red two rounds running" not in field_name(res, "Energy")
    assert "Heading: ↗ 0 · → 0 · ↘ 5" in field(res, "Energy")

    trend = (await h.say("ann", "healthcheck trend purpose"))[-1].view
    assert trend.title == "Trend: Purpose"
    assert "#1" in trend.text and "#2" in trend.text and "score 50" in trend.text
    assert trend.images and trend.images[0].png.startswith(b"\x89PNG")


async def test_history_and_export_are_aggregates(h, monkeypatch):
    out = await h.say("ann", "healthcheck export")
    assert "Nothing to export yet" in out[-1].view.text
    for colour in ("green", "red"):
        rid = await start(h)
        for who in MEMBERS[:4]:
            await answer(h, who, rid, colour, comments={0: f"{who} says {colour}"})
        await close(h)
    hist = (await h.say("bob", "healthcheck history"))[-1].view
    lines = hist.text.splitlines()
    assert len(lines) == 2
    assert "#1" in lines[0] and "4 of 5 answered (80%) · 🟢 11 🟡 0 🔴 0" in lines[0]
    assert "#2" in lines[1] and "🟢 0 🟡 0 🔴 11" in lines[1]
    assert hist.images and hist.images[0].png.startswith(b"\x89PNG")

    out = await h.say("bob", "healthcheck export --format csv")
    assert out[-1].private_to == "bob"
    rows = list(csv.DictReader(io.StringIO(_export(out))))
    assert len(rows) == 22
    purpose2 = next(r for r in rows if r["round"] == "2" and r["dimension"] == "purpose")
    assert purpose2["red"] == "4" and purpose2["dominant"] == "red" and purpose2["score"] == "0"
    assert purpose2["participation_pct"] == "80"
    assert set(rows[0]) == set(
        "round opened_at closed_at min_responses responses members participation_pct shown "
        "dimension title position answers green amber red better same worse dominant score".split()
    )

    out = await h.say("bob", "healthcheck export --format json")
    data = json.loads(_export(out))
    assert [r["round"] for r in data["rounds"]] == [1, 2]
    assert data["rounds"][0]["dimensions"][0]["green"] == 4
    assert "says" not in _export(out)  # comments are not exported
    assert out[-1].view.attachments[0].mime_type == "application/json"
    # The CSV is one file with CRLF line ends (RFC 4180), whatever its length.
    out = await h.say("bob", "healthcheck export")
    assert out[-1].view.text == "2 rounds, in healthcheck-export.csv."
    assert _export(out).count("\r\n") == 23 and "\n" not in _export(out).replace("\r\n", "")
    out = await h.say("bob", "healthcheck export --format xml")
    assert "csv" in out[-1].view.text and not out[-1].view.title


async def test_deck_editing_keeps_history(h):
    await h.say(Person("leader", "Lea"), "healthcheck deck")  # the leader's display name
    deck = (await h.say("ann", "healthcheck deck"))[-1].view
    assert "1. Purpose" in deck.text and "11. Sustainable leadership" in deck.text
    assert "What did we forget?" in deck.text

    out = await h.say("ann", 'healthcheck deck add "Tooling" --awesome "Good tools" --crappy "Bad"')
    assert "Only the leader" in out[-1].view.text
    out = await h.say(
        "leader",
        'healthcheck deck add "Tooling" --awesome "Our tools help" --crappy "Tools fight us"',
    )
    assert "Added “Tooling” to the deck (key tooling)." in out[-1].view.text
    await h.say("leader", 'healthcheck deck edit tooling --crappy "Tools get in the way"')
    await h.say("leader", "healthcheck deck move tooling 1")
    deck = (await h.say("ann", "healthcheck deck"))[-1].view
    assert "1. Tooling" in deck.text and "Tools get in the way" in deck.text
    assert "2. Purpose" in deck.text

    # A round with Energy; then Energy retires and its history stays.
    rid = await start(h)
    for who in MEMBERS[:3]:
        await answer(h, who, rid, "amber")
    out = await h.say("leader", "healthcheck deck retire energy")
    assert "Retired “Energy”" in out[-1].view.text
    assert "Health check #1 keeps its deck" in out[-1].view.text
    assert len(await logic.items(rid)) == 12  # the open round keeps its deck
    await close(h)
    assert "🟡 Energy" in [f.name for f in h.last().fields]
    deck = (await h.say("ann", "healthcheck deck"))[-1].view
    assert "Energy" not in deck.text and "Energy" in field(deck, "Retired")
    trend = (await h.say("ann", "healthcheck trend energy"))[-1].view
    assert "#1" in trend.text and "🟡 3" in trend.text

    rid = await start(h)
    assert "Energy" not in [it.title for it in await logic.items(rid)]
    for who in MEMBERS[:3]:
        await answer(h, who, rid, "green")
    await close(h)
    assert "Energy" not in [f.name for f in h.last().fields]
    export = json.loads(_export(await h.say("ann", "healthcheck export --format json")))
    assert "energy" in [d["dimension"] for d in export["rounds"][0]["dimensions"]]
    assert "energy" not in [d["dimension"] for d in export["rounds"][1]["dimensions"]]

    await h.say("leader", "healthcheck deck restore energy")
    out = await h.say("leader", "healthcheck deck reset")
    assert "back to the default" in out[-1].view.text
    deck = (await h.say("ann", "healthcheck deck"))[-1].view
    assert (
        "1. Purpose" in deck.text and "Energy" in deck.text and "Tooling" in field(deck, "Retired")
    )
    assert "Tools get in the way" not in deck.text

    hist = (await h.say("ann", "healthcheck deck history"))[-1].view.text
    for part in (
        "Lea added “Tooling”",
        "Lea edited “Tooling” (crappy: “Tools fight us” → “Tools get in the way”)",
        "Lea moved “Tooling” to position 1",
        "Lea retired “Energy”",
        "Lea restored “Energy”",
        "Lea retired “Tooling” (reset)",
    ):
        assert part in hist, part


async def test_deck_bad_input(h):
    for line, expected in [
        ("healthcheck deck edit nothing --title X", "There is no dimension “nothing”"),
        ("healthcheck deck edit purpose", "Say what to change"),
        ("healthcheck deck move purpose 99", "between 1 and 11"),
        ('healthcheck deck add "Purpose" --awesome a --crappy b', "already has “Purpose”"),
        ("healthcheck deck restore purpose", "in the deck already"),
        ("healthcheck trend nothing", "There is no dimension “nothing”"),
        ('healthcheck deck edit purpose --title "  "', "needs a title"),
    ]:
        out = await h.say("leader", line)
        assert expected in out[-1].view.text, (line, out[-1].view.text)
        assert out[-1].view.tone == "error"
    out = await h.say("leader", "healthcheck deck retire purpose")
    out = await h.say("leader", "healthcheck deck retire purpose")
    assert "“Purpose” is already retired." in out[-1].view.text
    for _n in range(9):
        await h.say("leader", "healthcheck deck retire 1")
    out = await h.say("leader", "healthcheck deck retire 1")
    assert "at least one dimension" in out[-1].view.text
    for n in range(19):
        out = await h.say("leader", f'healthcheck deck add "Extra {n}" --awesome yes --crappy no')
    assert "Added “Extra 18”" in out[-1].view.text
    out = await h.say("leader", 'healthcheck deck add "One more" --awesome yes --crappy no')
    assert "The deck is full (20 dimensions): retire one first." in out[-1].view.text
    out = await h.say("leader", "healthcheck deck restore purpose")
    assert "The deck is full" in out[-1].view.text


async def test_reminder_and_close_run_on_persisted_timers_across_a_restart(h):
    rid = await start(h, "--closes-in 3d")
    for who in MEMBERS[:3]:
        await answer(h, who, rid, "green")
    assert await h.advance(hours=47) == 0
    await h.restart()
    assert await h.advance(hours=1) == 1  # the reminder, a day before the close
    remind = h.last()
    assert "closes in 24 hours" in remind.title and "Answers so far: 3 or more" in remind.text
    await h.rt.close()  # down when the round should close
    h.clock.advance(timedelta(hours=30))
    before = len(h.messenger.log)
    await h.restart()
    assert await h.advance(seconds=0) == 1  # the results' post, the close's own next step
    shown = [m.view.title for m in h.messenger.log[before:]]
    assert "Health check #1: results" in shown
    r = await Round.get(id=rid)
    assert r.status == "closed" and r.responses == 3
    assert await h.advance(days=5) == 0
    assert shown.count("Health check #1: results") == 1


async def test_closing_by_hand_cancels_the_timers(h):
    rid = await start(h, "--closes-in 2d")
    for who in MEMBERS[:3]:
        await answer(h, who, rid, "green")
    await close(h)
    jobs = await Job.filter(handler__in=("healthcheck.close", "healthcheck.remind"))
    assert len(jobs) == 2 and all(j.cancelled for j in jobs)
    post = await Job.get(handler="healthcheck.post")  # the results: their own step, done
    assert post.done_at is not None and not post.cancelled and post.error is None
    before = len(h.messenger.log)
    await h.advance(days=3)
    assert len(h.messenger.log) == before


async def test_bad_input_gets_a_clear_answer_and_changes_nothing(h):
    out = await h.say("ann", "healthcheck start")
    assert "Only" in out[-1].view.text and out[-1].view.tone == "error"
    rid = await start(h)
    out = await h.say("leader", "healthcheck start")
    assert "Health check #1 is still open" in out[-1].view.text
    assert await Round.all().count() == 1
    iid = (await logic.items(rid))[0].id
    for action, values, expected in [
        (R.COLOUR.build(round=rid, item=iid), {"selected": ["purple"]}, "Pick green, amber or red"),
        (R.TREND.build(round=rid, item=iid), {"selected": ["up"]}, "Pick better, same or worse"),
        (R.COLOUR.build(round=rid, item=999999), {"selected": ["green"]}, "out of date"),
        (f"{R.COLOUR.prefix}:{rid}:x", {"selected": ["green"]}, "out of date"),
        (f"{R.COLOUR.prefix}:{rid}:²", {"selected": ["green"]}, "out of date"),
        (f"{R.COLOUR.prefix}:{rid}:99999999999", {"selected": ["green"]}, "out of date"),
        (R.COLOUR.build(round=rid + 1, item=iid), {"selected": ["green"]}, "out of date"),
        (R.COLOUR.build(round=rid, item=iid), {"selected": []}, "Pick one"),
        (R.COMMENT.build(round=rid, item=iid), {"comment": "x" * 501}, "at most 500"),
    ]:
        out = await h.click("ann", action, values)
        assert expected in out[-1].view.text, (action, out[-1].view.text)
        assert out[-1].private_to == "ann"
    assert await Respondent.all().count() == 0 and await Answer.all().count() == 0
    for who in MEMBERS[:3]:
        await answer(h, who, rid, "green")
    await close(h)
    out = await h.click("dan", R.COLOUR.build(round=rid, item=iid), {"selected": ["red"]})
    assert "closed: answers are no longer taken" in out[-1].view.text
    out = await h.click("dan", R.TAKE.build(round=rid))
    assert "closed" in out[-1].view.text
    assert await Respondent.filter(round_id=rid).count() == 3
    out = await close(h)
    assert "No health check is open." in out[-1].view.text
    out = await h.say("ann", "healthcheck results 7")
    assert "There is no health check #7." in out[-1].view.text
    assert not any("Traceback" in text_of(m.view) for m in h.messenger.log)


async def test_concurrent_changes_by_one_member_count_once(h):
    rid = await start(h)
    ids = await logic.items(rid)
    first, second = ids[0].id, ids[1].id
    picks = ["green", "amber", "red"] * 4
    await asyncio.gather(
        *[h.click("ann", R.COLOUR.build(round=rid, item=first), {"selected": [c]}) for c in picks],
        *[
            h.click("ann", R.TREND.build(round=rid, item=second), {"selected": [t]})
            for t in ["better", "worse"] * 4
        ],
        *[h.click("bob", R.COLOUR.build(round=rid, item=first), {"selected": ["red"]})] * 3,
    )
    assert await Respondent.filter(round_id=rid).count() == 2
    assert len({a.token for a in await Answer.filter(round_id=rid)}) == 2
    rows = await Answer.filter(round_id=rid, item_id=first)
    assert len(rows) == 2 and {r.colour for r in rows} <= {"green", "amber", "red"}
    assert await Answer.filter(round_id=rid, item_id=second).count() == 1
    errors = [m for m in h.messenger.log if m.view.tone == "error"]
    assert errors == []
    # Then a later change is the one that counts.
    await h.click("ann", R.COLOUR.build(round=rid, item=first), {"selected": ["amber"]})
    await answer(h, "cid", rid, "green")
    await close(h)
    assert "🟢 1 · 🟡 1 · 🔴 1" in field(h.last(), "Purpose")
    announcement = await h.view(R.round_key(rid))
    assert "3 members answered" in announcement.text


async def test_pulse_poll_is_anonymous_and_counted_at_close(h):
    out = await h.say("ann", 'healthcheck pulse "Coffee or tea?" coffee tea')
    assert "Only" in out[-1].view.text
    for line, expected in [
        ('healthcheck pulse "Coffee?" coffee', "Give 2 to 10 options"),
        ('healthcheck pulse "Coffee?" coffee Coffee', "Two options are the same"),
        ('healthcheck pulse "Q?" a b --closes-in 1m', "between 5 minutes and 32 days"),
    ]:
        out = await h.say("leader", line)
        assert expected in out[-1].view.text, line
    out = await h.say("leader", 'healthcheck pulse "How was today?" great okay meh --closes-in 2h')
    poll = out[-1].view.poll
    assert poll and poll.anonymous and poll.question == "How was today?" and poll.hours == 2
    pid = poll.action_id
    for who, k in [("ann", 0), ("bob", 0), ("cid", 1), ("dan", 2), ("ann", 1)]:  # ann changes
        out = await h.click(who, f"{pid}:{k}")
    assert out[0].private_to == "ann" and "Your vote: okay" in out[0].view.text
    assert (await h.view(pid)).fields[0].value == "3 or more"
    out = await h.click("eve", f"{pid}:7")
    assert "no longer exists" in out[-1].view.text
    await h.advance(hours=2)
    res = h.last()
    assert res.title == "Pulse check: How was today?"
    assert "great: ██████████ 1 (25%)" not in res.text
    assert "great: ██▌" not in res.text
    assert res.text.splitlines() == [
        "great: ██ 1 (25%)",
        "okay: █████ 2 (50%) ◀",
        "meh: ██ 1 (25%)",
    ]
    assert "4 votes, anonymous." in res.footer
    assert await PulseVote.all().count() == 0
    out = await h.click("eve", f"{pid}:0")
    assert "This poll is closed." in out[-1].view.text

    await h.say("leader", 'healthcheck pulse "Lunch?" yes no --closes-in 1h')
    pid = h.last().poll.action_id
    await h.click("ann", f"{pid}:0")
    await h.click("bob", f"{pid}:1")
    await h.advance(hours=1)
    assert "Only 2 votes: not enough answers to stay anonymous." in h.last().text


class RoundTrips:
    """Counts what reaches the database driver: on SQLite each call into aiosqlite's thread, on
    PostgreSQL each asyncpg call (a round trip each)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import aiosqlite
        import asyncpg

        self.sent: list[str] = []
        monkeypatch.setattr(
            aiosqlite.Connection, "_execute", self._wrap(aiosqlite.Connection._execute)
        )
        for name in ("execute", "fetch", "fetchrow", "fetchval", "executemany"):
            cls = asyncpg.connection.Connection
            monkeypatch.setattr(cls, name, self._wrap(getattr(cls, name)))

    def _wrap(self, method):
        sent = self.sent

        async def counted(conn, *args, **kwargs):
            sent.append(str(getattr(args[0], "__name__", args[0]))[:60] if args else "")
            return await method(conn, *args, **kwargs)

        return counted


async def test_an_answer_is_three_round_trips(h, monkeypatch):
    """A click on a card: the round, its cards, and one write that takes the round's lock, counts
    the member in, saves the answer and reads their sheet back (issue 20: at most 4)."""
    rid = await start(h)
    ids = [it.id for it in await logic.items(rid)]
    await h.say("ann", "help")  # known to copkit already
    trips = RoundTrips(monkeypatch)
    for n, (route, value) in enumerate(
        [(R.COLOUR, "green"), (R.TREND, "better"), (R.COLOUR, "red"), (R.COMMENT, None)]
    ):
        trips.sent.clear()
        values = {"comment": "so so"} if value is None else {"selected": [value]}
        out = await h.click("ann", (route.build(round=rid, item=ids[n // 2])), values)
        assert len(trips.sent) <= 3, trips.sent
        assert out and out[-1].view.tone != "error", text_of(out[-1].view)
    trips.sent.clear()
    await h.click("ann", R.FORGET.build(round=rid), {"text": "the coffee"})
    assert len(trips.sent) <= 3, trips.sent
    monkeypatch.undo()
    assert await Respondent.filter(round_id=rid).count() == 1
    [a1, a2] = sorted(await Answer.filter(round_id=rid), key=lambda a: a.item_id)
    assert (a1.colour, a1.trend, a2.colour, a2.comment) == ("green", "better", "red", "so so")
    assert [n.text for n in await Note.filter(round_id=rid)] == ["the coffee"]


async def test_a_pulse_vote_is_one_read_and_one_write(h, monkeypatch):
    """A pulse vote: the pulse, then one write that takes its lock and sets the vote (the count
    shown after it is the live view's own reads)."""
    await h.say("leader", 'healthcheck pulse "Enough coffee?" yes no')
    [poll] = [m.view.poll for m in h.messenger.log if m.view.poll is not None]
    await h.say("ann", "help")  # known to copkit already
    trips = RoundTrips(monkeypatch)
    out = await h.click("ann", f"{poll.action_id}:1")
    sent = list(trips.sent)
    assert sent[:2] == ["_execute_fetchall", "_sqlite_batch"] or (
        len(sent) >= 2 and sent[1].startswith("SELECT healthcheck_pulse_vote")
    ), sent
    # (then the live count's own reads: the pulse, its votes, where it is shown; on PostgreSQL
    # under the view's cross-process lock)
    assert "Your vote: no" in text_of(out[0].view)
    trips.sent.clear()
    out = await h.click("ann", f"{poll.action_id}:1")
    assert "nothing changed" in text_of(out[0].view)
    assert len(trips.sent) == 2, trips.sent
    monkeypatch.undo()
    assert [v.option for v in await PulseVote.all()] == [1]
