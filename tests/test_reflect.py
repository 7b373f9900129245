"""Reflect through the core: the scorecard, participation in aggregate, me / me private, the
coach's nudges (once a week, across a restart) and the monthly digest."""

from __future__ import annotations

import asyncio
import io
import re

import pytest
from PIL import Image as PILImage

from copkit.core import goals
from copkit.core.models import Job, LogEntry
from copkit.plugins.reflect import ingest
from copkit.plugins.reflect.models import DigestSent, MemberMonth, Nudge
from copkit.testing import Harness

PLUGINS = [
    "copkit.plugins.core_commands",
    "copkit.plugins.leancoffee",
    "copkit.plugins.healthcheck",
    "copkit.plugins.reflect",
]
MEMBERS = ("ann", "bob", "cid", "dee", "eve")


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "roles leader leader")
        for who in (*MEMBERS, "sam"):
            await h.say(who, "help")
        await h.say("leader", "roles core add bob")
        yield h


async def lean_coffee(h: Harness, host: str = "leader", topics: tuple[str, ...] = ("ann",)):
    await h.say(host, "leancoffee start")
    for who in topics:
        await h.say(who, f"leancoffee propose A topic from {who}")
    await h.say(host, "leancoffee end")


def png_size(data: bytes) -> tuple[int, int]:
    img = PILImage.open(io.BytesIO(data))
    img.load()
    assert img.format == "PNG"
    return img.size


def texts(msgs) -> str:
    return "\n".join(
        " ".join(
            [
                m.view.title,
                m.view.text,
                m.view.footer,
                *(f"{f.name} {f.value}" for f in m.view.fields),
            ]
        )
        for m in msgs
    )


# Goals and the scorecard ----------------------------------------------------------------------


async def test_scorecard_measures_signals_and_manual_values_with_a_picture(h):
    await h.say(
        "bob", "goals add Two lean coffees a month --target 2 --signal events_held:leancoffee"
    )
    await h.say("bob", "goals add Blog posts written --target 3")
    await h.say("bob", "goals value 2 1 --period 2025-12")
    await h.say("bob", "goals value 2 4")
    await lean_coffee(h)
    msgs = await h.say("ann", "goals")  # public: any member sees the scorecard
    card = msgs[-1].view
    lines = card.text.splitlines()
    assert "Two lean coffees a month" in lines[0] and "**1** (target 2)" in lines[0]
    assert "⏳" in lines[0] and "before: 0" in lines[0]
    assert "Blog posts written" in lines[1] and "**4** (target 3)" in lines[1]
    assert "✅" in lines[1] and "↑ before: 1" in lines[1] and "entered by the core team" in lines[1]
    assert card.footer == "1 of 2 goals with a target met so far."
    (image,) = card.images
    assert png_size(image.png) == (900, 60 + 46 * 2 + 20)
    await lean_coffee(h)
    assert "**2** (target 2)" in (await h.say("ann", "goals"))[-1].view.text.splitlines()[0]


async def test_only_the_core_team_changes_goals_and_bad_input_changes_nothing(h):
    refused = await h.say("ann", "goals add Mine --target 1")
    assert "core team" in texts(refused).lower()
    assert await goals.goals_of((await h._community()).id) == []
    for bad in (
        "goals add Something --target lots",
        "goals add Something --signal happiness",
        "goals add Something --cadence daily",
        "goals remove 3",
        "goals set 1 --target 2",
        "goals value 1 5",
    ):
        out = texts(await h.say("bob", bad))
        assert "went wrong" not in out and out
    assert await goals.goals_of((await h._community()).id) == []
    await h.say("bob", "goals add Events --target 2 --signal events_held")
    out = texts(await h.say("bob", "goals value 1 3"))
    assert "measures this goal itself" in out
    await h.say("bob", "goals set 1 --signal none --cadence quarter")
    (g,) = await goals.goals_of((await h._community()).id)
    assert (g.signal, g.cadence) == (None, "quarter")
    await h.say("bob", "goals remove 1")
    assert await goals.goals_of((await h._community()).id) == []


# Participation ----------------------------------------------------------------------------------


async def test_levels_counts_and_movement_never_names(h):
    await h.say("bob", "leancoffee start")
    for _i in range(6):
        await h.say("ann", "leancoffee propose Another of ann's topics")
    await h.say("bob", "leancoffee propose One")
    await h.say("bob", "leancoffee propose Two")
    await h.say("cid", "leancoffee propose Three")
    view = (await h.say("dee", "participation"))[-1].view
    text = texts([(await h.say("dee", "participation"))[-1]])
    # ann core, bob active (hosting and two topics), cid occasional; roles are not contributions
    assert "**Core**: 1" in view.text and "**Active**: 1" in view.text
    assert "**Occasional**: 1" in view.text
    assert "**Peripheral**: 1" in view.text  # the leader: seen (roles) but no contribution
    for who in ("ann", "bob", "cid", "dee", "leader"):
        assert who not in text.replace("ann's", "")  # counts only, never a name
    await h.advance(days=90)  # April: January left the window, so all who came went quiet
    view = (await h.say("dee", "participation"))[-1].view
    assert "**Core**: 0" in view.text
    assert "3 went quiet" in view.fields[0].value


async def test_no_view_lists_members_by_how_little_they_give(h):
    """Takers (votes, feedback) are never named: not in participation, the digest, the coach,
    the scorecard — the only view with a person's numbers is their own ``me``."""
    await h.say("bob", "goals add Active members --signal active_members --target 5")
    await h.say("leader", "leancoffee start")
    for who in MEMBERS:
        await h.say(who, f"leancoffee propose Topic by {who}")
    community = await h._community()
    for who in ("dee", "eve"):  # the takers: only votes
        for _i in range(3):
            await h.rt.log_service.contribute(community, who, "vote", "leancoffee:topic:1")
    seen = []
    for cmd in ("participation", "goals", "digest", "coach"):
        seen += await h.say("leader", cmd)
    seen += await h.say("bob", "digest")
    out = texts(seen)
    for taker in ("dee", "eve"):
        assert not re.search(
            rf"\b{taker}\b", out.replace("Topic by dee", "").replace("Topic by eve", "")
        )
    mine = texts(await h.say("dee", "me"))
    assert "vote 3" in mine and "ann" not in mine


async def test_me_private_leaves_a_member_out_but_they_still_take_part(h):
    await h.say("bob", "leancoffee start")
    await h.say("ann", "leancoffee propose Before")
    await h.say("cid", "leancoffee propose Cid's topic")
    assert "**Occasional**: 3" in (await h.say("bob", "participation"))[-1].view.text
    out = await h.say("ann", "me private")
    assert out[-1].private_to == "ann" and "left out" in out[-1].view.text
    await h.say("ann", "leancoffee propose After opting out")  # still takes part
    assert await LogEntry.filter(member="ann", kind="topic").count() == 2
    text = (await h.say("bob", "participation"))[-1].view.text
    assert "**Occasional**: 2" in text
    mine = (await h.say("ann", "me"))[-1]
    assert mine.private_to == "ann" and "topic 2" in texts([mine])
    assert "left out of the statistics" in mine.view.footer
    await h.say("ann", "me private off")  # counted again, with both topics: active
    text = (await h.say("bob", "participation"))[-1].view.text
    assert "**Active**: 1" in text and "**Occasional**: 2" in text


async def test_health_check_answers_never_feed_participation(h):
    await h.say("leader", "healthcheck start --closes-in 1d")
    rid = (await LogEntry.filter(kind="healthcheck.started").first()).ref
    assert rid
    for who in MEMBERS:
        await h.say(who, "healthcheck take")
    await h.advance(days=2)  # closed by its timer: respondents are told to the hooks
    await h.say("bob", "participation")
    await ingest.catch_up((await h._community()).id)
    kinds = set(await MemberMonth.all().values_list("kind", flat=True))
    members = set(await MemberMonth.all().values_list("member", flat=True))
    assert not any(k.startswith("healthcheck") for k in kinds)
    assert not set(MEMBERS) & members  # answering a health check is not counted anywhere
    assert "**Occasional**: 0" in (await h.say("bob", "participation"))[-1].view.text


async def test_two_catch_ups_at_once_count_each_row_once(h):
    community = await h._community()
    for i in range(40):
        await h.rt.log_service.contribute(community, f"m{i % 7}", "topic", f"x:{i}")
    await asyncio.gather(*(ingest.catch_up(community.id) for _ in range(4)))
    total = sum(await MemberMonth.filter(kind="topic").values_list("n", flat=True))
    assert total == 40


# The coach --------------------------------------------------------------------------------------


def nudges(h: Harness, since: int = 0) -> list:
    return [
        m for m in h.messenger.log[since:] if m.private_to == "leader" and "nudge" in m.view.title
    ]


async def test_a_nudge_at_most_once_a_week_even_across_a_restart(h):
    await lean_coffee(h)
    await h.say("leader", "goals")  # schedules the coach and the digest
    await h.advance(days=7 * 5)  # no event for five weeks
    sent = nudges(h)
    assert len(sent) == 1
    view = sent[0].view
    assert "No event has happened for 4 weeks" in view.text
    assert view.fields[0].name == "A next step" and "coach off quiet" in view.footer
    assert await Nudge.all().count() == 1
    await h.restart()
    community = await h._community()
    # a duplicate of the weekly job (a retry, a second process) inside the same week
    await Job.create(
        handler="reflect.coach", due_at=h.clock.now(), payload={}, community_id=community.id
    )
    await h.advance(hours=1)
    assert len(nudges(h)) == 1
    await h.advance(days=7)
    assert len(nudges(h)) == 2  # a week later, the next one


async def test_nudges_can_be_switched_off(h):
    await lean_coffee(h)
    await h.say("leader", "coach off quiet")
    await h.say("leader", "coach off health-overdue")
    await h.say("leader", "coach off newcomers-gone")
    await h.advance(days=7 * 5)
    assert [m.view.text for m in nudges(h)] == []
    view = (await h.say("leader", "coach"))[-1]
    assert view.private_to == "leader"
    assert "○ quiet" in view.view.fields[0].value and "(off)" in view.view.fields[0].value
    assert "No event has happened" in view.view.text  # the leader still sees it when asking
    out = texts(await h.say("ann", "coach off fun"))
    assert "leader" in out.lower()


async def test_same_format_and_leader_runs_everything(h):
    for _i in range(6):
        await lean_coffee(h)
    view = (await h.say("leader", "coach"))[-1].view
    assert "The last 4 events were all leancoffee." in view.text
    assert "You ran 6 of the last 6 events." in view.text
    await lean_coffee(h, host="bob")
    view = (await h.say("leader", "coach"))[-1].view
    assert "You ran 5 of the last 6 events." in view.text


# The digest -------------------------------------------------------------------------------------


async def test_monthly_digest_to_leader_and_sponsor_once(h):
    await h.say("leader", "coach sponsor @sam")
    await h.say("bob", "goals add Events --target 2 --signal events_held")
    await lean_coffee(h)
    await lean_coffee(h, host="bob", topics=("cid", "dee"))
    start = len(h.messenger.log)
    await h.advance(days=30)  # 2026-02-04: the digest for January went out on the 1st
    digests = [m for m in h.messenger.log[start:] if "digest" in m.view.title.lower()]
    assert sorted(m.private_to for m in digests) == ["leader", "sam"]
    view = digests[0].view
    assert view.title == "Monthly digest: 2026-01"
    assert view.text == "2 events held (leancoffee 2)."
    assert "**2** (target 2)" in view.fields[1].value
    (image,) = view.images
    assert png_size(image.png) == (1000, 700)
    assert await DigestSent.all().count() == 1
    await h.restart()
    await h.advance(days=2)
    again = [m for m in h.messenger.log[start:] if "digest" in m.view.title.lower()]
    assert len(again) == 2
    on_demand = (await h.say("bob", "digest"))[-1]
    assert on_demand.private_to == "bob" and on_demand.view.images
    assert "core team" in texts(await h.say("ann", "digest")).lower()
