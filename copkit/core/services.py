"""The services a plugin handler reaches through its context: small pieces, not the runtime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .access import Access
from .clock import Clock
from .communities import Communities, CommunityState, unknown_person
from .communitylog import CommunityLog
from .events import Person
from .models import Community
from .output import Output
from .site import SiteOptions
from .specs import Registry

if TYPE_CHECKING:
    from .context import Context
    from .plugins import Hooks
    from .timers import Scheduler


@dataclass(frozen=True, eq=False)
class Services:
    clock: Clock
    hooks: Hooks
    registry: Registry
    communities: Communities
    access: Access
    log: CommunityLog
    output: Output
    scheduler: Scheduler
    presence: dict[tuple[int, str], list[str]]
    spawn: Callable[..., Any]
    site: SiteOptions = field(default_factory=lambda: SiteOptions())

    # Shorthands kept for plugins written against ``ctx.runtime`` --------------------------------

    async def refresh(self, community: Community) -> CommunityState:
        return await self.communities.refresh(community)

    async def community_state(self, community: Community) -> CommunityState:
        return await self.communities.state_of(community)

    async def resolve_person(self, ctx: Context, token: str) -> Person:
        """The person meant by ``token``: a mention, someone copkit has seen, or someone the
        platform knows (the adapter's :meth:`~copkit.core.messenger.PeopleFinder.find_person`:
        a Discord member lookup, a Teams roster; the console takes any name)."""
        community = ctx.community
        found = await self.communities.known_person(community, ctx.mentions, token)
        if found is not None:
            return found
        messenger = self.output.messengers.get(community.platform)
        finder = getattr(messenger, "find_person", None)
        clean = token.removeprefix("@").strip()
        if finder is not None and clean:
            found = await finder(community, clean, ctx.request)
        if found is None:
            raise unknown_person(token)
        await self.communities.remember_person(community, found)
        return found
