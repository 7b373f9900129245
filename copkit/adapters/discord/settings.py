"""The Discord adapter's settings: the ``[discord]`` section and ``DISCORD_TOKEN``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from copkit.core.config import ListOf, Schema, env_flag


@dataclass
class DiscordSettings:
    SECTION: ClassVar[str] = "discord"
    SCHEMA: ClassVar[Schema] = {
        "enabled": bool,
        "token": str,
        "shard_ids": ListOf(int),
        "shard_count": int,
        "members_intent": bool,
    }

    token: str = ""
    shard_ids: list[int] | None = None
    shard_count: int | None = None
    members_intent: bool = False
    enabled: bool = True
    """``false`` (or ``copkit run --no-discord``): this process does not connect to Discord."""

    @classmethod
    def from_config(cls, values: Mapping[str, Any], env: Mapping[str, str]) -> DiscordSettings:
        s = cls(**values)
        s.token = env.get("DISCORD_TOKEN") or s.token
        enabled = env_flag(env, "COPKIT_DISCORD_ENABLED")
        if enabled is not None:
            s.enabled = enabled
        return s
