"""The Bot Framework SDK (botbuilder 4.17, archived) backend of the seam (:mod:`.seam`): the
only module that imports it. ``[teams] sdk = "botbuilder"``; supported for deployments that run
it until a later release drops it (the default is the Agents SDK, :mod:`.sdk_agents`).

Done here on purpose, beyond calling the SDK:
- every inbound request is authenticated first, on its own, before the SDK deserialises any of
  it, and *any* failure becomes :class:`AuthFailed` (the SDK raises assorted exceptions for bad
  tokens); the SDK is then given only the small part of the activity it reads;
- the OpenID metadata and signing keys are fetched with aiohttp instead of the SDK's blocking
  ``requests.get`` on the event loop, and cached;
- outgoing credentials are cached per app and their AAD token is acquired in a thread, so MSAL
  never blocks the event loop and a token is not fetched again for every turn;
- the Bot Connector is called as plain JSON over one kept aiohttp session per service URL
  (:mod:`.rest`), not with the SDK's msrest ConnectorClient (blocking ``requests`` in a thread,
  a new TCP connection per call, a new client per turn); a throttled call (429) is tried again,
  a failing one becomes :class:`ConnectorError`, a core ``PlatformError``, so it never reads as
  a database outage;
- a turn runs as CloudAdapter runs one (a TurnContext through the middleware pipeline) without
  the ConnectorClient and user token client the SDK builds for every turn.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.core.conversation_reference_extension import get_continuation_activity
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import (
    Activity,
    CallerIdConstants,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    ClaimsIdentity,
    ServiceClientCredentialsFactory,
)
from botframework.connector.auth.jwt_token_extractor import (
    JwtTokenExtractor,
    _OpenIdConfig,
    _OpenIdMetadata,
)
from jwt.algorithms import RSAAlgorithm

from .connector import (
    JSON,
    AuthFailed,
    AuthOverrides,
    AuthUnavailable,
    BadActivity,
    ConnectorError,
    error_status,
    for_sdk,
)
from .rest import CLIENTS_KEPT, Connector, KeptToken, Sessions
from .settings import TeamsSettings

log = logging.getLogger("copkit.teams.sdk")


class _KeysUnreachable(Exception):
    pass


@dataclass(frozen=True)
class Authenticated:
    """An inbound activity whose token checked out (the SDK's result and parsed activity)."""

    result: Any
    activity: Activity


# Keys and metadata ------------------------------------------------------------------------------


class _AsyncOpenIdMetadata(_OpenIdMetadata):
    """The SDK's key cache, fetched with aiohttp (its own uses blocking ``requests``).

    Keys are refreshed daily; an unknown key id triggers at most one refresh per ``retry`` seconds.
    """

    keys: list[dict[str, Any]]  # the JWKS "keys" (set empty by the SDK's constructor)

    def __init__(self, url: str, retry: float = 300.0) -> None:
        super().__init__(url)
        self._fetched_at = 0.0
        self._tried_at = 0.0
        self._retry = retry
        self._lock = asyncio.Lock()

    async def get(self, key_id: str) -> _OpenIdConfig:
        now = time.monotonic()
        if not self.keys or now - self._fetched_at > 86400:
            await self._refresh_once(now)
        key = self._lookup(key_id)
        if key is None and now - self._tried_at > self._retry:
            await self._refresh_once(now)
            key = self._lookup(key_id)
        if key is None:
            raise PermissionError("unknown signing key")
        return key

    async def _refresh_once(self, now: float) -> None:
        async with self._lock:
            if self._tried_at >= now:  # another request refreshed meanwhile
                return
            self._tried_at = time.monotonic()
            timeout = aiohttp.ClientTimeout(total=10)
            try:
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    async with session.get(self.url) as resp:
                        resp.raise_for_status()
                        jwks_uri = (await resp.json(content_type=None))["jwks_uri"]
                    async with session.get(jwks_uri) as resp:
                        resp.raise_for_status()
                        keys = (await resp.json(content_type=None))["keys"]
            except (aiohttp.ClientError, TimeoutError, KeyError, ValueError, TypeError) as exc:
                log.warning(
                    "cannot fetch the Bot Framework signing keys from %s: %s", self.url, exc
                )
                if not self.keys:
                    raise _KeysUnreachable(str(exc)) from exc
                return  # keep the keys we have
            self.keys = keys
            self._fetched_at = time.monotonic()

    def _lookup(self, key_id: str) -> _OpenIdConfig | None:
        for key in self.keys or []:
            if key.get("kid") == key_id:
                return _OpenIdConfig(
                    RSAAlgorithm.from_jwk(json.dumps(key)), key.get("endorsements", [])
                )
        return None


# Outgoing credentials ---------------------------------------------------------------------------


class _FixedTokenCredentials(AppCredentials):
    def __init__(self, app_id: str, token: str) -> None:
        super().__init__(app_id=app_id)
        self._token = token

    def get_access_token(self, force_refresh: bool = False) -> str:
        return self._token


class _FixedTokenFactory(ServiceClientCredentialsFactory):
    """Accepts exactly ``app_id`` and signs outgoing calls with ``token`` (tests: no Azure AD)."""

    def __init__(self, app_id: str, token: str) -> None:
        self.app_id = app_id
        self.token = token

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        return not self.app_id

    async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority):
        return _FixedTokenCredentials(app_id, self.token)


class _CachingFactory(ServiceClientCredentialsFactory):
    """Reuses one credentials object (one MSAL cache) per app and scope, and gets its token in a
    thread so that the SDK's synchronous ``get_access_token`` later finds it in the cache."""

    def __init__(self, inner: ServiceClientCredentialsFactory) -> None:
        self.inner = inner
        self._cache: dict[tuple[Any, ...], Any] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self.inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self.inner.is_authentication_disabled()

    async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority):
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        creds = self._cache.get(key)
        if creds is None:
            creds = await self.inner.create_credentials(
                app_id, oauth_scope, login_endpoint, validate_authority
            )
            self._cache[key] = creds
        if app_id and getattr(creds, "microsoft_app_password", None):
            await asyncio.to_thread(creds.get_access_token)
        return creds


# The turn ---------------------------------------------------------------------------------------


async def _in_turn(
    what: str,
    run: Callable[[Callable[[TurnContext], Awaitable[None]]], Awaitable[Any]],
    body: Callable[[TurnContext], Awaitable[None]],
) -> None:
    """Run ``body`` inside the SDK's turn. What ``body`` raises passes through unchanged; a
    failure of the SDK around it (credentials, Azure AD) becomes a :class:`ConnectorError`."""
    raised: list[BaseException] = []

    async def callback(context: TurnContext) -> None:
        try:
            await body(context)
        except BaseException as exc:
            raised.append(exc)
            raise

    try:
        await run(callback)
    except Exception as exc:
        if (raised and exc is raised[0]) or isinstance(exc, ConnectorError):
            raise
        raise ConnectorError(
            f"{what} failed: {type(exc).__name__}: {exc}", error_status(exc)
        ) from exc


class Turn:
    """One turn with the Bot Connector (an inbound request, or a proactive continuation): its
    calls go over the framework's kept session for the service URL (:class:`.rest.Connector`)."""

    def __init__(
        self, framework: BotFramework, context: TurnContext, activity: JSON, connector: Connector
    ) -> None:
        self.framework = framework
        self._context = context
        self.activity = activity
        self._connector = connector

    @property
    def service_url(self) -> str:
        return self._context.activity.service_url or ""

    async def send(self, conversation_id: str, activity: JSON, reply_to: str | None = None) -> str:
        return await self._connector.send(conversation_id, activity, reply_to)

    async def update(self, conversation_id: str, activity_id: str, activity: JSON) -> None:
        await self._connector.update(conversation_id, activity_id, activity)

    async def new_channel_post(self, channel_id: str, activity: JSON) -> tuple[str, str]:
        """Start a new post (thread) in a Teams channel; returns (conversation id, activity id)."""
        if not self.framework.app_id:
            raise ConnectorError("a new channel post needs a Microsoft App ID")
        params = {"isGroup": True, "channelData": {"channel": {"id": channel_id}}}
        res = await self._connector.create_conversation(
            "new post", {**params, "activity": activity}
        )
        # As botbuilder's TeamsInfo.send_message_to_teams_channel: a made-up id if none came.
        return res["id"], str(res.get("activityId") or uuid4())

    async def personal_conversation(self, user_id: str, tenant_id: str, bot_id: str) -> str:
        params: JSON = {"isGroup": False, "members": [{"id": user_id}]}
        if bot_id:
            params["bot"] = {"id": bot_id}
        if tenant_id:
            params["channelData"] = {"tenant": {"id": tenant_id}}
        res = await self._connector.create_conversation("create conversation", params)
        return str(res["id"])

    async def member(self, conversation_id: str, member_id: str) -> JSON | None:
        return await self._connector.member(conversation_id, member_id)

    async def members_page(
        self, conversation_id: str, token: str | None = None, page_size: int = 200
    ) -> tuple[list[JSON], str | None]:
        return await self._connector.members_page(conversation_id, token, page_size)


class _Outbound:
    """The Bot Connector as this backend reaches it: one kept aiohttp session per service URL
    (:class:`.rest.Sessions`) and, per app and audience, the token of the credentials the SDK's
    factory makes (got in a thread, reused for a few minutes: :class:`.rest.KeptToken`)."""

    def __init__(self, factory: ServiceClientCredentialsFactory, config: Any) -> None:
        self.factory = factory
        self.scope = config.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        self.login = config.TO_CHANNEL_FROM_BOT_LOGIN_URL
        self.validate = config.VALIDATE_AUTHORITY
        self.sessions = Sessions()
        self._tokens: dict[tuple[str, str], KeptToken] = {}

    async def _credentials_token(self, app_id: str, audience: str) -> str:
        creds = await self.factory.create_credentials(app_id, audience, self.login, self.validate)
        return str(await asyncio.to_thread(creds.get_access_token))

    async def connector(
        self, service_url: str, app_id: str | None, audience: str | None
    ) -> Connector:
        if not service_url:
            raise ConnectorError("no serviceUrl")
        token = ""
        # As AppCredentials.signed_session: no token without an app id (local emulator mode).
        if app_id and app_id != AuthenticationConstants.ANONYMOUS_SKILL_APP_ID:
            key = (app_id, audience or self.scope)
            kept = self._tokens.get(key)
            if kept is None:
                if len(self._tokens) >= CLIENTS_KEPT:
                    self._tokens.clear()
                kept = self._tokens[key] = KeptToken(lambda: self._credentials_token(*key))
            try:
                token = await kept()
            except Exception as exc:  # MSAL: Azure AD refused, or is unreachable
                raise ConnectorError(
                    f"no token for the Bot Connector: {type(exc).__name__}: {exc}"
                ) from exc
        return Connector(await self.sessions.get(service_url), token)


def _app_id(claims: ClaimsIdentity) -> str | None:
    """The bot's app id in a turn's claims (botbuilder: audience claim, else appid claim)."""
    value = claims.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
    if value is None:
        value = claims.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)
    return value


Handler = Callable[["Turn"], Awaitable[None]]  # the seam's (.seam.Handler)


class BotFramework:
    """The adapter's view of the SDK: authenticate, run a turn, continue a conversation."""

    name = "botbuilder"

    def __init__(self, settings: TeamsSettings, overrides: AuthOverrides | None = None) -> None:
        o = overrides or AuthOverrides()
        self.app_id = settings.app_id
        openid = (
            o.openid_metadata_url or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
        )
        emulator = (
            o.emulator_openid_metadata_url
            or AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
        )
        # The same (parameterized) code path in production and in the offline tests: public cloud values.
        config = SimpleNamespace(
            APP_ID=settings.app_id,
            APP_PASSWORD=settings.app_password,
            APP_TYPE=settings.app_type or "MultiTenant",
            APP_TENANTID=settings.tenant_id,
            VALIDATE_AUTHORITY=True,
            TO_CHANNEL_FROM_BOT_LOGIN_URL=AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,
            TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
            TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=o.token_issuer
            or AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
            OAUTH_URL=AuthenticationConstants.OAUTH_URL,
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=openid,
            TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=emulator,
            CALLER_ID=CallerIdConstants.public_azure_channel,
        )
        if o.outbound_token is not None:
            factory: ServiceClientCredentialsFactory = _FixedTokenFactory(
                settings.app_id, o.outbound_token
            )
        else:
            factory = _CachingFactory(ConfigurationServiceClientCredentialFactory(config))
        self.auth = ConfigurationBotFrameworkAuthentication(config, credentials_factory=factory)
        self._fixed_token = o.outbound_token or ""
        self.outbound = _Outbound(factory, config)
        self.adapter = CloudAdapter(self.auth)
        self.auth_required = settings.has_credentials
        for url in {openid, emulator}:
            JwtTokenExtractor.metadataCache[url] = _AsyncOpenIdMetadata(url)

    async def authenticate(self, body: JSON, auth_header: str | None) -> Authenticated:
        """Check the request's token against the activity; raises :class:`AuthFailed`.

        The token is checked first, against the few fields it covers (channel, serviceUrl,
        recipient); only then is the activity handed to the SDK, and only the small part of it
        the SDK needs to run a turn (see :func:`for_sdk`)."""
        if not self.auth_required:
            auth_header = None  # local emulator mode: no token is checked, none is sent
        elif not auth_header or not auth_header.startswith("Bearer "):
            raise AuthFailed("no bearer token")
        recipient = body.get("recipient") if isinstance(body.get("recipient"), dict) else {}
        probe = Activity(
            type=_text(body, "type"),
            channel_id=_text(body, "channelId"),
            service_url=_text(body, "serviceUrl"),
            recipient=ChannelAccount(id=_text(recipient, "id"), role=_text(recipient, "role")),
        )
        try:
            result = await self.auth.authenticate_request(probe, auth_header)
        except _KeysUnreachable as exc:
            raise AuthUnavailable(str(exc)) from exc
        except Exception as exc:  # the SDK raises PermissionError, KeyError, jwt errors …
            raise AuthFailed(f"{type(exc).__name__}: {exc}") from exc
        return Authenticated(result, self.parse(for_sdk(body)))

    async def outgoing_token(self) -> str:
        """The fixed token of offline tests; otherwise none: a picture pasted in a message is
        not fetched with this SDK (a file sent to the bot is)."""
        return self._fixed_token

    async def close(self) -> None:
        await self.outbound.sessions.close()

    @staticmethod
    def parse(body: JSON) -> Activity:
        """The SDK's Activity of :func:`for_sdk`'s JSON, as msrest's deserialiser makes it."""
        try:
            activity = _model(Activity, body)
        except Exception as exc:
            raise BadActivity(str(exc)) from exc
        if not activity.type:
            raise BadActivity("no activity type")
        return activity

    async def process(self, authenticated: Authenticated, body: JSON, handler: Handler) -> None:
        """Run ``handler`` in a turn for an authenticated inbound activity."""
        result = authenticated.result
        activity = authenticated.activity
        activity.caller_id = result.caller_id  # as CloudAdapter.process_activity
        await self._turn("turn", activity, result.claims_identity, result.audience, body, handler)

    async def proactive(self, reference: JSON, handler: Handler) -> None:
        """Continue a conversation from a stored reference (timers, other rooms, after a restart)."""
        ref = ConversationReference().deserialize(reference)
        claims = self.adapter.create_claims_identity(self.app_id)
        activity = get_continuation_activity(ref)
        await self._turn("proactive turn", activity, claims, None, {}, handler)

    async def _turn(
        self,
        what: str,
        activity: Activity,
        claims: ClaimsIdentity,
        audience: str | None,
        body: JSON,
        handler: Handler,
    ) -> None:
        """The SDK's turn, as CloudAdapter runs one (a TurnContext with the claims and the
        audience, through the middleware pipeline), without the msrest ConnectorClient and user
        token client it makes for every turn: copkit's calls go over a kept session."""
        connector = await self.outbound.connector(
            activity.service_url or "", _app_id(claims), audience
        )
        context = TurnContext(self.adapter, activity)
        context.turn_state[self.adapter.BOT_IDENTITY_KEY] = claims
        context.turn_state[self.adapter.BOT_OAUTH_SCOPE_KEY] = audience

        async def run(callback: Callable[[TurnContext], Awaitable[None]]) -> None:
            context.turn_state[self.adapter.BOT_CALLBACK_HANDLER_KEY] = callback
            await self.adapter.run_pipeline(context, callback)

        await _in_turn(what, run, lambda ctx: handler(Turn(self, ctx, body, connector)))


_NESTED = {"ChannelAccount": ChannelAccount, "ConversationAccount": ConversationAccount}
_WIRE: dict[type, dict[str, tuple[str, str]]] = {
    cls: {spec["key"]: (attr, spec["type"]) for attr, spec in cls._attribute_map.items()}
    for cls in (Activity, ChannelAccount, ConversationAccount)
}


def _model(cls: type, data: JSON) -> Any:
    """``cls`` from :func:`for_sdk`'s JSON as msrest makes it, in a fraction of its time."""
    wire = _WIRE[cls]
    kwargs: JSON = {}
    extra: JSON = {}
    for key, value in data.items():
        if key not in wire:
            extra[key] = value
            continue
        attr, kind = wire[key]
        if kind in _NESTED:
            value = _model(_NESTED[kind], value) if isinstance(value, dict) else None
        elif kind == "iso-8601":
            value = datetime.fromisoformat(value) if isinstance(value, str) else None
        kwargs[attr] = value
    model = cls(**kwargs)
    model.additional_properties = extra
    return model


def _text(d: Any, key: str) -> str | None:
    value = d.get(key) if isinstance(d, dict) else None
    return value if isinstance(value, str) and value else None
