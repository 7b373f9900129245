"""The Discord adapter: copkit as a Discord bot (discord.py). Every discord.py type stays in
this package; the core and the plugins never see one.

Imported lazily, so that reading the settings (:mod:`.settings`) does not load discord.py."""

from __future__ import annotations

from typing import Any

__all__ = ["DiscordAdapter", "DiscordSettings", "intents_for", "serve_discord"]


def __getattr__(name: str) -> Any:
    if name == "DiscordAdapter":
        from .bot import DiscordAdapter

        return DiscordAdapter
    if name == "intents_for":
        from .access import intents_for

        return intents_for
    if name == "serve_discord":
        from .serve import serve_discord

        return serve_discord
    if name == "DiscordSettings":
        from .settings import DiscordSettings

        return DiscordSettings
    raise AttributeError(name)
