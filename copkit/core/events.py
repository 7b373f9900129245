"""What adapters hand to the core: who, where, and what they asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class CommunityRef:
    """A community as the platform knows it: a guild, a team or chat, a console workspace."""

    platform: str
    external_id: str
    name: str = ""
    owner_id: str | None = None  # becomes the first leader


@dataclass(frozen=True, slots=True)
class Person:
    """A member as the platform knows them. ``is_admin`` means the platform grants them management
    rights (Manage Server, team owner); the core counts them as core team unless the leader named
    a platform role for that. ``roles`` are the platform roles they hold (names and ids)."""

    id: str
    name: str = ""
    is_admin: bool = False
    is_owner: bool = False
    roles: tuple[str, ...] = ()
    locale: str = ""
    """The language their app is set to (Discord's ``interaction.locale``), when the platform
    says; copkit answers in it when it has that language."""


@dataclass(frozen=True, slots=True)
class RoomRef:
    """Where something happens: a channel, a voice channel's chat, a thread, a DM."""

    id: str
    name: str = ""
    kind: str = "text"  # text | voice | thread | private
    data: dict[str, Any] | None = None  # adapter data to store (e.g. a conversation reference)


@dataclass(frozen=True, slots=True)
class Interaction:
    """A button press, a choice, a form submission or a poll vote."""

    action_id: str
    values: dict[str, Any] = field(default_factory=dict)
    message_ref: dict[str, Any] | None = None


UPLOAD_READ_MAX = 8 * 1024 * 1024
"""Adapters download a sent file up to this size; a larger one arrives with its size only."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A file someone sent with a command: a Discord attachment, a file or picture in a Teams
    message, a path given in the console. ``data`` is empty when the file was larger than
    :data:`UPLOAD_READ_MAX` (not downloaded; ``size`` says how large)."""

    filename: str
    size: int
    data: bytes = b""
    content_type: str = ""
