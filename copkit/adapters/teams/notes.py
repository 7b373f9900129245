"""The signed note on the actions of a private card (a card sent to a person's 1:1 chat).

A private card's buttons act in the community and room the card belongs to, not in the 1:1 chat
they are pressed in. Each action carries a note saying so, signed by copkit: the community, the
room, the person the card is for, the action it is on and until when it holds. A note copied to
another action, to another person's click, or pressed after it expired is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

JSON = dict[str, Any]

LIFETIME = timedelta(days=14)  # a private card left unused this long asks to be opened again
FIELDS = ("c", "r", "u", "e", "s")


def _text(value: object) -> str:
    """A note's text field, or ``""`` when it is missing or not text."""
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Origin:
    """Where a private card's click acts, and for whom."""

    community: str
    room: str
    person: str


class Refused(Exception):
    """A note that does not hold: ``reason`` is ``tampered``, ``expired`` or ``other-action``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Notes:
    """Signs and checks notes with a key derived from the bot's secret."""

    def __init__(self, secret: str, now: Callable[[], datetime]) -> None:
        self._key = hashlib.sha256(b"copkit-teams-card:" + secret.encode()).digest()
        self._now = now

    def _mac(self, community: str, room: str, person: str, action: str, expires: int) -> str:
        message = "\n".join((community, room, person, action, str(expires)))
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()[:32]

    def for_card(self, community: str, room: str, person: str) -> Callable[[str], JSON]:
        """The note for each action of a card rendered now (given the action's id)."""
        expires = int((self._now() + LIFETIME).timestamp())

        def note(action_id: str) -> JSON:
            mac = self._mac(community, room, person, action_id, expires)
            return {"c": community, "r": room, "u": person, "e": expires, "s": mac}

        return note

    def check(self, data: JSON, action_id: str) -> Origin | None:
        """The origin of an action's note; ``None`` if it has none; :class:`Refused` if it does
        not hold for this action now."""
        if not any(k in data for k in FIELDS):
            return None
        c, r, u, s = (_text(data.get(k)) for k in ("c", "r", "u", "s"))
        expires = data.get("e")
        if not all((c, r, u, s)) or type(expires) is not int:
            raise Refused("tampered")
        if not hmac.compare_digest(self._mac(c, r, u, action_id, expires), s):
            raise Refused("other-action")
        if self._now().timestamp() > expires:
            raise Refused("expired")
        return Origin(c, r, u)
