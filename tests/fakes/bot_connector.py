"""A fake Bot Connector (the Teams side of the Bot Framework) on loopback, for adapter tests.

It records every call the bot makes (replies, new posts, updates, new conversations, member
lookups) and keeps the messages so a test can read the current card of a message. It also
serves an OpenID configuration and a key set, and signs Bot Framework tokens with a locally
generated RSA key, so authentication is tested offline.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
TEAM = "19:team-general@thread.tacv2"
CHANNEL = "19:5e3a0b7f8c2d4e1a9f6b@thread.tacv2"
BOT_APP_ID = "6f1c3c52-7b7a-4d8e-9f3e-2b1a0c9d8e7f"
BOT_ID = f"28:{BOT_APP_ID}"
OUTBOUND_TOKEN = "fixed-outbound-token"


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Keys:
    """An RSA key pair published as a JWKS, and a signer of Bot Framework tokens."""

    _shared: list[rsa.RSAPrivateKey] = []

    def __init__(self, kid: str = "test-key-1") -> None:
        if not Keys._shared:  # key generation is slow-ish: two keys per test session
            Keys._shared = [
                rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2)
            ]
        self.key, self.other = Keys._shared
        self.kid = kid

    def jwks(self) -> dict[str, Any]:
        pub = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "kid": self.kid,
                    "n": _b64(pub.n),
                    "e": _b64(pub.e),
                    "endorsements": ["msteams", "emulator"],
                }
            ]
        }

    def token(
        self,
        service_url: str,
        *,
        aud: str = BOT_APP_ID,
        iss: str = ISSUER,
        expires_in: int = 3600,
        kid: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload = {
            "iss": iss,
            "aud": aud,
            "nbf": now - 10,
            "iat": now - 10,
            "exp": now + expires_in,
            "serviceurl": service_url,
            **claims,
        }
        return jwt.encode(
            payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )


@dataclass
class Call:
    method: str
    path: str
    conversation: str = ""
    activity_id: str = ""
    body: Any = None
    auth: str = ""
    peer: Any = None  # the caller's (host, port): one TCP connection reused keeps one

    @property
    def kind(self) -> str:
        if self.method == "PUT":
            return "update"
        if self.method == "GET":
            return "members"
        if self.path.rstrip("/").endswith("/v3/conversations"):
            return "create"
        return "reply" if self.activity_id else "send"


@dataclass
class Posted:
    id: str
    conversation: str
    activity: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def card(self) -> dict[str, Any]:
        return self.activity["attachments"][0]["content"]


class FakeBotConnector:
    """``await start()`` then use ``url`` as the activities' serviceUrl."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, Posted] = {}
        self.rosters: dict[str, list[dict[str, Any]]] = {}
        self.fail: dict[str, int] = {}  # call kind -> HTTP status to answer once
        self.keys = Keys()
        self.openid_hits = 0
        self._ids = itertools.count(1_700_000_000_000)
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.event = asyncio.Event()
        self.files: dict[str, bytes] = {}  # files people sent with a message, by path
        self.file_auth: list[str] = []  # the Authorization header of each file fetched

    # Life cycle ---------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/openid/.well-known/openid-configuration", self._openid)
        app.router.add_get("/openid/keys", self._jwks)
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conv}/activities", self._send)
        app.router.add_post("/v3/conversations/{conv}/activities/{id}", self._send)
        app.router.add_put("/v3/conversations/{conv}/activities/{id}", self._update)
        app.router.add_get("/v3/conversations/{conv}/members/{member}", self._member)
        app.router.add_get("/v3/conversations/{conv}/pagedmembers", self._paged)
        app.router.add_get("/v3/conversations/{conv}/members", self._members)
        app.router.add_get("/v3/attachments/{id}/views/original", self._file)
        app.router.add_get("/files/{id}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _file(self, request: web.Request) -> web.StreamResponse:
        self.file_auth.append(request.headers.get("Authorization", ""))
        if request.path.startswith("/v3/") and request.headers.get("Authorization") != (
            f"Bearer {OUTBOUND_TOKEN}"
        ):
            return web.Response(status=401)
        data = self.files.get(request.path)
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/png")

    def attach(
        self, activity: dict[str, Any], name: str, data: bytes, *, pasted: bool = True
    ) -> dict[str, Any]:
        """``activity`` with a file: a picture pasted in the message (on the Bot Connector,
        behind the bot's token), or a file sent to the bot (a pre-authorised download URL)."""
        n = len(self.files) + 1
        if pasted:
            path = f"/v3/attachments/a{n}/views/original"
            att = {"contentType": "image/png", "contentUrl": self.url.rstrip("/") + path}
        else:
            path = f"/files/f{n}"
            att = {
                "contentType": "application/vnd.microsoft.teams.file.download.info",
                "name": name,
                "content": {"downloadUrl": self.url.rstrip("/") + path, "fileType": "png"},
            }
        self.files[path] = data
        activity.setdefault("attachments", []).append({"name": name, **att})
        return activity

    @property
    def openid_url(self) -> str:
        return self.url + "openid/.well-known/openid-configuration"

    # Reading what happened ----------------------------------------------------------------------

    def of_kind(self, kind: str) -> list[Call]:
        return [c for c in self.calls if c.kind == kind]

    def posts(self) -> list[Call]:
        """Every call that showed something new (send, reply, create with an activity)."""
        return [
            c
            for c in self.calls
            if c.kind in ("send", "reply")
            or (c.kind == "create" and (c.body or {}).get("activity"))
        ]

    def texts(self, call: Call) -> str:
        """All the text of a posted or updated card, for assertions."""
        body = call.body.get("activity") if call.kind == "create" else call.body
        return card_text(body)

    async def wait_for(self, predicate: Any, timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = predicate()
            if found:
                return found
            self.event.clear()
            try:
                await asyncio.wait_for(self.event.wait(), 0.05)
            except TimeoutError:
                pass
        raise AssertionError("the Bot Connector never received the expected call")

    # Handlers -----------------------------------------------------------------------------------

    def _record(self, request: web.Request, body: Any) -> Call:
        call = Call(
            request.method,
            request.path,
            request.match_info.get("conv", ""),
            request.match_info.get("id", ""),
            body,
            request.headers.get("Authorization", ""),
            request.transport.get_extra_info("peername") if request.transport else None,
        )
        self.calls.append(call)
        self.event.set()
        return call

    def _failure(self, kind: str) -> web.Response | None:
        status = self.fail.pop(kind, None)
        if status == 429:  # Teams throttling
            return web.json_response(
                {"error": {"code": "TooManyRequests"}}, status=429, headers={"Retry-After": "0"}
            )
        if status:
            return web.json_response(
                {"error": {"code": "Forbidden", "message": "no"}}, status=status
            )
        return None

    async def _openid(self, request: web.Request) -> web.Response:
        self.openid_hits += 1
        if self.fail.pop("openid", None):
            return web.json_response({"error": "unavailable"}, status=503)
        return web.json_response(
            {
                "issuer": ISSUER,
                "jwks_uri": self.url + "openid/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _jwks(self, request: web.Request) -> web.Response:
        return web.json_response(self.keys.jwks())

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        call = self._record(request, body)
        failed = self._failure("create")
        if failed:
            return failed
        channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        if channel:
            new_id = str(next(self._ids))
            conv = f"{channel};messageid={new_id}"
            self.messages[new_id] = Posted(
                new_id, conv, body.get("activity") or {}, [body.get("activity") or {}]
            )
            call.activity_id = ""
            return web.json_response(
                {"id": conv, "activityId": new_id, "serviceUrl": self.url}, status=201
            )
        member = ((body.get("members") or [{}])[0]).get("id", "")
        return web.json_response({"id": f"a:1on1-{member}"}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        failed = self._failure("send")
        if failed:
            return failed
        new_id = str(next(self._ids))
        conv = request.match_info["conv"]
        self.messages[new_id] = Posted(new_id, conv, body, [body])
        return web.json_response({"id": new_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        msg = self.messages.get(request.match_info["id"])
        if msg is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        msg.activity = body
        msg.history.append(body)
        return web.json_response({"id": msg.id})

    def _roster(self, conv: str) -> list[dict[str, Any]]:
        return self.rosters.get(conv.split(";")[0], [])

    async def _member(self, request: web.Request) -> web.Response:
        self._record(request, None)
        for m in self._roster(request.match_info["conv"]):
            if m["id"] == request.match_info["member"]:
                return web.json_response(m)
        return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)

    async def _paged(self, request: web.Request) -> web.Response:
        self._record(request, None)
        failed = self._failure("members")
        if failed:
            return failed
        return web.json_response(
            {"members": self._roster(request.match_info["conv"]), "continuationToken": None}
        )

    async def _members(self, request: web.Request) -> web.Response:
        self._record(request, None)
        return web.json_response(self._roster(request.match_info["conv"]))


def nodes(node: Any) -> Any:
    """Every JSON object inside ``node`` (a card, an activity), outermost first."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from nodes(v)
    elif isinstance(node, list):
        for v in node:
            yield from nodes(v)


def card_text(activity: dict[str, Any] | None) -> str:
    """Every text, fact, choice and action title of the cards in an activity."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label", "placeholder"):
                if isinstance(node.get(key), str) and not node.get(key, "").startswith("data:"):
                    out.append(node[key])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk((activity or {}).get("attachments"))
    return "\n".join(out)


# Activities as Teams sends them -------------------------------------------------------------------


def typed(data: dict[str, Any], inputs: dict[str, Any] | None) -> dict[str, Any]:
    """What a client sends for values typed into a form: each under its input's id in the card
    (found from the form's field names, as a person finds a field by its label)."""
    fields = data.get("_in") if isinstance(data.get("_in"), dict) else {}
    out: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        spec = fields.get(name)
        out[spec[0] if isinstance(spec, list) and spec else name] = value
    return out


def user(n: str, name: str | None = None) -> dict[str, str]:
    return {
        "id": f"29:1{n}-user",
        "name": name or n.title(),
        "aadObjectId": str(uuid.uuid5(uuid.NAMESPACE_DNS, n)),
    }


class TeamsActivities:
    """Builds realistic activities for one channel of one team (and chats)."""

    def __init__(
        self, service_url: str, *, team: str = TEAM, channel: str = CHANNEL, tenant: str = TENANT
    ) -> None:
        self.service_url = service_url
        self.team = team
        self.channel = channel
        self.tenant = tenant
        self._ids = itertools.count(1_600_000_000_000)

    def _base(
        self, who: dict[str, str], conversation: dict[str, Any], channel_data: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "id": str(next(self._ids)),
            "timestamp": "2024-05-02T09:30:00.000Z",
            "localTimestamp": "2024-05-02T11:30:00.000+02:00",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": who,
            "conversation": conversation,
            "recipient": {"id": BOT_ID, "name": "copkit"},
            "entities": [
                {
                    "type": "clientInfo",
                    "locale": "en-US",
                    "country": "US",
                    "platform": "Web",
                    "timezone": "Europe/Berlin",
                }
            ],
            "channelData": channel_data,
            "locale": "en-US",
            "localTimezone": "Europe/Berlin",
        }

    def channel_data(self) -> dict[str, Any]:
        return {
            "teamsChannelId": self.channel,
            "teamsTeamId": self.team,
            "channel": {"id": self.channel, "name": "CoP"},
            "team": {
                "id": self.team,
                "name": "Engineering",
                "aadGroupId": "a1b2c3d4-0000-0000-0000-000000000001",
            },
            "tenant": {"id": self.tenant},
        }

    def channel_conversation(
        self, root: str | None = None, conversation: str | None = None
    ) -> dict[str, Any]:
        return {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": self.tenant,
            "id": conversation or f"{self.channel};messageid={root or next(self._ids)}",
        }

    def mention(
        self,
        who: dict[str, str],
        text: str,
        *,
        mentions: list[dict[str, str]] = (),
        root: str | None = None,
        conversation: str | None = None,
    ) -> dict[str, Any]:
        """``who`` writes ``<at>copkit</at> text`` in the channel (a new post, or in thread ``root``);
        ``{0}``, ``{1}`` … in ``text`` become mentions of ``mentions``."""
        body = text.format(*[f"<at>{m['name']}</at>" for m in mentions])
        activity = self._base(
            who, self.channel_conversation(root, conversation), self.channel_data()
        )
        if root is None and conversation is None:  # a new post: its thread is named after it
            activity["conversation"]["id"] = f"{self.channel};messageid={activity['id']}"
        activity.update(
            {"type": "message", "text": f"<at>copkit</at> {body}", "textFormat": "plain"}
        )
        activity["entities"] = [
            {
                "type": "mention",
                "text": "<at>copkit</at>",
                "mentioned": {"id": BOT_ID, "name": "copkit"},
            },
            *(
                {
                    "type": "mention",
                    "text": f"<at>{m['name']}</at>",
                    "mentioned": {"id": m["id"], "name": m["name"]},
                }
                for m in mentions
            ),
            *activity["entities"],
        ]
        return activity

    def personal(
        self, who: dict[str, str], text: str, conversation: str | None = None
    ) -> dict[str, Any]:
        conv = {
            "conversationType": "personal",
            "tenantId": self.tenant,
            "id": conversation or f"a:1on1-{who['id']}",
        }
        activity = self._base(who, conv, {"tenant": {"id": self.tenant}})
        activity.update({"type": "message", "text": text, "textFormat": "plain"})
        return activity

    def group_chat(
        self,
        who: dict[str, str],
        text: str,
        chat: str = "19:groupchat-1@thread.v2",
        meeting: bool = False,
    ) -> dict[str, Any]:
        conv = {
            "isGroup": True,
            "conversationType": "groupChat",
            "tenantId": self.tenant,
            "id": chat,
        }
        data: dict[str, Any] = {"tenant": {"id": self.tenant}}
        if meeting:
            data["meeting"] = {"id": "MCMjMiMjMTIzNA=="}
        activity = self._base(who, conv, data)
        activity.update(
            {"type": "message", "text": f"<at>copkit</at> {text}", "textFormat": "plain"}
        )
        activity["entities"] = [
            {
                "type": "mention",
                "text": "<at>copkit</at>",
                "mentioned": {"id": BOT_ID, "name": "copkit"},
            }
        ]
        return activity

    def execute(
        self,
        who: dict[str, str],
        card_message: str,
        data: dict[str, Any],
        *,
        conversation: str | None = None,
        inputs: dict[str, Any] | None = None,
        personal: bool = False,
    ) -> dict[str, Any]:
        """``who`` presses an Action.Execute on the card posted as ``card_message``."""
        if personal:
            conv = {
                "conversationType": "personal",
                "tenantId": self.tenant,
                "id": conversation or f"a:1on1-{who['id']}",
            }
            activity = self._base(
                who, conv, {"tenant": {"id": self.tenant}, "source": {"name": "message"}}
            )
        else:
            activity = self._base(
                who,
                self.channel_conversation(conversation=conversation),
                {**self.channel_data(), "source": {"name": "message"}},
            )
        activity.update(
            {
                "type": "invoke",
                "name": "adaptiveCard/action",
                "replyToId": card_message,
                "value": {
                    "action": {
                        "type": "Action.Execute",
                        "verb": data.get("copkit", ""),
                        "data": {**data, **typed(data, inputs)},
                    },
                    "trigger": "manual",
                },
            }
        )
        return activity

    def submit(
        self,
        who: dict[str, str],
        card_message: str,
        data: dict[str, Any],
        *,
        conversation: str | None = None,
        inputs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``who`` presses the Action.Submit fallback (an older client)."""
        activity = self._base(
            who, self.channel_conversation(conversation=conversation), self.channel_data()
        )
        activity.update(
            {"type": "message", "replyToId": card_message, "value": {**data, **typed(data, inputs)}}
        )
        return activity

    def installed(self, who: dict[str, str], *, personal: bool = False) -> dict[str, Any]:
        """copkit is added to the team (its General channel) or to ``who``'s personal chat."""
        if personal:
            conv = {
                "conversationType": "personal",
                "tenantId": self.tenant,
                "id": f"a:1on1-{who['id']}",
            }
            data: dict[str, Any] = {"tenant": {"id": self.tenant}}
        else:
            conv = {
                "isGroup": True,
                "conversationType": "channel",
                "tenantId": self.tenant,
                "id": self.team,
            }
            data = {**self.channel_data(), "eventType": "teamMemberAdded"}
            data["channel"] = {"id": self.team, "name": "General"}
        activity = self._base(who, conv, data)
        activity.update({"type": "conversationUpdate", "membersAdded": [{"id": BOT_ID}]})
        return activity

    def meeting_event(
        self, name: str, people: list[dict[str, str]], chat: str = "19:meeting_ZmFrZQ@thread.v2"
    ) -> dict[str, Any]:
        conv = {
            "isGroup": True,
            "conversationType": "groupChat",
            "tenantId": self.tenant,
            "id": chat,
        }
        activity = self._base(
            people[0] if people else user("organizer"),
            conv,
            {"tenant": {"id": self.tenant}, "meeting": {"id": "MCMjMiMjMTIzNA=="}},
        )
        activity.update(
            {
                "type": "event",
                "name": f"application/vnd.microsoft.meetingParticipant{name}",
                "value": {
                    "members": [
                        {"user": p, "meeting": {"inMeeting": name == "Join", "role": "Attendee"}}
                        for p in people
                    ]
                },
            }
        )
        return activity


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action in a card (ActionSets, ShowCards, fallbacks excluded)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action."):
                found.append(node)
            for key, value in node.items():
                if key != "fallback" and isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def action(card: dict[str, Any], title: str) -> dict[str, Any]:
    for a in actions_of(card):
        if a.get("title") == title:
            return a
    raise AssertionError(
        f"no action {title!r} in card: {[a.get('title') for a in actions_of(card)]}"
    )


def dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True)
