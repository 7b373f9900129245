"""The weekly "what's on": at the leader's day and time in the community's zone, the coming
week's events, last week's highlights (talks with their recording, actions closed) and a
"did you know" from the archive; skipped when there is nothing to say; one a week at most
(across a restart and a change of day); ``whatson now`` previews it privately. And
``invite``: a message to forward, from the canvas and the next event, with no buttons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from copkit.core import whatson
from copkit.core.actions_models import ActionClosed
from copkit.core.announce_models import AnnounceSetting, WhatsOnPost
from copkit.core.canvas import CanvasSummary
from copkit.core.context import Scope
from copkit.core.hookspecs import hookimpl
from copkit.core.models import LogEntry
from copkit.testing import Harness, Message

PLUGINS = [
    "copkit.plugins.core_commands",
    "copkit.plugins.series",
    "copkit.plugins.brownbag",
    "copkit.plugins.announce",
]
NEWS = "news"


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "timezone Europe/Paris")
        await h.say("bob", "hello")
        yield h


def posts(h: Harness, since: int = 0) -> list[Message]:
    return [m for m in h.messenger.log[since:] if m.view.title.startswith("What's on")]


async def until(h: Harness, when: datetime) -> int:
    return await h.advance(when - h.clock.now())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def talk(h: Harness, title: str, at: str) -> None:
    await h.say("leader", f'brownbag schedule "{title}" --speaker @bob --at "{at}"')


async def test_the_weekly_post_tells_the_week_ahead_and_behind(h):
    await h.say("leader", "announce channel here", room=NEWS)
    [answer] = await h.say("leader", "whatson every monday 9:00")
    assert "the first on Mon 12 Jan 2026, 09:00" in answer.view.text
    await talk(h, "Property testing", "2026-01-08 12:30")
    await talk(h, "Writing ADRs", "2026-01-14 12:30")
    await until(h, utc(2026, 1, 8, 13, 0))
    await h.say("bob", "brownbag done 1")

    mark = len(h.messenger.log)
    await until(h, utc(2026, 1, 12, 7, 59))  # 08:59 in Paris: not yet
    assert posts(h, mark) == []
    await h.restart()
    await until(h, utc(2026, 1, 12, 8, 1))
    [first] = posts(h, mark)
    assert first.room_id == NEWS and first.private_to is None
    text = first.view.text
    assert "**This week**" in text and "Writing ADRs" in text
    assert "**Last week**" in text and "- Talk: Property testing" in text

    await until(h, utc(2026, 1, 14, 13, 0))
    await h.say("bob", "brownbag done 2")
    await h.say("bob", "brownbag links 2 --recording https://video.example/adr")
    await talk(h, "Observability", "2026-01-22 12:30")
    community = (await h.rt.community(h.community_ref)).row
    await ActionClosed.create(
        community=community, key="leancoffee:1", verdict="done", event="retro:1", at=h.clock.now()
    )
    mark = len(h.messenger.log)
    await until(h, utc(2026, 1, 19, 8, 1))
    [second] = posts(h, mark)
    text = second.view.text
    assert "Observability" in text.split("**Last week**")[0]
    assert "- Talk: Writing ADRs — [recording](https://video.example/adr)" in text
    assert "- 1 action closed" in text
    assert "**Did you know?** Property testing (from 2026-01-08)" in text
    assert await WhatsOnPost.filter(skipped=False).count() == 2


async def test_nothing_to_say_is_skipped_and_logged(h):
    await h.say("leader", "whatson every monday 9:00")
    mark = len(h.messenger.log)
    await until(h, utc(2026, 1, 12, 8, 1))
    assert posts(h, mark) == []
    [row] = await WhatsOnPost.all()
    assert row.skipped and row.week == "2026-W03"
    assert await LogEntry.filter(kind="announce.whatson_skipped").count() == 1
    [preview] = await h.say("leader", "whatson now")
    assert preview.private_to == "leader" and "Nothing to say this week" in preview.view.text
    # The chain goes on: the next Monday is planned.
    s = await AnnounceSetting.get()
    assert s.whatson_job is not None


async def test_never_more_than_one_a_week(h):
    await talk(h, "Writing ADRs", "2026-01-14 12:30")
    await h.say("leader", "whatson every monday 9:00")
    mark = len(h.messenger.log)
    await until(h, utc(2026, 1, 12, 8, 1))
    assert len(posts(h, mark)) == 1  # no channel named: in the room it was asked from
    assert posts(h, mark)[0].room_id == "general"
    await h.say("leader", "whatson every wednesday 9:00")  # the same week, another day
    await until(h, utc(2026, 1, 14, 8, 1))
    assert len(posts(h, mark)) == 1
    s = await AnnounceSetting.get()
    scope = Scope(h.rt.services, (await h.rt.community(h.community_ref)).row, "general")
    assert not await whatson.post_week(scope, s, h.clock.now())  # the database says no
    assert await WhatsOnPost.all().count() == 1


async def test_whatson_now_previews_privately_and_off_stops_it(h):
    await talk(h, "Writing ADRs", "2026-01-07 12:30")
    [preview] = await h.say("leader", "whatson now")
    assert preview.private_to == "leader" and "Writing ADRs" in preview.view.text
    assert preview.view.footer == "A preview, for you only."
    await h.say("leader", "whatson every monday 9:00")
    [state] = await h.say("ann", "whatson")
    assert "Every monday 9:00; next: Mon 12 Jan 2026, 09:00" in state.view.text
    await h.say("leader", "whatson off")
    mark = len(h.messenger.log)
    await until(h, utc(2026, 1, 19, 9, 0))
    assert posts(h, mark) == [] and await WhatsOnPost.all().count() == 0


class Canvas:
    @hookimpl
    def copkit_canvas(self, community_id: int) -> CanvasSummary:
        return CanvasSummary(
            community_id,
            1,
            name="Testers' guild",
            leader="Olga",
            boxes={"vision": ("Every team tests with confidence",), "how": ("<@123> talks",)},
        )


async def test_invite_describes_the_community_and_its_next_event(db_url):
    async with Harness(db_url, plugins=PLUGINS, extra=[Canvas()]) as h:
        await h.say("leader", "timezone Europe/Paris")
        await h.say("bob", "hello")
        await talk(h, "Writing ADRs", "2026-01-14 12:30")
        [msg] = await h.say("ann", "invite")
        view = msg.view
        assert msg.private_to is None and view.title == "Join Testers' guild"
        assert "**What we're about:** Every team tests with confidence" in view.text
        assert "**What we do:** <@123> talks" in view.text  # user text, shown as typed
        assert "**Next:** Brown bag: Writing ADRs, Wed 14 Jan 2026, 12:30" in view.text
        assert "ask Olga to join" in view.text
        assert not view.buttons and not view.choices  # forwards well


async def test_invite_without_canvas_or_events(h):
    [msg] = await h.say("ann", "invite")
    assert msg.view.title == "Join Cop"
    assert "nothing scheduled yet" in msg.view.text and "ask leader to join" in msg.view.text


async def test_invite_carries_the_brand_name_and_tagline(db_url):
    async with Harness(db_url, plugins=[*PLUGINS, "copkit.plugins.core_brand"]) as h:
        await invite_with_brand(h)


async def invite_with_brand(h: Harness) -> None:
    await h.say("leader", "brand set name Testers Guild")
    await h.say("leader", "brand set tagline Better tests together")
    [msg] = await h.say("ann", "invite")
    assert msg.view.title == "Join Testers Guild"
    assert msg.view.text.splitlines()[0] == "*Better tests together*"
    assert "share a craft" in msg.view.text
