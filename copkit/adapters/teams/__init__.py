"""Microsoft Teams adapter: the Bot Framework messaging endpoint, Adaptive Cards, the app package.

Every botbuilder type stays in :mod:`copkit.adapters.teams.sdk`; the rest speaks activity JSON.
"""

from .app import BOT_KEY, make_app, serve_teams
from .connector import AuthOverrides

__all__ = ["BOT_KEY", "AuthOverrides", "make_app", "serve_teams"]
