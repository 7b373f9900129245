"""Files sent with a Teams message, as the core takes them (:class:`~copkit.core.events.Upload`).

Two kinds of attachment carry a file a bot may read:
- a file (``application/vnd.microsoft.teams.file.download.info``): its ``downloadUrl`` is
  pre-authorised, fetched as it is (over HTTPS, or from the conversation's own service);
- a picture pasted into the message (``image/*``): its ``contentUrl`` is on the Bot Connector
  and needs the bot's token, which is sent only to the message's own ``serviceUrl`` origin.

Only a message whose command takes a file gets its files downloaded (see :func:`wants_file`);
at most :data:`~copkit.core.events.UPLOAD_READ_MAX` bytes are read of each.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from copkit.core import parsing
from copkit.core.errors import UserError
from copkit.core.events import UPLOAD_READ_MAX, Upload
from copkit.core.specs import Registry

log = logging.getLogger("copkit.teams")

FILE_INFO = "application/vnd.microsoft.teams.file.download.info"
FILES_MAX = 3  # files read of one message
TIMEOUT = 15.0

Token = Callable[[], Awaitable[str]]


def wants_file(registry: Registry, text: str) -> bool:
    """Whether ``text`` runs a command that takes a file."""
    try:
        words = parsing.tokenize(text.strip())
        if words and words[0].lower() in ("copkit", "/copkit"):
            words = words[1:]
        if not words:
            return False
        words[0] = words[0].lstrip("/")
        cmd, _rest = parsing.resolve(registry.commands, words)
    except UserError:
        return False
    return any(a.type == "file" for a in cmd.args)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def sources(activity: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """``(name, url, with_token)`` of each file the message carries that copkit may fetch."""
    service = _origin(str(activity.get("serviceUrl") or ""))
    out: list[tuple[str, str, bool]] = []
    for att in activity.get("attachments") or []:
        if not isinstance(att, dict):
            continue
        kind = str(att.get("contentType") or "")
        content = att.get("content")
        if not isinstance(content, dict):
            content = {}
        if kind == FILE_INFO:
            url, token = str(content.get("downloadUrl") or ""), False
        elif kind.startswith("image/"):
            url, token = str(att.get("contentUrl") or ""), True
        else:
            continue
        origin = _origin(url)
        if not url or (origin != service and (token or origin[0] != "https")):
            continue  # the token goes only to the message's own service; files over HTTPS
        name = str(att.get("name") or "picture.png")[:200]
        out.append((name, url, token))
    return out[:FILES_MAX]


async def uploads_of(activity: dict[str, Any], token: Token) -> tuple[Upload, ...]:
    """The files of ``activity``, downloaded (a file that cannot be fetched is left out)."""
    found = sources(activity)
    if not found:
        return ()
    out: list[Upload] = []
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for name, url, with_token in found:
            headers = {}
            if with_token and (bearer := await token()):
                headers["Authorization"] = f"Bearer {bearer}"
            try:
                async with session.get(url, headers=headers, allow_redirects=False) as resp:
                    if resp.status != 200:
                        log.warning("could not fetch a file sent with a message: %s", resp.status)
                        continue
                    data = b""
                    while len(data) <= UPLOAD_READ_MAX and (
                        chunk := await resp.content.read(65536)
                    ):
                        data += chunk
                    kind = resp.headers.get("Content-Type", "")
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("could not fetch a file sent with a message: %s", exc)
                continue
            if len(data) > UPLOAD_READ_MAX:
                out.append(Upload(name, len(data), b"", kind))
            else:
                out.append(Upload(name, len(data), data, kind))
    return tuple(out)
