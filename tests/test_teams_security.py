"""The Teams endpoint refuses what it must, over real HTTP, offline.

Tokens are signed in the test with a locally generated RSA key; the OpenID configuration and the
key set are served by the fake Bot Connector on loopback. A refused request causes no action: no
call to the Bot Connector and no row in the database.
"""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import replace
from pathlib import Path

import pytest
from fakes.bot_connector import BOT_APP_ID, ISSUER, TEAM, TENANT
from fakes.teams_env import ALICE, TeamsEnv

from copkit.adapters.teams import serve_teams
from copkit.adapters.teams.settings import TeamsSettings
from copkit.core.models import Community, LogEntry
from copkit.core.plugins import make_plugin_manager

PLUGINS = ("copkit.plugins.core_commands",)
TEAMS_DEMO = True  # the env fixture adds the Teams demo plugin


@pytest.fixture
async def local(db_url, teams_options):
    async with TeamsEnv(db_url, **teams_options, credentials=False) as e:
        yield e


def _tokens(env: TeamsEnv, service_url: str) -> dict[str, str | None]:
    keys = env.connector.keys
    good = keys.token(service_url)
    head, payload, _sig = good.split(".")
    return {
        "no token": None,
        "empty bearer": "",
        "not a JWT": "not-a-jwt",
        "wrong audience": keys.token(service_url, aud="00000000-1111-2222-3333-444444444444"),
        "no audience": keys.token(service_url, aud=""),
        "wrong issuer": keys.token(service_url, iss="https://evil.example.com"),
        "expired": keys.token(service_url, expires_in=-3600),
        "not yet valid": keys.token(service_url, nbf=10**10),
        "bad signature": keys.token(service_url, key=keys.other),
        "tampered payload": f"{head}.{payload[:-4]}AAAA.{_sig}",
        "unknown key": keys.token(service_url, kid="some-other-key"),
        "serviceUrl claim does not match": keys.token("https://smba.trafficmanager.net/emea/"),
        "no serviceUrl claim": keys.token(service_url, serviceurl=None),
        "HS256 with the public key": _hs256(env),
        "emulator issuer, another app": keys.token(
            service_url,
            iss="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
            appid="00000000-1111-2222-3333-444444444444",
            ver="1.0",
        ),
    }


def _hs256(env: TeamsEnv) -> str:
    import jwt

    return jwt.encode(
        {"iss": ISSUER, "aud": BOT_APP_ID, "serviceurl": env.connector.url, "exp": 2**31},
        "shared-secret-guess-that-is-long-enough",
        algorithm="HS256",
        headers={"kid": env.connector.keys.kid},
    )


async def test_every_bad_token_is_401_and_causes_nothing(env: TeamsEnv):
    activity = env.a.mention(ALICE, "tdemo where")
    for name, token in _tokens(env, activity["serviceUrl"]).items():
        for scheme in ("Bearer",) if token is not None else (None,):
            headers = {}
            if token is not None:
                headers["Authorization"] = f"{scheme} {token}".strip()
            status, body = await env.post(activity, token=False, headers=headers)
            assert status == 401, (name, status, body)
    assert env.connector.posts() == []
    assert not [c for c in env.connector.calls if not c.path.startswith("/openid")]
    assert await Community.all().count() == 0
    assert await LogEntry.all().count() == 0
    # the same activity with a good token works: the refusals were about the tokens only
    status, _ = await env.post(activity)
    assert status == 200
    assert "room " in env.connector.texts(env.connector.posts()[-1])


async def test_wrong_scheme_and_unknown_types_also_need_a_token(env: TeamsEnv):
    activity = env.a.mention(ALICE, "tdemo where")
    token = env.connector.keys.token(activity["serviceUrl"])
    status, _ = await env.post(activity, token=False, headers={"Authorization": f"Basic {token}"})
    assert status == 401
    odd = {**activity, "type": "someFutureType"}
    status, _ = await env.post(odd, token=False)
    assert status == 401
    status, _ = await env.post(odd)
    assert status == 200
    assert env.connector.posts() == []


async def test_a_token_for_one_service_url_cannot_be_replayed_for_another(env: TeamsEnv):
    activity = env.a.mention(ALICE, "tdemo where")
    token = env.connector.keys.token(activity["serviceUrl"])
    moved = {**activity, "serviceUrl": "http://127.0.0.1:9/"}
    status, _ = await env.post(moved, token=token)
    assert status == 401
    assert env.connector.calls == [] or all(
        c.path.startswith("/openid") for c in env.connector.calls
    )


async def test_a_token_checked_once_is_still_checked_against_each_activity(env: TeamsEnv):
    """A verified token is remembered (its signature is not checked again), but only with what
    it says: the same token for another serviceUrl or channel is refused, and so is a forged
    token that differs from it by one character."""
    activity = env.a.mention(ALICE, "tdemo where")
    token = env.connector.keys.token(activity["serviceUrl"])
    assert (await env.post(activity, token=token))[0] == 200
    moved = {**env.a.mention(ALICE, "tdemo where"), "serviceUrl": "http://127.0.0.1:9/"}
    assert (await env.post(moved, token=token))[0] == 401
    other = {**env.a.mention(ALICE, "tdemo where"), "channelId": "webchat"}
    assert (await env.post(other, token=token))[0] == 401
    head, payload, sig = token.split(".")
    forged = f"{head}.{payload}.{sig[:-2]}{'AA' if sig[-2:] != 'AA' else 'BB'}"
    assert (await env.post(env.a.mention(ALICE, "tdemo where"), token=forged))[0] == 401
    assert (await env.post(env.a.mention(ALICE, "tdemo where"), token=token))[0] == 200
    assert len(env.connector.posts()) == 2


async def test_a_remembered_token_is_refused_once_it_expires(env: TeamsEnv):
    import time

    from copkit.adapters.teams.app import BOT_KEY
    from copkit.adapters.teams.tokens import CLOCK_SKEW

    activity = env.a.mention(ALICE, "tdemo where")
    token = env.connector.keys.token(activity["serviceUrl"], expires_in=60)
    assert (await env.post(activity, token=token))[0] == 200
    validator = getattr(env._runner.app[BOT_KEY].sdk, "validator", None)
    if validator is None:  # botbuilder checks every token again
        return
    later = time.time() + 60 + CLOCK_SKEW + 1
    validator.now = lambda: later
    status, _ = await env.post(env.a.mention(ALICE, "tdemo where"), token=token)
    assert status == 401
    assert len(env.connector.posts()) == 1


async def test_unreachable_signing_keys_are_503_then_it_recovers(env: TeamsEnv):
    env.connector.fail["openid"] = 503
    status, body = await env.post(env.a.mention(ALICE, "tdemo where"))
    assert status == 503 and body == {"error": "cannot check tokens right now"}
    assert env.connector.posts() == []
    status, _ = await env.post(env.a.mention(ALICE, "tdemo where"))  # Teams retries
    assert status == 200 and env.connector.openid_hits == 2


async def test_signing_keys_are_fetched_once_and_cached(env: TeamsEnv):
    for _ in range(3):
        status, _ = await env.post(env.a.mention(ALICE, "tdemo where"))
        assert status == 200
    assert env.connector.openid_hits == 1


async def test_malformed_requests_get_4xx_never_500(env: TeamsEnv):
    good = env.a.mention(ALICE, "tdemo where")
    token = env.connector.keys.token(good["serviceUrl"])
    cases: list[tuple[str, bytes, int]] = [
        ("not JSON", b"{this is not json", 400),
        ("truncated JSON", json.dumps(good).encode()[:-5], 400),
        ("not UTF-8", b'{"type": "message", "text": "\xff\xfe"}', 400),
        ("a list", b"[1, 2, 3]", 400),
        ("a string", b'"message"', 400),
        ("empty body", b"", 400),
        ("no type", json.dumps({k: v for k, v in good.items() if k != "type"}).encode(), 400),
        ("no conversation", json.dumps({**good, "conversation": None}).encode(), 400),
        ("no sender", json.dumps({**good, "from": "someone"}).encode(), 400),
        ("no serviceUrl", json.dumps({**good, "serviceUrl": "javascript:alert(1)"}).encode(), 400),
        ("too large", json.dumps({**good, "text": "x" * (300 * 1024)}).encode(), 413),
    ]
    for name, body, expected in cases:
        status, _ = await env.post(data=body, token=token)
        assert status == expected, (name, status)
    assert env.connector.posts() == []


async def test_a_body_over_256_kb_is_413_even_when_streamed(env: TeamsEnv):
    assert env.session is not None

    async def chunks():
        for _ in range(40):
            yield b"x" * 8192

    async with env.session.post(
        env.url, data=chunks(), headers={"Content-Type": "application/json"}
    ) as r:
        assert r.status == 413


async def test_odd_but_valid_json_never_gets_500(local: TeamsEnv, caplog):
    base = local.a.mention(ALICE, "tdemo where")
    odd_values = [None, -1, 1.5, True, "", "x" * 5000, [], {}, [1, {"a": None}]]
    fields = {  # the fields each kind of activity is read for
        "message": ["text", "entities", "channelData", "value", "replyToId", "recipient", "id"],
        "invoke": ["name", "value", "replyToId", "channelData"],
        "event": ["name", "value", "channelData"],
        "conversationUpdate": ["membersAdded", "recipient", "channelData"],
    }
    names = {
        "invoke": "adaptiveCard/action",
        "event": "application/vnd.microsoft.meetingParticipantJoin",
    }
    for kind, read in fields.items():
        for f in read:
            for v in odd_values:
                activity = {**base, "type": kind, f: v}
                if kind in names and f != "name":
                    activity["name"] = names[kind]
                status, body = await local.post(activity)
                assert status < 500, (f, v, kind, status, body)
    # shapes inside a card action
    for value in (
        {"action": None},
        {"action": {"data": "x"}},
        {"action": {"data": {"copkit": 5}}},
        {"action": {"verb": "tdemo:vote:99", "data": {"copkit": "tdemo:vote:99"}}},
        {"action": {"data": {"copkit": "tdemo:proposed", "_in": {"title": "x"}}}},
        {"action": {"data": {"copkit": "tdemo:proposed", "_in": [1]}}},
        {"action": {"data": {"copkit": "nope:nope", "_sel": "choice0"}}},
    ):
        activity = {**base, "type": "invoke", "name": "adaptiveCard/action", "value": value}
        status, body = await local.post(activity)
        assert status < 500, (value, status, body)
    bugs = [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert not bugs, [r.getMessage() for r in bugs]


async def test_local_mode_accepts_emulator_requests_without_a_token(local: TeamsEnv):
    status, _ = await local.post(local.a.mention(ALICE, "tdemo where"))
    assert status == 200
    reply = local.connector.posts()[-1]
    assert reply.auth == ""  # nothing is signed in local mode
    assert "room " in local.connector.texts(reply)
    assert await Community.exists(platform="teams", external_id=f"{TENANT}/{TEAM}")


def _listening_addresses(port: int) -> set[str]:
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            parts = line.split()
            local_addr, state = parts[1], parts[3]
            addr, p = local_addr.rsplit(":", 1)
            if state == "0A" and int(p, 16) == port:
                found.add(addr)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_without_credentials_it_binds_loopback_only_and_says_so(tmp_path):
    from copkit.core.runtime import Copkit

    rt = Copkit(
        f"sqlite://{tmp_path / 'c.db'}", pm=make_plugin_manager(PLUGINS, entry_points_group=None)
    )
    await rt.open()
    said: list[str] = []
    port = _free_port()
    task = asyncio.create_task(serve_teams(rt, TeamsSettings(port=port), said.append))
    try:
        for _ in range(100):
            if said:
                break
            await asyncio.sleep(0.02)
        assert said and "local mode" in said[0] and f"127.0.0.1:{port}" in said[0]
        assert "Emulator" in said[0]
        addresses = _listening_addresses(port)
        if Path("/proc/net/tcp").exists():
            assert addresses == {"0100007F"}, addresses  # 127.0.0.1, nothing else
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.0\r\n\r\n")
        assert b"200" in (await reader.read(100))
        writer.close()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await rt.close()


async def test_with_credentials_it_listens_on_every_interface(tmp_path):
    from copkit.core.runtime import Copkit

    rt = Copkit(
        f"sqlite://{tmp_path / 'c.db'}", pm=make_plugin_manager(PLUGINS, entry_points_group=None)
    )
    await rt.open()
    said: list[str] = []
    port = _free_port()
    settings = TeamsSettings(app_id=BOT_APP_ID, app_password="x", port=port)
    task = asyncio.create_task(serve_teams(rt, settings, said.append))
    try:
        for _ in range(100):
            if said:
                break
            await asyncio.sleep(0.02)
        assert said and "local mode" not in said[0] and BOT_APP_ID in said[0]
        if Path("/proc/net/tcp").exists():
            assert "00000000" in _listening_addresses(port)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await rt.close()


def test_bad_credentials_settings_are_one_clear_line():
    from copkit.adapters.teams.app import checked
    from copkit.core.errors import StartupError

    base = TeamsSettings(app_id=BOT_APP_ID, app_password="x")
    assert checked(base).app_type == "MultiTenant"
    assert checked(replace(base, app_type="singletenant", tenant_id=TENANT)).app_type == (
        "SingleTenant"
    )
    with pytest.raises(StartupError, match="MicrosoftAppTenantId"):
        checked(replace(base, app_type="SingleTenant"))
    for bad in ("Bogus", "UserAssignedMSI"):
        with pytest.raises(StartupError, match="MicrosoftAppType must be"):
            checked(replace(base, app_type=bad))


async def test_a_busy_port_is_a_clear_startup_error(tmp_path):
    from copkit.core.errors import StartupError
    from copkit.core.runtime import Copkit

    rt = Copkit(
        f"sqlite://{tmp_path / 'c.db'}", pm=make_plugin_manager(PLUGINS, entry_points_group=None)
    )
    await rt.open()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(StartupError, match=f"cannot listen on 127.0.0.1:{port}"):
            await serve_teams(rt, TeamsSettings(port=port), print)
    await rt.close()
