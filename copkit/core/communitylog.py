"""The community's log: every contribution and decision, public to its members."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .clock import Clock
from .models import Community, LogEntry
from .writer import Row

if TYPE_CHECKING:
    from .plugins import Hooks


class CommunityLog:
    def __init__(self, clock: Clock, hooks: Hooks) -> None:
        self.clock = clock
        self.hooks = hooks

    async def log(
        self, community: Community, kind: str, *, ref: str = "", text: str = "", member: str = ""
    ) -> None:
        """Add a line (transparency)."""
        await LogEntry.create(
            community=community,
            kind=kind,
            ref=ref[:200],
            text=text[:2000],
            member=member[:200],
            at=self.clock.now(),
        )

    def row(
        self, community: Community, kind: str, *, ref: str = "", text: str = "", member: str = ""
    ) -> Row:
        """The line :meth:`log` adds, as a row for a :class:`~copkit.core.writer.Write`."""
        return Row(
            LogEntry,
            {
                "community_id": community.id,
                "kind": kind,
                "ref": ref[:200],
                "text": text[:2000],
                "member": member[:200],
                "at": self.clock.now(),
            },
        )

    async def contribute(
        self, community: Community, member: str, kind: str, ref: str, text: str = ""
    ) -> None:
        """Log a contribution by ``member`` and tell the plugins (``copkit_contribution``)."""
        await self.log(community, kind, ref=ref, text=text, member=member)
        await self.hooks.contribution(community, member, kind, ref)
