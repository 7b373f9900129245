"""The Bot Framework messaging endpoint (``POST /api/messages``) on aiohttp.

Our own handler, not ``CloudAdapter.process`` (which answers 500 to every invoke): read the body
(within a time limit), check the token, and only then hand the activity to the SDK, then run the
turn. Client mistakes never get a 500: malformed or too deeply nested JSON, ids too long or lists
too long are 400, a body over 256 KB is 413, a body not received within ``BODY_TIMEOUT`` is 408,
a missing or bad token is 401 and causes no action (and costs no SDK work), an unknown activity
type is acknowledged and ignored. A database outage is 503, which the Bot Connector retries.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

from aiohttp import web

from copkit.adapters.calendar_http import add_calendar_routes
from copkit.core.runtime import Copkit

from . import inbound
from .bot import TeamsBot
from .connector import AuthFailed, AuthOverrides, AuthUnavailable, BadActivity, ConnectorError
from .seam import make_framework
from .settings import TeamsSettings

log = logging.getLogger("copkit.teams")

MAX_BODY = 256 * 1024
BODY_TIMEOUT = 10.0  # seconds to receive a whole body
BOT_KEY: web.AppKey[TeamsBot] = web.AppKey("copkit_teams_bot", TeamsBot)


def _error(status: int, message: str, *, close: bool = False) -> web.Response:
    response = web.json_response({"error": message}, status=status)
    if close:  # the rest of the body is not read: drop the connection instead
        response.force_close()
    return response


def _loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


async def messages(request: web.Request) -> web.StreamResponse:
    bot = request.app[BOT_KEY]
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _error(413, "body too large", close=True)
    try:
        raw = await asyncio.wait_for(request.read(), BODY_TIMEOUT)
    except web.HTTPRequestEntityTooLarge:
        return _error(413, "body too large", close=True)
    except TimeoutError:
        log.info("a request from %s sent its body too slowly", request.remote)
        response = _error(408, "request body not received in time", close=True)
        await response.prepare(request)
        await response.write_eof()
        if request.transport is not None:  # not waiting for the rest of the body: hang up
            request.transport.close()
        return response
    if len(raw) > MAX_BODY:
        return _error(413, "body too large", close=True)
    if not bot.sdk.auth_required and not _loopback(request.remote):
        # local mode checks no token: only this machine may talk to it
        return _error(403, "local mode (no credentials) answers only this machine")
    if bot.sdk.auth_required and not request.headers.get("Authorization", "").startswith("Bearer "):
        log.info("rejected a request from %s: no bearer token", request.remote)
        return _error(401, "unauthorized")  # nothing of the body is even parsed
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "malformed JSON")
    except RecursionError:
        return _error(400, "JSON nested too deeply")
    if not isinstance(body, dict):
        return _error(400, "an activity is a JSON object")
    try:
        inbound.check(body)
        authenticated = await bot.sdk.authenticate(body, request.headers.get("Authorization"))
        inbound.check_sizes(body)
    except (inbound.Malformed, BadActivity) as exc:
        return _error(400, f"not an activity: {exc}")
    except AuthFailed as exc:
        log.info("rejected a request from %s: %s", request.remote, exc)
        return _error(401, "unauthorized")
    except AuthUnavailable:
        return _error(503, "cannot check tokens right now")
    if body.get("type") not in inbound.HANDLED:
        return web.Response(status=200)
    try:
        status, payload = await bot.dispatch(authenticated, body)
    except BadActivity as exc:
        return _error(400, f"not an activity: {exc}")
    except ConnectorError as exc:
        log.warning("the Bot Connector failed while handling a %s: %s", body.get("type"), exc)
        return _error(502, "the Bot Connector failed")
    except asyncio.CancelledError:
        raise
    except RecursionError:
        log.info("a %s activity nested too deeply to handle", body.get("type"))
        return _error(400, "activity nested too deeply")
    except Exception:
        log.exception("error while handling a %s activity", body.get("type"))
        return _error(500, "internal error")
    if payload is None:
        return web.Response(status=status)
    return web.json_response(payload, status=status)


def add_teams(
    app: web.Application,
    runtime: Copkit,
    settings: TeamsSettings,
    *,
    auth: AuthOverrides | None = None,
) -> TeamsBot:
    """Add ``POST /api/messages`` for ``runtime`` to ``app`` (the process's HTTP server, see
    :mod:`copkit.http.server`); the bot goes in ``app[BOT_KEY]``. ``auth`` points token checks at
    other OpenID metadata and signs outgoing calls with a fixed token (offline tests)."""
    framework = make_framework(settings, auth)
    bot = TeamsBot(
        runtime,
        framework,
        secret=settings.app_password or settings.app_id,
        meeting_tab_url=settings.meeting_tab_url,
    )
    app[BOT_KEY] = bot
    app.router.add_post("/api/messages", messages)

    async def detach(app: web.Application) -> AsyncIterator[None]:
        yield
        if runtime.messengers.get(bot.platform) is bot.messenger:
            await runtime.live.drain()
            runtime.messengers.pop(bot.platform, None)
        await framework.close()

    app.cleanup_ctx.append(detach)
    return bot


def make_app(
    runtime: Copkit,
    settings: TeamsSettings,
    *,
    auth: AuthOverrides | None = None,
) -> web.Application:
    """An aiohttp application serving only ``POST /api/messages`` and the probes (tests and
    benchmarks; ``copkit run`` adds :func:`add_teams` to its HTTP server instead).

    ``auth`` points token checks at other OpenID metadata and signs outgoing calls with a fixed
    token (offline tests). The bot is in ``app[BOT_KEY]``."""
    from copkit.http import probes
    from copkit.http.state import READY, RUNTIME_KEY, STATE_KEY, ServerState

    app = web.Application(client_max_size=MAX_BODY)
    app[RUNTIME_KEY] = runtime
    app[STATE_KEY] = ServerState()
    app[STATE_KEY].phase = READY
    probes.setup(app, runtime)
    add_teams(app, runtime, settings, auth=auth)
    add_calendar_routes(app, runtime)
    return app


APP_TYPES = {t.lower(): t for t in ("MultiTenant", "SingleTenant")}


def checked(settings: TeamsSettings) -> TeamsSettings:
    """The settings with the app type spelled as the SDK wants it; a clear error otherwise."""
    from copkit.core.errors import StartupError

    app_type = APP_TYPES.get((settings.app_type or "MultiTenant").lower())
    if app_type is None:
        raise StartupError(
            f"Teams: MicrosoftAppType must be SingleTenant or MultiTenant (with a client secret), "
            f"not {settings.app_type!r}"
        )
    if settings.has_credentials and app_type != "MultiTenant" and not settings.tenant_id:
        raise StartupError(f"Teams: a {app_type} bot needs MicrosoftAppTenantId (its tenant's id)")
    problem = settings.credentials_problem()
    if problem:
        raise StartupError(f"Teams: {problem}")
    return replace(settings, app_type=app_type)


def endpoint_line(settings: TeamsSettings, host: str, port: int) -> str:
    """What ``copkit run`` says about the Teams endpoint it serves on ``host:port``."""
    if not settings.has_credentials:
        missing = (
            "MicrosoftAppPassword" if settings.app_id else "MicrosoftAppId/MicrosoftAppPassword"
        )
        return (
            f"Teams: local mode for the Bot Framework Emulator at "
            f"http://127.0.0.1:{port}/api/messages (no {missing}: tokens are not "
            "checked, so only this machine can connect)"
        )
    return (
        f"Teams: messaging endpoint on http://{host}:{port}/api/messages "
        f"(app {settings.app_id}, {settings.app_type}); put it behind HTTPS as "
        "https://<your-domain>/api/messages"
    )


async def serve_teams(runtime: Copkit, settings: TeamsSettings, say: Callable[[str], None]) -> None:
    """Serve the messaging endpoint until cancelled. Without credentials: local emulator mode on
    127.0.0.1 only."""
    from copkit.core.errors import StartupError

    settings = checked(settings)
    local = not settings.has_credentials
    host = "127.0.0.1" if local else (settings.host or "0.0.0.0")
    try:
        app = make_app(runtime, settings)
    except Exception as exc:  # the SDK refusing its configuration
        raise StartupError(f"Teams: cannot configure the Bot Framework: {exc}") from exc
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, settings.port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise StartupError(
            f"Teams: cannot listen on {host}:{settings.port}: {exc.strerror or exc}"
        ) from exc
    say(endpoint_line(settings, host, settings.port))
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
