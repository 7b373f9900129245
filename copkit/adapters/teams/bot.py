"""The Teams adapter proper: activities → core calls (who, where, which community).

Rooms are conversations: a channel (its id without ``;messageid=``), a post made by copkit as a
thread (the channel id with ``;messageid=``), a group chat, a meeting chat or a personal chat. A
room's conversation reference is handed to the core as ``RoomRef.data`` (stored in
``copkit_room.data``) so that timers can reach it after a restart.

Views only one person may see go to that person's 1:1 chat with the bot, except a short notice
answering their own card click, which comes back in the invoke response. Cards sent to a 1:1
chat carry a signed note of the community and room they belong to, so their buttons act there.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.exceptions import OperationalError

from copkit.core.errors import Unavailable
from copkit.core.events import CommunityRef, Interaction, Person, RoomRef
from copkit.core.i18n import _, use_locale
from copkit.core.models import Community, Room
from copkit.core.runtime import Copkit
from copkit.core.views import notice

from . import cards, inbound
from .inbound import Where
from .messenger import PLATFORM, TeamsMessenger
from .request import LRU, TeamsRequest, current
from .sdk import JSON, BotFramework, ConnectorError, Turn

log = logging.getLogger("copkit.teams")

_DB_DOWN = (OperationalError, ConnectionError, OSError)
OWNER_TTL = 600.0
UNAVAILABLE = "I can't reach my database. Try again in a moment."


class TeamsBot:
    """Holds the SDK seam, the runtime and the small caches of the adapter."""

    platform = PLATFORM

    def __init__(self, runtime: Copkit, framework: BotFramework, secret: str = "") -> None:
        self.runtime = runtime
        self.sdk = framework
        self._key = hashlib.sha256(b"copkit-teams-card:" + secret.encode()).digest()
        self._known_communities: set[str] = set()
        self._owners: LRU = LRU(5000)  # (team, person) -> (is owner, checked at)
        self._refs: LRU = LRU(5000)  # (community external id, room) -> reference
        self._threads: set[str] = set()
        self._not_threads: LRU = LRU(5000)
        self.personal_chats: LRU = LRU(5000)  # (service url, person) -> 1:1 conversation id
        self.shown_cards: LRU = LRU(1000)  # message id -> the card JSON last posted there
        self._presence: dict[tuple[str, str], dict[str, Person]] = {}
        self._inflight: dict[str, asyncio.Future[tuple[int, Any]]] = {}
        self._answered: LRU = LRU(500)
        self.messenger = TeamsMessenger(self)
        runtime.add_messenger(self.messenger)

    # Signing private cards --------------------------------------------------------------------

    def sign(self, community: str, room: str, person: str) -> JSON:
        mac = hmac.new(
            self._key, f"{community}\n{room}\n{person}".encode(), hashlib.sha256
        ).hexdigest()[:32]
        return {"c": community, "r": room, "u": person, "s": mac}

    def verify(self, data: JSON) -> tuple[str, str, str] | None:
        c, r, u, s = (data.get(k) for k in ("c", "r", "u", "s"))
        if not all(isinstance(x, str) and x for x in (c, r, u, s)):
            return None
        if not hmac.compare_digest(self.sign(c, r, u)["s"], s):
            return None
        return c, r, u

    # Entry point ------------------------------------------------------------------------------

    async def dispatch(self, authenticated: Any, activity: JSON) -> tuple[int, Any]:
        """Handle one authenticated activity; returns the HTTP status and JSON body (or None).

        A retried delivery of an activity already answered gets the same answer, once."""
        key = ""
        if activity.get("type") in ("message", "invoke") and inbound.text_of(activity, "id"):
            key = (
                inbound.text_of(inbound.obj(activity, "conversation"), "id") + "|" + activity["id"]
            )
            if key in self._answered:
                return self._answered[key]
            if key in self._inflight:
                return await asyncio.shield(self._inflight[key])
            earlier = await self.runtime.answered("teams", key)
            if earlier is not None:  # answered by this or another process before
                self._answered.put(key, earlier)
                return earlier
        future: asyncio.Future[tuple[int, Any]] = asyncio.get_running_loop().create_future()
        if key:
            self._inflight[key] = future
        result: tuple[int, Any] = (500, None)
        try:
            result = await self._dispatch(authenticated, activity)
            return result
        finally:
            if key:
                self._inflight.pop(key, None)
                if 200 <= result[0] < 300:
                    self._answered.put(key, result)
                    await self.runtime.remember_answer("teams", key, *result)
            future.set_result(result)

    async def _dispatch(self, authenticated: Any, activity: JSON) -> tuple[int, Any]:
        answer: list[tuple[int, Any]] = [(200, None)]

        async def on_turn(turn: Turn) -> None:
            answer[0] = await self._on_turn(turn)

        await self.sdk.process(authenticated, activity, on_turn)
        return answer[0]

    async def _on_turn(self, turn: Turn) -> tuple[int, Any]:
        try:
            return await self._route(turn)
        except Unavailable as exc:
            log.warning("database unavailable: %s", exc)
            return await self._unavailable(turn)

    async def _route(self, turn: Turn) -> tuple[int, Any]:
        activity = turn.activity
        kind = activity.get("type")
        if kind == "message":
            return await self._on_message(turn, activity)
        if kind == "invoke":
            if activity.get("name") == inbound.CARD_ACTION:
                return await self._on_card_action(turn, activity)
            return 200, {}
        if kind == "event" and activity.get("name") in (
            inbound.MEETING_JOIN,
            inbound.MEETING_LEAVE,
            inbound.MEETING_START,
            inbound.MEETING_END,
        ):
            await self._on_meeting(turn, activity)
        if kind == "conversationUpdate" and inbound.bot_added(activity):
            await self._on_installed(turn, activity)
        return 200, None

    async def _on_installed(self, turn: Turn, activity: JSON) -> None:
        """copkit was added to a team, a chat or a personal chat: the community is set up (a
        team's owner leads it) and copkit says how to start."""
        w = inbound.where(activity)
        person = inbound.person(activity)
        try:
            owner = await self._new_community_owner(w, turn, person)
            state = await self.runtime.community(
                CommunityRef(PLATFORM, w.community_id, w.community_name[:200], owner_id=owner)
            )
        except _DB_DOWN as exc:
            raise Unavailable(str(exc)) from exc
        with use_locale(state.row.locale):
            if w.conversation_type == "personal":
                text = _("Hi! I'm copkit. Type “help” to see what I can do.")
            else:
                text = _("Hi! I'm copkit. Mention me with “help” to see what I can do.")
            view = notice(text)
            activity_out = cards.message(cards.render(view), view)
        try:
            await turn.send(w.conversation_id, activity_out)
        except ConnectorError as exc:
            log.info("could not say hello in %s: %s", w.conversation_id, exc)

    # Messages and card actions ----------------------------------------------------------------

    async def _on_message(self, turn: Turn, activity: JSON) -> tuple[int, Any]:
        action = inbound.card_action(activity)
        if action is not None:
            return await self._interact(turn, activity, action[0], "message")
        text, mentions = inbound.command_text(activity)  # empty: the core says to try "help"
        req, community, room = await self._context(turn, activity, "message", None)
        await self._meeting_presence(req, community, room)
        try:
            await self.runtime.handle_text(
                community, room, req.person, text, request=req, mentions=mentions
            )
        finally:
            req.done = True
        return 200, None

    async def _on_card_action(self, turn: Turn, activity: JSON) -> tuple[int, Any]:
        action = inbound.card_action(activity)
        assert action is not None
        if inbound.refresh_trigger(activity):  # no card of ours asks for refreshes; answer kindly
            cached = self.shown_cards.get(inbound.text_of(activity, "replyToId"))
            if cached:
                return _invoke_card(cached)
            return _invoke_message("")
        return await self._interact(turn, activity, action[0], "invoke")

    async def _interact(self, turn: Turn, activity: JSON, data: JSON, kind: str) -> tuple[int, Any]:
        action_id, values = cards.values_from_data(data)
        origin = self.verify(data)
        person = inbound.person(activity)
        if origin is None and "s" in data:  # a private card whose note was tampered with
            return self._reply_only(kind, _("That button no longer works."))
        if origin is not None and origin[2] != person.id:
            return self._reply_only(kind, _("This card was meant for someone else."))
        if not action_id:
            return self._reply_only(kind, _("That button no longer works."))
        req, community, room = await self._context(turn, activity, kind, origin)
        interaction = Interaction(action_id, values, message_ref={"message_id": req.card_id})
        await self._meeting_presence(req, community, room)
        try:
            await self.runtime.handle_interaction(
                community, room, req.person, interaction, request=req
            )
        finally:
            req.done = True
        if kind != "invoke":
            return 200, None
        return self._invoke_answer(req)

    def _reply_only(self, kind: str, text: str) -> tuple[int, Any]:
        return _invoke_message(text) if kind == "invoke" else (200, None)

    def _invoke_answer(self, req: TeamsRequest) -> tuple[int, Any]:
        """The card the person clicked, refreshed (with their private notice on top), or the notice."""
        note = "\n".join(v.text or v.title for v in req.notices)
        if req.card_view is not None:
            return _invoke_card(cards.render(req.card_view, context=req.card_context, note=note))
        if note:
            return _invoke_message(cards.plain(note))
        cached = self.shown_cards.get(req.card_id)
        if cached:
            return _invoke_card(cached)
        return _invoke_message(_("Done."))

    async def _unavailable(self, turn: Turn) -> tuple[int, Any]:
        """503 so that the Bot Connector retries, and a word to the person if nobody said it yet."""
        text = _(UNAVAILABLE)
        activity = turn.activity
        if activity.get("type") == "invoke":
            return 503, {
                "statusCode": 503,
                "type": "application/vnd.microsoft.error",
                "value": {"code": "ServiceUnavailable", "message": text},
            }
        req = current.get()
        if activity.get("type") == "message" and not (req is not None and req.sent):
            try:
                view = notice(text, "warning")
                conv = inbound.text_of(inbound.obj(activity, "conversation"), "id")
                await turn.send(conv, cards.message(cards.render(view), view))
            except Exception:
                log.debug("could not say the database is down", exc_info=True)
        return 503, None

    # Who and where ------------------------------------------------------------------------------

    async def _context(
        self, turn: Turn, activity: JSON, kind: str, origin: tuple[str, str, str] | None
    ) -> tuple[TeamsRequest, CommunityRef, RoomRef]:
        w = inbound.where(activity)
        person = inbound.person(activity)
        try:
            if origin is not None:  # a click on a private card: act where the card belongs
                team = inbound.team_of_community(origin[0])
                if team and await self._is_team_owner(team, turn, person):
                    person = Person(person.id, person.name, is_admin=True, is_owner=True)
                community = CommunityRef(PLATFORM, origin[0])
                room = RoomRef(origin[1])
                req = TeamsRequest(turn, activity, w, person, origin[1], kind, origin=None)
                req.private_card = True
                current.set(req)
                return req, community, room
            owner = await self._new_community_owner(w, turn, person)
            community = CommunityRef(
                PLATFORM, w.community_id, w.community_name[:200], owner_id=owner
            )
            room_id = await self._room_of(w, inbound.text_of(activity, "id"))
            is_owner = bool(w.team_id) and await self._is_team_owner(w.team_id, turn, person)
        except _DB_DOWN as exc:
            raise Unavailable(str(exc)) from exc
        if is_owner:
            person = Person(person.id, person.name, is_admin=True, is_owner=True)
        kind_word = {"personal": "private", "channel": "text"}.get(w.conversation_type, "text")
        if room_id != inbound.base_conversation(room_id):
            kind_word = "thread"
        reference = self.sdk.reference(activity, room_id)
        data = None
        if self._refs.get((w.community_id, room_id)) != reference:
            data = reference  # new or changed (e.g. another serviceUrl): the core stores it
            self._refs.put((w.community_id, room_id), reference)
        room = RoomRef(room_id, w.room_name[:200], kind_word, data)
        req = TeamsRequest(turn, activity, w, person, room_id, kind, origin=w.conversation_id)
        current.set(req)
        return req, community, room

    async def _room_of(self, w: Where, activity_id: str) -> str:
        """The core room of a conversation: a thread copkit started is a room of its own; any
        other channel post belongs to its channel."""
        conv = w.conversation_id
        base = inbound.base_conversation(conv)
        if conv == base or conv == f"{base};messageid={activity_id}":
            return base  # a channel, or a new post someone just made
        if conv in self._threads:
            return conv
        if conv in self._not_threads:
            return base
        found = await Room.filter(
            community__platform=PLATFORM,
            community__external_id=w.community_id,
            external_id=conv,
            kind="thread",
        ).exists()
        if found:
            self._threads.add(conv)
            return conv
        self._not_threads.put(conv, True)
        return base

    async def _new_community_owner(self, w: Where, turn: Turn, person: Person) -> str | None:
        """For a community seen for the first time: who becomes its leader (a team owner)."""
        if w.community_id in self._known_communities:
            return None
        exists = await Community.exists(platform=PLATFORM, external_id=w.community_id)
        self._known_communities.add(w.community_id)
        if exists:
            return None
        if not w.team_id:
            return person.id
        try:
            owners: list[str] = []
            token: str | None = None
            for _page in range(10):
                members, token = await turn.members_page(w.team_id, token)
                owners += [
                    m["id"]
                    for m in members
                    if str(m.get("userRole", "")).lower() == "owner" and m.get("id")
                ]
                if not token:
                    break
        except ConnectorError as exc:
            log.warning("cannot read the roster of team %s: %s", w.team_id, exc)
            return person.id
        if person.id in owners or not owners:
            return person.id
        return owners[0]

    async def _is_team_owner(self, team_id: str, turn: Turn, person: Person) -> bool:
        """Whether ``person`` owns the team (from its roster; cached for a few minutes)."""
        key = (team_id, person.id)
        cached = self._owners.get(key)
        if cached and time.monotonic() - cached[1] < OWNER_TTL:
            return cached[0]
        try:
            member = await turn.member(team_id, person.id)
            owner = bool(member) and str(member.get("userRole", "")).lower() == "owner"
        except ConnectorError as exc:
            log.info("cannot read member %s of team %s: %s", person.id, team_id, exc)
            owner = bool(cached and cached[0])
        self._owners.put(key, (owner, time.monotonic()))
        return owner

    # Meetings -----------------------------------------------------------------------------------

    async def _on_meeting(self, turn: Turn, activity: JSON) -> None:
        w = inbound.where(activity)
        person = inbound.person(activity)
        try:
            owner = await self._new_community_owner(w, turn, person)
        except _DB_DOWN as exc:
            raise Unavailable(str(exc)) from exc
        community = CommunityRef(PLATFORM, w.community_id, w.community_name[:200], owner_id=owner)
        room_id = inbound.base_conversation(w.conversation_id)
        present = self._presence.setdefault((w.community_id, room_id), {})
        name = activity.get("name")
        if name == inbound.MEETING_JOIN:
            for p in inbound.meeting_members(activity):
                present[p.id] = p
        elif name == inbound.MEETING_LEAVE:
            for p in inbound.meeting_members(activity):
                present.pop(p.id, None)
        elif name == inbound.MEETING_END:
            present.clear()
        else:
            return
        room = RoomRef(room_id, w.room_name[:200], "voice", self.sdk.reference(activity, room_id))
        await self.runtime.handle_presence(community, room, list(present.values()))

    async def _meeting_presence(
        self, req: TeamsRequest, community: CommunityRef, room: RoomRef
    ) -> None:
        """In a meeting chat, whoever interacts counts as present (when Teams sends no events)."""
        if not inbound.is_meeting(req.activity) or req.origin is None:
            return
        present = self._presence.setdefault((community.external_id, room.id), {})
        if req.person.id in present:
            return
        present[req.person.id] = req.person
        try:
            await self.runtime.handle_presence(
                community, RoomRef(room.id, room.name, room.kind), list(present.values())
            )
        except Unavailable:
            log.info("presence not recorded: database unavailable")

    # Conversation references ----------------------------------------------------------------------

    async def reference(
        self, community: Community, room_id: str, req: TeamsRequest | None
    ) -> JSON | None:
        """The stored conversation reference of a room (or one built from a sibling room)."""
        key = (community.external_id, room_id)
        ref = self._refs.get(key)
        if ref is not None:
            return ref
        if req is not None and req.origin is not None and req.room_id == room_id:
            ref = self.sdk.reference(req.activity, room_id)
        else:
            row = await Room.get_or_none(community_id=community.id, external_id=room_id)
            if row is not None and isinstance(row.data, dict) and row.data.get("serviceUrl"):
                ref = row.data
            else:
                sibling = (
                    await Room.filter(community_id=community.id, data__not_isnull=True)
                    .order_by("-id")
                    .first()
                )
                base = (
                    sibling.data if sibling is not None and isinstance(sibling.data, dict) else None
                )
                if base is None and req is not None:
                    base = self.sdk.reference(req.activity, room_id)
                if base is None or not base.get("serviceUrl"):
                    return None
                conv = dict(inbound.obj(base, "conversation"))
                if conv.get("id") != room_id:  # another room: same tenant and Bot Connector
                    conv = {k: v for k, v in conv.items() if k in ("tenantId", "isGroup")}
                    conv["id"] = room_id
                ref = {**base, "conversation": conv}
        self._refs.put(key, ref)
        return ref

    async def with_turn(
        self,
        service_url: str,
        reference: JSON | None,
        req: TeamsRequest | None,
        fn: Callable[[Turn], Awaitable[Any]],
    ) -> Any:
        """Run ``fn`` with the request's turn when it talks to the same Bot Connector, else in a
        proactive turn on ``reference``."""
        if req is not None and not req.done and req.service_url == service_url:
            return await fn(req.turn)
        if reference is None:
            reference = {
                "serviceUrl": service_url,
                "channelId": "msteams",
                "conversation": {"id": ""},
            }
        box: list[Any] = []

        async def run(turn: Turn) -> None:
            box.append(await fn(turn))

        await self.sdk.proactive(reference, run)
        return box[0] if box else None

    async def register_thread(
        self, community: Community, conversation_id: str, name: str, reference: JSON
    ) -> None:
        self._threads.add(conversation_id)
        self._refs.put((community.external_id, conversation_id), reference)
        row, created = await Room.get_or_create(
            community_id=community.id,
            external_id=conversation_id,
            defaults={"name": name[:200], "kind": "thread", "data": reference},
        )
        if not created and row.data != reference:
            row.data = reference
            row.kind = "thread"
            await row.save(update_fields=["data", "kind"])


def _invoke_card(card: JSON) -> tuple[int, Any]:
    return 200, {"statusCode": 200, "type": cards.CARD_CONTENT_TYPE, "value": card}


def _invoke_message(text: str) -> tuple[int, Any]:
    return 200, {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": text,
    }
