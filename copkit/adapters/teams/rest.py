"""Bot Connector v3 calls as plain JSON over kept aiohttp sessions, with no SDK type in them:
what both backends send without their SDK's models (the botbuilder one sends everything this
way; the Agents SDK one reads members with it). Every call goes through :func:`.connector.call`
(429 retry, :class:`.connector.ConnectorError`)."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aiohttp

from .connector import JSON, ConnectorError, call

CLIENTS_KEPT = 16  # sessions (connector clients) kept: one per Bot Connector (service URL)
TOKEN_KEPT = 240.0  # seconds an outgoing token is reused (MSAL renews 5 minutes before expiry)


def endpoint(service_url: str) -> str:
    """The service URL as a session's base URL (with its trailing slash)."""
    return service_url if service_url.endswith("/") else service_url + "/"


def live_pool(pool: aiohttp.TCPConnector | None) -> aiohttp.TCPConnector:
    """``pool``, or a new TCP connection pool if there is none or it was closed."""
    if pool is None or pool.closed:
        return aiohttp.TCPConnector(limit=100)
    return pool


def open_session(pool: aiohttp.TCPConnector, base: str) -> aiohttp.ClientSession:
    """A session on ``pool`` whose relative paths are under ``base`` (a service URL)."""
    return aiohttp.ClientSession(
        base_url=base,
        connector=pool,
        connector_owner=False,
        timeout=aiohttp.ClientTimeout(total=30),
    )


class KeptToken:
    """An outgoing token, asked of ``get`` at most every :data:`TOKEN_KEPT` seconds."""

    def __init__(self, get: Callable[[], Awaitable[str]]) -> None:
        self._get = get
        self._token: tuple[float, str] | None = None

    async def __call__(self) -> str:
        now = time.monotonic()
        if self._token is not None and now - self._token[0] < TOKEN_KEPT:
            return self._token[1]
        token = await self._get()
        self._token = (now, token)
        return token


class Sessions:
    """One aiohttp session per Bot Connector (service URL), kept across turns, all on one
    connection pool; the least recently used is closed past :data:`CLIENTS_KEPT`."""

    def __init__(self, kept: int = CLIENTS_KEPT) -> None:
        self.kept = kept
        self._pool: aiohttp.TCPConnector | None = None
        self._sessions: OrderedDict[str, aiohttp.ClientSession] = OrderedDict()

    async def get(self, service_url: str) -> aiohttp.ClientSession:
        base = endpoint(service_url)
        session = self._sessions.get(base)
        if session is not None and not session.closed:
            self._sessions.move_to_end(base)
            return session
        self._pool = live_pool(self._pool)
        session = open_session(self._pool, base)
        self._sessions[base] = session
        while len(self._sessions) > self.kept:
            _, old = self._sessions.popitem(last=False)
            await old.close()
        return session

    async def close(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()
        if self._pool is not None:
            await self._pool.close()


def _conversation(conversation_id: str) -> str:
    return f"v3/conversations/{quote(conversation_id, safe='')}"


def _set(value: JSON) -> JSON:
    """Without the keys set to None (as the SDKs serialise their models)."""
    return {k: v for k, v in value.items() if v is not None}


class Connector:
    """The Bot Connector calls of a turn, on ``session`` (its base URL the service URL), signed
    with ``token`` if there is one (none in local emulator mode, or when the session's own
    headers carry it)."""

    def __init__(self, session: aiohttp.ClientSession, token: str = "") -> None:
        self.session = session
        self.headers = {"Authorization": f"Bearer {token}"} if token else None

    async def _json(
        self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
    ) -> Any:
        async with self.session.request(
            method, path, json=body, params=params, headers=self.headers
        ) as resp:
            resp.raise_for_status()
            data = await resp.read()
        return json.loads(data) if data.strip() else None

    async def send(self, conversation_id: str, activity: JSON, reply_to: str | None = None) -> str:
        """Post ``activity`` to a conversation (a reply to ``reply_to`` if given); its id."""
        path = _conversation(conversation_id) + "/activities"
        if reply_to:
            path += "/" + quote(reply_to, safe="")
        out = _set({**activity, "conversation": {"id": conversation_id}})
        res = await call("send", lambda: self._json("POST", path, out))
        return str(res.get("id") or "") if isinstance(res, dict) else ""

    async def update(self, conversation_id: str, activity_id: str, activity: JSON) -> None:
        path = f"{_conversation(conversation_id)}/activities/{quote(activity_id, safe='')}"
        out = _set({**activity, "id": activity_id, "conversation": {"id": conversation_id}})
        await call("update", lambda: self._json("PUT", path, out))

    async def create_conversation(self, what: str, params: JSON) -> JSON:
        """POST /v3/conversations; the ConversationResourceResponse (``id``, ``activityId``)."""
        res = await call(what, lambda: self._json("POST", "v3/conversations", _set(params)))
        if not isinstance(res, dict) or not isinstance(res.get("id"), str):
            raise ConnectorError(f"{what} failed: no conversation id in the answer")
        return res

    async def member(self, conversation_id: str, member_id: str) -> JSON | None:
        """A member of a team or chat (with ``userRole`` in Teams), or None if unknown."""
        path = f"{_conversation(conversation_id)}/members/{quote(member_id, safe='')}"
        try:
            account = await call("member lookup", lambda: self._json("GET", path))
        except ConnectorError as exc:
            if exc.status == 404:
                return None
            raise
        return _set(account) if isinstance(account, dict) and account else None

    async def members_page(
        self, conversation_id: str, token: str | None = None, page_size: int = 200
    ) -> tuple[list[JSON], str | None]:
        """One page of a team's or chat's roster, and the token for the next page."""
        params = {"pageSize": str(page_size)}
        if token:
            params["continuationToken"] = token
        path = _conversation(conversation_id) + "/pagedmembers"
        page = await call("roster", lambda: self._json("GET", path, params=params))
        if not isinstance(page, dict):
            raise ConnectorError("roster failed: not a JSON object")
        members = [_set(m) for m in page.get("members") or [] if isinstance(m, dict)]
        next_token = page.get("continuationToken")
        return members, next_token if isinstance(next_token, str) and next_token else None
