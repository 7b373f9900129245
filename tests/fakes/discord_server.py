"""A fake Discord on 127.0.0.1: the REST API under ``/api/v10`` and a gateway websocket.

The real discord.py client logs in, identifies, receives READY and GUILD_CREATE, syncs its
commands and answers interactions against it. Every REST call is recorded, so a test asserts on
what Discord would have received. Test helpers deliver gateway events the way Discord would:
slash commands (built from the commands the bot synced), button clicks and select picks on a
stored message, modal submissions, voice state changes and poll votes.

Usage::

    fake = FakeDiscord()
    guild = fake.add_guild("CoP", owner=fake.user("olga"))
    await fake.start()
    fake.install(monkeypatch)        # redirect discord.py to the fake
    ...
    await fake.slash(user, channel, "copkit help")
    call = await fake.wait_for("POST", r"/interactions/\\d+/.+/callback")
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

API = "/api/v10"
EPHEMERAL = 1 << 6
ALL_PERMISSIONS = (1 << 52) - 1
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
MANAGE_EVENTS = 1 << 33
CREATE_EVENTS = 1 << 44
SEND_POLLS = 1 << 49
PIN_MESSAGES = 1 << 51
PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
BASIC_PERMISSIONS = (
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 35) | (1 << 38) | (1 << 15) | (1 << 6)
)


class Hidden(AssertionError):
    """Discord would not let this user run that command (default member permissions)."""


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str  # without /api/v10
    query: dict[str, str]
    json: Any = None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    auth: str = ""  # the Authorization header
    at: float = field(default_factory=time.monotonic)

    def __repr__(self) -> str:  # short, for assertion messages
        body = json.dumps(self.json)[:300] if self.json is not None else ""
        return f"<{self.method} {self.path} {body}>"


def _now() -> str:
    return datetime.now(UTC).isoformat()


class FakeDiscord:
    """State of a tiny Discord: one application, guilds, channels, messages, interactions."""

    def __init__(self) -> None:
        self._ids = itertools.count(int(time.time() * 1000 - 1420070400000) << 22)
        self.app_id = self.snowflake()
        self.bot = {
            "id": str(self.app_id),
            "username": "copkit",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "flags": 0,
        }
        self.calls: list[Call] = []
        self.guilds: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.commands: list[dict[str, Any]] = []
        self.interactions: dict[str, dict[str, Any]] = {}  # token -> interaction info
        self.events: dict[int, dict[str, Any]] = {}  # scheduled events
        self.identified: list[dict[str, Any]] = []
        self.member_queries: list[dict[str, Any]] = []  # Request Guild Members (op 8) received
        self.privileged_allowed = 0  # privileged intents enabled in the "Developer Portal"
        self.sockets: list[
            tuple[web.WebSocketResponse, int, int]
        ] = []  # (ws, shard id, shard count)
        self.fail: dict[
            tuple[str, str], tuple[int, dict[str, Any]]
        ] = {}  # (method, path regex) -> reply
        self._seq: dict[int, int] = {}
        self._events: list[tuple[str, dict[str, Any], str]] = []  # gateway events a call caused
        self.deleted_channels: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.cdn: dict[str, bytes] = {}  # attachments sent with commands, served under /cdn/

    # Identifiers and objects ----------------------------------------------------------------

    def snowflake(self) -> int:
        return next(self._ids)

    def snowflake_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A fresh id whose guild would live on ``shard_id`` ((id >> 22) % count)."""
        while True:
            sid = self.snowflake()
            if (sid >> 22) % shard_count == shard_id:
                return sid
            self._ids = itertools.count(((sid >> 22) + 1) << 22)

    def user(self, name: str, *, bot: bool = False) -> dict[str, Any]:
        uid = self.snowflake()
        user = {
            "id": str(uid),
            "username": name,
            "discriminator": "0",
            "global_name": name.title(),
            "avatar": None,
            "bot": bot,
            "flags": 0,
        }
        self.users[uid] = user
        return user

    def add_guild(
        self,
        name: str,
        *,
        owner: dict[str, Any],
        members: list[dict[str, Any]] = (),  # type: ignore[assignment]
        bot_permissions: int = BASIC_PERMISSIONS | MANAGE_EVENTS | SEND_POLLS | PIN_MESSAGES,
        admins: list[dict[str, Any]] = (),  # type: ignore[assignment]
        shard: tuple[int, int] | None = None,
    ) -> dict[str, Any]:
        """A guild; with ``shard=(id, count)`` its id falls on that shard."""
        gid = self.snowflake()
        if shard is not None:
            gid = self.snowflake_on_shard(*shard)
        bot_role = self.snowflake()
        admin_role = self.snowflake()
        guild: dict[str, Any] = {
            "id": str(gid),
            "name": name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": owner["id"],
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [
                {
                    "id": str(gid),
                    "name": "@everyone",
                    "permissions": str(BASIC_PERMISSIONS),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                },
                {
                    "id": str(bot_role),
                    "name": "copkit",
                    "permissions": str(bot_permissions),
                    "position": 1,
                    "color": 0,
                    "hoist": False,
                    "managed": True,
                    "mentionable": False,
                    "flags": 0,
                    "tags": {"bot_id": self.bot["id"]},
                },
                {
                    "id": str(admin_role),
                    "name": "mods",
                    "permissions": str(BASIC_PERMISSIONS | MANAGE_GUILD),
                    "position": 2,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                },
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
            "joined_at": _now(),
            "large": False,
            "unavailable": False,
            "lazy": True,
            "channels": [],
            "threads": [],
            "voice_states": [],
            "members": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "_admin_role": str(admin_role),
        }
        self.guilds[gid] = guild
        self._add_member(guild, self.bot, roles=[str(bot_role)])
        self._add_member(guild, owner)
        for m in members:
            self._add_member(guild, m)
        for m in admins:
            self._add_member(guild, m, roles=[str(admin_role)])
        return guild

    def add_role(self, guild: dict[str, Any], name: str, permissions: int = 0) -> dict[str, Any]:
        """A role in ``guild`` (add it before the bot connects: GUILD_CREATE carries it)."""
        role = {
            "id": str(self.snowflake()),
            "name": name,
            "permissions": str(permissions),
            "position": len(guild["roles"]),
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": True,
            "flags": 0,
        }
        guild["roles"].append(role)
        return role

    def add_member(
        self,
        guild: dict[str, Any],
        user: dict[str, Any],
        roles: list[dict[str, Any]] = (),  # type: ignore[assignment]
    ) -> None:
        self._add_member(guild, user, roles=[r["id"] for r in roles])

    def member_of(self, guild: dict[str, Any], user: dict[str, Any]) -> dict[str, Any] | None:
        return next((m for m in guild["members"] if m["user"]["id"] == user["id"]), None)

    def permissions_of(self, guild: dict[str, Any], user: dict[str, Any]) -> int:
        """What Discord computes for ``user`` in ``guild``: owner has all, else @everyone's
        permissions plus those of their roles."""
        if user["id"] == guild["owner_id"]:
            return ALL_PERMISSIONS
        member = self.member_of(guild, user)
        held = {guild["id"], *(member["roles"] if member else [])}
        perms = 0
        for role in guild["roles"]:
            if role["id"] in held:
                perms |= int(role["permissions"])
        return perms

    def _add_member(
        self, guild: dict[str, Any], user: dict[str, Any], roles: list[str] = ()
    ) -> None:  # type: ignore[assignment]
        self.users[int(user["id"])] = user
        guild["members"].append(self.member_payload(user, roles=list(roles)))
        guild["member_count"] = len(guild["members"])

    @staticmethod
    def member_payload(
        user: dict[str, Any], roles: list[str] = (), with_user: bool = True
    ) -> dict[str, Any]:  # type: ignore[assignment]
        m = {
            "roles": list(roles),
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "pending": False,
        }
        if with_user:
            m["user"] = user
        return m

    def add_channel(
        self,
        guild: dict[str, Any],
        name: str,
        *,
        voice: bool = False,
        forum: bool = False,
        category: dict[str, Any] | None = None,
        ctype: int | None = None,
    ) -> dict[str, Any]:
        """A channel of ``guild`` (text; ``voice``, ``forum``, or any ``ctype``: 4 is a
        category), in ``category`` if given."""
        cid = self.snowflake()
        if ctype is None:
            ctype = 2 if voice else 15 if forum else 0
        voice = ctype == 2
        channel = {
            "id": str(cid),
            "type": ctype,
            "guild_id": guild["id"],
            "name": name,
            "position": len(guild["channels"]),
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": category["id"] if category else None,
            "flags": 0,
            "rate_limit_per_user": 0,
            "last_message_id": None,
        }
        if voice:
            channel.update(
                {"bitrate": 64000, "user_limit": 0, "rtc_region": None, "video_quality_mode": 1}
            )
        else:
            channel["topic"] = None
        guild["channels"].append(channel)
        self.channels[cid] = channel
        return channel

    def join_voice(
        self, guild: dict[str, Any], channel: dict[str, Any] | None, user: dict[str, Any]
    ) -> dict[str, Any]:
        """The voice state of ``user`` (in ``channel``, or disconnected with ``None``); stored in
        the guild for the next GUILD_CREATE and returned for a VOICE_STATE_UPDATE."""
        state = {
            "guild_id": guild["id"],
            "channel_id": channel["id"] if channel else None,
            "user_id": user["id"],
            "session_id": secrets.token_hex(8),
            "deaf": False,
            "mute": False,
            "self_deaf": False,
            "self_mute": False,
            "self_video": False,
            "suppress": False,
            "request_to_speak_timestamp": None,
            "member": self.member_payload(user),
        }
        guild["voice_states"] = [v for v in guild["voice_states"] if v["user_id"] != user["id"]]
        if channel is not None:
            guild["voice_states"].append({k: v for k, v in state.items() if k != "member"})
        return state

    def message_payload(
        self,
        channel_id: int,
        body: dict[str, Any],
        *,
        flags: int = 0,
        interaction: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        mid = self.snowflake()
        msg = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "author": self.bot,
            "content": body.get("content") or "",
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0 if not interaction else 20,
            "flags": flags | int(body.get("flags") or 0),
        }
        ch = self.channels.get(channel_id)
        if ch and ch.get("guild_id"):
            msg["guild_id"] = ch["guild_id"]
        if body.get("poll"):
            poll = dict(body["poll"])
            poll["answers"] = [
                {"answer_id": i + 1, **a} for i, a in enumerate(poll.get("answers", []))
            ]
            poll["expiry"] = _now()
            poll["allow_multiselect"] = bool(poll.get("allow_multiselect"))
            poll["layout_type"] = poll.get("layout_type", 1)
            poll["results"] = {"is_finalized": False, "answer_counts": []}
            msg["poll"] = poll
        if body.get("message_reference"):
            msg["message_reference"] = body["message_reference"]
        self.messages[mid] = msg
        return msg

    # Server ---------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/cdn/{name}", self._cdn)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _cdn(self, request: web.Request) -> web.StreamResponse:
        data = self.cdn.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    def attachment(self, filename: str, data: bytes, content_type: str = "image/png") -> dict:
        """A file as a person attaches it to a slash command (an option of type attachment)."""
        aid = str(self.snowflake())
        self.cdn[f"{aid}-{filename}"] = data
        url = f"http://127.0.0.1:{self.port}/cdn/{aid}-{filename}"
        return {
            "id": aid,
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    async def close(self) -> None:
        for ws, _s, _c in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def install(self, monkeypatch: Any) -> None:
        """Point discord.py at this fake (the only two redirects needed)."""
        import discord.gateway
        import discord.http
        import yarl

        monkeypatch.setattr(discord.http.Route, "BASE", self.base_url)
        monkeypatch.setattr(
            discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url)
        )

    # Recording and waiting --------------------------------------------------------------------

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def find(self, method: str, path: str, since: int = 0) -> list[Call]:
        rx = re.compile(path)
        return [c for c in self.calls[since:] if c.method == method and rx.fullmatch(c.path)]

    async def wait_for(
        self, method: str, path: str, *, count: int = 1, since: int = 0, timeout: float = 5.0
    ) -> Call:
        """The ``count``-th call matching ``method`` and the ``path`` regex (after index ``since``)."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                found = self.find(method, path, since)
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"no {method} {path} (#{count}) within {timeout}s; calls: {self.calls[since:]}"
                    )
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    pass

    async def quiet(self, seconds: float = 0.3) -> None:
        """Wait until no REST call arrived for ``seconds``."""
        while True:
            n = len(self.calls)
            await asyncio.sleep(seconds)
            if len(self.calls) == n:
                return

    def mark(self) -> int:
        """An index for ``since=``: only calls after this point."""
        return len(self.calls)

    # REST -------------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        files: list[tuple[str, bytes]] = []
        if request.content_type == "application/json" and request.can_read_body:
            body = await request.json()
        elif request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    files.append((part.filename or "", bytes(await part.read())))  # type: ignore[union-attr]
        call = Call(
            request.method,
            path,
            dict(request.query),
            body,
            files,
            auth=request.headers.get("Authorization", ""),
        )
        await self._record(call)
        for (method, rx), (status, payload) in self.fail.items():
            if method == request.method and re.fullmatch(rx, path):
                return self._json(payload, status)
        try:
            status, payload = self._route(call)
        except KeyError as exc:
            return self._json({"message": f"Unknown {exc}", "code": 10003}, 404)
        events, self._events = self._events, []
        for event, data, guild_id in events:
            await self.dispatch(event, data, guild_id)
        if status == 204:
            return web.Response(status=204)
        return self._json(payload, status)

    @staticmethod
    def _json(payload: Any, status: int = 200) -> web.Response:
        # discord.py checks the content type exactly: no charset.
        return web.Response(
            status=status,
            body=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )

    def _route(self, call: Call) -> tuple[int, Any]:
        m, p, body = call.method, call.path, call.json or {}
        app = str(self.app_id)
        if (m, p) == ("GET", "/users/@me"):
            return 200, self.bot
        if (m, p) == ("GET", "/oauth2/applications/@me"):
            owner = next(iter(self.users.values()), self.bot)
            return 200, {
                "id": app,
                "name": "copkit",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": owner,
                "verify_key": "0" * 64,
                "flags": 0,
                "summary": "",
                "team": None,
                "rpc_origins": [],
            }
        if (m, p) == ("GET", "/gateway/bot"):
            return 200, {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 16,
                },
            }
        if (m, p) == ("GET", "/gateway"):
            return 200, {"url": self.gateway_url}
        if (m, p) == ("PUT", f"/applications/{app}/commands"):
            self.commands = [
                {
                    **c,
                    "id": str(self.snowflake()),
                    "application_id": app,
                    "version": str(self.snowflake()),
                }
                for c in body
            ]
            return 200, self.commands
        if (m, p) == ("GET", f"/applications/{app}/commands"):
            return 200, self.commands
        if mt := re.fullmatch(r"/channels/(\d+)/messages", p):
            if m == "POST":
                return 200, self.message_payload(int(mt[1]), body)
        if mt := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", p):
            return self._message_op(m, int(mt[2]), body)
        if mt := re.fullmatch(r"/channels/(\d+)/messages/pins/(\d+)", p):
            msg = self.messages[int(mt[2])]
            msg["pinned"] = m == "PUT"
            return 204, None
        if mt := re.fullmatch(r"/channels/(\d+)/threads", p):
            parent = self.channels[int(mt[1])]
            tid = self.snowflake()
            thread = {
                "id": str(tid),
                "type": body.get("type", 11),
                "guild_id": parent["guild_id"],
                "parent_id": parent["id"],
                "name": body["name"],
                "owner_id": self.bot["id"],
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "message_count": 0,
                "member_count": 1,
                "flags": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": body.get("auto_archive_duration", 1440),
                    "archive_timestamp": _now(),
                    "locked": False,
                },
            }
            self.channels[tid] = thread
            return 201, thread
        if mt := re.fullmatch(r"/channels/(\d+)", p):
            if m == "DELETE":
                return self._delete_channel(int(mt[1]))
            return 200, self.channels[int(mt[1])]
        if (mt := re.fullmatch(r"/guilds/(\d+)/channels", p)) and m == "POST":
            return self._create_channel(self.guilds[int(mt[1])], body)
        if mt := re.fullmatch(r"/channels/(\d+)/polls/(\d+)/expire", p):
            msg = self.messages[int(mt[2])]
            msg["poll"]["results"]["is_finalized"] = True
            return 200, msg
        if (m, p) == ("POST", "/users/@me/channels"):
            cid = self.snowflake()
            user = self.users[int(body["recipient_id"])]
            channel = {
                "id": str(cid),
                "type": 1,
                "recipients": [user],
                "last_message_id": None,
                "flags": 0,
            }
            self.channels[cid] = channel
            return 200, channel
        if mt := re.fullmatch(r"/users/(\d+)", p):
            return 200, self.users[int(mt[1])]
        if mt := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", p):
            return self._callback(mt[2], body, call.query)
        if mt := re.fullmatch(rf"/webhooks/{app}/([^/]+)", p):
            info = self.interactions[mt[1]]
            flags = EPHEMERAL if (int(body.get("flags") or 0) & EPHEMERAL) else 0
            msg = self.message_payload(info["channel_id"], body, flags=flags, interaction=info)
            return 200, msg
        if mt := re.fullmatch(rf"/webhooks/{app}/([^/]+)/messages/(@original|\d+)", p):
            info = self.interactions[mt[1]]
            mid = info.get("original") if mt[2] == "@original" else int(mt[2])
            if mid is None:
                if m == "PATCH":  # editing a deferred response creates it
                    msg = self.message_payload(
                        info["channel_id"], body, flags=info.get("flags", 0), interaction=info
                    )
                    info["original"] = int(msg["id"])
                    return 200, msg
                raise KeyError("message")
            return self._message_op(m, mid, body)
        if mt := re.fullmatch(r"/guilds/(\d+)/scheduled-events", p):
            if m == "POST":
                eid = self.snowflake()
                event = {
                    "id": str(eid),
                    "guild_id": mt[1],
                    "channel_id": body.get("channel_id"),
                    "creator_id": self.bot["id"],
                    "name": body["name"],
                    "description": body.get("description"),
                    "scheduled_start_time": body["scheduled_start_time"],
                    "scheduled_end_time": body.get("scheduled_end_time"),
                    "privacy_level": body.get("privacy_level", 2),
                    "status": 1,
                    "entity_type": body.get("entity_type", 3),
                    "entity_id": None,
                    "entity_metadata": body.get("entity_metadata"),
                    "user_count": 0,
                    "image": None,
                }
                self.events[eid] = event
                return 200, event
            return 200, list(self.events.values())
        if mt := re.fullmatch(r"/guilds/(\d+)/scheduled-events/(\d+)", p):
            event = self.events[int(mt[2])]
            if m == "PATCH":
                event.update({k: v for k, v in body.items()})
            if m == "DELETE":
                del self.events[int(mt[2])]
                return 204, None
            return 200, event
        if (mt := re.fullmatch(r"/guilds/(\d+)/roles", p)) and m == "POST":
            guild = self.guilds[int(mt[1])]
            role = self.add_role(guild, body["name"], int(body.get("permissions") or 0))
            role["mentionable"] = bool(body.get("mentionable"))
            return 200, role
        if mt := re.fullmatch(r"/guilds/(\d+)/members/(\d+)/roles/(\d+)", p):
            guild = self.guilds[int(mt[1])]
            member = next(x for x in guild["members"] if x["user"]["id"] == mt[2])
            held = [r for r in member["roles"] if r != mt[3]]
            member["roles"] = [*held, mt[3]] if m == "PUT" else held
            return 204, None
        if mt := re.fullmatch(r"/guilds/(\d+)/members/(\d+)", p):
            guild = self.guilds[int(mt[1])]
            found = next((x for x in guild["members"] if x["user"]["id"] == mt[2]), None)
            if found is None:
                raise KeyError("member")
            return 200, found
        raise KeyError(f"route {m} {p}")

    def _missing(
        self, guild: dict[str, Any], permission: int, channel: dict[str, Any] | None = None
    ) -> tuple[int, Any] | None:
        """Discord's 403 when the bot's roles in ``guild`` lack ``permission`` (in ``channel``:
        after its role overwrites, @everyone's first)."""
        have = self.permissions_of(guild, self.bot)
        if have & ADMINISTRATOR:
            return None
        if channel is not None:
            member = self.member_of(guild, self.bot)
            held = set(member["roles"] if member else [])
            overwrites = channel.get("permission_overwrites") or []
            for o in sorted(overwrites, key=lambda o: o["id"] != guild["id"]):
                if o.get("type", 0) == 0 and (o["id"] == guild["id"] or o["id"] in held):
                    have = (have & ~int(o.get("deny") or 0)) | int(o.get("allow") or 0)
        if have & permission:
            return None
        return 403, {"message": "Missing Permissions", "code": 50013}

    def bot_role(self, guild: dict[str, Any]) -> dict[str, Any]:
        return next(r for r in guild["roles"] if (r.get("tags") or {}).get("bot_id"))

    def _create_channel(self, guild: dict[str, Any], body: dict[str, Any]) -> tuple[int, Any]:
        """POST /guilds/{id}/channels: needs Manage Channels; a name of 1–100 characters; a
        parent that is a category of the guild."""
        parent = body.get("parent_id")
        category = self.channels.get(int(parent)) if parent else None
        refused = self._missing(guild, MANAGE_CHANNELS, category)
        if refused is not None:
            return refused
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100 or "\n" in name:
            return 400, {"message": "Invalid Form Body", "code": 50035, "errors": {"name": {}}}
        if parent and (category is None or category["type"] != 4):
            return 400, {"message": "Invalid Form Body", "code": 50035, "errors": {"parent_id": {}}}
        channel = self.add_channel(guild, name, ctype=int(body.get("type") or 0), category=category)
        self._events.append(("CHANNEL_CREATE", channel, guild["id"]))
        return 201, channel

    def _delete_channel(self, cid: int) -> tuple[int, Any]:
        """DELETE /channels/{id}: a guild channel needs Manage Channels."""
        channel = self.channels[cid]
        guild = self.guilds.get(int(channel.get("guild_id") or 0))
        if guild is not None:
            refused = self._missing(guild, MANAGE_CHANNELS)
            if refused is not None:
                return refused
            guild["channels"] = [c for c in guild["channels"] if c["id"] != channel["id"]]
            self._events.append(("CHANNEL_DELETE", channel, guild["id"]))
        del self.channels[cid]
        self.deleted_channels.append(channel)
        return 200, channel

    def _message_op(self, method: str, mid: int, body: dict[str, Any]) -> tuple[int, Any]:
        msg = self.messages[mid]
        if method == "PATCH":
            for key in ("content", "embeds", "components", "flags"):
                if key in body:
                    msg[key] = (
                        body[key] if body[key] is not None else ("" if key == "content" else [])
                    )
            msg["edited_timestamp"] = _now()
            return 200, msg
        if method == "DELETE":
            msg["deleted"] = True
            return 204, None
        return 200, msg

    def _callback(self, token: str, body: dict[str, Any], query: dict[str, str]) -> tuple[int, Any]:
        info = self.interactions[token]
        if info.get("answered"):
            return 400, {"message": "Interaction has already been acknowledged.", "code": 40060}
        info["answered"] = True
        rtype = body["type"]
        data = body.get("data") or {}
        info["response_type"] = rtype
        message = None
        flags = int(data.get("flags") or 0)
        if rtype == 4:  # a message
            message = self.message_payload(
                info["channel_id"], data, flags=flags & EPHEMERAL, interaction=info
            )
            info["original"] = int(message["id"])
        elif rtype == 5:  # deferred with a "thinking" placeholder
            info["flags"] = flags & EPHEMERAL
        elif rtype == 7:  # update the clicked message
            mid = info.get("message_id")
            if mid is not None:
                _s, message = self._message_op("PATCH", mid, data)
        if query.get("with_response") not in ("true", "True", "1"):
            return 204, None
        result: dict[str, Any] = {
            "interaction": {
                "id": info["id"],
                "type": info["type"],
                "response_message_loading": rtype == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            }
        }
        if message is not None:
            result["interaction"]["response_message_id"] = message["id"]
            result["resource"] = {"type": rtype, "message": message}
        else:
            result["resource"] = {"type": rtype}
        return 200, result

    # Gateway ----------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        entry: tuple[web.WebSocketResponse, int, int] | None = None
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                op = data.get("op")
                if op == 1:
                    await ws.send_json({"op": 11})
                elif op == 2:
                    d = data["d"]
                    if int(d.get("intents", 0)) & PRIVILEGED & ~self.privileged_allowed:
                        await ws.close(code=4014, message=b"Disallowed intent(s).")
                        break
                    self.identified.append({**d, "_at": time.monotonic()})
                    shard_id, shard_count = d.get("shard") or [0, 1]
                    entry = (ws, shard_id, shard_count)
                    self.sockets.append(entry)
                    await self._send(
                        ws,
                        "READY",
                        {
                            "v": 10,
                            "user": self.bot,
                            "session_id": secrets.token_hex(16),
                            "resume_gateway_url": self.gateway_url,
                            "shard": [shard_id, shard_count],
                            "application": {"id": str(self.app_id), "flags": 0},
                            "guilds": [
                                {"id": g["id"], "unavailable": True}
                                for g in self._guilds_of(shard_id, shard_count)
                            ],
                            "private_channels": [],
                            "relationships": [],
                            "presences": [],
                            "guild_join_requests": [],
                            "geo_ordered_rtc_regions": [],
                            "user_settings": {},
                        },
                    )
                    for guild in self._guilds_of(shard_id, shard_count):
                        await self._send(ws, "GUILD_CREATE", self._guild_create(guild))
                elif op == 8:  # Request Guild Members: names starting with the query
                    await self._send(ws, "GUILD_MEMBERS_CHUNK", self._members_chunk(data["d"]))
        finally:
            if entry in self.sockets:
                self.sockets.remove(entry)  # type: ignore[arg-type]
        return ws

    def _members_chunk(self, d: dict[str, Any]) -> dict[str, Any]:
        self.member_queries.append(d)
        guild = self.guilds[int(d["guild_id"])]
        query = str(d.get("query") or "").casefold()
        found = [
            m
            for m in guild["members"]
            if str(m["user"].get("global_name") or m["user"]["username"])
            .casefold()
            .startswith(query)
            or m["user"]["username"].casefold().startswith(query)
        ][: int(d.get("limit") or 100) or 100]
        return {
            "guild_id": d["guild_id"],
            "members": found,
            "chunk_index": 0,
            "chunk_count": 1,
            "nonce": d.get("nonce"),
        }

    def _guilds_of(self, shard_id: int, shard_count: int) -> list[dict[str, Any]]:
        return [g for gid, g in self.guilds.items() if (gid >> 22) % shard_count == shard_id]

    @staticmethod
    def _guild_create(guild: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in guild.items() if not k.startswith("_")}

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        key = id(ws)
        self._seq[key] = self._seq.get(key, 0) + 1
        await ws.send_json({"op": 0, "t": event, "s": self._seq[key], "d": data})

    async def dispatch(
        self, event: str, data: dict[str, Any], guild_id: int | str | None = None
    ) -> None:
        """Send a gateway event to the shard that owns ``guild_id`` (or to every shard)."""
        for ws, shard_id, shard_count in list(self.sockets):
            if guild_id is None or (int(guild_id) >> 22) % shard_count == shard_id:
                await self._send(ws, event, data)

    async def wait_connected(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.sockets:
            if time.monotonic() > deadline:
                raise AssertionError("the bot never identified")
            await asyncio.sleep(0.01)

    # Events as Discord would send them --------------------------------------------------------

    def _interaction(
        self,
        itype: int,
        guild: dict[str, Any] | None,
        channel: dict[str, Any],
        user: dict[str, Any],
        data: dict[str, Any],
        *,
        message: dict[str, Any] | None = None,
        permissions: int | None = None,
    ) -> dict[str, Any]:
        iid = self.snowflake()
        token = "tok" + secrets.token_hex(12)
        if guild is None:  # a direct message with the bot
            payload = self._dm_interaction(itype, iid, token, channel, user, data)
            if message is not None:
                payload["message"] = message
            self._remember_interaction(iid, itype, token, channel, user, message)
            return payload
        member = self.member_of(guild, user)
        if permissions is None:
            permissions = self.permissions_of(guild, user)
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": itype,
            "data": data,
            "guild_id": guild["id"],
            "channel_id": channel["id"],
            "channel": {k: v for k, v in channel.items()},
            "member": {
                **self.member_payload(user, roles=member["roles"] if member else []),
                "permissions": str(permissions),
            },
            "token": token,
            "version": 1,
            "app_permissions": str(self.permissions_of(guild, self.bot)),
            "locale": user.get("locale", "en-US"),  # the member's app language
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild["id"]},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
            "guild": {"id": guild["id"], "locale": "en-US", "features": []},
        }
        if message is not None:
            payload["message"] = message
        self._remember_interaction(iid, itype, token, channel, user, message)
        return payload

    def _remember_interaction(
        self,
        iid: int,
        itype: int,
        token: str,
        channel: dict[str, Any],
        user: dict[str, Any],
        message: dict[str, Any] | None,
    ) -> None:
        self.interactions[token] = {
            "id": str(iid),
            "type": itype,
            "token": token,
            "channel_id": int(channel["id"]),
            "message_id": int(message["id"]) if message else None,
            "user": user,
        }

    def _dm_interaction(
        self,
        itype: int,
        iid: int,
        token: str,
        channel: dict[str, Any],
        user: dict[str, Any],
        data: dict[str, Any],
    ) -> dict[str, Any]:
        return {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": itype,
            "data": data,
            "channel_id": channel["id"],
            "channel": {k: v for k, v in channel.items()},
            "user": user,
            "token": token,
            "version": 1,
            "app_permissions": str(BASIC_PERMISSIONS),
            "locale": user.get("locale", "en-US"),
            "entitlements": [],
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
            "attachment_size_limit": 10 * 1024 * 1024,
        }

    async def slash(
        self,
        user: dict[str, Any],
        channel: dict[str, Any],
        command: str,
        options: dict[str, Any] | None = None,
        *,
        permissions: int | None = None,
        focus: str | None = None,
    ) -> str:
        """``user`` runs ``/command`` (words as Discord shows them) in ``channel``; returns the
        interaction token. Options are checked against the synced command like Discord would,
        and a command whose default member permissions the user lacks is refused (:class:`Hidden`).
        With ``focus``, ``user`` is typing that option instead: an autocomplete request."""
        words = command.split()
        root = next((c for c in self.commands if c["name"] == words[0]), None)
        if root is None:
            raise AssertionError(
                f"/{words[0]} was not synced; have {[c['name'] for c in self.commands]}"
            )
        node = root
        path_nodes = []
        for word in words[1:]:
            node = next(
                (o for o in node.get("options") or [] if o["name"] == word and o["type"] in (1, 2)),
                None,
            )
            if node is None:
                raise AssertionError(f"/{command}: no subcommand {word!r}")
            path_nodes.append(node)
        if any(o["type"] in (1, 2) for o in node.get("options") or []):
            raise AssertionError(f"/{command} is a group, not a command")
        guild = self.guilds[int(channel["guild_id"])]
        needed = int(root.get("default_member_permissions") or 0)
        perms = self.permissions_of(guild, user) if permissions is None else permissions
        if needed and perms & needed != needed:
            raise Hidden(f"Discord does not offer /{words[0]} to {user['username']}")
        resolved: dict[str, Any] = {}
        leaf_options = []
        declared = {o["name"]: o for o in node.get("options") or []}
        for name, value in (options or {}).items():
            if name not in declared:
                raise AssertionError(f"/{command} has no option {name!r}; has {list(declared)}")
            otype = declared[name]["type"]
            if otype == 6:  # a user: Discord sends the id and resolves it
                resolved.setdefault("users", {})[value["id"]] = value
                resolved.setdefault("members", {})[value["id"]] = {
                    **self.member_payload(value, with_user=False),
                    "permissions": str(BASIC_PERMISSIONS),
                }
                value = value["id"]
            if otype == 11:  # an attachment: Discord sends its id and resolves it
                resolved.setdefault("attachments", {})[value["id"]] = value
                value = value["id"]
            if declared[name].get("choices") and value not in [
                c["value"] for c in declared[name]["choices"]
            ]:
                raise AssertionError(f"/{command} {name}: {value!r} is not one of the choices")
            option = {"name": name, "type": otype, "value": value}
            if name == focus:
                option["focused"] = True
            leaf_options.append(option)
        for name, o in declared.items():
            if focus is None and o.get("required") and name not in (options or {}):
                raise AssertionError(f"/{command}: required option {name!r} missing")
        opts: list[dict[str, Any]] = leaf_options
        for n in reversed(path_nodes):
            opts = [{"name": n["name"], "type": n["type"], "options": opts}]
        data: dict[str, Any] = {"id": root["id"], "name": root["name"], "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        itype = 2 if focus is None else 4
        payload = self._interaction(itype, guild, channel, user, data, permissions=permissions)
        await self.dispatch("INTERACTION_CREATE", payload, guild["id"])
        return payload["token"]

    def component(self, message: dict[str, Any], label_or_id: str) -> dict[str, Any]:
        """The button or select in ``message`` with that label or custom id."""
        for row in message.get("components") or []:
            for c in row.get("components") or []:
                if (
                    label_or_id in (c.get("custom_id"), c.get("label"), c.get("placeholder"))
                    or (c.get("label") or "").rstrip("…") == label_or_id
                ):
                    return c
        raise AssertionError(
            f"no component {label_or_id!r} in message {message['id']}: {message.get('components')}"
        )

    def _guild_of(self, channel: dict[str, Any], message: dict[str, Any]) -> dict[str, Any] | None:
        gid = channel.get("guild_id") or message.get("guild_id")
        return self.guilds[int(gid)] if gid else None  # None: a direct message

    async def click(
        self,
        user: dict[str, Any],
        message: dict[str, Any],
        label_or_id: str,
        *,
        values: list[str] | None = None,
    ) -> str:
        """``user`` presses a button (or picks ``values`` in a select) on a stored message."""
        message = self.messages.get(int(message["id"]), message)
        comp = self.component(message, label_or_id)
        channel = self.channels[int(message["channel_id"])]
        guild = self._guild_of(channel, message)
        data: dict[str, Any] = {"custom_id": comp["custom_id"], "component_type": comp["type"]}
        if comp["type"] == 3:
            data["values"] = values or []
        payload = self._interaction(3, guild, channel, user, data, message=message)
        await self.dispatch("INTERACTION_CREATE", payload, guild["id"] if guild else 0)
        return payload["token"]

    async def submit(
        self,
        user: dict[str, Any],
        modal: dict[str, Any],
        values: dict[str, str],
        *,
        message: dict[str, Any] | None = None,
        channel: dict[str, Any] | None = None,
    ) -> str:
        """``user`` fills in the modal the bot opened (``modal`` is the callback's ``data``)."""
        rows = []
        for row in modal["components"]:
            for c in row.get("components") or [row.get("component")]:
                if c and c.get("type") == 4:
                    rows.append(
                        {
                            "type": 1,
                            "components": [
                                {
                                    "type": 4,
                                    "custom_id": c["custom_id"],
                                    "value": values.get(c["custom_id"], ""),
                                }
                            ],
                        }
                    )
        if message is not None:
            message = self.messages.get(int(message["id"]), message)
            channel = self.channels[int(message["channel_id"])]
        assert channel is not None
        guild = self._guild_of(channel, message or {})
        data = {"custom_id": modal["custom_id"], "components": rows}
        payload = self._interaction(5, guild, channel, user, data, message=message)
        await self.dispatch("INTERACTION_CREATE", payload, guild["id"] if guild else 0)
        return payload["token"]

    async def voice(
        self, guild: dict[str, Any], channel: dict[str, Any] | None, user: dict[str, Any]
    ) -> None:
        await self.dispatch(
            "VOICE_STATE_UPDATE", self.join_voice(guild, channel, user), guild["id"]
        )

    async def vote(
        self, user: dict[str, Any], message: dict[str, Any], answer_id: int, *, remove: bool = False
    ) -> None:
        """``user`` votes for answer ``answer_id`` (1-based, as Discord numbers them), or with
        ``remove`` takes that vote back."""
        channel = self.channels[int(message["channel_id"])]
        data = {
            "user_id": user["id"],
            "channel_id": channel["id"],
            "message_id": message["id"],
            "guild_id": channel["guild_id"],
            "answer_id": answer_id,
        }
        event = "MESSAGE_POLL_VOTE_REMOVE" if remove else "MESSAGE_POLL_VOTE_ADD"
        await self.dispatch(event, data, channel["guild_id"])

    async def say(
        self,
        user: dict[str, Any],
        channel: dict[str, Any],
        content: str,
        mentions: list[dict[str, Any]] = (),
    ) -> dict[str, Any]:  # type: ignore[assignment]
        """``user`` posts a message in ``channel`` (content as Discord delivers it)."""
        mid = self.snowflake()
        msg = {
            "id": str(mid),
            "channel_id": channel["id"],
            "guild_id": channel["guild_id"],
            "author": user,
            "member": self.member_payload(user, with_user=False),
            "content": content,
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [
                {**u, "member": self.member_payload(u, with_user=False)} for u in mentions
            ],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        self.messages[mid] = msg
        await self.dispatch("MESSAGE_CREATE", msg, channel["guild_id"])
        return msg

    # Reading what the bot did -----------------------------------------------------------------

    def posted(self, since: int = 0) -> list[dict[str, Any]]:
        """Bodies of every message the bot created (channel posts, responses, follow-ups)."""
        out = []
        for c in self.calls[since:]:
            if c.method == "POST" and re.fullmatch(
                r"/channels/\d+/messages|/webhooks/\d+/[^/]+", c.path
            ):
                out.append(c.json or {})
            elif (
                c.method == "POST"
                and c.path.endswith("/callback")
                and (c.json or {}).get("type") == 4
            ):
                out.append(c.json.get("data") or {})
        return out

    def message_of(self, call: Call) -> dict[str, Any]:
        """The stored message a message-creating call produced (latest with that body)."""
        for msg in reversed(list(self.messages.values())):
            body = (
                call.json.get("data", call.json) if call.path.endswith("/callback") else call.json
            )
            if msg.get("embeds") == (body.get("embeds") or []) and (msg.get("content") or "") == (
                body.get("content") or ""
            ):
                return msg
        raise AssertionError(f"no message for {call}")

    def last_message(self, channel: dict[str, Any] | None = None) -> dict[str, Any]:
        for msg in reversed(list(self.messages.values())):
            if msg["author"]["id"] == self.bot["id"] and (
                channel is None or msg["channel_id"] == channel["id"]
            ):
                return msg
        raise AssertionError("the bot posted nothing")


def text_of(body: dict[str, Any]) -> str:
    """All visible text of a message body (content, embed titles, descriptions, fields, footers)."""
    parts = [body.get("content") or ""]
    for e in body.get("embeds") or []:
        parts += [e.get("title") or "", e.get("description") or ""]
        for f in e.get("fields") or []:
            parts += [f.get("name", ""), f.get("value", "")]
        parts.append((e.get("footer") or {}).get("text", ""))
    if body.get("poll"):
        parts.append(body["poll"]["question"]["text"])
        parts += [a["poll_media"]["text"] for a in body["poll"]["answers"]]
    return "\n".join(p for p in parts if p)


def labels_of(body: dict[str, Any]) -> list[str]:
    return [
        c.get("label") or c.get("placeholder") or ""
        for row in body.get("components") or []
        for c in row.get("components") or []
    ]
