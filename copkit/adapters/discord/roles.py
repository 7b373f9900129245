"""copkit's own opt-in role on Discord: made by the leader's ``announce role``, given to and
taken from the members who say ``notify me`` / ``notify off`` (needs Manage Roles, with
copkit's role above it). The role has no permissions; announcements mention it alone."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from copkit.core.errors import PlatformError, UserError
from copkit.core.i18n import _
from copkit.core.models import Community

from .render import cut, flat

log = logging.getLogger("copkit.discord")

FAILURES = (discord.HTTPException, aiohttp.ClientError, OSError, asyncio.TimeoutError)


def no_roles(exc: discord.Forbidden) -> UserError:
    """Discord refused to make or give a role: say what to grant."""
    log.info("Discord refused to manage roles: %s", exc)
    return UserError(
        _(
            "I'm not allowed to manage roles: give me Manage Roles, with my role above the "
            "notification role."
        )
    )


def _failed(exc: BaseException, what: str) -> PlatformError:
    return PlatformError(f"Discord: could not {what}: {type(exc).__name__}"[:300])


class RoleKeeping:
    """The messenger's :class:`copkit.core.messenger.Roles`."""

    client: discord.Client

    async def create_role(self, community: Community, name: str) -> str:
        """A role that can be mentioned, with no permissions."""
        try:
            made = await self.client.http.create_role(
                int(community.external_id),
                name=cut(flat(name), 100) or "copkit",
                permissions="0",
                mentionable=True,
                reason="copkit: members who asked to be notified",
            )
        except discord.Forbidden as exc:
            raise no_roles(exc) from exc
        except FAILURES as exc:
            raise _failed(exc, "create a role") from exc
        return str(made["id"])

    async def give_role(self, community: Community, person_id: str, role_id: str, on: bool) -> None:
        http = self.client.http
        call = http.add_role if on else http.remove_role
        try:
            await call(int(community.external_id), int(person_id), int(role_id))
        except discord.Forbidden as exc:
            raise no_roles(exc) from exc
        except FAILURES as exc:
            raise _failed(exc, "change a member's roles") from exc
