"""Roles in a community: one leader, a core team, members."""

from __future__ import annotations

from enum import IntEnum

from .i18n import _


class Role(IntEnum):
    MEMBER = 0
    CORE = 1
    LEADER = 2

    @property
    def label(self) -> str:
        return {Role.MEMBER: _("member"), Role.CORE: _("core team"), Role.LEADER: _("leader")}[self]

    def who_may(self) -> str:
        """The words for 'who may do this', e.g. 'the leader or core team'."""
        if self is Role.LEADER:
            return _("the leader")
        if self is Role.CORE:
            return _("the leader or core team")
        return _("members")
