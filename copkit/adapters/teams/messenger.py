"""Core views to Teams messages: post in a room or a new channel post, privately to a
person's 1:1 chat, and update in place. Answers in the request's own turn when it can, else
in a proactive turn from the room's stored conversation reference.

The outbound half of the adapter: it knows the request it answers only as the ``request``
argument the core passes to :meth:`TeamsMessenger.send` and :meth:`TeamsMessenger.edit`."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from copkit.core.events import Person
from copkit.core.i18n import N_, _
from copkit.core.messenger import NO_THREAD, MessageRef
from copkit.core.models import Community
from copkit.core.views import AsSeenBy, Private, Reply, Target, ToThread, View, notice

from . import cards, inbound
from .connector import JSON, ConnectorError
from .conversations import Conversations
from .notes import Notes
from .request import TeamsRequest
from .seam import Turn

log = logging.getLogger("copkit.teams")

PLATFORM = "teams"


def _is_notice(view: View) -> bool:
    return not (
        view.buttons or view.choices or view.poll or view.images or view.attachments or view.event
    )


def _is_channel(room_id: str, reference: JSON | None) -> bool:
    kind = inbound.text_of(inbound.obj(reference or {}, "conversation"), "conversationType")
    if kind:
        return kind == "channel"
    return inbound.base_conversation(room_id).endswith(("@thread.tacv2", "@thread.skype"))


class TeamsMessenger:
    """The core's Messenger for Teams: posts and updates cards."""

    platform = PLATFORM
    platform_title = "Teams"
    themes = (("light", "#ffffff"), ("dark", "#292929"))
    """The backgrounds of the platform's themes: a brand's accent must stand out on each."""
    per_person_views = True  # a shared card refreshes itself per person (Universal Actions)
    voice_instead = N_("a bot cannot open calls in Teams; in a meeting, use breakout rooms.")
    """No voice rooms here (not :class:`~copkit.core.messenger.VoiceRooms`): what to use."""

    def __init__(
        self, conversations: Conversations, notes: Notes, meeting_tab_url: str = ""
    ) -> None:
        self.conversations = conversations
        self.notes = notes
        self.meeting_tab_url = meeting_tab_url

    def _in_meeting(self, activity: JSON, view: View) -> JSON:
        """A post copkit makes on its own (a timer: "time is up", a heads-up) into a meeting's
        chat, raised as an in-meeting notification too (with the meeting tab's page in the
        bubble when one is configured)."""
        alert: JSON = {"alertInMeeting": True}
        app_id = self.conversations.sdk.app_id
        if self.meeting_tab_url and app_id:
            query = urlencode(
                {
                    "url": self.meeting_tab_url,
                    "height": 270,
                    "width": 250,
                    "title": cards.fallback_text(view)[:60],
                    "completionBotId": app_id,
                }
            )
            alert["externalResourceUrl"] = f"https://teams.microsoft.com/l/bubble/{app_id}?{query}"
        return {
            **activity,
            "channelData": {**activity.get("channelData", {}), "notification": alert},
        }

    async def find_person(self, community: Community, token: str, request: Any) -> Person | None:
        """Someone copkit has not seen: looked up in the team's roster (while answering)."""
        from .people import find_in_roster

        if not isinstance(request, TeamsRequest) or not request.where.team_id:
            return None
        return await find_in_roster(request.turn, request.where.team_id, token)

    def _request(self, request: Any) -> TeamsRequest | None:
        req = request if isinstance(request, TeamsRequest) else None
        return req if req is not None and not req.done else None

    def _remember(
        self, conversation: str, message_id: str, activity: JSON, person: str | None = None
    ) -> None:
        """Keep the card last posted as ``message_id`` in ``conversation`` (for ``person``
        alone if it is private)."""
        card = activity["attachments"][0]["content"]
        self.conversations.cards.put(conversation, message_id, card, person)

    async def _message(
        self, view: View, turn: Turn, community: Community, room_id: str, heading: str = ""
    ) -> JSON:
        """The message carrying ``view``'s card; one with a personal part refreshes itself for
        the room's members (read with ``turn``)."""
        viewers = None
        if view.personal is not None:
            viewers = await self.conversations.viewers(turn, community.external_id, room_id)
        return cards.message(cards.render(view, heading=heading, viewers=viewers), view)

    async def send(
        self, community: Community, room_id: str, target: Target, view: View, request: Any
    ) -> MessageRef:
        req = self._request(request)
        if isinstance(target, AsSeenBy):
            mine = req is not None and req.person.id == target.person_id
            if mine and req is not None and req.kind == "invoke":
                # The answer to this person's refresh (or click) of the shared card: for them
                # alone, in place, never kept (see TeamsRequest.private_answer).
                req.card_view, req.card_context, req.seen_by = view, None, True
                return {"room_id": room_id, "message_id": ""}
            view = target.part
            target = Private(target.person_id)
        if isinstance(target, Private):
            ref = await self._private(community, room_id, target.person_id, view, req)
        elif isinstance(target, ToThread):
            ref = await self._thread(community, target.room_id or room_id, target.name, view, req)
        else:
            ref = await self._room(community, room_id, view, req, reply=isinstance(target, Reply))
        if req is not None and ref.get("message_id"):
            req.sent += 1
        return ref

    async def _room(
        self,
        community: Community,
        room_id: str,
        view: View,
        req: TeamsRequest | None,
        *,
        reply: bool = False,
        heading: str = "",
    ) -> MessageRef:
        if req is not None and req.origin is not None and (reply or room_id == req.room_id):
            reply_to = req.activity_id if req.kind == "message" else None
            activity = await self._message(view, req.turn, community, room_id, heading)
            msg_id = await req.turn.send(req.origin, activity, reply_to)
            self._remember(req.origin, msg_id, activity)
            return {
                "room_id": room_id,
                "message_id": msg_id,
                "conversation_id": req.origin,
                "service_url": req.service_url,
            }
        reference = await self.conversations.reference(community, room_id, req)
        if reference is None:
            log.warning(
                "no conversation reference for room %s; view not shown: %s",
                room_id,
                view.title or view.text[:60],
            )
            return {"room_id": room_id, "message_id": ""}
        service_url = reference["serviceUrl"]

        async def post(turn: Turn) -> tuple[str, JSON]:
            activity = await self._message(view, turn, community, room_id, heading)
            if req is None and "meeting_" in room_id:  # on its own, in a meeting: alert it
                activity = self._in_meeting(activity, view)
            return await turn.send(room_id, activity), activity

        msg_id, activity = await self.conversations.with_turn(service_url, reference, req, post)
        self._remember(room_id, msg_id, activity)
        return {
            "room_id": room_id,
            "message_id": msg_id,
            "conversation_id": room_id,
            "service_url": service_url,
        }

    async def _private(
        self,
        community: Community,
        room_id: str,
        person_id: str,
        view: View,
        req: TeamsRequest | None,
    ) -> MessageRef:
        # the request, when the view is for the person who made it
        mine = req if req is not None and req.person.id == person_id else None
        if mine and mine.kind == "invoke" and _is_notice(view):
            mine.notices.append(view)
            return {"room_id": room_id, "message_id": ""}
        context = self.notes.for_card(community.external_id, room_id, person_id)
        activity = cards.message(cards.render(view, context=context), view)
        if mine and mine.private_card and mine.card_id and not mine.replaced:
            # the next step of a private card (a wizard): it takes the clicked card's place
            mine.replaced = True
            conv, service_url, msg_id = mine.where.conversation_id, mine.service_url, mine.card_id
            if mine.kind == "invoke":
                mine.card_view, mine.card_context = view, context
            await mine.turn.update(conv, msg_id, activity)
        elif mine and mine.where.conversation_type == "personal":
            conv, service_url = mine.where.conversation_id, mine.service_url
            msg_id = await mine.turn.send(conv, activity)
        else:
            reference = await self.conversations.reference(community, room_id, req)
            if reference is None:
                log.warning("no conversation reference to reach %s privately", person_id)
                return {"room_id": room_id, "message_id": ""}
            service_url = reference["serviceUrl"]
            tenant = inbound.text_of(inbound.obj(reference, "conversation"), "tenantId")
            bot_id = inbound.text_of(inbound.obj(reference, "bot"), "id")

            async def deliver(turn: Turn) -> tuple[str, str]:
                key = (service_url, person_id)
                conv = self.conversations.personal_chats.get(key)
                if conv is None:
                    conv = await turn.personal_conversation(person_id, tenant, bot_id)
                    self.conversations.personal_chats.put(key, conv)
                return conv, await turn.send(conv, activity)

            try:
                conv, msg_id = await self.conversations.with_turn(
                    service_url, reference, req, deliver
                )
            except ConnectorError as exc:
                log.warning("cannot message %s privately: %s", person_id, exc)
                if mine and mine.kind == "invoke":
                    mine.notices.append(notice(cards.fallback_text(view)))
                return {"room_id": room_id, "message_id": ""}
            if mine and mine.kind == "invoke":
                mine.notices.append(notice(_("I sent it to you in our private chat.")))
        self._remember(conv, msg_id, activity, person_id)
        return {
            "room_id": conv,
            "message_id": msg_id,
            "conversation_id": conv,
            "service_url": service_url,
            "private": person_id,
            "c": community.external_id,
            "r": room_id,
        }

    async def _thread(
        self, community: Community, room_id: str, name: str, view: View, req: TeamsRequest | None
    ) -> MessageRef:
        channel = inbound.base_conversation(room_id)
        reference = await self.conversations.reference(community, channel, req)
        if reference is None:
            log.warning("no conversation reference for room %s; thread not started", room_id)
            return {"room_id": room_id, "message_id": ""}
        if not _is_channel(channel, reference) or not self.conversations.sdk.app_id:
            # chats have no threads: every view of the place is posted in the chat, headed
            ref = await self._room(community, room_id, view, req, heading=name)
            return {**ref, NO_THREAD: True}
        service_url = reference["serviceUrl"]

        async def post(turn: Turn) -> tuple[str, str, JSON]:
            activity = await self._message(view, turn, community, channel, name)
            return (*await turn.new_channel_post(channel, activity), activity)

        try:
            conv, msg_id, activity = await self.conversations.with_turn(
                service_url, reference, req, post
            )
        except ConnectorError as exc:  # (a channel where only moderators may post, a 403)
            log.warning("cannot start a new post in %s (%s); posted in the room", channel, exc)
            ref = await self._room(community, room_id, view, req, heading=name)
            return {**ref, NO_THREAD: True}
        thread_ref = {
            **reference,
            "conversation": {**inbound.obj(reference, "conversation"), "id": conv},
        }
        await self.conversations.register_thread(community, conv, cards.bare(name), thread_ref)
        self._remember(conv, msg_id, activity)
        return {
            "room_id": conv,
            "message_id": msg_id,
            "conversation_id": conv,
            "service_url": service_url,
        }

    async def edit(
        self, community: Community, ref: MessageRef, view: View, request: Any = None
    ) -> None:
        msg_id = ref.get("message_id")
        if not msg_id:
            return
        person = ref.get("private") or None
        context = self.notes.for_card(ref["c"], ref["r"], person) if person else None
        req = self._request(request)
        if req is not None and req.kind == "invoke" and req.card_id == msg_id:
            req.card_view, req.card_context = view, context
        conv = ref.get("conversation_id") or ref.get("room_id", "")
        service_url = ref.get("service_url", "")
        reference = None
        if not service_url:
            reference = await self.conversations.reference(community, ref.get("room_id", ""), req)
            if reference is None:
                log.warning("cannot update message %s: no conversation reference", msg_id)
                return
            service_url = reference["serviceUrl"]
        if reference is None:
            reference = {
                "serviceUrl": service_url,
                "channelId": "msteams",
                "conversation": {"id": conv},
            }

        async def update(turn: Turn) -> JSON:
            if context is not None or view.personal is None:
                activity = cards.message(cards.render(view, context=context), view)
            else:
                room = str(ref.get("room_id") or conv)
                activity = await self._message(view, turn, community, room)
            await turn.update(conv, msg_id, activity)
            return activity

        activity = await self.conversations.with_turn(service_url, reference, req, update)
        self._remember(conv, msg_id, activity, person)
