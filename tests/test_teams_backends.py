"""The two SDK backends of the Teams adapter (``[teams] sdk``): what one stored, the other
continues; and the credentials the Agents SDK adds (managed identity), against a loopback
identity endpoint, as Azure App Service serves one (``IDENTITY_ENDPOINT``/``IDENTITY_HEADER``)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from aiohttp import web
from fakes.bot_connector import BOT_APP_ID, CHANNEL, action
from fakes.teams_env import ALICE, BOB, OWNER, TeamsEnv
from fakes.teams_plugin import TOPICS, TeamsDemo

from copkit.adapters.teams.app import checked
from copkit.adapters.teams.settings import TeamsSettings
from copkit.core.errors import ConfigError, StartupError
from copkit.core.models import ShownView

PLUGINS = ("copkit.plugins.core_commands",)
SWITCHES = [("botbuilder", "agents"), ("agents", "botbuilder")]


def _env(db_url: str, sdk: str, **kw: Any) -> TeamsEnv:
    TOPICS.clear()
    return TeamsEnv(db_url, plugins=PLUGINS, extra=[TeamsDemo()], sdk=sdk, **kw)


@pytest.mark.parametrize(("before", "after"), SWITCHES, ids=lambda s: s)
async def test_references_stored_by_one_backend_work_with_the_other(db_url, before, after):
    env = _env(db_url, before)
    async with env:
        await env.post(env.a.mention(ALICE, "tdemo later 5m stand up"))
        await env.post(env.a.mention(OWNER, "tdemo thread Signup"))
        await env.post(env.a.personal(BOB, "tdemo later 3m tea"))
        thread = (await ShownView.get(key="tdemo:thread")).ref
        env.sdk = after  # the operator switches [teams] sdk and restarts
        await env.restart()
        assert env.rt is not None
        before_calls = len(env.connector.calls)
        assert await env.run_timers(minutes=6) == 2  # both timers ring, from stored references
        rings = [c for c in env.connector.calls[before_calls:] if c.kind == "send"]
        assert {c.conversation for c in rings} == {CHANNEL, f"a:1on1-{BOB['id']}"}
        assert {"Time is up: stand up", "Time is up: tea"} == {
            env.connector.texts(c) for c in rings
        }
        # the card posted by the old backend still acts, and is updated by the new one
        card = env.connector.messages[thread["message_id"]].card
        button = action(card, "Sign me up")
        status, _ = await env.post(
            env.a.execute(
                ALICE, thread["message_id"], button["data"], conversation=thread["room_id"]
            )
        )
        assert status == 200
        update = env.connector.of_kind("update")[-1]
        assert update.activity_id == thread["message_id"]
        assert "Signed up: Alice Smith" in env.connector.texts(update)


def test_the_agents_sdk_is_the_default_and_botbuilder_stays_selectable():
    assert TeamsSettings().sdk == "agents"
    assert TeamsSettings.from_config({}, {}).sdk == "agents"
    assert TeamsSettings.from_config({"sdk": "botbuilder"}, {}).sdk == "botbuilder"
    assert TeamsSettings.from_config({}, {"COPKIT_TEAMS_SDK": "BotBuilder"}).sdk == "botbuilder"
    with pytest.raises(ConfigError, match="sdk must be one of agents, botbuilder"):
        TeamsSettings.from_config({"sdk": "bf3"}, {})
    with pytest.raises(ConfigError, match="auth_type must be one of"):
        TeamsSettings.from_config({"auth_type": "Password"}, {})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"auth_type": "Certificate"}, "needs \\[teams\\] certificate_file"),
        ({"auth_type": "FederatedCredentials"}, "needs \\[teams\\] federated_client_id"),
        ({"auth_type": "WorkloadIdentity"}, "needs \\[teams\\] federated_token_file"),
        ({"auth_type": "SystemManagedIdentity", "sdk": "botbuilder"}, 'needs sdk = "agents"'),
        ({"auth_type": "UserManagedIdentity", "app_id": ""}, "needs the app id"),
    ],
)
def test_incomplete_credentials_are_a_clear_start_up_error(values, message):
    settings = TeamsSettings.from_config({"app_id": BOT_APP_ID, **values}, {})
    with pytest.raises(StartupError, match=message):
        checked(settings)


def test_each_credential_reaches_the_agents_sdk_configuration(tmp_path):
    from microsoft_agents.hosting.core.authorization import AuthTypes

    from copkit.adapters.teams.sdk_agents import auth_configuration

    pfx = tmp_path / "bot.pfx"
    token = tmp_path / "token"
    cases = {
        "ClientSecret": ({"app_password": "pw"}, AuthTypes.client_secret),
        "Certificate": ({"certificate_file": str(pfx)}, AuthTypes.certificate),
        "SystemManagedIdentity": ({}, AuthTypes.system_managed_identity),
        "UserManagedIdentity": ({}, AuthTypes.user_managed_identity),
        "FederatedCredentials": ({"federated_client_id": "mi-1"}, AuthTypes.federated_credentials),
        "WorkloadIdentity": ({"federated_token_file": str(token)}, AuthTypes.workload_identity),
    }
    for name, (values, kind) in cases.items():
        settings = TeamsSettings(app_id=BOT_APP_ID, auth_type=name, tenant_id="t-1", **values)
        config = auth_configuration(settings)
        assert config.AUTH_TYPE == kind and config.CLIENT_ID == BOT_APP_ID, name
        assert config.TENANT_ID == "t-1"
    assert auth_configuration(TeamsSettings(app_id="a", app_password="p")).TENANT_ID == (
        "botframework.com"  # a multi-tenant bot's tokens come from the Bot Framework tenant
    )
    cert = auth_configuration(
        TeamsSettings(app_id="a", auth_type="Certificate", certificate_file=str(pfx))
    )
    assert cert.CERT_PFX_FILE == str(pfx)
    fed = auth_configuration(
        TeamsSettings(app_id="a", auth_type="FederatedCredentials", federated_client_id="mi-1")
    )
    assert fed.FEDERATED_CLIENT_ID == "mi-1"


class IdentityEndpoint:
    """Azure App Service's managed identity endpoint, on loopback."""

    HEADER = "loopback-identity-header"

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/msi/token", self._token)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/msi/token"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _token(self, request: web.Request) -> web.Response:
        self.requests.append({**request.query, "header": request.headers.get("X-IDENTITY-HEADER")})
        if request.headers.get("X-IDENTITY-HEADER") != self.HEADER:
            return web.json_response({"statusCode": 401, "message": "bad header"}, status=401)
        return web.json_response(
            {
                "access_token": f"mi-token-{len(self.requests)}",
                "expires_on": str(int(time.time()) + 3600),
                "resource": request.query.get("resource"),
                "token_type": "Bearer",
            }
        )


@pytest.mark.parametrize("kind", ["SystemManagedIdentity", "UserManagedIdentity"])
async def test_managed_identity_signs_replies_and_timers(db_url, monkeypatch, kind):
    identity = IdentityEndpoint()
    await identity.start()
    monkeypatch.setenv("IDENTITY_ENDPOINT", identity.url)
    monkeypatch.setenv("IDENTITY_HEADER", IdentityEndpoint.HEADER)
    try:
        env = _env(
            db_url, "agents", settings={"auth_type": kind, "app_password": ""}, fixed_token=False
        )
        async with env:
            status, _ = await env.post(env.a.mention(ALICE, "tdemo later 1m tea"))
            assert status == 200
            reply = env.connector.posts()[-1]
            assert reply.auth == "Bearer mi-token-1"
            (asked,) = identity.requests
            assert asked["resource"] == "https://api.botframework.com"
            assert asked["header"] == IdentityEndpoint.HEADER
            if kind == "UserManagedIdentity":
                assert asked["client_id"] == BOT_APP_ID
            else:
                assert "client_id" not in asked
            await env.post(env.a.mention(BOB, "tdemo where"))
            await env.run_timers(minutes=2)  # a proactive turn: the same identity, cached token
            assert [c.auth for c in env.connector.posts()[-2:]] == ["Bearer mi-token-1"] * 2
            assert len(identity.requests) == 1
    finally:
        await identity.stop()


async def test_a_refused_managed_identity_is_a_502_and_nothing_posted(db_url, monkeypatch):
    identity = IdentityEndpoint()
    await identity.start()
    monkeypatch.setenv("IDENTITY_ENDPOINT", identity.url)
    monkeypatch.setenv("IDENTITY_HEADER", "wrong-header")
    try:
        env = _env(
            db_url,
            "agents",
            settings={"auth_type": "SystemManagedIdentity", "app_password": ""},
            fixed_token=False,
        )
        async with env:
            status, _ = await env.post(env.a.mention(ALICE, "tdemo where"))
            assert status == 502
            assert env.connector.posts() == []
    finally:
        await identity.stop()


MEETING = "19:meeting_ZmFrZQ@thread.v2"


async def test_time_is_up_in_a_meeting_is_an_in_meeting_notification(db_url):
    tab = "https://cop.example.org/c/7/events"
    env = _env(db_url, "agents", settings={"meeting_tab_url": tab})
    async with env:
        await env.post(env.a.meeting_event("Join", [ALICE, BOB], chat=MEETING))
        await env.post(env.a.group_chat(ALICE, "tdemo later 1m tea", chat=MEETING, meeting=True))
        answer = env.connector.posts()[-1]
        assert "notification" not in (answer.body.get("channelData") or {})  # an answer: no alert
        await env.restart()  # the timer rings from the stored reference
        await env.run_timers(minutes=2)
        ring = env.connector.posts()[-1]
        assert ring.conversation == MEETING and "Time is up: tea" in env.connector.texts(ring)
        alert = ring.body["channelData"]["notification"]
        assert alert["alertInMeeting"] is True
        assert alert["externalResourceUrl"].startswith(
            f"https://teams.microsoft.com/l/bubble/{BOT_APP_ID}?url=https%3A%2F%2Fcop.example.org"
        )
        assert f"completionBotId={BOT_APP_ID}" in alert["externalResourceUrl"]
        # a timer ringing in a channel is no meeting: no alert
        await env.post(env.a.mention(BOB, "tdemo later 1m stand up"))
        await env.run_timers(minutes=2)
        ring = env.connector.posts()[-1]
        assert ring.conversation == CHANNEL and "notification" not in (
            ring.body.get("channelData") or {}
        )
