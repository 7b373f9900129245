"""Where copkit can talk in Teams: conversation references of rooms (kept in
``copkit_room.data``), the threads copkit started, people's 1:1 chats, and running a call in the
request's own turn or in a proactive one. Shared by the inbound (bot) and outbound (messenger)
halves of the adapter; every cache here is bounded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from copkit.core.models import Community, Room

from . import inbound
from .connector import JSON
from .connector import reference as conversation_reference
from .request import LRU, ShownCards, TeamsRequest
from .seam import BotFramework, Turn

CACHE_SIZE = 5000


class Conversations:
    """The SDK seam, with what the adapter remembers about conversations."""

    def __init__(self, sdk: BotFramework, size: int = CACHE_SIZE) -> None:
        self.sdk = sdk
        self.refs = LRU(size)  # (community external id, room) -> conversation reference
        self.threads = LRU(size)  # conversation id -> is a thread copkit started
        self.personal_chats = LRU(size)  # (service url, person) -> 1:1 conversation id
        self.cards = ShownCards(min(size, 1000))

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
