"""The inbound activity being answered, as the messenger sees it, and a small LRU cache."""

from __future__ import annotations

import contextvars
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from copkit.core.events import Person
from copkit.core.views import View

from . import inbound
from .inbound import Where
from .sdk import JSON, Turn


class LRU(OrderedDict):
    """A dict that forgets its oldest entries beyond ``size``."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


@dataclass
class TeamsRequest:
    """The inbound activity being answered: what a messenger call needs to answer in place."""

    turn: Turn
    activity: JSON
    where: Where
    person: Person
    room_id: str
    kind: str  # message | invoke | event
    origin: str | None  # the conversation to answer the room in (None: the room's own)
    notices: list[View] = field(default_factory=list)
    private_card: bool = False  # the click came from a card only this person sees
    replaced: bool = False  # a private view already took the clicked card's place
    card_view: View | None = None
    card_context: JSON | None = None
    sent: int = 0
    done: bool = False

    @property
    def service_url(self) -> str:
        return inbound.text_of(self.activity, "serviceUrl")

    @property
    def activity_id(self) -> str:
        return inbound.text_of(self.activity, "id")

    @property
    def card_id(self) -> str:
        return inbound.text_of(self.activity, "replyToId")


current: contextvars.ContextVar[TeamsRequest | None] = contextvars.ContextVar(
    "copkit_teams_request", default=None
)
