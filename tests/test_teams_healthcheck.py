"""A health-check round in a Teams channel, over real HTTP against the fake Bot Connector: each
member answers on cards only they see (their 1:1 chat with copkit, one card updated in place),
the channel sees only the count, then the results with an inline chart."""

from __future__ import annotations

from fakes.bot_connector import CHANNEL, action, actions_of, card_text
from fakes.teams_env import ALICE, BOB, CAROL, OWNER, TeamsEnv

from copkit.core.models import ShownView
from copkit.plugins.healthcheck.models import Round

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.healthcheck")
COLOURS = {"Alice Smith": "🟢 Green", "Bob": "🟡 Amber", "Carol": "🔴 Red"}


def text(card: dict | str) -> str:
    if isinstance(card, str):
        return card
    return card_text({"attachments": [{"content": card}]})


def personal(who: dict) -> str:
    return f"a:1on1-{who['id']}"


async def answer_everything(env: TeamsEnv, who: dict, announcement: str) -> str:
    """``who`` takes the health check from the channel card and rates every dimension on the
    private card; returns the id of that private card."""
    act = action(env.connector.messages[announcement].card, "Take the health check")
    status, answer = await env.post(env.a.execute(who, announcement, act["data"]))
    assert status == 200
    assert "private chat" in text(answer["value"])  # told where the card went
    (card_id,) = [i for i, m in env.connector.messages.items() if m.conversation == personal(who)]
    colour = COLOURS[who["name"]]
    for _ in range(30):
        card = env.connector.messages[card_id].card
        titles = [a["title"] for a in actions_of(card)]
        if "Done" in titles:
            break
        assert "Only you see this" in text(card)
        if colour in titles and "Your answer" not in text(card):
            pick = colour
        else:
            pick = "→ About the same"
        data = action(card, pick)["data"]
        status, answer = await env.post(env.a.execute(who, card_id, data, personal=True))
        assert status == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive"
        assert text(answer["value"]) == text(env.connector.messages[card_id].card)
    else:
        raise AssertionError("never reached the end of the deck")
    data = action(env.connector.messages[card_id].card, "Done")["data"]
    await env.post(env.a.execute(who, card_id, data, personal=True))
    assert "Thank you!" in text(env.connector.messages[card_id].card)
    return card_id


async def test_health_check_round_on_private_cards(env: TeamsEnv):
    for n in range(11, 4, -1):  # a shorter deck: four dimensions
        await env.post(env.a.mention(OWNER, f"healthcheck deck retire {n}"))
    await env.post(env.a.mention(OWNER, "healthcheck start"))
    r = await Round.get()
    announcement = (await ShownView.get(key=f"healthcheck:round:{r.id}")).ref["message_id"]
    assert "Anonymous" in text(env.connector.messages[announcement].card)
    assert "Rate 4 dimensions" in text(env.connector.messages[announcement].card)

    cards = {}
    for who in (ALICE, BOB, CAROL):
        cards[who["id"]] = await answer_everything(env, who, announcement)
        # one card per person, updated in place: their chat is not flooded
        assert [m.conversation for m in env.connector.messages.values()].count(personal(who)) == 1
    assert "Answers so far\n3" in text(env.connector.messages[announcement].card)

    # someone else cannot press Alice's card
    alice_card = env.connector.messages[cards[ALICE["id"]]].card
    data = action(alice_card, "Review my answers")["data"]
    status, answer = await env.post(env.a.execute(BOB, cards[ALICE["id"]], data, personal=True))
    assert "meant for someone else" in str(answer)

    # private cards went only to the 1:1 chat of the person they are for
    people = {personal(w): w["id"] for w in (ALICE, BOB, CAROL)}
    for call in env.connector.calls:
        body = env.connector.texts(call) if isinstance(call.body, dict) else ""
        if "Only you see this" in body:
            card = call.body["attachments"][0]["content"]
            owners = {a["data"].get("u") for a in actions_of(card) if "data" in a}
            assert owners == {people.get(call.conversation)}, (call.conversation, owners)
    channel_text = "\n".join(
        env.connector.texts(c) for c in env.connector.calls if c.conversation.startswith(CHANNEL)
    )
    assert "Your answer" not in channel_text and "🔴 Red" not in channel_text

    # the leader closes the round: results and a chart, inline, in the channel
    await env.post(env.a.mention(OWNER, "healthcheck close"))
    assert await env.run_timers(seconds=0) == 1  # the results' post: the close's own next step
    results = [c for c in env.connector.posts() if "results" in env.connector.texts(c)]
    assert results and results[-1].conversation.startswith(CHANNEL)
    body = results[-1].body
    assert "3 of" in env.connector.texts(results[-1])
    images = [b for b in _walk(body) if b.get("type") == "Image"]
    assert images and images[0]["url"].startswith("data:image/png;base64,")
    assert len(str(body)) < 28_000
    assert "closed" in text(env.connector.messages[announcement].card)


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


async def test_after_the_close_nothing_on_teams_links_a_member_to_an_answer(env, db_url, caplog):
    """The anonymity walk through the Teams adapter: after the close no row of any table (the
    answered deliveries, the shown views, the rooms…), no byte of the files and no log record at
    any level (as ``copkit -v``) puts a member next to an answer."""
    import logging
    import re

    from test_healthcheck_anonymity import _all_rows, _assert_unlinked, _raw_bytes

    from copkit.logs import HELD_AT_INFO as QUIET_LOGGERS
    from copkit.plugins.healthcheck.models import Answer

    caplog.set_level(logging.DEBUG)
    for name in QUIET_LOGGERS:
        caplog.set_level(logging.INFO, logger=name)
    for n in range(11, 4, -1):
        await env.post(env.a.mention(OWNER, f"healthcheck deck retire {n}"))
    await env.post(env.a.mention(OWNER, "healthcheck start"))
    r = await Round.get()
    announcement = (await ShownView.get(key=f"healthcheck:round:{r.id}")).ref["message_id"]
    for who in (ALICE, BOB, CAROL):
        await answer_everything(env, who, announcement)
    links = {a.token for a in await Answer.filter(round_id=r.id)} | {(await Round.get()).secret}
    assert len(links) == 4 and all(links)
    await env.post(env.a.mention(OWNER, "healthcheck close"))
    # Teams may answer before a slow handler finishes: scan once the results are posted (their
    # job scrubs the files again).
    assert await env.run_timers(seconds=0) == 1
    answer_words = re.compile(r"🟢|🟡|🔴|\b(Green|Amber|Red|green|amber|red)\b|Your answer")
    people = [w["id"] for w in (ALICE, BOB, CAROL)]
    for table, row in await _all_rows(None):
        if any(p in row for p in people):
            assert not answer_words.search(row), f"{table}: {row[:300]}"
        assert not [t for t in links if t in row], f"{table}: {row[:300]}"
    _assert_unlinked(await _raw_bytes(db_url), tuple(links))
    for rec in caplog.records:
        msg = rec.getMessage()
        if any(p in msg for p in people):
            assert not answer_words.search(msg), f"{rec.name}: {msg[:300]}"
