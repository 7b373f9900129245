"""Brown bags and lightning talks declared once: each button, choice and form has the role of
its command *and* the community's ``roles require`` override; a button pressed twice, or a
stale copy of it, changes state once and says so; a forged or mangled id is "out of date"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from copkit.plugins.brownbag.format import FEEDBACK as BB_FEEDBACK
from copkit.plugins.brownbag.format import RSVP, UPVOTE, VOLUNTEER
from copkit.plugins.brownbag.models import Feedback as BbFeedback
from copkit.plugins.brownbag.models import Rsvp, Session, Upvote, Volunteer
from copkit.plugins.lightningtalks.format import FEEDBACK as LT_FEEDBACK
from copkit.plugins.lightningtalks.format import NEXT, SIGNUP, SKIP, WITHDRAW
from copkit.plugins.lightningtalks.models import Event, Talk
from copkit.plugins.lightningtalks.models import Feedback as LtFeedback
from copkit.testing import Harness

PLUGINS = [
    "copkit.plugins.core_commands",
    "copkit.plugins.brownbag",
    "copkit.plugins.lightningtalks",
]
APOLOGY = "Sorry, something went wrong"


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "timezone Europe/Paris")
        for who in ("ann", "bob", "cid"):
            await h.say(who, "roles")
        yield h


async def brown_bag(h: Harness) -> Session:
    await h.say(
        "leader", 'brownbag schedule "Property testing" --speaker @bob --at "2026-01-08 12:30"'
    )
    return await Session.filter().order_by("-id").first()


async def lightning(h: Harness, *people: str) -> Event:
    await h.say("leader", 'lightning open "Friday" --at "2026-01-09 17:00" --slots 4')
    ev = await Event.filter().order_by("-id").first()
    for who in people:
        await h.say(who, f"lightning signup Talk by {who}")
    return ev


def answer(msgs) -> str:
    assert len(msgs) == 1, [m.view.text for m in msgs]
    assert APOLOGY not in msgs[0].view.text
    return msgs[0].view.text


# roles require … refuses the button, the choice and the form ----------------------------------


async def test_roles_require_brownbag_rsvp_refuses_the_buttons_too(h):
    s = await brown_bag(h)
    await h.say("leader", "roles require core brownbag rsvp")
    assert "Only" in answer(await h.click("ann", RSVP.build(session=s.id, answer="going")))
    assert "Only" in answer(await h.say("ann", f"brownbag rsvp {s.id} going"))
    assert await Rsvp.all().count() == 0
    await h.say("leader", "roles core add @ann")
    assert "You're going" in answer(await h.click("ann", RSVP.build(session=s.id, answer="going")))


async def test_roles_require_brownbag_upvote_and_volunteer_refuse_the_choices_too(h):
    await h.say("cid", "brownbag propose Observability")
    await h.say("leader", "roles require core brownbag upvote")
    await h.say("leader", "roles require core brownbag volunteer")
    assert "Only" in answer(await h.click("ann", UPVOTE.build(), {"selected": ["1"]}))
    assert "Only" in answer(await h.say("ann", "brownbag upvote 1"))
    assert "Only" in answer(await h.click("ann", VOLUNTEER.build(), {"selected": ["1"]}))
    assert await Upvote.all().count() == 0 and await Volunteer.all().count() == 0


async def finished_brown_bag(h: Harness) -> Session:
    s = await brown_bag(h)
    await h.click("ann", RSVP.build(session=s.id, answer="going"))
    await h.advance(datetime(2026, 1, 8, 12, 16, tzinfo=UTC) - h.clock.now())  # the end timer
    return await Session.get(id=s.id)


async def test_roles_require_brownbag_feedback_refuses_the_form_too(h):
    s = await finished_brown_bag(h)
    assert s.status == "done"
    await h.say("leader", "roles require core brownbag feedback")
    form = BB_FEEDBACK.build(session=s.id, rating=5)
    assert "Only" in answer(await h.click("ann", form, {"apply": "Shrink"}))
    assert "Only" in answer(await h.say("ann", f"brownbag feedback {s.id} 5"))
    assert await BbFeedback.all().count() == 0


async def test_roles_require_lightning_signup_refuses_the_form_too(h):
    ev = await lightning(h)
    await h.say("leader", "roles require core lightning signup")
    assert "Only" in answer(await h.click("ann", SIGNUP.build(event=ev.id), {"title": "Vim"}))
    assert "Only" in answer(await h.say("ann", "lightning signup Vim"))
    assert await Talk.all().count() == 0


# pressed twice, or stale: one change, and a clear answer ------------------------------------------


async def test_lightning_next_and_skip_pressed_twice_move_on_once(h):
    ev = await lightning(h, "ann", "bob", "cid")
    await h.say("leader", "lightning run")
    nxt, skip = (await h.view(f"lightning:run:{ev.id}")).buttons
    ann = (await Event.get(id=ev.id)).current_talk
    assert nxt.action_id == NEXT.build(event=ev.id, talk=ann)
    assert skip.action_id == SKIP.build(event=ev.id, talk=ann)
    await h.click("leader", nxt.action_id)
    assert "already over" in answer(await h.click("leader", nxt.action_id))  # a double click
    assert "already over" in answer(await h.click("leader", skip.action_id))  # a stale copy
    statuses = [t.status for t in await Talk.filter(event_id=ev.id).order_by("seq")]
    assert statuses == ["done", "live", "lineup"]

    _nxt, skip = (await h.view(f"lightning:run:{ev.id}")).buttons
    await h.restart()  # the buttons still work on any process, after a restart
    await h.click("leader", skip.action_id)
    assert "already over" in answer(await h.click("leader", skip.action_id))
    statuses = [t.status for t in await Talk.filter(event_id=ev.id).order_by("seq")]
    assert statuses == ["done", "skipped", "live"]
    assert "already started" in answer(await h.say("leader", "lightning run"))


async def test_lightning_signup_withdraw_and_feedback_twice_change_once(h):
    ev = await lightning(h, "bob")
    form = SIGNUP.build(event=ev.id)
    await h.click("ann", form, {"title": "Vim"})
    assert "already signed up" in answer(await h.click("ann", form, {"title": "Vim"}))
    await h.click("ann", WITHDRAW.build(event=ev.id))
    assert "not signed up" in answer(await h.click("ann", WITHDRAW.build(event=ev.id)))
    assert [t.status for t in await Talk.filter(speaker_id="ann")] == ["withdrawn"]

    await h.say("leader", "lightning run")
    await h.say("leader", "lightning next")
    assert (await Event.get(id=ev.id)).status == "done"
    five = LT_FEEDBACK.build(event=ev.id, rating=5)
    assert "Thanks" in answer(await h.click("cid", five, {"apply": "Shorter slides"}))
    assert "updated" in answer(await h.click("cid", five, {"apply": "Shorter slides"}))
    assert await LtFeedback.filter(event_id=ev.id).count() == 1


async def test_brownbag_rsvp_twice_changes_nothing_and_says_so(h):
    s = await brown_bag(h)
    going = RSVP.build(session=s.id, answer="going")
    await h.click("ann", going)
    ref = await h.rt.view_ref(await h._community(), f"brownbag:session:{s.id}")
    card = h.messenger.messages[ref["message_id"]]
    edits = card.edits
    assert "Going (1)" in card.view.buttons[0].label
    assert "already answered “Going”" in answer(await h.click("ann", going))
    assert card.edits == edits  # no edit either
    assert await Rsvp.filter(session_id=s.id).count() == 1
    await h.click("ann", RSVP.build(session=s.id, answer="no"))  # a change of mind still counts
    assert (await Rsvp.get(session_id=s.id)).answer == "no"


async def test_brownbag_feedback_and_upvote_twice_keep_one_row(h):
    s = await finished_brown_bag(h)
    three = BB_FEEDBACK.build(session=s.id, rating=3)
    assert "Thanks" in answer(await h.click("ann", three, {"apply": ""}))
    assert "updated" in answer(await h.click("ann", three, {"apply": ""}))
    assert await BbFeedback.filter(session_id=s.id).count() == 1
    await h.say("cid", "brownbag propose Observability")
    await h.click("ann", UPVOTE.build(), {"selected": ["1"]})
    assert "already upvoted" in answer(await h.click("ann", UPVOTE.build(), {"selected": ["1"]}))
    assert await Upvote.all().count() == 1


@pytest.mark.parametrize(
    "action_id",
    [
        "brownbag:rsvp:²:going",
        "brownbag:rsvp:99999999999:going",
        "brownbag:rsvp:1",
        "brownbag:feedback:1:①",
        "brownbag:ics:-1",
        "lightning:next:1",
        "lightning:skip:1:2:3",
        "lightning:signup:x",
        "lightning:feedback:1",
    ],
)
async def test_mangled_ids_are_out_of_date_not_bugs(h, action_id):
    await brown_bag(h)
    await lightning(h, "ann")
    assert "out of date" in answer(await h.click("leader", action_id))
