"""Xtrem Reading and Xtrem Watch through the core (SQLite; PostgreSQL with
COPKIT_TEST_POSTGRES_URL): the book list, picks, groups with their threads (opened once,
reused), two rounds with a swap, late joiners placed, an emptied group merged, the clock
across a restart, the source list, presentations in turn — and the bad inputs of the issue,
each answered and changing nothing."""

from __future__ import annotations

import pytest

from copkit.core.facilitation import groups
from copkit.core.facilitation.models import Group, GroupMember, Note
from copkit.core.models import Place
from copkit.plugins.xtrem.models import Book, Rating, Reading, Session, Source
from copkit.testing import Harness

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.xtrem"]


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        for who in ("ann", "bob", "cid", "dee", "eve"):
            await h.say(who, "help")
        yield h


def said(msgs) -> str:
    return "\n".join(
        f"{m.view.title} {m.view.text} {[f.value for f in m.view.fields]}" for m in msgs
    )


async def snapshot() -> tuple[int, ...]:
    s = await Session.all().order_by("id")
    return (
        await Book.filter(removed_at=None).count(),
        await Reading.all().count(),
        await Rating.all().count(),
        await GroupMember.filter(left_at=None).count(),
        await Group.filter(status="open").count(),
        await Source.all().count(),
        await Note.all().count(),
        sum(x.version for x in s),
    )


async def refused(h: Harness, who: str, text: str, answer: str) -> None:
    before = await snapshot()
    msgs = await h.say(who, text)
    assert answer in said(msgs), said(msgs)
    assert all(m.private_to == who for m in msgs), said(msgs)
    assert await snapshot() == before


async def books(h: Harness, n: int = 4) -> None:
    titles = ["Accelerate", "Team Topologies", "The DevOps Handbook", "Turn the Ship Around"]
    themes = ["delivery", "teams", "delivery", "teams"]
    for i in range(n):
        await h.say("ann", f'xtremreading book add "{titles[i]}" --theme {themes[i]}')


async def reading_groups(h: Harness) -> Session:
    await books(h)
    await h.say("leader", "xtremreading start --round 15m")
    for i, who in enumerate(("ann", "bob", "cid", "dee"), start=1):
        await h.say(who, f"xtremreading pick {i} something")
    await h.say("leader", "xtremreading next")
    return await Session.get()


def test_groups_are_of_two_or_three():
    assert groups.sizes(2) == [2]
    assert groups.sizes(4) == [2, 2]
    assert groups.sizes(5) == [3, 2]
    assert groups.sizes(7) == [3, 2, 2]
    people = [groups.Candidate(m, m, t) for m, t in zip("abcd", ["x", "y", "x", "y"], strict=True)]
    planned = groups.plan(people)
    assert [[p.member for p in g] for g in planned] == [["a", "c"], ["b", "d"]]
    shuffled = groups.plan(people, by="random", seed=3)
    assert sorted(len(g) for g in shuffled) == [2, 2]
    assert groups.plan(people, by="random", seed=3) == shuffled  # the same seed, the same groups


async def test_book_list_refuses_a_book_added_twice(h):
    await h.say("ann", 'xtremreading book add "Accelerate" --author "Nicole Forsgren"')
    await refused(
        h, "bob", 'xtremreading book add "accelerate!" --author "nicole  forsgren"', "already"
    )
    await refused(h, "bob", 'xtremreading book add "X" --link ftp://nowhere', "https://")
    await refused(h, "bob", "xtremreading book remove 1", "Only")
    await h.say("ann", "xtremreading book remove 1")
    assert await Book.filter(removed_at=None).count() == 0
    await h.say("bob", 'xtremreading book add "Accelerate" --author "Nicole Forsgren"')
    listed = await h.say("cid", "xtremreading book list")
    assert "**1.** Accelerate — Nicole Forsgren" in said(listed)


async def test_starting_with_one_reader_is_refused_and_few_books_warned(h):
    await books(h, 2)
    msgs = await h.say("leader", "xtremreading start")
    pitfalls = [m for m in msgs if "Pitfalls" in m.view.title]
    assert pitfalls and pitfalls[0].private_to == "leader"
    assert "skimming, not reading" in pitfalls[0].view.text
    await h.say("ann", "xtremreading pick 1 how to measure")
    await refused(h, "leader", "xtremreading next", "at least two readers")
    msgs = await h.say("bob", "xtremreading pick 2")
    assert "2 books on the list for 2 readers" in said(msgs)
    await refused(h, "cid", "xtremreading pick 2", "picked that book already")


async def test_groups_threads_swap_and_rounds(h):
    s = await reading_groups(h)
    owner = f"xtremreading:{s.id}"
    placed = await groups.placed(owner)
    assert placed == {"ann": 1, "cid": 1, "bob": 2, "dee": 2}  # by theme
    threads = await Place.filter(kind="thread").order_by("key")
    assert [p.key for p in threads] == [f"{owner}:group:1", f"{owner}:group:2"]
    opened = [m for m in h.messenger.log if m.room_id.startswith("thread:")]
    assert {m.room_id for m in opened} == {p.room_id for p in threads}
    await h.say("leader", "xtremreading move @cid 2")
    await h.say("leader", "xtremreading move @bob 1")
    assert await groups.placed(owner) == {"ann": 1, "bob": 1, "cid": 2, "dee": 2}
    await h.say("leader", "xtremreading next")  # round 1
    msgs = await h.say("ann", "xtremreading note Four key metrics")
    in_thread = [m for m in msgs if "Four key metrics" in m.view.text]
    assert in_thread[0].room_id == threads[0].room_id  # the same thread, not a new one
    assert await Place.filter(kind="thread").count() == 2
    await h.advance(minutes=15)
    await h.restart()
    await h.say("leader", "xtremreading next")  # round 2: the swap
    second = {r.member: r.book_id for r in await Reading.filter(round=2)}
    first = {r.member: r.book_id for r in await Reading.filter(round=1)}
    assert second == {
        "ann": first["bob"],
        "bob": first["ann"],
        "cid": first["dee"],
        "dee": first["cid"],
    }
    await h.advance(minutes=14)
    assert "One minute left" in "\n".join(h.texts()[-6:])
    await h.say("leader", "xtremreading next")  # sharing
    await h.say("leader", "xtremreading next")  # day to day
    await h.say("bob", "xtremreading idea Put our lead time on the board")
    await h.say("leader", "xtremreading next")  # ratings
    await refused(h, "ann", "xtremreading rate 7 5", "from 1 to 5")
    await refused(h, "ann", "xtremreading rate 4 0", "from 1 to 5")
    await refused(h, "eve", "xtremreading rate 4 4", "books you read")
    await h.say("ann", "xtremreading rate 4 5")
    await h.say("ann", "xtremreading rate 3 5")  # a change of mind: still one rating
    assert await Rating.all().count() == 1
    msgs = await h.say("leader", "xtremreading next")
    minutes = next(m for m in msgs if "minutes" in m.view.title)
    text = said([minutes])
    assert "Four key metrics" in text and "Put our lead time on the board" in text
    assert "readability 3/5, recommendation 5/5" in text
    listed = said(await h.say("eve", "xtremreading book list"))
    assert "read by ann, bob" in listed and "(1 rating)" in listed


async def test_late_joiner_placed_twice_refused_and_empty_group_merged(h):
    s = await reading_groups(h)
    owner = f"xtremreading:{s.id}"
    msgs = await h.say("eve", "xtremreading join")
    assert "You're in group 1" in said(msgs)
    await refused(h, "eve", "xtremreading join 1", "in group 1 already")
    await refused(h, "eve", "xtremreading join 2", "the facilitator can move you")
    await refused(h, "eve", "xtremreading join", "in group 1 already")
    # bob leaves group 2: dee alone is no group, so the group merges into group 1
    msgs = await h.say("bob", "xtremreading leave")
    assert "Group 2 was merged into group 1" in said(msgs)
    assert (await Group.get(owner=owner, number=2)).status == "merged"
    assert await groups.placed(owner) == {"ann": 1, "cid": 1, "eve": 1, "dee": 1}
    await h.say("dee", "xtremreading leave")
    assert await groups.placed(owner) == {"ann": 1, "cid": 1, "eve": 1}
    await refused(h, "eve", "xtremreading join 2", "merged into group 1")


async def test_stale_next_button_changes_nothing(h):
    s = await reading_groups(h)
    board = await h.view(f"xtremreading:board:{s.id}")
    nxt = next(b.action_id for b in board.buttons if b.label == "Next")
    await h.click("leader", nxt)
    assert (await Session.get()).step == "round1"
    before = await snapshot()
    await h.click("leader", nxt)
    assert await snapshot() == before
    await refused(h, "ann", "xtremreading next", "Only")


async def watch_groups(h: Harness) -> Session:
    await h.say("leader", "xtremwatch start")
    for who, topic in (("ann", "WebAssembly"), ("bob", "Passkeys"), ("cid", "Local-first")):
        await h.say(who, f"xtremwatch topic {topic}")
    await refused(h, "leader", "xtremwatch next", "at least four people")
    await h.say("dee", "xtremwatch topic Platform engineering")
    await h.say("leader", "xtremwatch next")  # the pitch
    for _turn in range(4):
        await h.advance(minutes=1)  # the timer passes the word
    assert (await Session.get()).step == "vote"
    for who, votes in (("ann", (1, 2)), ("bob", (2, 1)), ("cid", (1, 3)), ("dee", (2, 4))):
        for n in votes:
            await h.say(who, f"xtremwatch vote {n}")
    await refused(h, "ann", "xtremwatch vote 3", "all your 2 dots")
    await h.say("leader", "xtremwatch next")  # the groups
    return await Session.get()


async def test_watch_topics_private_groups_on_top_topics_sources(h):
    s = await watch_groups(h)
    before_pitch = [m for m in h.messenger.log if "WebAssembly" in m.view.text]
    first_public = next(i for i, m in enumerate(before_pitch) if m.private_to is None)
    assert all(m.private_to == "ann" for m in before_pitch[:first_public])
    themes = sorted(g.theme for g in await groups.groups(f"xtremwatch:{s.id}"))
    assert themes == ["Passkeys", "WebAssembly"]
    await h.say("leader", "xtremwatch next")  # dive
    msgs = await h.say("ann", "xtremwatch source https://webassembly.org/ The standard")
    assert any(m.room_id.startswith("thread:") and "webassembly.org" in m.view.text for m in msgs)
    await refused(
        h, "bob", "xtremwatch source https://webassembly.org/", "already (#1, found by ann)"
    )
    await refused(h, "bob", "xtremwatch source webassembly", "https://")
    row = await Source.get()
    assert (row.finder, row.group) == (
        "ann",
        (await groups.group_of(f"xtremwatch:{s.id}", "ann")).number,
    )
    for _step in ("sync", "deepdive", "prepare", "present"):
        await h.say("leader", "xtremwatch next")
    first = await groups.by_number(f"xtremwatch:{s.id}", 1)
    members = [m.member for m in await groups.members(first.id)]
    outsider = next(p for p in ("ann", "bob", "cid", "dee") if p not in members)
    await refused(h, outsider, "xtremwatch present", "It's group 1's turn")
    await h.say(members[0], "xtremwatch present")
    await refused(h, members[0], "xtremwatch present", "under way")
    await h.restart()
    await h.advance(minutes=5)
    assert "Time's up" in "\n".join(h.texts()[-4:])
    await h.say("leader", "xtremwatch next")  # group 2
    await h.say("leader", "xtremwatch next")  # discuss
    await h.say("cid", "xtremwatch idea Try passkeys on the staff portal")
    msgs = await h.say("leader", "xtremwatch next")
    text = said(msgs)
    assert "https://webassembly.org/ — " in text and "found by ann" in text
    assert "Try passkeys on the staff portal" in text
    assert (await Session.get()).record["sources"][0]["url"] == "https://webassembly.org/"


async def test_a_command_in_a_group_thread_acts_on_that_groups_session(h):
    await books(h)
    for room in ("east", "west"):
        await h.say("leader", "xtremreading start", room=room)
    for who, n, room in (
        ("ann", 1, "east"),
        ("bob", 2, "east"),
        ("cid", 3, "west"),
        ("dee", 4, "west"),
    ):
        await h.say(who, f"xtremreading pick {n}", room=room)
    for room in ("east", "west"):
        await h.say("leader", "xtremreading next", room=room)
        await h.say("leader", "xtremreading next", room=room)
    east, west = await Session.all().order_by("id")
    thread = (await Place.get(key=f"xtremreading:{west.id}:group:1")).room_id
    msgs = await h.say("cid", "xtremreading note Intent-based leadership", room=thread)
    assert any(m.room_id == thread and "Intent-based leadership" in m.view.text for m in msgs)
    note = await Note.get()
    assert (await note.phase).owner == f"xtremreading:{west.id}"
    # elsewhere (neither session's room nor a group's thread) two sessions are one too many
    await refused(h, "cid", "xtremreading status", "No Xtrem Reading is running here")


async def test_where_there_are_no_voice_rooms_nothing_is_said_in_any_language(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        h.rt.communities.defaults = {"locale": "fr"}
        await h.say("leader", 'xtremreading book add "Accelerate"')
        await h.say("leader", 'xtremreading book add "Drive"')
        await h.say("leader", "xtremreading start --voice")
        await h.say("ann", "xtremreading pick 1")
        await h.say("bob", "xtremreading pick 2")
        msgs = await h.say("leader", "xtremreading next")
        assert (await Session.get()).step == "groups"
        shown = said(msgs)
        assert "Groupe 1" in shown  # (in French)
        assert "vocal" not in shown and "Project-Id" not in shown, shown
