"""Reading Teams activities (plain JSON): who, where, which community, what was typed or clicked.

Pure functions, defensive about shapes: an activity is client input until proven otherwise.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from copkit.core.events import Person

JSON = dict[str, Any]

HANDLED = {"message", "invoke", "event", "conversationUpdate"}
MEETING_JOIN = "application/vnd.microsoft.meetingParticipantJoin"
MEETING_LEAVE = "application/vnd.microsoft.meetingParticipantLeave"
MEETING_START = "application/vnd.microsoft.meetingStart"
MEETING_END = "application/vnd.microsoft.meetingEnd"
CARD_ACTION = "adaptiveCard/action"

MAX_ITEMS = 1000  # entries of a list in an activity (membersAdded, entities, …)
MAX_MENTIONS = 100  # mentions read in one message
MAX_COMMUNITY_ID = 200  # tenant/team or tenant/conversation, as stored
MAX_CONVERSATION_ID = 300
MAX_PERSON_ID = 200
_LISTS = ("membersAdded", "membersRemoved", "entities", "attachments", "reactionsAdded")

# Linear whatever the text: no pattern scans past the next "<" (a message of 7,000 "<at>" took
# 1.7 s of the event loop with "<at[^>]*>(.*?)</at>").
_AT = re.compile(r"<at(?:\s[^<>]*)?>([^<]*)</at>", re.I)
_BREAK = re.compile(r"<br\s*/?>|</p>|</div>", re.I)
_TAG = re.compile(r"<[^<>]+>")


class Malformed(ValueError):
    """The activity lacks something every activity of its type has."""


def obj(d: Any, key: str) -> JSON:
    value = d.get(key) if isinstance(d, dict) else None
    return value if isinstance(value, dict) else {}


def text_of(d: Any, key: str) -> str:
    value = d.get(key) if isinstance(d, dict) else None
    return value if isinstance(value, str) else ""


def check(activity: JSON) -> None:
    """Raise :class:`Malformed` unless the activity has the fields we rely on."""
    kind = activity.get("type")
    if not isinstance(kind, str) or not kind:
        raise Malformed("no activity type")
    if kind not in HANDLED:
        return
    if not text_of(obj(activity, "conversation"), "id"):
        raise Malformed("no conversation id")
    if not text_of(obj(activity, "from"), "id"):
        raise Malformed("no sender")
    url = urlparse(text_of(activity, "serviceUrl"))
    if url.scheme not in ("http", "https") or not url.netloc:
        raise Malformed("no serviceUrl")


def check_sizes(activity: JSON) -> None:
    """Raise :class:`Malformed` if a list or an id of the activity is longer than any Teams
    sends (and than copkit stores)."""
    if activity.get("type") not in HANDLED:
        return
    for key in _LISTS:
        items = activity.get(key)
        if isinstance(items, list) and len(items) > MAX_ITEMS:
            raise Malformed(f"more than {MAX_ITEMS} {key}")
    members = obj(activity, "value").get("members")
    if isinstance(members, list) and len(members) > MAX_ITEMS:
        raise Malformed(f"more than {MAX_ITEMS} members")
    w = where(activity)
    if (
        len(w.community_id) > MAX_COMMUNITY_ID
        or len(w.conversation_id) > MAX_CONVERSATION_ID
        or len(text_of(obj(activity, "from"), "id")) > MAX_PERSON_ID
        or len(text_of(activity, "id")) > MAX_CONVERSATION_ID
        or len(text_of(activity, "replyToId")) > MAX_CONVERSATION_ID
    ):
        raise Malformed("an id is too long")


def base_conversation(conversation_id: str) -> str:
    """A channel thread's conversation id without its ``;messageid=…`` part."""
    return conversation_id.split(";", 1)[0]


def tenant_of(activity: JSON) -> str:
    return (
        text_of(obj(obj(activity, "channelData"), "tenant"), "id")
        or text_of(obj(activity, "conversation"), "tenantId")
        or "local"
    )


def conversation_type(activity: JSON) -> str:
    conv = obj(activity, "conversation")
    kind = text_of(conv, "conversationType")
    if kind:
        return kind
    return "groupChat" if conv.get("isGroup") else "personal"


def is_meeting(activity: JSON) -> bool:
    return bool(obj(obj(activity, "channelData"), "meeting")) or "meeting_" in text_of(
        obj(activity, "conversation"), "id"
    )


@dataclass(frozen=True)
class Where:
    """The community and room an activity belongs to."""

    community_id: str  # tenant/team-id or tenant/conversation-id
    community_name: str
    team_id: str  # "" outside a team
    conversation_id: str  # as received (a channel thread keeps its ;messageid=)
    conversation_type: str  # channel | groupChat | personal
    room_name: str
    tenant_id: str


def where(activity: JSON) -> Where:
    tenant = tenant_of(activity)
    data = obj(activity, "channelData")
    team = obj(data, "team")
    conv = obj(activity, "conversation")
    conv_id = text_of(conv, "id")
    kind = conversation_type(activity)
    team_id = text_of(team, "id")
    if team_id:
        community, name = f"{tenant}/{team_id}", text_of(team, "name") or "Team"
    else:
        community = f"{tenant}/{base_conversation(conv_id)}"
        name = text_of(conv, "name") or ("Personal chat" if kind == "personal" else "Group chat")
    room_name = text_of(obj(data, "channel"), "name") or text_of(conv, "name") or kind
    return Where(community, name, team_id, conv_id, kind, room_name, tenant)


def team_of_community(community_id: str) -> str:
    """The team (or channel) id in a community id ``tenant/19:…@thread.tacv2``; "" for chats."""
    conv = community_id.split("/", 1)[-1]
    return conv if conv.endswith(("@thread.tacv2", "@thread.skype")) else ""


def roster_of_community(community_id: str) -> str:
    """The conversation whose members make up a community (a team, a channel or a group chat);
    "" for a personal chat, whose only member is the person."""
    conv = community_id.split("/", 1)[-1]
    return "" if not conv or conv.startswith("a:") or conv == community_id else conv


def person(activity: JSON) -> Person:
    sender = obj(activity, "from")
    return Person(id=text_of(sender, "id"), name=text_of(sender, "name")[:200])


def _token(name: str) -> str:
    name = name.replace("“", "").replace("”", "").strip()
    return f"“@{name}”" if any(ch.isspace() for ch in name) else f"@{name}"


def command_text(activity: JSON) -> tuple[str, dict[str, Person]]:
    """The typed text with the bot's @-mention removed, other mentions turned into ``@Name``
    tokens (quoted when the name has spaces), and HTML stripped; plus the people mentioned,
    by name and by id."""
    text = text_of(activity, "text")
    bot_id = text_of(obj(activity, "recipient"), "id")
    mentions: dict[str, Person] = {}
    entities = activity.get("entities")
    if not isinstance(entities, list):
        entities = []
    mentioned = [
        e for e in entities if isinstance(e, dict) and str(e.get("type", "")).lower() == "mention"
    ]
    for e in mentioned[:MAX_MENTIONS]:
        who = obj(e, "mentioned")
        who_id, who_name = text_of(who, "id"), html.unescape(text_of(who, "name"))
        shown = text_of(e, "text")
        if not shown:
            continue
        if who_id and who_id == bot_id:
            text = text.replace(shown, " ")
            continue
        inner = html.unescape(_AT.sub(r"\1", shown)).strip() or who_name
        if who_id:
            p = Person(id=who_id, name=who_name or inner)
            mentions[who_id] = p
            mentions[inner] = p
            if who_name:
                mentions[who_name] = p
        text = text.replace(shown, " " + _token(inner) + " ")
    text = _AT.sub(lambda m: " " + m.group(1) + " ", text)  # mentions without an entity
    text = _BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip(), mentions


def card_action(activity: JSON) -> tuple[JSON, str] | None:
    """The data of a card action and how it came (``execute`` or ``submit``), if it is one."""
    if activity.get("type") == "invoke" and activity.get("name") == CARD_ACTION:
        value = obj(activity, "value")
        action = obj(value, "action")
        data = dict(obj(action, "data"))
        if not data.get("copkit") and text_of(action, "verb"):
            data["copkit"] = text_of(action, "verb")
        return data, "execute"
    if activity.get("type") == "message":
        submitted = activity.get("value")
        if isinstance(submitted, dict) and isinstance(submitted.get("copkit"), str):
            return dict(submitted), "submit"
    return None


def bot_added(activity: JSON) -> bool:
    """A conversation update saying copkit itself joined (installed in a team or chat)."""
    bot_id = text_of(obj(activity, "recipient"), "id")
    added = activity.get("membersAdded")
    return bool(bot_id) and any(
        isinstance(m, dict) and m.get("id") == bot_id
        for m in (added if isinstance(added, list) else [])
    )


def refresh_trigger(activity: JSON) -> bool:
    """An automatic refresh (the card asking for a fresh copy), not a click."""
    return text_of(obj(activity, "value"), "trigger") == "automatic"


def meeting_members(activity: JSON) -> list[Person]:
    members = obj(activity, "value").get("members")
    people = []
    for m in members if isinstance(members, list) else []:
        user = obj(m, "user")
        if text_of(user, "id"):
            people.append(Person(id=text_of(user, "id"), name=text_of(user, "name")[:200]))
    return people
