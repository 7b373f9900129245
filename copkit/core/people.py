"""Members of a community as formats name them: "me" or a mention, and display names by id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Membership

if TYPE_CHECKING:
    from .context import Context
    from .events import Person


async def person_or_me(ctx: Context, raw: object) -> Person:
    """``me`` (or ``myself``) or a mention, as a person known to the community."""
    token = str(raw).strip()
    if token.lower() in ("me", "myself"):
        return ctx.person
    return await ctx.resolve_person(token)


async def names(community_id: int, ids: list[str] | set[str]) -> dict[str, str]:
    """Display names of members by id (the id when the name is unknown)."""
    wanted = [i for i in set(ids) if i]
    found = {
        m.person_id: m.name
        for m in await Membership.filter(community_id=community_id, person_id__in=wanted)
    }
    return {i: found.get(i) or i for i in wanted}
