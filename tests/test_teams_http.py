"""The Teams adapter over real HTTP: activities in, Bot Connector calls out (fake, on loopback).

Uses a test-only format (``fakes.teams_plugin``) so that every adapter feature is exercised
without depending on the real formats; those have their own Teams scenarios.
"""

from __future__ import annotations

import base64
import io

from fakes.bot_connector import (
    BOT_APP_ID,
    BOT_ID,
    CHANNEL,
    OUTBOUND_TOKEN,
    TEAM,
    TENANT,
    FakeBotConnector,
    action,
    actions_of,
    card_text,
    user,
)
from fakes.teams_env import ALICE, BOB, CAROL, OWNER, TeamsEnv
from fakes.teams_plugin import TOPICS, TeamsDemo

from copkit.core.models import Community, Job, Membership, Room, ShownView
from copkit.core.roles import Role

PLUGINS = ("copkit.plugins.core_commands",)
TEAMS_DEMO = True  # the env fixture adds the Teams demo plugin


def last_text(env: TeamsEnv) -> str:
    return env.connector.texts(env.connector.posts()[-1])


def only_card(activity: dict) -> dict:
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


# Communities, rooms, people -------------------------------------------------------------------


async def test_command_with_mention_replies_in_the_thread(env: TeamsEnv):
    activity = env.a.mention(ALICE, "tdemo who {0}", mentions=[BOB])
    status, _ = await env.post(activity)
    assert status == 200
    reply = env.connector.posts()[-1]
    assert reply.conversation == activity["conversation"]["id"]  # the post's thread
    assert reply.activity_id == activity["id"]  # a reply to the message
    assert reply.auth == f"Bearer {OUTBOUND_TOKEN}"
    assert f"that is Bob ({BOB['id']})" in env.connector.texts(reply)
    card = only_card(reply.body)
    assert card["version"] == "1.5" and card["type"] == "AdaptiveCard"
    assert card["fallbackText"]
    community = await Community.get(platform="teams", external_id=f"{TENANT}/{TEAM}")
    assert community.name == "Engineering"
    room = await Room.get(community=community, external_id=CHANNEL)
    assert room.name == "CoP"
    assert room.data["serviceUrl"] == env.connector.url
    assert room.data["conversation"]["id"] == CHANNEL
    assert room.data["conversation"]["tenantId"] == TENANT
    assert room.data["bot"]["id"] == BOT_ID


async def test_mention_markup_and_html_are_stripped(env: TeamsEnv):
    activity = env.a.mention(ALICE, "tdemo who {0}", mentions=[CAROL])
    activity["text"] = (
        "<p><at>copkit</at>&nbsp;tdemo&nbsp;who <at>Carol</at></p>"  # as the Teams web client sends
    )
    activity["textFormat"] = "xml"
    status, _ = await env.post(activity)
    assert status == 200
    assert f"that is Carol ({CAROL['id']})" in last_text(env)
    # a name with spaces survives as one argument
    alice_mention = env.a.mention(BOB, "tdemo who {0}", mentions=[ALICE])
    await env.post(alice_mention)
    assert f"that is Alice Smith ({ALICE['id']})" in last_text(env)


async def test_bot_mentioned_with_another_name_is_still_stripped(env: TeamsEnv):
    activity = env.a.mention(ALICE, "tdemo where")
    activity["text"] = "<at>CoP Bot</at> tdemo where"
    activity["entities"][0]["text"] = "<at>CoP Bot</at>"
    await env.post(activity)
    assert f"room {CHANNEL}" in last_text(env)


async def test_team_owner_becomes_leader_and_other_owners_core(env: TeamsEnv):
    env.connector.rosters[TEAM] = [
        m for m in env.connector.rosters[TEAM] if m["id"] != CAROL["id"]
    ] + [{**CAROL, "userRole": "owner"}]
    await env.post(env.a.mention(ALICE, "tdemo whoami"))
    assert "Alice Smith is member" in last_text(env)
    assert any(c.path.endswith(f"/{TEAM}/pagedmembers") for c in env.connector.calls)
    community = await Community.get(platform="teams", external_id=f"{TENANT}/{TEAM}")
    leader = await Membership.get(community=community, role=Role.LEADER)
    assert leader.person_id == OWNER["id"]
    await env.post(env.a.mention(CAROL, "tdemo whoami"))
    assert "Carol is core" in last_text(env)
    await env.post(env.a.mention(OWNER, "roles core add {0}", mentions=[BOB]))
    assert "Bob is now core team" in last_text(env)
    await env.post(env.a.mention(BOB, "tdemo whoami"))
    assert "Bob is core" in last_text(env)
    await env.post(env.a.mention(ALICE, "roles core add {0}", mentions=[CAROL]))
    assert "Only the leader" in last_text(env)


async def test_the_leader_can_hand_over(env: TeamsEnv):
    await env.post(env.a.mention(OWNER, "tdemo whoami"))
    assert "Olivia Owner is leader" in last_text(env)
    await env.post(env.a.mention(ALICE, "tdemo whoami"))
    await env.post(env.a.mention(OWNER, "roles leader {0}", mentions=[ALICE]))
    await env.post(env.a.mention(ALICE, "tdemo whoami"))
    assert "Alice Smith is leader" in last_text(env)


async def test_installing_in_a_team_sets_it_up_and_says_hello(env: TeamsEnv):
    status, _ = await env.post(env.a.installed(ALICE))
    assert status == 200
    hello = env.connector.posts()[-1]
    assert hello.conversation == TEAM and "Mention me with “help”" in env.connector.texts(hello)
    community = await Community.get(platform="teams", external_id=f"{TENANT}/{TEAM}")
    leader = await Membership.get(community=community, role=Role.LEADER)
    assert leader.person_id == OWNER["id"]  # the team owner, not whoever installed it
    status, _ = await env.post(env.a.installed(BOB, personal=True))
    assert "Type “help”" in last_text(env)
    assert env.connector.posts()[-1].conversation == f"a:1on1-{BOB['id']}"
    # other members joining is no event for copkit
    joined = {**env.a.installed(ALICE), "membersAdded": [{"id": CAROL["id"]}]}
    before = len(env.connector.posts())
    assert (await env.post(joined))[0] == 200 and len(env.connector.posts()) == before


async def test_group_chat_is_a_community_and_its_first_user_leads(env: TeamsEnv):
    chat = "19:0f3c2a1b9d8e7f6a5b4c3d2e1f0a9b8c@thread.v2"
    status, _ = await env.post(env.a.group_chat(BOB, "tdemo whoami", chat=chat))
    assert status == 200
    assert "Bob is leader" in last_text(env)
    assert env.connector.posts()[-1].conversation == chat
    assert await Community.exists(platform="teams", external_id=f"{TENANT}/{chat}")
    await env.post(env.a.group_chat(ALICE, "tdemo whoami", chat=chat))
    assert "Alice Smith is member" in last_text(env)
    # no roster lookups outside a team
    assert not env.connector.of_kind("members")


async def test_personal_chat_uses_the_same_grammar(env: TeamsEnv):
    status, _ = await env.post(env.a.personal(ALICE, "help tdemo"))
    assert status == 200
    reply = env.connector.posts()[-1]
    assert reply.conversation == f"a:1on1-{ALICE['id']}"
    assert "tdemo board" in env.connector.texts(reply)
    await env.post(env.a.personal(ALICE, "tdemo later nonsense"))
    assert "is not a duration" in last_text(env)  # the same answer as everywhere


async def test_a_bare_mention_gets_a_hint(env: TeamsEnv):
    activity = env.a.mention(ALICE, "")
    assert (await env.post(activity))[0] == 200
    assert "Type “help”" in last_text(env)


async def test_unknown_command_is_answered_briefly(env: TeamsEnv):
    await env.post(env.a.mention(ALICE, "tdemo frobnicate"))
    text = last_text(env)
    assert "Traceback" not in text and len(text) < 400


async def test_a_redelivered_activity_is_handled_once(env: TeamsEnv):
    activity = env.a.mention(ALICE, "tdemo board")
    assert (await env.post(activity))[0] == 200
    assert (await env.post(activity))[0] == 200
    assert len(env.connector.posts()) == 1


async def test_a_redelivery_to_another_process_is_handled_once(env: TeamsEnv):
    """Teams may retry an activity on another worker: the answer is in the database, not only in
    the memory of the process that answered (a restart starts with empty memory, like a peer)."""
    activity = env.a.mention(ALICE, "tdemo where")
    first = await env.post(activity)
    await env.restart()
    again = await env.post(activity)
    assert first == again and again[0] == 200
    assert len(env.connector.posts()) == 1


# Cards, actions, updates ----------------------------------------------------------------------


async def _board(env: TeamsEnv) -> str:
    await env.post(env.a.mention(OWNER, "tdemo board"))
    shown = await ShownView.get(key="tdemo:board")
    return shown.ref["message_id"]


async def test_form_and_votes_through_action_execute_update_the_card_in_place(env: TeamsEnv):
    board_id = await _board(env)
    card = env.connector.messages[board_id].card
    show = action(card, "Propose")
    assert show["type"] == "Action.ShowCard"
    form = show["card"]
    (field,) = [b for b in form["body"] if b["type"] == "Input.Text"]
    assert field["id"] == "f0.title" and field["maxLength"] == 40 and field["isRequired"]
    send = action(form, "Send")
    assert send["type"] == "Action.Execute" and send["fallback"]["type"] == "Action.Submit"
    assert send["fallback"]["data"] == send["data"]

    status, answer = await env.post(
        env.a.execute(ALICE, board_id, send["data"], inputs={"title": "Pairing " + "x" * 80})
    )
    assert status == 200
    assert answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Pairing" in card_text({"attachments": [{"content": answer["value"]}]})
    update = env.connector.of_kind("update")[-1]
    assert update.activity_id == board_id and update.conversation.startswith(CHANNEL)
    board_now = env.connector.messages[board_id].card
    assert "Pairing " + "x" * 32 + " (0 votes)" in card_text(
        {"attachments": [{"content": board_now}]}
    )
    assert "x" * 41 not in card_text({"attachments": [{"content": board_now}]})  # maxLength held

    vote = action(board_now, "Vote 1")
    assert vote["type"] == "Action.Execute"
    status, answer = await env.post(env.a.execute(BOB, board_id, vote["data"]))
    assert status == 200
    shown = card_text({"attachments": [{"content": answer["value"]}]})
    assert "Your vote is in." in shown  # only Bob sees this note, in his copy of the card
    assert "(1 votes)" in shown
    public = card_text({"attachments": [{"content": env.connector.messages[board_id].card}]})
    assert "(1 votes)" in public and "Your vote is in." not in public
    assert len(env.connector.messages[board_id].history) == 3  # posted, then two updates


async def test_action_submit_fallback_works_too(env: TeamsEnv):
    board_id = await _board(env)
    form = action(env.connector.messages[board_id].card, "Propose")["card"]
    data = action(form, "Send")["fallback"]["data"]
    status, _ = await env.post(env.a.submit(ALICE, board_id, data, inputs={"title": "Docs"}))
    assert status == 200
    assert "Docs (0 votes)" in card_text(
        {"attachments": [{"content": env.connector.messages[board_id].card}]}
    )
    vote = action(env.connector.messages[board_id].card, "Vote 1")["fallback"]["data"]
    await env.post(env.a.submit(BOB, board_id, vote))
    assert "Docs (1 votes)" in card_text(
        {"attachments": [{"content": env.connector.messages[board_id].card}]}
    )
    # the private "vote is in" went to Bob's 1:1 chat, not to the channel
    private = [c for c in env.connector.posts() if "Your vote is in." in env.connector.texts(c)]
    assert private and all(c.conversation == f"a:1on1-{BOB['id']}" for c in private)


async def test_a_stale_or_foreign_button_is_answered_kindly(env: TeamsEnv):
    board_id = await _board(env)
    status, answer = await env.post(env.a.execute(ALICE, board_id, {"copkit": "nope:gone"}))
    assert status == 200 and "no longer works" in str(answer)
    status, answer = await env.post(env.a.execute(ALICE, board_id, {"copkit": "tdemo:vote:7"}))
    assert status == 200 and "something went wrong" in str(answer).lower()


async def test_private_card_reaches_the_person_and_acts_in_its_room(env: TeamsEnv):
    await env.post(env.a.mention(ALICE, "tdemo dm"))
    create = env.connector.of_kind("create")[-1]
    assert create.body["members"] == [{"id": ALICE["id"]}]
    assert create.body["channelData"]["tenant"]["id"] == TENANT
    dm = [c for c in env.connector.posts() if c.conversation == f"a:1on1-{ALICE['id']}"][-1]
    assert "Just for you" in env.connector.texts(dm)
    assert not [c for c in env.connector.posts() if c.conversation.startswith(CHANNEL)]
    msg_id = next(i for i, m in env.connector.messages.items() if m.conversation == dm.conversation)
    reveal = action(env.connector.messages[msg_id].card, "Reveal")
    status, answer = await env.post(env.a.execute(ALICE, msg_id, reveal["data"], personal=True))
    assert status == 200
    assert f"The secret, in room {CHANNEL}, for member" in str(answer)  # where the card belongs
    # someone else cannot use Alice's card, nor forge its room
    status, answer = await env.post(env.a.execute(BOB, msg_id, reveal["data"], personal=True))
    assert "meant for someone else" in str(answer)
    forged = {**reveal["data"], "r": "19:other@thread.tacv2"}
    status, answer = await env.post(env.a.execute(ALICE, msg_id, forged, personal=True))
    assert "The secret" not in str(answer) and "no longer works" in str(answer)


async def test_a_team_owner_keeps_their_role_on_private_cards(env: TeamsEnv):
    env.connector.rosters[TEAM].append({**user("otto", "Otto"), "userRole": "owner"})
    await env.post(env.a.mention(OWNER, "tdemo whoami"))  # Olivia leads the team
    otto = user("otto", "Otto")
    await env.post(env.a.mention(otto, "tdemo dm"))
    msg_id = max(
        i for i, m in env.connector.messages.items() if m.conversation.endswith("otto-user")
    )
    reveal = action(env.connector.messages[msg_id].card, "Reveal")
    _, answer = await env.post(env.a.execute(otto, msg_id, reveal["data"], personal=True))
    assert "for core" in str(answer)  # another owner: core team, in the personal chat too


async def test_a_thread_is_a_new_channel_post_and_replies_go_there(env: TeamsEnv):
    await env.post(env.a.mention(OWNER, "tdemo thread Signup"))
    create = env.connector.of_kind("create")[-1]
    assert create.body["channelData"]["channel"]["id"] == CHANNEL
    assert create.body["isGroup"] is True
    assert "Signup" in card_text(create.body["activity"])
    thread = (await ShownView.get(key="tdemo:thread")).ref["room_id"]
    assert thread.startswith(CHANNEL + ";messageid=")
    room = await Room.get(external_id=thread)
    assert room.kind == "thread" and room.data["conversation"]["id"] == thread
    await env.post(env.a.mention(BOB, "tdemo where", conversation=thread))
    reply = env.connector.posts()[-1]
    assert reply.conversation == thread and f"room {thread}" in env.connector.texts(reply)
    # a user's own post is not a room of its own: it belongs to the channel
    await env.post(env.a.mention(BOB, "tdemo where"))
    assert f"room {CHANNEL}\n" in last_text(env) + "\n"
    # signing up by a reply in the thread, and with the post's button: the post changes in place
    post_id = (await ShownView.get(key="tdemo:thread")).ref["message_id"]
    await env.post(env.a.mention(ALICE, "tdemo signup", conversation=thread))
    assert f"Alice Smith is in (room {thread})" in last_text(env)
    button = action(env.connector.messages[post_id].card, "Sign me up")
    status, _ = await env.post(env.a.execute(CAROL, post_id, button["data"], conversation=thread))
    assert status == 200
    update = env.connector.of_kind("update")[-1]
    assert update.conversation == thread and update.activity_id == post_id
    assert "Signed up: Alice Smith, Carol" in env.connector.texts(update)
    # a timer set in the thread rings in the thread, after a restart too
    await env.post(env.a.mention(BOB, "tdemo later 2m doors open", conversation=thread))
    await env.restart()
    await env.run_timers(minutes=3)
    ring = env.connector.posts()[-1]
    assert ring.conversation == thread and "Time is up: doors open" in env.connector.texts(ring)


async def test_a_channel_outside_a_team_is_its_own_community(env: TeamsEnv):
    activity = env.a.mention(CAROL, "tdemo whoami")
    del activity["channelData"]["team"]
    del activity["channelData"]["teamsTeamId"]
    assert (await env.post(activity))[0] == 200
    assert "Carol is leader" in last_text(env)  # no roster to ask: the first person leads
    assert await Community.exists(platform="teams", external_id=f"{TENANT}/{CHANNEL}")


async def test_thread_needs_app_id_so_local_mode_posts_in_the_room(db_url, teams_sdk):
    TOPICS.clear()
    async with TeamsEnv(
        db_url, plugins=PLUGINS, extra=[TeamsDemo()], credentials=False, sdk=teams_sdk
    ) as env:
        await env.post(env.a.mention(OWNER, "tdemo thread Signup"))
        assert not env.connector.of_kind("create")
        assert "Signup" in last_text(env)


async def test_timer_reaches_the_channel_after_a_restart(env: TeamsEnv):
    await env.post(env.a.mention(ALICE, "tdemo later 5m stand up"))
    assert "scheduled" in last_text(env)
    assert await Job.filter(done_at=None).count() == 1
    await env.restart()  # nothing kept in memory: the reference comes from the database
    before = len(env.connector.calls)
    assert await env.run_timers(minutes=6) == 1
    (ring,) = [c for c in env.connector.calls[before:] if c.kind in ("send", "reply")]
    assert ring.conversation == CHANNEL and ring.kind == "send"
    assert "Time is up: stand up" in env.connector.texts(ring)
    assert ring.auth == f"Bearer {OUTBOUND_TOKEN}"


async def test_a_moved_service_url_is_used_for_later_proactive_messages(env: TeamsEnv):
    second = FakeBotConnector()
    await second.start()
    try:
        await env.post(env.a.mention(ALICE, "tdemo where"))
        moved = env.a.mention(ALICE, "tdemo later 5m moved")
        moved["serviceUrl"] = second.url  # Teams may move a conversation to another region
        assert (await env.post(moved))[0] == 200
        assert "scheduled" in second.texts(second.posts()[-1])
        await env.run_timers(minutes=6)  # same process: its cached reference follows the move
        assert "Time is up: moved" in second.texts(second.posts()[-1])
        await env.post(
            env.a.mention(
                ALICE,
                "tdemo later 5m again",
            )
        )
        await env.post({**env.a.mention(ALICE, "tdemo where"), "serviceUrl": second.url})
        await env.restart()  # a new process reads the moved reference from the database
        await env.run_timers(minutes=6)
        assert "Time is up: again" in second.texts(second.posts()[-1])
    finally:
        await second.stop()


async def test_timers_work_in_local_emulator_mode_after_a_restart(db_url, teams_sdk):
    TOPICS.clear()
    async with TeamsEnv(
        db_url, plugins=PLUGINS, extra=[TeamsDemo()], credentials=False, sdk=teams_sdk
    ) as env:
        await env.post(env.a.personal(ALICE, "tdemo later 1m tea"))
        await env.restart()
        await env.run_timers(minutes=2)
        ring = env.connector.posts()[-1]
        assert ring.conversation == f"a:1on1-{ALICE['id']}" and ring.auth == ""
        assert "Time is up: tea" in env.connector.texts(ring)


async def test_card_updates_work_after_a_restart(env: TeamsEnv):
    board_id = await _board(env)
    await env.restart()
    form = action(env.connector.messages[board_id].card, "Propose")["card"]
    status, answer = await env.post(
        env.a.execute(ALICE, board_id, action(form, "Send")["data"], inputs={"title": "Later"})
    )
    assert status == 200 and "Later" in str(answer)
    assert "Later (0 votes)" in card_text(
        {"attachments": [{"content": env.connector.messages[board_id].card}]}
    )


async def test_poll_is_a_card_and_votes_come_back_as_actions(env: TeamsEnv):
    await env.post(env.a.mention(ALICE, "tdemo poll"))
    poll_id = max(env.connector.messages)
    card = env.connector.messages[poll_id].card
    titles = [a["title"] for a in actions_of(card)]
    assert titles == ["Monday", "Friday"]
    status, answer = await env.post(env.a.execute(BOB, poll_id, action(card, "Friday")["data"]))
    assert status == 200 and "voted 1" in str(answer)


async def test_images_are_inline_and_kept_under_the_size_limit(env: TeamsEnv):
    await env.post(env.a.mention(ALICE, "tdemo picture 48"))
    card = only_card(env.connector.posts()[-1].body)
    images = [b for b in _walk(card) if b.get("type") == "Image"]
    assert images and images[0]["url"].startswith("data:image/png;base64,")
    from PIL import Image as PILImage

    png = base64.b64decode(images[0]["url"].split(",", 1)[1])
    assert PILImage.open(io.BytesIO(png)).size == (48, 48)
    await env.post(env.a.mention(ALICE, "tdemo picture 600"))  # noise does not compress
    activity = env.connector.posts()[-1].body
    assert len(str(activity)) < 28_000
    assert "A picture" in card_text(activity)


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


# Presence -------------------------------------------------------------------------------------


async def test_meeting_events_give_presence(env: TeamsEnv):
    chat = "19:meeting_ZmFrZQ@thread.v2"
    await env.post(env.a.meeting_event("Join", [ALICE, BOB], chat=chat))
    activity = env.a.group_chat(CAROL, "tdemo present", chat=chat, meeting=True)
    await env.post(activity)
    assert f"present: {','.join(sorted([ALICE['id'], BOB['id'], CAROL['id']]))}" in last_text(env)
    await env.post(env.a.meeting_event("Leave", [BOB], chat=chat))
    await env.post(env.a.group_chat(CAROL, "tdemo present", chat=chat, meeting=True))
    assert f"present: {','.join(sorted([ALICE['id'], CAROL['id']]))}" in last_text(env)


async def test_without_meeting_events_whoever_interacts_is_present(env: TeamsEnv):
    chat = "19:meeting_YmFy@thread.v2"
    await env.post(env.a.group_chat(ALICE, "tdemo whoami", chat=chat, meeting=True))
    await env.post(env.a.group_chat(BOB, "tdemo present", chat=chat, meeting=True))
    assert f"present: {','.join(sorted([ALICE['id'], BOB['id']]))}" in last_text(env)


# Failures at the Bot Connector ----------------------------------------------------------------


async def test_a_connector_failure_is_logged_not_a_500(env: TeamsEnv):
    env.connector.fail["send"] = 403
    status, _ = await env.post(env.a.mention(ALICE, "tdemo where"))
    assert status in (200, 502)
    status, _ = await env.post(env.a.mention(ALICE, "tdemo where"))
    assert status == 200 and "room " in last_text(env)


async def test_a_throttled_send_is_tried_again(env: TeamsEnv):
    env.connector.fail["send"] = 429
    status, _ = await env.post(env.a.mention(ALICE, "tdemo where"))
    assert status == 200
    sends = [c for c in env.connector.calls if c.kind in ("send", "reply")]
    assert len(sends) == 2 and f"room {CHANNEL}" in env.connector.texts(sends[-1])


async def test_outgoing_calls_are_signed_with_the_bot_token(env: TeamsEnv):
    await env.post(env.a.mention(ALICE, "tdemo dm"))
    calls = [c for c in env.connector.calls if not c.path.startswith("/openid")]
    assert calls and all(c.auth == f"Bearer {OUTBOUND_TOKEN}" for c in calls)
    assert BOT_APP_ID


async def test_a_locked_database_is_503_so_teams_retries(tmp_path, teams_sdk):
    import sqlite3

    TOPICS.clear()
    path = tmp_path / "locked.db"
    # busy_timeout: wait half a second for the lock, not SQLite's five, before giving up
    url = f"sqlite://{path}?busy_timeout=500"
    async with TeamsEnv(url, plugins=PLUGINS, extra=[TeamsDemo()], sdk=teams_sdk) as env:
        await env.post(env.a.mention(ALICE, "tdemo where"))
        lock = sqlite3.connect(path, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")  # another process holds the database
        try:
            activity = env.a.mention(ALICE, "tdemo later 5m tea")
            status, _ = await env.post(activity)
            assert status == 503
            assert "can't reach my database" in last_text(env)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        status, _ = await env.post(activity)  # Teams delivers it again: now it works, once
        assert status == 200 and "scheduled" in last_text(env)
        assert await Job.filter(done_at=None).count() == 1
