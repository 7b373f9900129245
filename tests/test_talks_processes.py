"""A brown-bag card and a lightning-talk card edited from three copkit processes at once, on one
PostgreSQL: each process renders and edits under the view's advisory lock, so whatever order the
requests arrive in, every edit shows a state at least as new as the one before and every card
ends on what the database holds. (PostgreSQL only.)

People RSVP on the brown bag's announcement (some change their mind) and sign up with the
lightning talks' form (some withdraw), their clicks spread round-robin over the processes, as the
Bot Connector delivers them; the cards are compared with the stored state once the edits settle.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from conftest import PG_URL, requires_postgres, reset_postgres
from fakes.bot_connector import TEAM, TeamsActivities, actions_of, card_text, user
from fakes.multiproc import Fleet, Spreader, TimedConnector

from copkit.core.models import ShownView
from copkit.core.plugins import build_registry, make_plugin_manager
from copkit.core.storage import close_database, open_database
from copkit.plugins.brownbag.format import RSVP, session_key
from copkit.plugins.brownbag.models import Rsvp, Session
from copkit.plugins.lightningtalks.format import SIGNUP, WITHDRAW, event_key, lineup_key
from copkit.plugins.lightningtalks.models import Event, Talk

pytestmark = requires_postgres

PLUGINS = (
    "copkit.plugins.core_commands",
    "copkit.plugins.brownbag",
    "copkit.plugins.lightningtalks",
)
OWNER = user("olivia", "Olivia Owner")
PEOPLE = [user(f"t{i:02d}", f"Person {i}") for i in range(24)]
ANSWERS = ("going", "maybe", "no")
ROUNDS = 3


def data_for(card: dict[str, Any], action_id: str) -> dict[str, Any]:
    """The data of the card's Action.Execute for ``action_id`` (a button, or a form's Send)."""
    for act in actions_of(card):
        data = act.get("data") or {}
        if data.get("copkit") == action_id:
            return data
    raise AssertionError(f"no action {action_id!r} in {[a.get('title') for a in actions_of(card)]}")


class Cards:
    def __init__(self, connector: TimedConnector, spreader: Spreader) -> None:
        self.connector = connector
        self.spreader = spreader
        self.a = TeamsActivities(connector.url)
        self.a._ids = itertools.count(int(time.time() * 1000) * 1000)
        connector.rosters[TEAM] = [{**OWNER, "userRole": "owner"}]

    async def say(self, who: dict[str, str], text: str) -> None:
        out = await self.spreader.post(self.a.mention(who, text), to=0)
        assert out.status == 200, (text, out)

    async def message(self, key: str) -> str:
        shown = await ShownView.get(key=key)
        msg_id = shown.ref["message_id"]
        await self.connector.wait_for(lambda: msg_id in self.connector.messages)
        return msg_id

    def card(self, msg_id: str) -> dict[str, Any]:
        return self.connector.messages[msg_id].card

    def text(self, msg_id: str) -> str:
        return card_text({"attachments": [{"content": self.card(msg_id)}]})

    async def press(
        self, who: dict[str, str], msg_id: str, data: dict[str, Any], **inputs: str
    ) -> None:
        conv = self.connector.messages[msg_id].conversation
        activity = self.a.execute(who, msg_id, data, conversation=conv, inputs=inputs or None)
        out = await self.spreader.post(activity)
        assert out.status == 200, out


async def expected_rsvp_titles(session_id: int) -> list[str]:
    answers = list(await Rsvp.filter(session_id=session_id).values_list("answer", flat=True))
    labels = {"going": "Going", "maybe": "Maybe", "no": "Not going"}
    return [f"{labels[a]} ({answers.count(a)})" for a in ANSWERS]


async def expected_lineup(event_id: int) -> tuple[list[str], list[str], str]:
    order = await Talk.filter(event_id=event_id, status="lineup").order_by("position", "seq")
    waiting = await Talk.filter(event_id=event_id, status="waiting").order_by("seq")
    lines = [f"{n}. {t.speaker_name} — “{t.title}”" for n, t in enumerate(order, 1)]
    waits = [f"w{n}. {t.speaker_name} — “{t.title}”" for n, t in enumerate(waiting, 1)]
    return lines, waits, f"{len(order)}/8"


def updates(connector: TimedConnector, msg_id: str, since: int) -> list[dict[str, Any]]:
    """The cards ``msg_id`` was updated to, in the order the updates arrived, from call
    number ``since``."""
    return [
        c.body["attachments"][0]["content"]
        for c in connector.calls[since:]
        if c.kind == "update" and c.activity_id == msg_id
    ]


def rsvp_counts(card: dict[str, Any]) -> list[int]:
    """``[going, maybe, no]`` as the card's buttons say ("Going (3)")."""
    titles = [a.get("title", "") for a in actions_of(card)][:3]
    return [int(t.rsplit("(", 1)[1].rstrip(")")) for t in titles]


def talk_lines(card: dict[str, Any]) -> list[str]:
    """The line-up's and the waiting list's lines ("1. …", "w1. …")."""
    text = card_text({"attachments": [{"content": card}]}).splitlines()
    return [t for t in text if t[:1].isdigit() or (t.startswith("w") and t[1:2].isdigit())]


async def until(check, what: str, timeout: float = 20.0) -> None:
    """Wait until ``check()`` holds (the last edits are paced), then make sure it still holds a
    while later: no stale edit lands after the latest one."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"{what}: the card did not reach the latest state"
        await asyncio.sleep(0.25)
    await asyncio.sleep(2.0)  # longer than the pacing interval and a render
    assert await check(), f"{what}: a stale edit landed after the latest state"


async def test_cards_edited_from_three_processes_end_on_the_latest_state(tmp_path):
    await reset_postgres(PG_URL)
    connector = TimedConnector()
    await connector.start()
    fleet = Fleet(PG_URL, n=3, plugins=",".join(PLUGINS), logdir=tmp_path)
    await fleet.start()
    spreader = Spreader(fleet.urls)
    registry = build_registry(make_plugin_manager(PLUGINS, entry_points_group=None))
    await open_database(PG_URL, registry.models, upgrade=False)
    try:
        d = Cards(connector, spreader)
        await d.say(OWNER, 'brownbag schedule "Scale" --speaker me --at "in 2d"')
        await d.say(OWNER, 'lightning open "Scale" --at "in 2d" --slots 8')
        s = await Session.get()
        ev = await Event.get()
        bb_card = await d.message(session_key(s.id))
        announcement = await d.message(event_key(ev.id))
        lineup = await d.message(lineup_key(ev.id))
        send = data_for(d.card(announcement), SIGNUP.build(event=ev.id))

        rsvp_data = data_for(d.card(bb_card), RSVP.build(session=s.id, answer="going"))
        withdraw = {"copkit": WITHDRAW.build(event=ev.id)}

        async def person(rnd: int, i: int, who: dict[str, str]) -> None:
            """Round 0: everyone is going and signs up; round 1: two in three change to maybe,
            every other person withdraws; round 2: one in three changes to no, and every fourth
            signs up again. (Each round leaves different counts, so a stale card shows.)"""
            presses = []
            if rnd == 0 or i % 3 < 3 - rnd:
                answer = ANSWERS[rnd]
                rsvp = {**rsvp_data, "copkit": RSVP.build(session=s.id, answer=answer)}
                presses.append(d.press(who, bb_card, rsvp))
            if rnd == 0 or (rnd == 2 and i % 4 == 0):
                presses.append(d.press(who, announcement, send, title=f"Talk {i}.{rnd}"))
            elif rnd == 1 and i % 2 == 0:
                presses.append(d.press(who, lineup, withdraw))
            await asyncio.gather(*presses)

        async def brown_bag_is_latest() -> bool:
            titles = [a.get("title") for a in actions_of(d.card(bb_card))][:3]
            return titles == await expected_rsvp_titles(s.id)

        async def lightning_is_latest() -> bool:
            lines, waits, taken = await expected_lineup(ev.id)
            return talk_lines(d.card(lineup)) == lines + waits and taken in d.text(announcement)

        for rnd in range(ROUNDS):
            mark = len(connector.calls)
            await asyncio.gather(*(person(rnd, i, who) for i, who in enumerate(PEOPLE)))
            await until(brown_bag_is_latest, f"the brown bag, round {rnd}")
            await until(lightning_is_latest, f"the lightning talks, round {rnd}")
            # Each edit shows a state at least as new as the one before: in this round the
            # answer given (going, then maybe, then no) only gains, the sign-ups only gain
            # (rounds 0 and 2) or only lose (round 1). A stale render never lands after a newer.
            answers = [rsvp_counts(card)[rnd] for card in updates(connector, bb_card, mark)]
            assert answers == sorted(answers), (rnd, answers)
            talks = [len(talk_lines(card)) for card in updates(connector, lineup, mark)]
            assert talks == sorted(talks, reverse=rnd == 1), (rnd, talks)
        assert set(spreader.statuses) == {200}  # every delivery answered, none retried

        # the state itself is whole: everyone answered once, eight talks in the line-up
        assert await Rsvp.filter(session_id=s.id).count() == len(PEOPLE)
        assert await Talk.filter(event_id=ev.id, status="lineup").count() == 8
        assert await Talk.filter(event_id=ev.id, status="withdrawn").count() == len(PEOPLE[::2])
        assert await Rsvp.filter(session_id=s.id, answer="no").count() == len(PEOPLE) // 3
        # and the edits were paced: far fewer than the changes
        edits = [c for c in connector.calls if c.kind == "update"]
        assert len(edits) < 4 * ROUNDS * len(PEOPLE), len(edits)
    finally:
        await close_database()
        await spreader.close()
        await fleet.stop()
        await connector.stop()
