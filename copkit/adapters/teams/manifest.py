"""The Teams app package: ``manifest.json``, ``color.png`` (192×192) and ``outline.png`` (32×32,
white on transparent) in one zip, ready to upload in Teams (Apps › Manage your apps › Upload)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from copkit import __version__
from copkit.core.errors import StartupError
from copkit.core.specs import Command, Registry

MANIFEST_VERSION = "1.22"
SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT = "#2E7D6F"
SCOPES = ("team", "groupChat", "personal")
MAX_COMMANDS = 10  # the strictest limit among current manifest versions
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Read meeting participants and meeting start/end in the chats the app is installed in.
RSC = (
    "OnlineMeetingParticipant.Read.Chat",
    "OnlineMeeting.ReadBasic.Chat",
    "ChannelMeeting.ReadBasic.Group",
    "OnlineMeetingNotification.Send.Chat",  # "time is up" as an in-meeting notification
)
# Where the meeting tab and side panel show the live board: the community site's events page,
# told by Teams which chat and meeting it is in (its URL placeholders).
TAB_PATH = "/events?teams_chat={chatId}&teams_meeting={meetingId}"
TAB_CONTEXTS = ("meetingSidePanel", "meetingChatTab", "meetingDetailsTab", "meetingStage")


def _chosen(registry: Registry) -> list[Command]:
    """Command suggestions: ``help``, then each format's commands in turn (as declared, so a
    format's first command, usually its start, comes first), then the core's own commands."""
    commands = list(registry.commands.values())
    chosen = [c for c in commands if c.path == ("help",)]
    by_format: dict[str, list[Command]] = {}
    for c in commands:
        if c.format:
            by_format.setdefault(c.format, []).append(c)
    queues = [by_format[f] for f in sorted(by_format)]
    room = MAX_COMMANDS - 2  # keep two places for the core (formats, roles)
    for turn in range(max((len(q) for q in queues), default=0)):
        for q in queues:
            if turn < len(q) and len(chosen) < room:
                chosen.append(q[turn])
    core = [c for c in commands if not c.format and c not in chosen]
    chosen += sorted(core, key=lambda c: len(c.path))  # stable: declaration order within
    return chosen[:MAX_COMMANDS]


def command_lists(registry: Registry) -> list[dict[str, Any]]:
    commands = [
        {"title": c.name[:32], "description": (c.help.rstrip(".") + f" — {c.usage()}")[:128]}
        for c in _chosen(registry)
    ]
    return [{"scopes": [scope], "commands": commands} for scope in SCOPES]


def manifest(
    registry: Registry,
    *,
    app_id: str,
    name: str = "copkit",
    domain: str = "",
    version: str | None = None,
    meeting_tab_url: str = "",
) -> dict[str, Any]:
    """The manifest. With a ``domain`` (or a ``meeting_tab_url``), meetings get a tab and a
    side panel showing the live board (by default the community site's events page there)."""
    version = version or __version__
    if not re.fullmatch(r"\d{1,5}\.\d{1,5}\.\d{1,5}", version):
        raise StartupError(f"--app-version must look like 1.2.3, not {version!r}")
    if not _GUID.match(app_id or ""):
        raise StartupError(
            f"--app-id must be the Azure Bot's Microsoft App ID (a GUID), not {app_id!r}"
        )
    domain = domain.removeprefix("https://").removeprefix("http://").strip("/")
    site = f"https://{domain}" if domain else "https://github.com/copkit/copkit"
    short = (name or "copkit")[:30]
    formats = (
        ", ".join(f.title for f in sorted(registry.formats.values(), key=lambda f: f.name))
        or "formats"
    )
    domains = [domain] if domain else []
    tab = meeting_tab_url or (f"https://{domain}{TAB_PATH}" if domain else "")
    tabs: list[dict[str, Any]] = []
    if tab:
        if not re.fullmatch(r"https://[A-Za-z0-9.\-]+(:\d+)?(/\S*)?", tab):
            raise StartupError(f"the meeting tab must be an https:// address, not {tab!r}")
        host = tab.removeprefix("https://").split("/", 1)[0].split(":", 1)[0]
        domains += [host] if host not in domains else []
        tabs.append(
            {
                "entityId": "copkit-board",
                "name": "Board",
                "contentUrl": tab,
                "websiteUrl": tab,
                "scopes": ["groupChat", "team"],
                "context": list(TAB_CONTEXTS),
            }
        )
    data = {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": short,
            "websiteUrl": site,
            "privacyUrl": site + "/privacy",
            "termsOfUseUrl": site + "/terms",
        },
        "name": {"short": short, "full": f"{short}: run your Community of Practice"[:100]},
        "description": {
            "short": "Lean coffee, talks and health checks in Teams"[:80],
            "full": (
                "copkit runs a Community of Practice where people already are: " + formats + ". "
                "Mention the bot in a channel or chat with it (try: help)."
            )[:4000],
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": app_id,
                "scopes": list(SCOPES),
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": command_lists(registry),
            }
        ],
        "validDomains": domains,
        "webApplicationInfo": {"id": app_id, "resource": "https://RscBasedStoreApp"},
        "authorization": {
            "permissions": {"resourceSpecific": [{"name": p, "type": "Application"} for p in RSC]}
        },
    }
    if tabs:
        data["staticTabs"] = tabs
    return data


def _icon(size: int, *, outline: bool) -> bytes:
    """Three people around a table: on the accent colour, or white on transparent."""
    from PIL import Image, ImageDraw

    scale = 4  # draw large, then downsample for smooth edges
    s = size * scale
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    white = (255, 255, 255, 255)
    if not outline:
        r = int(ACCENT[1:3], 16), int(ACCENT[3:5], 16), int(ACCENT[5:7], 16), 255
        draw.rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 5, fill=r)
    pad = s * (0.06 if outline else 0.2)
    inner = s - 2 * pad
    head = inner * 0.14
    for cx in (pad + inner * 0.2, pad + inner * 0.5, pad + inner * 0.8):
        cy = pad + inner * 0.3
        draw.ellipse((cx - head, cy - head, cx + head, cy + head), fill=white)
        draw.pieslice(
            (cx - head * 1.6, cy + head * 1.2, cx + head * 1.6, cy + head * 4.2),
            180,
            360,
            fill=white,
        )
    top = pad + inner * 0.72
    draw.rounded_rectangle(
        (pad, top, s - pad, top + inner * 0.14), radius=int(inner * 0.05), fill=white
    )
    out = io.BytesIO()
    img.resize((size, size), Image.Resampling.LANCZOS).save(out, format="PNG")
    return out.getvalue()


def write_package(
    registry: Registry,
    *,
    app_id: str,
    out: Path,
    name: str = "copkit",
    domain: str = "",
    version: str | None = None,
    meeting_tab_url: str = "",
) -> Path:
    """Write the app package zip to ``out`` and return its path."""
    data = manifest(
        registry,
        app_id=app_id,
        name=name,
        domain=domain,
        version=version,
        meeting_tab_url=meeting_tab_url,
    )
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise StartupError(f"the folder {out.parent} does not exist")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False))
        zf.writestr("color.png", _icon(192, outline=False))
        zf.writestr("outline.png", _icon(32, outline=True))
    return out
