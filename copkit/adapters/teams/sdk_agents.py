"""The Microsoft 365 Agents SDK backend of the seam (:mod:`.seam`): the only module importing
``microsoft_agents``. Built on ``-hosting-core`` and ``-hosting-aiohttp`` (its CloudAdapter and
Teams connector client) and ``-authentication-msal`` (outgoing credentials), pinned ``~=1.9``.

Done here on purpose, beyond calling the SDK:
- the token is checked by copkit (:mod:`.tokens`) before the SDK sees the activity: the SDK's
  validator compares only the serviceUrl host and accepts a token without the claim;
- the SDK is given only the small part of the activity it reads (:func:`.connector.for_sdk`);
- its turn-error handler (which would post "Exception caught" to the chat) is removed, so a
  failure reaches copkit's 500/503 mapping;
- Bot Connector calls go through :func:`.connector.call` (the SDK's client has no 429 retry);
- one connector client and HTTP session per Bot Connector, kept across turns (the SDK makes
  both anew for every turn), on one TCP connection pool;
- outgoing tokens come from MSAL in a thread and are cached by it: client secret, certificate,
  system- or user-assigned managed identity, federated credentials or workload identity.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.authorization import (
    AgentAuthConfiguration,
    AuthTypes,
    ClaimsIdentity,
)
from microsoft_agents.hosting.core.connector import ConnectorClientBase, TeamsConnectorClient

from copkit.core.lru import LRUDict

from .connector import (
    JSON,
    AuthFailed,
    AuthOverrides,
    BadActivity,
    ConnectorError,
    call,
    error_status,
    for_sdk,
)
from .rest import CLIENTS_KEPT, Connector, KeptToken, endpoint, live_pool, open_session
from .settings import TeamsSettings
from .tokens import OPENID_METADATA_URL, TOKEN_ISSUER, SigningKeys, TokenValidator

log = logging.getLogger("copkit.teams.sdk")
# The SDK logs every refused model and failed call at ERROR with a traceback; copkit answers the
# first with a 400 and logs the second itself (once, after retrying a 429), so a sender cannot
# fill the log.
for _noisy in ("microsoft_agents.activity.activity", "microsoft_agents.hosting.core.connector"):
    logging.getLogger(_noisy).setLevel(logging.CRITICAL)

Handler = Callable[[Any], Awaitable[None]]  # the seam's (.seam.Handler), on an AgentsTurn
CONNECTOR_CLIENT_KEY = "ConnectorClient"  # where the SDK keeps a turn's connector client

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
BOT_FRAMEWORK_RESOURCE = "https://api.botframework.com"
_AUTH_TYPES = {
    "ClientSecret": AuthTypes.client_secret,
    "Certificate": AuthTypes.certificate,
    "SystemManagedIdentity": AuthTypes.system_managed_identity,
    "UserManagedIdentity": AuthTypes.user_managed_identity,
    "FederatedCredentials": AuthTypes.federated_credentials,
    "WorkloadIdentity": AuthTypes.workload_identity,
}


@dataclass(frozen=True)
class Authenticated:
    """An inbound activity whose token checked out: its claims and the SDK's activity."""

    identity: ClaimsIdentity
    activity: Activity


# Outgoing credentials ---------------------------------------------------------------------------


def auth_configuration(settings: TeamsSettings) -> AgentAuthConfiguration:
    """The Agents SDK's configuration of how copkit gets its outgoing tokens."""
    tenant = settings.tenant_id or None
    if settings.app_type == "MultiTenant" and settings.auth_type in (
        "ClientSecret",
        "Certificate",
        "FederatedCredentials",
        "WorkloadIdentity",
    ):
        tenant = tenant or "botframework.com"  # multi-tenant bots get tokens from there
    return AgentAuthConfiguration(
        auth_type=_AUTH_TYPES[settings.auth_type],
        client_id=settings.app_id,
        tenant_id=tenant,
        client_secret=settings.app_password or None,
        cert_pfx_file=settings.certificate_file or None,
        federated_client_id=settings.federated_client_id or None,
        federated_token_file=settings.federated_token_file or None,
        authority=settings.authority or None,
        scopes=[BOT_FRAMEWORK_SCOPE],
    )


class _Tokens:
    """Where outgoing tokens come from: MSAL (cached by it), a fixed token (offline tests),
    or none (local emulator mode)."""

    def __init__(self, settings: TeamsSettings, fixed: str | None) -> None:
        self.fixed = fixed
        self._msal: Any = None
        if fixed is None and settings.has_credentials:
            from microsoft_agents.authentication.msal import MsalAuth

            self._msal = MsalAuth(auth_configuration(settings))

    async def get(self) -> str:
        if self.fixed is not None:
            return self.fixed
        if self._msal is None:
            return ""
        return str(await self._msal.get_access_token(BOT_FRAMEWORK_RESOURCE, [BOT_FRAMEWORK_SCOPE]))


class _NoUserTokens:
    """copkit signs nobody in: the SDK's per-turn user-token client, without its HTTP session."""

    async def close(self) -> None:
        return None


class _KeptClient(TeamsConnectorClient):
    """A Teams connector client kept across turns: the SDK closes its connector client at the
    end of every turn; this one is closed only when the factory drops it."""

    async def close(self) -> None:
        return None

    async def dispose(self) -> None:
        await super().close()


class _ConnectorFactory:
    """The SDK's channel service client factory: one Teams connector client (one aiohttp
    session, on one shared connection pool) per Bot Connector and outgoing token, kept across
    turns instead of one per turn (the SDK's own re-derives its User-Agent from the package
    metadata each time); the outgoing token is asked of MSAL at most every few minutes."""

    def __init__(self, tokens: _Tokens) -> None:
        self.tokens = tokens
        self._pool: aiohttp.TCPConnector | None = None
        self._clients: LRUDict[tuple[str, str], _KeptClient] = LRUDict(CLIENTS_KEPT)
        self._token_now = KeptToken(tokens.get)

    async def create_connector_client(
        self,
        context: Any,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClientBase:
        if not service_url:
            raise BadActivity("no serviceUrl")
        try:
            token = await self._token_now()
        except Exception as exc:  # MSAL: Azure AD or the managed identity endpoint refused
            raise ConnectorError(f"no token for the Bot Connector: {exc}") from exc
        base = endpoint(service_url)
        key = (base, token)
        client = self._clients.get(key)
        if client is not None and not client.client.closed:
            return client
        self._pool = live_pool(self._pool)
        session = open_session(self._pool, base)
        client = _KeptClient(endpoint=base, token=token, session=session)
        before = dict(self._clients)
        self._clients[key] = client
        for old_key, old in before.items():  # dropped by the LRU (an old token, say)
            if old_key not in self._clients:
                await old.dispose()
        return client

    async def create_user_token_client(
        self, context: Any, claims_identity: ClaimsIdentity, use_anonymous: bool = False
    ) -> Any:
        return _NO_USER_TOKENS

    async def close(self) -> None:
        for client in list(self._clients.values()):
            await client.dispose()
        self._clients.clear()
        if self._pool is not None:
            await self._pool.close()


_NO_USER_TOKENS = _NoUserTokens()


# The turn ---------------------------------------------------------------------------------------


def _scrub(value: Any) -> Any:
    """Without empty strings (the SDK's models refuse them where Teams leaves them empty)."""
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if v != ""}
    return value


def _outgoing(activity: JSON) -> Activity:
    try:
        return Activity.model_validate({k: v for k, v in activity.items() if v != ""})
    except Exception as exc:
        raise ConnectorError(f"cannot send this activity: {exc}") from exc


_NO_CONVERSATION = "copkit:connector-only"


class AgentsTurn:
    """One turn with the Bot Connector (an inbound request, or a proactive continuation)."""

    def __init__(self, framework: AgentsFramework, context: TurnContext, activity: JSON) -> None:
        self.framework = framework
        self._context = context
        self.activity = activity

    @property
    def service_url(self) -> str:
        return self._context.activity.service_url or ""

    def _client(self) -> Any:
        client = self._context.turn_state.get(CONNECTOR_CLIENT_KEY)
        if client is None:
            raise ConnectorError("no Bot Connector client in this turn")
        return client

    async def send(self, conversation_id: str, activity: JSON, reply_to: str | None = None) -> str:
        outgoing = _outgoing({**activity, "conversation": {"id": conversation_id}})
        ops = self._client().conversations
        if reply_to:
            res = await call(
                "send", lambda: ops.reply_to_activity(conversation_id, reply_to, outgoing)
            )
        else:
            res = await call("send", lambda: ops.send_to_conversation(conversation_id, outgoing))
        return (res.id if res else "") or ""

    async def update(self, conversation_id: str, activity_id: str, activity: JSON) -> None:
        outgoing = _outgoing(
            {**activity, "id": activity_id, "conversation": {"id": conversation_id}}
        )
        ops = self._client().conversations
        await call("update", lambda: ops.update_activity(conversation_id, activity_id, outgoing))

    async def new_channel_post(self, channel_id: str, activity: JSON) -> tuple[str, str]:
        if not self.framework.app_id:
            raise ConnectorError("a new channel post needs a Microsoft App ID")
        params = ConversationParameters.model_validate(
            {
                "isGroup": True,
                "channelData": {"channel": {"id": channel_id}},
                "activity": _outgoing(activity),
            }
        )
        ops = self._client().conversations
        res = await call("new post", lambda: ops.create_conversation(params))
        return res.id, res.activity_id or ""

    async def personal_conversation(self, user_id: str, tenant_id: str, bot_id: str) -> str:
        data: JSON = {"isGroup": False, "members": [ChannelAccount(id=user_id)]}
        if bot_id:
            data["bot"] = ChannelAccount(id=bot_id)
        if tenant_id:
            data["channelData"] = {"tenant": {"id": tenant_id}}
        params = ConversationParameters.model_validate(data)
        ops = self._client().conversations
        res = await call("create conversation", lambda: ops.create_conversation(params))
        return str(res.id)

    async def member(self, conversation_id: str, member_id: str) -> JSON | None:
        # As the JSON Teams sent (the SDK's models refuse a null continuation token and would
        # drop nothing else, but copkit reads the JSON anyway), on the client's own session.
        return await Connector(self._client().client).member(conversation_id, member_id)

    async def members_page(
        self, conversation_id: str, token: str | None = None, page_size: int = 200
    ) -> tuple[list[JSON], str | None]:
        return await Connector(self._client().client).members_page(
            conversation_id, token, page_size
        )


class AgentsFramework:
    """The adapter's view of the Agents SDK: authenticate, run a turn, continue a conversation."""

    name = "agents"

    def __init__(self, settings: TeamsSettings, overrides: AuthOverrides | None = None) -> None:
        o = overrides or AuthOverrides()
        self.app_id = settings.app_id
        self.auth_required = settings.has_credentials
        keys = SigningKeys(o.openid_metadata_url or OPENID_METADATA_URL)
        self.validator = TokenValidator(settings.app_id, keys, o.token_issuer or TOKEN_ISSUER)
        self.factory = _ConnectorFactory(_Tokens(settings, o.outbound_token))
        self.adapter = CloudAdapter(channel_service_client_factory=self.factory)
        self.adapter.on_turn_error = None  # let failures reach copkit

    async def authenticate(self, body: JSON, auth_header: str | None) -> Authenticated:
        if self.auth_required:
            claims = await self.validator.claims(
                auth_header or "", _text(body, "channelId"), _text(body, "serviceUrl")
            )
            identity = ClaimsIdentity(claims, authentication_type="Bearer")
        else:
            identity = ClaimsIdentity()  # local emulator mode: anonymous, no token sent
        return Authenticated(identity, self.parse(for_sdk(body)))

    @staticmethod
    def parse(body: JSON) -> Activity:
        try:
            activity = Activity.model_validate(_scrub(body))
        except Exception as exc:
            raise BadActivity(str(exc).splitlines()[0]) from exc
        if not activity.type:
            raise BadActivity("no activity type")
        return activity

    async def process(self, authenticated: Authenticated, body: JSON, handler: Handler) -> None:
        await _in_turn(
            "turn",
            lambda cb: self.adapter.process_activity(
                authenticated.identity, authenticated.activity, cb
            ),
            lambda context: handler(AgentsTurn(self, context, body)),
        )

    async def proactive(self, reference: JSON, handler: Handler) -> None:
        conversation = reference.get("conversation")
        if isinstance(conversation, dict) and not conversation.get("id"):
            # A turn only to reach the Bot Connector (a private message from a timer creates
            # its 1:1 chat in it): the SDK refuses a reference without a conversation id, and
            # nothing is sent to this one.
            reference = {**reference, "conversation": {**conversation, "id": _NO_CONVERSATION}}
        try:
            ref = ConversationReference.model_validate(reference)
        except Exception as exc:
            raise ConnectorError(f"not a conversation reference: {exc}") from exc
        continuation = ref.get_continuation_activity()
        if self.auth_required:
            identity = self.adapter.create_claims_identity(self.app_id)
        else:
            identity = ClaimsIdentity()
        await _in_turn(
            "proactive turn",
            lambda cb: self.adapter.continue_conversation_with_claims(
                identity, continuation, cb, BOT_FRAMEWORK_RESOURCE
            ),
            lambda context: handler(AgentsTurn(self, context, {})),
        )

    async def outgoing_token(self) -> str:
        """The bot's token for the Bot Connector (a picture pasted in a message needs it)."""
        return await self.factory.tokens.get()

    async def close(self) -> None:
        await self.factory.close()


async def _in_turn(what: str, run: Any, body: Any) -> None:
    """Run ``body`` inside the SDK's turn. What ``body`` raises passes through unchanged; a
    failure of the SDK around it becomes a :class:`ConnectorError`."""
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
        if raised and exc is raised[0]:
            raise
        if isinstance(exc, (ConnectorError, BadActivity, AuthFailed)):
            raise
        raise ConnectorError(
            f"{what} failed: {type(exc).__name__}: {exc}", error_status(exc)
        ) from exc


def _text(d: Any, key: str) -> str:
    value = d.get(key) if isinstance(d, dict) else None
    return value if isinstance(value, str) else ""
