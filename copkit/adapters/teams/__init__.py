"""Microsoft Teams adapter: the Bot Framework messaging endpoint, Adaptive Cards, the app package.

Every botbuilder type stays in :mod:`copkit.adapters.teams.sdk`; the rest speaks activity JSON.
Imported lazily, so that reading the settings (:mod:`.settings`) does not load botbuilder.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BOT_KEY", "AuthOverrides", "add_teams", "make_app", "serve_teams"]


def __getattr__(name: str) -> Any:
    if name in ("BOT_KEY", "add_teams", "make_app", "serve_teams"):
        from . import app

        return getattr(app, name)
    if name == "AuthOverrides":
        from .connector import AuthOverrides

        return AuthOverrides
    raise AttributeError(name)
