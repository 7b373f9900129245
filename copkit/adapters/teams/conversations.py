"""Where copkit can talk in Teams: conversation references of rooms (kept in
``copkit_room.data``), the threads copkit started, people's 1:1 chats, and running a call in the
request's own turn or in a proactive one. Shared by the inbound (bot) and outbound (messenger)
halves of the adapter; every cache here is bounded."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from copkit.core.models import Community, Room

from . import inbound
from .connector import JSON, ConnectorError
from .connector import reference as conversation_reference
from .request import LRU, ShownCards, TeamsRequest
from .seam import BotFramework, Turn

log = logging.getLogger("copkit.teams")

CACHE_SIZE = 5000
VIEWERS_TTL = 600.0  # seconds a roster is trusted for a card's per-person refresh
MAX_VIEWERS = 60  # Teams refreshes a card automatically for at most 60 people


class Conversations:
    """The SDK seam, with what the adapter remembers about conversations."""

    def __init__(self, sdk: BotFramework, size: int = CACHE_SIZE) -> None:
        self.sdk = sdk
        self.refs = LRU(size)  # (community external id, room) -> conversation reference
        self.threads = LRU(size)  # conversation id -> is a thread copkit started
        self.personal_chats = LRU(size)  # (service url, person) -> 1:1 conversation id
        self.cards = ShownCards(min(size, 1000))
        self._viewers = LRU(min(size, 1000))  # roster conversation -> (read at, ids or None)

    async def viewers(self, turn: Turn, community_id: str, room_id: str) -> list[str] | None:
        """Who a card with a personal part refreshes itself for: the members of the team or
        chat, if they are 60 or fewer (None: more, unknown, or a personal chat)."""
        roster = inbound.roster_of_community(community_id)
        if not roster:
            return None
        now = time.monotonic()
        hit = self._viewers.get(roster)
        if hit is not None and now - hit[0] < VIEWERS_TTL:
            return list(hit[1]) if hit[1] is not None else None
        ids: list[str] | None
        try:
            members, more = await turn.members_page(roster, None, 100)
            found = [m["id"] for m in members if isinstance(m.get("id"), str) and m["id"]]
            ids = None if more or len(found) > MAX_VIEWERS else found
        except ConnectorError as exc:
            log.info("cannot read the roster of %s for a card's refresh: %s", roster, exc)
            ids = None
        self._viewers.put(roster, (now, ids))
        return list(ids) if ids is not None else None

    async def reference(
        self, community: Community, room_id: str, req: TeamsRequest | None
    ) -> JSON | None:
        """The stored conversation reference of a room (or one built from a sibling room)."""
        key = (community.external_id, room_id)
        ref = self.refs.get(key)
        if ref is not None:
            return ref
        if req is not None and req.origin is not None and req.room_id == room_id:
            ref = conversation_reference(req.activity, room_id)
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
                    base = conversation_reference(req.activity, room_id)
                if base is None or not base.get("serviceUrl"):
                    return None
                conv = dict(inbound.obj(base, "conversation"))
                if conv.get("id") != room_id:  # another room: same tenant and Bot Connector
                    conv = {k: v for k, v in conv.items() if k in ("tenantId", "isGroup")}
                    conv["id"] = room_id
                ref = {**base, "conversation": conv}
        self.refs.put(key, ref)
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
        self.threads.put(conversation_id, True)
        self.refs.put((community.external_id, conversation_id), reference)
        row, created = await Room.get_or_create(
            community_id=community.id,
            external_id=conversation_id,
            defaults={"name": name[:200], "kind": "thread", "data": reference},
        )
        if not created and row.data != reference:
            row.data = reference
            row.kind = "thread"
            await row.save(update_fields=["data", "kind"])

    async def room_of(self, community_id: str, conv: str, activity_id: str) -> str:
        """The core room of a conversation: a thread copkit started is a room of its own; any
        other channel post belongs to its channel."""
        base = inbound.base_conversation(conv)
        if conv == base or conv == f"{base};messageid={activity_id}":
            return base  # a channel, or a new post someone just made
        known = self.threads.get(conv)
        if known is not None:
            return conv if known else base
        found = await Room.filter(
            community__platform="teams",
            community__external_id=community_id,
            external_id=conv,
            kind="thread",
        ).exists()
        self.threads.put(conv, found)
        return conv if found else base
