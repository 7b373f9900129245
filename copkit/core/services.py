"""The services a plugin handler reaches through its context: small pieces, not the runtime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .access import Access
from .clock import Clock
from .communities import Communities, CommunityState
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
        return await self.communities.resolve_person(ctx.community, ctx.mentions, token)
