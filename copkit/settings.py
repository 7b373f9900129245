"""The settings of a copkit process: the core's sections plus each shipped adapter's own.

The composition root knows the adapters; :mod:`copkit.core.config` does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .adapters.discord.settings import DiscordSettings
from .adapters.teams.settings import TeamsSettings
from .adapters.web.settings import WebSettings
from .core import config
from .core.config import Settings
from .http.settings import HttpSettings

ADAPTER_SETTINGS: tuple[type[config.AdapterSection], ...] = (
    DiscordSettings,
    TeamsSettings,
    HttpSettings,
    WebSettings,
)

__all__ = ["ADAPTER_SETTINGS", "Settings", "default_settings", "load_settings"]


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """The file (if any) and the environment, with every shipped adapter's section."""
    return config.load_settings(path, env, ADAPTER_SETTINGS)


def default_settings(**core: Any) -> Settings:
    """Settings without a file or environment: the defaults, with ``core`` fields replaced."""
    settings = Settings(**core)
    for adapter in ADAPTER_SETTINGS:
        settings.sections[adapter.SECTION] = {}
        settings.adapters[adapter.SECTION] = adapter.from_config({}, {})
    return settings
