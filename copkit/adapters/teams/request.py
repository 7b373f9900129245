"""The inbound activity being answered, as the messenger sees it, and the adapter's small
bounded caches (an LRU, and the cards last shown)."""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from copkit.core.events import Person
from copkit.core.views import View

from . import inbound
from .cards import Context
from .connector import JSON
from .inbound import Where
from .seam import Turn


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


class ShownCards:
    """The card last posted or updated as each message (rendered: pictures already cut), to
    answer a refresh or a click that changed nothing.

    Keyed by the conversation *and* the message: a card is only given back in the conversation
    it was posted in. A private card (made for one person) is kept with that person and given
    back to them only; it is never returned from what other people can ask for.

    Each card is kept as its JSON text (a few KB; as Python dicts and lists it takes several
    times that), and every ``get`` gives a new copy."""

    def __init__(self, size: int) -> None:
        self._cards = LRU(size)

    def put(self, conversation: str, message_id: str, card: JSON, person: str | None) -> None:
        if conversation and message_id:
            key = (inbound.base_conversation(conversation), message_id)
            text = json.dumps(card, ensure_ascii=False, separators=(",", ":"))
            self._cards.put(key, (text.encode(), person))

    def get(self, conversation: str, message_id: str, person: str) -> JSON | None:
        entry = self._cards.get((inbound.base_conversation(conversation), message_id))
        if entry is None:
            return None
        text, owner = entry
        if owner is not None and owner != person:
            return None
        card: JSON = json.loads(text)
        return card

    def __len__(self) -> int:
        return len(self._cards)


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
    card_context: Context = None
    seen_by: bool = False  # the answer is a shared card as this person sees it (their own part)
    sent: int = 0
    done: bool = False

    @property
    def private_answer(self) -> bool:
        """Whether the answer to this request is for the person alone (never to be kept)."""
        return self.kind == "invoke" and (
            self.private_card or bool(self.notices) or self.card_context is not None or self.seen_by
        )

    @property
    def service_url(self) -> str:
        return inbound.text_of(self.activity, "serviceUrl")

    @property
    def activity_id(self) -> str:
        return inbound.text_of(self.activity, "id")

    @property
    def card_id(self) -> str:
        return inbound.text_of(self.activity, "replyToId")
