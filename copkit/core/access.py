"""Who may do what: a role per action, the community's ``roles require`` overrides, plugins'
``copkit_permission`` decisions, and whether a format is enabled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import NotEnabled, PermissionDenied
from .i18n import _
from .models import Community
from .roles import Role

if TYPE_CHECKING:
    from .communities import CommunityState
    from .plugins import Hooks


class Access:
    def __init__(self, hooks: Hooks) -> None:
        self.hooks = hooks

    @staticmethod
    def _override(community: Community, action: str) -> int | None:
        value = (community.settings or {}).get("require", {}).get(action)
        return None if value is None else int(value)

    def permitted(
        self, community: Community, member: str, role: Role, needed: Role, action: str
    ) -> bool:
        """Whether ``member`` (with ``role``) may do ``action``, which needs ``needed``."""
        decided = self.hooks.permission(community, member, int(role), action)
        if decided is not None:
            return decided
        override = self._override(community, action)
        return role >= (Role(override) if override is not None else needed)

    def require(
        self, community: Community, member: str, role: Role, needed: Role, action: str, words: str
    ) -> None:
        """Refuse with "Only … can <words>." unless permitted."""
        if not self.permitted(community, member, role, needed, action):
            override = self._override(community, action)
            who = Role(override if override is not None else needed).who_may()
            raise PermissionDenied(_("Only {who} can {action}.").format(who=who, action=words))

    @staticmethod
    def check_format(state: CommunityState, fmt: str | None) -> None:
        if fmt is not None and fmt not in state.enabled:
            raise NotEnabled(
                _(
                    "{format} is not enabled here. The leader can turn it on with “formats enable {format}”."
                ).format(format=fmt)
            )
