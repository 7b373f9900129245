"""The Teams adapter running for real on loopback, wired to the fake Bot Connector.

``TeamsEnv`` opens a runtime on the test database with a fake clock, serves ``make_app`` on
127.0.0.1 and posts activities to it over HTTP, signed with the fake connector's key.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from aiohttp import web

from copkit.adapters.teams import AuthOverrides, make_app
from copkit.adapters.teams.settings import TeamsSettings
from copkit.core.clock import FakeClock
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit

from .bot_connector import (
    BOT_APP_ID,
    ISSUER,
    OUTBOUND_TOKEN,
    TEAM,
    FakeBotConnector,
    TeamsActivities,
    user,
)

OWNER = user("olivia", "Olivia Owner")
ALICE = user("alice", "Alice Smith")
BOB = user("bob", "Bob")
CAROL = user("carol", "Carol")


class TeamsEnv:
    def __init__(
        self,
        db_url: str,
        *,
        credentials: bool = True,
        plugins: tuple[str, ...] = ("copkit.plugins.core_commands",),
        extra: list[Any] = (),  # type: ignore[assignment]
        sdk: str = "agents",
        settings: dict[str, Any] | None = None,
        fixed_token: bool = True,
    ) -> None:
        self.sdk = sdk
        self.extra_settings = dict(settings or {})
        self.fixed_token = fixed_token  # False: outgoing tokens come from MSAL
        self.db_url = db_url
        self.credentials = credentials
        self.plugins = plugins
        self.extra = list(extra)
        self.clock = FakeClock()
        self.connector = FakeBotConnector()
        self.runtime: Copkit | None = None
        self._runner: web.AppRunner | None = None
        self.session: aiohttp.ClientSession | None = None
        self.url = ""
        self.a: TeamsActivities

    @property
    def settings(self) -> TeamsSettings:
        if self.credentials:
            values = {"app_id": BOT_APP_ID, "app_password": "s3cret", **self.extra_settings}
            return TeamsSettings(port=0, sdk=self.sdk, **values)
        return TeamsSettings(port=0, sdk=self.sdk, **self.extra_settings)

    async def __aenter__(self) -> TeamsEnv:
        await self.connector.start()
        self.connector.rosters[TEAM] = [
            {**OWNER, "userRole": "owner", "tenantId": "t"},
            {**ALICE, "userRole": "user"},
            {**BOB, "userRole": "user"},
            {**CAROL, "userRole": "user"},
        ]
        self.a = TeamsActivities(self.connector.url)
        self.session = aiohttp.ClientSession()
        await self._start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stop()
        if self.session:
            await self.session.close()
        await self.connector.stop()

    async def _start(self) -> None:
        pm = make_plugin_manager(list(self.plugins), extra=self.extra, entry_points_group=None)
        self.runtime = Copkit(self.db_url, pm=pm, clock=self.clock, coalesce_interval=0)
        await self.runtime.open()
        overrides = AuthOverrides(
            openid_metadata_url=self.connector.openid_url,
            token_issuer=ISSUER,
            emulator_openid_metadata_url=self.connector.openid_url,
            outbound_token=OUTBOUND_TOKEN if self.credentials and self.fixed_token else None,
        )
        app = make_app(self.runtime, self.settings, auth=overrides)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/messages"

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.runtime is not None:
            await self.runtime.close()
            self.runtime = None

    async def restart(self) -> None:
        """Stop the process and start a new one on the same database (nothing kept in memory)."""
        await self._stop()
        await self._start()

    @property
    def rt(self) -> Copkit:
        assert self.runtime is not None
        return self.runtime

    async def post(
        self,
        activity: Any = None,
        *,
        token: str | None | bool = True,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """POST an activity (signed unless ``token`` is False/None or a token string is given)."""
        assert self.session is not None
        h = {"Content-Type": "application/json", **(headers or {})}
        if token is True and self.credentials and isinstance(activity, dict):
            token = self.connector.keys.token(activity.get("serviceUrl", ""))
        if isinstance(token, str):
            h["Authorization"] = f"Bearer {token}"
        body = data if data is not None else json.dumps(activity).encode()
        async with self.session.post(self.url, data=body, headers=h) as resp:
            text = await resp.text()
            try:
                payload = json.loads(text) if text else None
            except ValueError:
                payload = text
            return resp.status, payload

    async def run_timers(self, **delta: float) -> int:
        from datetime import timedelta

        self.clock.advance(timedelta(**delta))
        ran = 0
        while n := await self.rt.scheduler.run_due():
            ran += n
        return ran
