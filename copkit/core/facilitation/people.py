"""Who takes part in an activity: joined (late joiners too), left. A format calls
:func:`join` whenever someone acts in it, so the participants are those who took part."""

from __future__ import annotations

from datetime import datetime

from copkit.core import store

from .models import Participant


async def join(community_id: int, owner: str, member: str, name: str, now: datetime) -> bool:
    """Record ``member`` as taking part; True when they are new (or come back after leaving)."""
    if await Participant.exists(owner=owner, member=member, left_at=None):
        return False  # (the common case, read only)
    made = await store.insert_if_absent(
        Participant,
        community_id=community_id,
        owner=owner,
        member=member,
        name=name[:200],
        joined_at=now,
    )
    if made is not None:
        return True
    back = (
        await Participant.filter(owner=owner, member=member)
        .exclude(left_at=None)
        .update(left_at=None, joined_at=now)
    )
    return bool(back)


async def leave(owner: str, member: str, now: datetime) -> bool:
    """``member`` leaves; True when they were taking part."""
    return bool(
        await Participant.filter(owner=owner, member=member, left_at=None).update(left_at=now)
    )


async def present(owner: str) -> list[Participant]:
    """Who takes part now, in the order they joined."""
    return await Participant.filter(owner=owner, left_at=None).order_by("joined_at", "id")


async def is_present(owner: str, member: str) -> bool:
    return await Participant.exists(owner=owner, member=member, left_at=None)


async def everyone(owner: str) -> list[Participant]:
    """Everyone who took part at some point (leavers included), in the order they joined."""
    return await Participant.filter(owner=owner).order_by("joined_at", "id")
