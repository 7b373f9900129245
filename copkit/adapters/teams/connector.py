"""What the SDK seam and the rest of the adapter share, with no SDK type in it: the errors of
authentication and of Bot Connector calls, retrying a throttled call, and conversation
references read from activity JSON."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from copkit.core.errors import PlatformError

log = logging.getLogger("copkit.teams.sdk")

JSON = dict[str, Any]
T = TypeVar("T")


class AuthFailed(Exception):
    """The request does not carry a valid Bot Framework token (answer 401)."""


class AuthUnavailable(Exception):
    """The signing keys cannot be fetched right now (answer 503 so the sender retries)."""


class BadActivity(Exception):
    """The body is JSON but not an activity the SDK can read (answer 400)."""


class ConnectorError(PlatformError):
    """The Bot Connector refused or failed a call; ``status`` is its HTTP status (0 if unknown)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class AuthOverrides:
    """Where inbound tokens are checked, and a fixed outbound token: for offline tests only."""

    openid_metadata_url: str | None = None
    token_issuer: str | None = None
    emulator_openid_metadata_url: str | None = None
    outbound_token: str | None = None


# Calls to the Bot Connector ---------------------------------------------------------------------


def error_status(exc: BaseException) -> int:
    """The HTTP status of a failed call: msrest's (botbuilder) ``exc.response.status_code`` or
    aiohttp's (Agents SDK) ``exc.status``; 0 if unknown."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(exc, "status", None)
    try:
        return int(status or 0)
    except (TypeError, ValueError):
        return 0


def _headers(exc: BaseException) -> Any:
    return getattr(getattr(exc, "response", None), "headers", None) or getattr(exc, "headers", None)


THROTTLE_DELAYS = (1.0, 2.0, 4.0)  # waits after a 429 without Retry-After


def _retry_after(exc: BaseException) -> float | None:
    headers = _headers(exc) or {}
    try:
        return min(max(float(headers.get("Retry-After", "")), 0.0), 10.0)
    except (TypeError, ValueError):
        return None


async def call(what: str, make: Callable[[], Awaitable[T]]) -> T:
    """Make a Bot Connector call; a throttled one (429) is tried again after Retry-After (or a
    short backoff). Any failure becomes a :class:`ConnectorError`."""
    for attempt in range(len(THROTTLE_DELAYS) + 1):
        try:
            return await make()
        except Exception as exc:
            status = error_status(exc)
            if status == 429 and attempt < len(THROTTLE_DELAYS):
                delay = _retry_after(exc)
                wait = THROTTLE_DELAYS[attempt] if delay is None else delay
            else:
                raise ConnectorError(f"{what} failed: {type(exc).__name__}: {exc}", status) from exc
        log.info("%s throttled by the Bot Connector; trying again in %.1f s", what, wait)
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")


# Conversation references --------------------------------------------------------------------------

_ACCOUNT = ("id", "name", "aadObjectId", "role")
_CONVERSATION = ("isGroup", "conversationType", "id", "name", "aadObjectId", "role", "tenantId")


def fields(value: Any, keys: tuple[str, ...]) -> JSON:
    """The ``keys`` of a JSON object that are set (as msrest would serialize them)."""
    if not isinstance(value, dict):
        return {}
    return {k: value[k] for k in keys if value.get(k) is not None}


def reference(body: JSON, conversation_id: str) -> JSON:
    """The serialized ConversationReference to store for a conversation (JSON-safe, stable: no
    user and no activity id, so it only changes when the conversation does)."""
    # What TurnContext.get_conversation_reference(...).serialize() keeps of it, read from the
    # JSON directly: msrest's deserialize + serialize cost 3-5 ms per request.
    ref: JSON = {}
    bot = fields(body.get("recipient"), _ACCOUNT)
    if bot:
        ref["bot"] = bot
    conversation = fields(body.get("conversation"), _CONVERSATION)
    for key in ("channelId", "serviceUrl"):
        if isinstance(body.get(key), str):
            ref[key] = body[key]
    conversation["id"] = conversation_id
    data = body.get("channelData")
    tenant = fields(data.get("tenant") if isinstance(data, dict) else None, ("id",))
    tenant_id = tenant.get("id") or conversation.get("tenantId")
    if isinstance(tenant_id, str) and tenant_id:
        conversation["tenantId"] = tenant_id
    conversation.pop("tenantID", None)
    ref["conversation"] = conversation
    return ref


# What the SDK reads of an inbound activity ------------------------------------------------------

_SDK_KEYS = (
    "type",
    "id",
    "name",
    "channelId",
    "serviceUrl",
    "timestamp",
    "locale",
    "replyToId",
    "deliveryMode",
    "callerId",
)
_CHANNEL_DATA = ("tenant", "team", "channel", "eventType", "meeting", "settings", "source")


def for_sdk(body: JSON) -> JSON:
    """The part of an activity the SDK needs to run a turn (who, where, the Bot Connector):
    small whatever the body holds. Lists (``membersAdded``, ``entities``, ``attachments``) and
    the card values are read by copkit from the JSON itself, never deserialised by the SDK."""
    out: JSON = {k: body[k] for k in _SDK_KEYS if isinstance(body.get(k), str)}
    for key in ("from", "recipient"):
        account = fields(body.get(key), _ACCOUNT)
        if account:
            out[key] = {k: v for k, v in account.items() if isinstance(v, str)}
    conversation = fields(body.get("conversation"), _CONVERSATION)
    if conversation:
        out["conversation"] = {k: v for k, v in conversation.items() if isinstance(v, (str, bool))}
    data = body.get("channelData")
    if isinstance(data, dict):
        slim: JSON = {}
        for key in _CHANNEL_DATA:
            value = data.get(key)
            if isinstance(value, str):
                slim[key] = value
            elif isinstance(value, dict):
                slim[key] = {k: v for k, v in value.items() if isinstance(v, (str, bool, int))}
        out["channelData"] = slim
    return out
