"""What the Discord adapter must find again after a restart or on another process.

Rows of the core's ``ShownView`` table under keys of the adapter's own (``discord:…``); their refs
never carry ``message_id``, so ``Copkit.find_view`` does not confuse them with views:

- ``discord:form:<component id>`` — the form a button opens (the modal must be the first answer
  to the click, so its fields cannot come from a plugin call);
- ``discord:poll:<message id>`` — which core poll a native Discord poll carries (votes arrive as
  gateway events naming only the message);
- ``discord:event:<uid>`` — the guild scheduled event created for a core event;
- ``discord:dm:<message id>`` — which community a direct message with buttons belongs to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from copkit.core.models import Community, ShownView

PREFIX = "discord:"


async def remember(community: Community, key: str, ref: dict[str, Any], room_id: str = "") -> None:
    """Store ``ref`` under ``key`` (insert or replace; safe when two processes race)."""
    key = (PREFIX + key)[:200]
    updated = await ShownView.filter(community_id=community.id, key=key).update(
        ref=ref, room_id=room_id
    )
    if updated:
        return
    try:
        await ShownView.create(community_id=community.id, key=key, room_id=room_id, ref=ref)
    except IntegrityError:
        await ShownView.filter(community_id=community.id, key=key).update(ref=ref, room_id=room_id)


async def recall(community: Community, key: str) -> dict[str, Any] | None:
    row = await ShownView.get_or_none(community_id=community.id, key=(PREFIX + key)[:200])
    return dict(row.ref) if row is not None else None


async def community_of(key: str) -> Community | None:
    """The community that stored ``key`` (for direct messages, which carry no guild)."""
    row = await ShownView.filter(key=(PREFIX + key)[:200]).order_by("-id").first()
    if row is None:
        return None
    return await Community.get_or_none(id=row.community_id)


async def prune(prefix: str, before: datetime) -> int:
    """Forget the adapter's records under ``prefix`` stored before ``before`` (e.g. the forms of
    messages nobody can still be using); returns how many went."""
    return await ShownView.filter(key__startswith=PREFIX + prefix, created_at__lt=before).delete()
