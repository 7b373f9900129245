"""Changing a member's role from a format (e.g. a workshop's elected leader, once they accept):
the same rule as ``roles leader @x`` — one and only one leader; the former leader stays in the
core team — recorded in the community's log, and known at once in every process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import store
from .models import Membership
from .roles import Role

if TYPE_CHECKING:
    from .context import Scope


async def set_role(scope: Scope, person_id: str, name: str, role: Role, *, by: str = "") -> None:
    """Give ``person_id`` the ``role`` in the scope's community (leader: the previous leader
    becomes core team, in the same transaction)."""
    community_id = scope.community.id
    async with store.transaction():
        if role == Role.LEADER:
            await (
                Membership.filter(community_id=community_id, role=Role.LEADER)
                .exclude(person_id=person_id)
                .update(role=Role.CORE)
            )
        row = await store.upsert(
            Membership,
            {"community_id": community_id, "person_id": person_id},
            {"role": int(role)},
        )
        if name and row.name != name:
            await Membership.filter(id=row.id).update(name=name[:200])
    await scope.settings_changed()
    await scope.log("role.changed", ref=person_id, text=Role(role).name.lower(), member=by)


async def leader_of(community_id: int) -> str | None:
    """The id of the community's leader, if it has one."""
    row = await Membership.filter(community_id=community_id, role=Role.LEADER).first()
    return row.person_id if row else None
