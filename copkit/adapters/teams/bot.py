"""The inbound half of the Teams adapter: activities → core calls (who, where, which community).

Rooms are conversations: a channel (its id without ``;messageid=``), a post made by copkit as a
thread (the channel id with ``;messageid=``), a group chat, a meeting chat or a personal chat. A
room's conversation reference is handed to the core as ``RoomRef.data`` (stored in
``copkit_room.data``) so that timers can reach it after a restart.

Views only one person may see go to that person's 1:1 chat with the bot, except a short notice
answering their own card click, which comes back in the invoke response. Cards sent to a 1:1
chat carry a signed note (:mod:`.notes`) of the community and room they belong to, so their
buttons act there. What is answered is sent by the outbound half (:mod:`.messenger`), to which
the request is passed explicitly.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from copkit.core.deliveries import Claim, Redelivered, before_effect
from copkit.core.errors import Unavailable
from copkit.core.events import CommunityRef, Interaction, Person, RoomRef, Upload
from copkit.core.i18n import _, use_locale
from copkit.core.runtime import Copkit
from copkit.core.views import notice

from . import cards, inbound, uploads
from .connector import JSON, ConnectorError
from .connector import reference as conversation_reference
from .conversations import Conversations
from .messenger import PLATFORM, TeamsMessenger
from .notes import Notes, Origin, Refused
from .people import People, db
from .request import LRU, TeamsRequest
from .seam import BotFramework, Turn

log = logging.getLogger("copkit.teams")

UNAVAILABLE = "I can't reach my database. Try again in a moment."


@dataclass
class _Handling:
    """What one turn learned while it ran: the request made of it, and whether its answer is
    for the person alone (then it is never kept, in memory or in the database)."""

    req: TeamsRequest | None = None
    private: bool = False

    @property
    def is_private(self) -> bool:
        return self.private or (self.req is not None and self.req.private_answer)


class _RecordedTurn:
    """The request's turn: before its first message leaves, the delivery is recorded (unless a
    write recorded it already), so that a re-delivery is never answered twice."""

    def __init__(self, turn: Turn) -> None:
        self._turn = turn
        self.activity = turn.activity

    @property
    def service_url(self) -> str:
        return self._turn.service_url

    async def send(self, conversation_id: str, activity: JSON, reply_to: str | None = None) -> str:
        await before_effect()
        return await self._turn.send(conversation_id, activity, reply_to)

    async def update(self, conversation_id: str, activity_id: str, activity: JSON) -> None:
        await before_effect()
        await self._turn.update(conversation_id, activity_id, activity)

    async def new_channel_post(self, channel_id: str, activity: JSON) -> tuple[str, str]:
        await before_effect()
        return await self._turn.new_channel_post(channel_id, activity)

    async def personal_conversation(self, user_id: str, tenant_id: str, bot_id: str) -> str:
        return await self._turn.personal_conversation(user_id, tenant_id, bot_id)

    async def member(self, conversation_id: str, member_id: str) -> JSON | None:
        return await self._turn.member(conversation_id, member_id)

    async def members_page(
        self, conversation_id: str, token: str | None = None, page_size: int = 200
    ) -> tuple[list[JSON], str | None]:
        return await self._turn.members_page(conversation_id, token, page_size)


class TeamsBot:
    """Holds the SDK seam, the runtime and the small caches of the adapter."""

    platform = PLATFORM

    def __init__(
        self, runtime: Copkit, framework: BotFramework, secret: str = "", meeting_tab_url: str = ""
    ) -> None:
        self.runtime = runtime
        self.sdk = framework
        self.notes = Notes(secret, runtime.clock.now)
        self.conversations = Conversations(framework)
        self.people = People(runtime)
        self._delivery_key = hashlib.sha256(b"copkit-teams-delivery:" + secret.encode()).digest()
        self._inflight: dict[str, asyncio.Future[tuple[int, Any]]] = {}
        self._answered: LRU = LRU(500)
        self.messenger = TeamsMessenger(self.conversations, self.notes, meeting_tab_url)
        runtime.add_messenger(self.messenger)

    # Entry point ------------------------------------------------------------------------------

    def delivery_key(self, activity: JSON) -> str:
        """The key a delivery of ``activity`` is remembered under: a keyed hash, so the stored
        key names neither the conversation (a person's 1:1 chat) nor the activity."""
        activity_id = inbound.text_of(activity, "id")
        if activity.get("type") not in ("message", "invoke") or not activity_id:
            return ""
        conversation = inbound.text_of(inbound.obj(activity, "conversation"), "id")
        message = f"{conversation}\n{activity_id}".encode()
        return hmac.new(self._delivery_key, message, hashlib.sha256).hexdigest()[:40]

    async def dispatch(self, authenticated: Any, activity: JSON) -> tuple[int, Any]:
        """Handle one authenticated activity; returns the HTTP status and JSON body (or None).

        A retried delivery of an activity already answered gets the same answer, once; one whose
        answer was for the person alone gets a neutral one (that answer is never kept)."""
        key = self.delivery_key(activity)
        if key:
            if key in self._answered:
                return self._replay(activity, self._answered[key])
            if key in self._inflight:
                return await asyncio.shield(self._inflight[key])
        future: asyncio.Future[tuple[int, Any]] = asyncio.get_running_loop().create_future()
        claim = None
        if key:
            self._inflight[key] = future
            # No look-up first: the record is claimed with the request's first write (or before
            # its first message), and a claim made before by anyone stops the request there.
            claim = self.runtime.deliveries.claim("teams", key)
        result: tuple[int, Any] = (500, None)
        handling = _Handling()
        try:
            try:
                result = await self._dispatch(authenticated, activity, handling)
            except Redelivered:  # answered by this or another process before
                claim = None
                result = await self._earlier(activity, key)
            if claim is not None:
                done, claim = claim, None
                if not await self._finish(key, done, result, handling):
                    # recorded by another delivery meanwhile (this one wrote and sent
                    # nothing): it gets the answer a re-delivery gets
                    result = await self._earlier(activity, key)
            return result
        finally:
            if key:
                self._inflight.pop(key, None)
                if claim is not None:  # it failed: a retry may do it again (unless it wrote)
                    await self._finish(key, claim, result, handling)
            future.set_result(result)

    async def _finish(
        self, key: str, claim: Claim, result: tuple[int, Any], handling: _Handling
    ) -> bool:
        private = handling.is_private
        if 200 <= result[0] < 300:
            self._answered.put(key, (result[0], None if private else result[1]))
        return await self.runtime.deliveries.finish(claim, *result, private=private)

    async def _earlier(self, activity: JSON, key: str) -> tuple[int, Any]:
        earlier = await self.runtime.deliveries.earlier("teams", key)
        self._answered.put(key, earlier)
        return self._replay(activity, earlier)

    @staticmethod
    def _replay(activity: JSON, earlier: tuple[int, Any]) -> tuple[int, Any]:
        status, body = earlier
        if body is None and activity.get("type") == "invoke" and 200 <= status < 300:
            return _invoke_message(_("Done."))  # the answer was private: it was not kept
        return status, body

    async def _dispatch(
        self, authenticated: Any, activity: JSON, handling: _Handling
    ) -> tuple[int, Any]:
        answer: list[tuple[int, Any]] = [(200, None)]

        async def on_turn(turn: Turn) -> None:
            answer[0] = await self._on_turn(_RecordedTurn(turn), handling)

        await self.sdk.process(authenticated, activity, on_turn)
        return answer[0]

    async def _on_turn(self, turn: Turn, handling: _Handling) -> tuple[int, Any]:
        try:
            return await self._route(turn, handling)
        except Unavailable as exc:
            log.warning("database unavailable: %s", exc)
            return await self._unavailable(turn, handling.req)

    async def _route(self, turn: Turn, handling: _Handling) -> tuple[int, Any]:
        activity = turn.activity
        kind = activity.get("type")
        if kind == "message":
            return await self._on_message(turn, activity, handling)
        if kind == "invoke":
            if activity.get("name") == inbound.CARD_ACTION:
                return await self._on_card_action(turn, activity, handling)
            return 200, {}
        if kind == "event" and activity.get("name") in (
            inbound.MEETING_JOIN,
            inbound.MEETING_LEAVE,
            inbound.MEETING_START,
            inbound.MEETING_END,
        ):
            room_id = inbound.base_conversation(inbound.where(activity).conversation_id)
            reference = conversation_reference(activity, room_id)
            await self.people.on_meeting(turn, activity, reference)
        if kind == "conversationUpdate" and inbound.bot_added(activity):
            await self._on_installed(turn, activity)
        return 200, None

    async def _on_installed(self, turn: Turn, activity: JSON) -> None:
        """copkit was added to a team, a chat or a personal chat: the community is set up (a
        team's owner leads it) and copkit says how to start."""
        w = inbound.where(activity)
        person = inbound.person(activity)
        owner = await db(self.people.new_community_owner(w, turn, person))
        state = await db(
            self.runtime.community(
                CommunityRef(PLATFORM, w.community_id, w.community_name[:200], owner_id=owner)
            )
        )
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

    async def _on_message(self, turn: Turn, activity: JSON, handling: _Handling) -> tuple[int, Any]:
        action = inbound.card_action(activity)
        if action is not None:
            return await self._interact(turn, activity, action[0], "message", handling)
        text, mentions = inbound.command_text(activity)  # empty: the core says to try "help"
        req, community, room = await self._context(turn, activity, "message", None, handling)
        await self._meeting_presence(req, community, room)
        files: tuple[Upload, ...] = ()
        if activity.get("attachments") and uploads.wants_file(self.runtime.registry, text):
            files = await uploads.uploads_of(activity, self._token)
        try:
            await self.runtime.handle_text(
                community, room, req.person, text, request=req, mentions=mentions, uploads=files
            )
        finally:
            req.done = True
        return 200, None

    async def _token(self) -> str:
        token = getattr(self.sdk, "outgoing_token", None)
        return str(await token()) if token is not None else ""

    async def _on_card_action(
        self, turn: Turn, activity: JSON, handling: _Handling
    ) -> tuple[int, Any]:
        action = inbound.card_action(activity)
        assert action is not None
        if inbound.refresh_trigger(activity):
            handling.private = True  # whatever it gets back is for this person only
            if action[0].get("copkit"):  # a card's personal part: rendered for this person now
                return await self._interact(turn, activity, action[0], "invoke", handling)
            cached = self.conversations.cards.get(
                inbound.text_of(inbound.obj(activity, "conversation"), "id"),
                inbound.text_of(activity, "replyToId"),
                inbound.person(activity).id,
            )
            return _invoke_card(cached) if cached else _invoke_message("")
        return await self._interact(turn, activity, action[0], "invoke", handling)

    async def _interact(
        self, turn: Turn, activity: JSON, data: JSON, kind: str, handling: _Handling
    ) -> tuple[int, Any]:
        action_id, values = cards.values_from_data(data)
        person = inbound.person(activity)
        try:
            origin = self.notes.check(data, action_id)
        except Refused as exc:  # a private card's note: tampered, moved or too old
            if exc.reason == "expired":
                return self._reply_only(kind, _("This card has expired: ask for a new one."))
            return self._reply_only(kind, _("That button no longer works."))
        if origin is not None and origin.person != person.id:
            return self._reply_only(kind, _("This card was meant for someone else."))
        if not action_id:
            return self._reply_only(kind, _("That button no longer works."))
        owner = False
        if origin is not None:  # a private card acts in its team or chat only for a member
            refusal, owner = await self._still_member(turn, person, origin)
            if refusal:
                return self._reply_only(kind, refusal)
        req, community, room = await self._context(turn, activity, kind, origin, handling, owner)
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
        return await self._invoke_answer(req)

    async def _still_member(self, turn: Turn, person: Person, origin: Origin) -> tuple[str, bool]:
        """Why ``person`` may no longer act in the community of their private card ("" if they
        may), and whether they own its team."""
        roster = inbound.roster_of_community(origin.community)
        if not roster:  # a personal chat: its one member is the person
            return "", False
        role = await self.people.role(roster, turn, person)
        team = bool(inbound.team_of_community(origin.community))
        if role.member:
            return "", team and role.owner
        if team:
            return _("This card is for members of the team only."), False
        return _("This card is for members of the chat only."), False

    def _reply_only(self, kind: str, text: str) -> tuple[int, Any]:
        return _invoke_message(text) if kind == "invoke" else (200, None)

    async def _invoke_answer(self, req: TeamsRequest) -> tuple[int, Any]:
        """The card the person clicked, refreshed (with their private notice on top), or the notice."""
        note = "\n".join(v.text or v.title for v in req.notices)
        if req.card_view is not None:
            viewers = None
            if req.card_view.personal is not None and req.card_context is None:
                viewers = await self.conversations.viewers(
                    req.turn, req.where.community_id, req.room_id
                )
            card = cards.render(req.card_view, context=req.card_context, note=note, viewers=viewers)
            return _invoke_card(card)
        if note:
            return _invoke_message(cards.plain(note))
        cached = self.conversations.cards.get(req.where.conversation_id, req.card_id, req.person.id)
        if cached:
            return _invoke_card(cached)
        return _invoke_message(_("Done."))

    async def _unavailable(self, turn: Turn, req: TeamsRequest | None) -> tuple[int, Any]:
        """503 so that the Bot Connector retries, and a word to the person if nobody said it yet."""
        text = _(UNAVAILABLE)
        activity = turn.activity
        if activity.get("type") == "invoke":
            return 503, {
                "statusCode": 503,
                "type": "application/vnd.microsoft.error",
                "value": {"code": "ServiceUnavailable", "message": text},
            }
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
        self,
        turn: Turn,
        activity: JSON,
        kind: str,
        origin: Origin | None,
        handling: _Handling,
        owner: bool = False,
    ) -> tuple[TeamsRequest, CommunityRef, RoomRef]:
        w = inbound.where(activity)
        person = inbound.person(activity)
        if origin is not None:  # a click on a private card: act where the card belongs
            if owner:
                person = Person(person.id, person.name, is_admin=True, is_owner=True)
            req = TeamsRequest(turn, activity, w, person, origin.room, kind, origin=None)
            req.private_card = True
            handling.req = req
            return req, CommunityRef(PLATFORM, origin.community), RoomRef(origin.room)
        leader = await db(self.people.new_community_owner(w, turn, person))
        community = CommunityRef(PLATFORM, w.community_id, w.community_name[:200], owner_id=leader)
        room_id = await db(
            self.conversations.room_of(
                w.community_id, w.conversation_id, inbound.text_of(activity, "id")
            )
        )
        if w.team_id and (await self.people.role(w.team_id, turn, person)).owner:
            person = Person(person.id, person.name, is_admin=True, is_owner=True)
        kind_word = {"personal": "private", "channel": "text"}.get(w.conversation_type, "text")
        if room_id != inbound.base_conversation(room_id):
            kind_word = "thread"
        reference = conversation_reference(activity, room_id)
        data = None
        refs = self.conversations.refs
        if refs.get((w.community_id, room_id)) != reference:
            data = reference  # new or changed (e.g. another serviceUrl): the core stores it
            refs.put((w.community_id, room_id), reference)
        room = RoomRef(room_id, w.room_name[:200], kind_word, data)
        req = TeamsRequest(turn, activity, w, person, room_id, kind, origin=w.conversation_id)
        handling.req = req
        return req, community, room

    async def _meeting_presence(
        self, req: TeamsRequest, community: CommunityRef, room: RoomRef
    ) -> None:
        if inbound.is_meeting(req.activity) and req.origin is not None:
            await self.people.interacting(req.person, community, room)


def _invoke_card(card: JSON) -> tuple[int, Any]:
    return 200, {"statusCode": 200, "type": cards.CARD_CONTENT_TYPE, "value": card}


def _invoke_message(text: str) -> tuple[int, Any]:
    return 200, {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": text,
    }
