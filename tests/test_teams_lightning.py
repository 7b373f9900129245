"""Lightning talks in a Teams channel, over real HTTP against the fake Bot Connector: the sign-up
"thread" is a new post in the channel, people sign up by replying to it or with its form, the
post changes in place, and the cutoff reaches the thread after a restart."""

from __future__ import annotations

from datetime import UTC, datetime

from fakes.bot_connector import CHANNEL, action, actions_of, card_text
from fakes.teams_env import ALICE, BOB, CAROL, OWNER, TeamsEnv

from copkit.core.models import Room, ShownView
from copkit.plugins.lightningtalks.models import Event, Talk

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.lightningtalks")
OPEN = (
    'lightning open "Friday lightning" --at "2026-01-09 17:00" --slots 2 '
    '--cutoff "2026-01-09 12:00"'
)


def post_text(env: TeamsEnv, message_id: str) -> str:
    return card_text({"attachments": [{"content": env.connector.messages[message_id].card}]})


async def test_lightning_signup_post_with_replies(env: TeamsEnv):
    await env.post(env.a.mention(OWNER, "timezone Europe/Paris"))
    await env.post(env.a.mention(OWNER, OPEN))
    ev = await Event.get()

    # the sign-up "thread" is a new post in the channel
    (create,) = [c for c in env.connector.of_kind("create") if c.body.get("isGroup")]
    assert create.body["channelData"]["channel"]["id"] == CHANNEL
    assert "Line-up: Friday lightning" in card_text(create.body["activity"])
    thread = ev.thread_id
    assert thread.startswith(CHANNEL + ";messageid=")
    assert (await Room.get(external_id=thread)).kind == "thread"
    post = (await ShownView.get(key=f"lightning:lineup:{ev.id}")).ref["message_id"]
    assert env.connector.messages[post].conversation == thread

    # Alice replies in the thread: the reply finds the event, the post changes in place
    status, _ = await env.post(
        env.a.mention(ALICE, "lightning signup Rust in five minutes", conversation=thread)
    )
    assert status == 200
    assert "Alice Smith — “Rust in five minutes”" in post_text(env, post)
    update = env.connector.of_kind("update")[-1]
    assert update.conversation == thread and update.activity_id == post

    # Bob uses the post's form (Action.Execute); his confirmation is on his copy of the card
    send = action(action(env.connector.messages[post].card, "Sign up")["card"], "Send")
    status, answer = await env.post(
        env.a.execute(BOB, post, send["data"], conversation=thread, inputs={"title": "Vim golf"})
    )
    assert status == 200
    assert "You're in the line-up" in card_text({"attachments": [{"content": answer["value"]}]})
    assert "Bob — “Vim golf”" in post_text(env, post)

    # Carol replies too: both slots are taken, she waits
    await env.post(env.a.mention(CAROL, "lightning signup Pairing tips", conversation=thread))
    assert "Waiting list" in post_text(env, post)
    # Alice withdraws with the post's button: Carol moves up and is told in her personal chat
    withdraw = action(env.connector.messages[post].card, "Withdraw")
    await env.post(env.a.execute(ALICE, post, withdraw["data"], conversation=thread))
    told = [
        env.connector.texts(c)
        for c in env.connector.posts()
        if c.conversation == f"a:1on1-{CAROL['id']}"
    ]
    assert any("A slot opened" in t for t in told)
    statuses = {t.speaker_id: t.status for t in await Talk.filter(event_id=ev.id)}
    assert statuses[CAROL["id"]] == "lineup" and statuses[ALICE["id"]] == "withdrawn"

    # a restart; the cutoff (12:00 Paris) closes sign-ups and says so in the thread
    await env.restart()
    mark = len(env.connector.calls)
    env.clock.advance(datetime(2026, 1, 9, 11, 1, tzinfo=UTC) - env.clock.now())
    assert await env.run_timers(seconds=0) >= 1
    said = [c for c in env.connector.calls[mark:] if c.kind in ("send", "reply")]
    assert any(
        c.conversation == thread and "Sign-ups are closed." in env.connector.texts(c) for c in said
    )
    assert "Sign-ups are closed." in post_text(env, post)
    assert "Sign up" not in [a.get("title") for a in actions_of(env.connector.messages[post].card)]
