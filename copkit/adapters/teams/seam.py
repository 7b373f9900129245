"""The seam between the Teams adapter and a Microsoft SDK: what the adapter asks of one, and
which one serves it (``[teams] sdk``).

Two backends implement it, each the only module importing its SDK:
- ``agents`` (default): the Microsoft 365 Agents SDK (:mod:`.sdk_agents`);
- ``botbuilder``: the archived Bot Framework SDK 4.17 (:mod:`.sdk_botbuilder`), kept for
  deployments that run it until a later release drops it.

The rest of the adapter speaks the Bot Framework wire format (activities as plain JSON dicts),
which both SDKs share, so a conversation reference stored under one backend works under the
other. What copkit adds on both sides stays the same: a token is checked before anything else
(the serviceUrl claim compared exactly), a throttled call is tried again after Retry-After,
every auth failure is a 401 and an unreachable key set a 503 (:mod:`.connector`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from .connector import JSON, AuthOverrides
from .settings import SDKS, TeamsSettings


class Turn(Protocol):
    """One turn with the Bot Connector (an inbound request, or a proactive continuation)."""

    activity: JSON

    @property
    def service_url(self) -> str: ...

    async def send(
        self, conversation_id: str, activity: JSON, reply_to: str | None = None
    ) -> str: ...

    async def update(self, conversation_id: str, activity_id: str, activity: JSON) -> None: ...

    async def new_channel_post(self, channel_id: str, activity: JSON) -> tuple[str, str]: ...

    async def personal_conversation(self, user_id: str, tenant_id: str, bot_id: str) -> str: ...

    async def member(self, conversation_id: str, member_id: str) -> JSON | None: ...

    async def members_page(
        self, conversation_id: str, token: str | None = None, page_size: int = 200
    ) -> tuple[list[JSON], str | None]: ...


Handler = Callable[[Turn], Awaitable[None]]


class BotFramework(Protocol):
    """The adapter's view of an SDK: authenticate, run a turn, continue a conversation."""

    name: str
    app_id: str
    auth_required: bool

    async def authenticate(self, body: JSON, auth_header: str | None) -> Any:
        """Check the request's token against the activity (raises ``AuthFailed``,
        ``AuthUnavailable`` or ``BadActivity``); what :meth:`process` needs."""
        ...

    async def process(self, authenticated: Any, body: JSON, handler: Handler) -> None: ...

    async def proactive(self, reference: JSON, handler: Handler) -> None: ...

    async def close(self) -> None: ...


def make_framework(settings: TeamsSettings, overrides: AuthOverrides | None = None) -> BotFramework:
    """The backend ``settings.sdk`` names (imported only then: one SDK loaded, not both)."""
    if settings.sdk == "botbuilder":
        from .sdk_botbuilder import BotFramework as Botbuilder

        return Botbuilder(settings, overrides)
    if settings.sdk == "agents":
        from .sdk_agents import AgentsFramework

        return AgentsFramework(settings, overrides)
    raise ValueError(f"[teams] sdk must be one of {', '.join(SDKS)}, not {settings.sdk!r}")
