"""The deck of dimensions: the default one for communities of practice, and editing it.

A dimension is never deleted: retiring it hides it from new rounds and keeps its results. Every
change is recorded in ``DeckChange``. A round copies the deck when it starts, so editing the deck
while a round is open changes the next round, not the open one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from copkit.core import store
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.parsing import to_int
from copkit.core.views import UserText

from .models import DeckChange, Dimension

TITLE_MAX = 100
STATEMENT_MAX = 300
DECK_MAX = 20  # a round stays answerable, and its results fit one message on every platform


@dataclass(frozen=True, slots=True)
class Card:
    key: str
    title: str
    awesome: str
    crappy: str


DEFAULT_DECK: tuple[Card, ...] = (
    Card(
        "purpose",
        N_("Purpose"),
        N_("We know why this community exists, and the reason still matters to us."),
        N_("We are no longer sure what we are here for."),
    ),
    Card(
        "value",
        N_("Value to me"),
        N_("I take something back to my daily work from almost every session."),
        N_("Taking part feels like time I cannot really spare."),
    ),
    Card(
        "rhythm",
        N_("Rhythm"),
        N_("We meet on a steady beat I can plan around, and sessions do happen."),
        N_("Sessions are irregular, get cancelled or clash with everything else."),
    ),
    Card(
        "safety",
        N_("Safe to speak"),
        N_("I can ask a naive question or disagree openly without worrying how it looks."),
        N_("I keep my doubts and questions to myself."),
    ),
    Card(
        "open-door",
        N_("Open door"),
        N_("Newcomers find us easily and feel welcome from their first session."),
        N_("It feels like a club of regulars; new faces rarely come back."),
    ),
    Card(
        "give-take",
        N_("Give and take"),
        N_("Many of us share, not just a few; I give about as much as I get."),
        N_("The same few people do all the talking and sharing."),
    ),
    Card(
        "ownership",
        N_("Shared ownership"),
        N_("Anyone can propose a topic, run a session or change how we work."),
        N_("Things only happen when the leader makes them happen."),
    ),
    Card(
        "knowledge",
        N_("Knowledge that sticks"),
        N_("What we learn is written down, easy to find and reused."),
        N_("Good insights vanish when the call ends."),
    ),
    Card(
        "impact",
        N_("Outward impact"),
        N_(
            "Our work shapes practice beyond the community; sponsors back it and people get credit."
        ),
        N_("Outside the community nobody knows or cares; it happens in spare time, unseen."),
    ),
    Card(
        "energy",
        N_("Energy"),
        N_("Formats vary, sessions are lively and fun, and I look forward to them."),
        N_("It is the same format every time and it feels like a chore."),
    ),
    Card(
        "leadership",
        N_("Sustainable leadership"),
        N_("The organising load is shared and someone could step in tomorrow."),
        N_("One or two people carry it all and are running out of steam."),
    ),
)
DEFAULT_KEYS = tuple(c.key for c in DEFAULT_DECK)


def slugify(title: str) -> str:
    """A short ASCII key for a title: ``Safe to speak`` → ``safe-to-speak``."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-")
    return slug or "dimension"


def snapshot(d: Dimension) -> dict[str, Any]:
    return {
        "key": d.key,
        "title": d.title,
        "awesome": d.awesome,
        "crappy": d.crappy,
        "position": d.position,
        "retired": d.retired_at is not None,
    }


def _check_text(title: str | None, awesome: str | None, crappy: str | None) -> None:
    if title is not None and not title.strip():
        raise UserError(_("A dimension needs a title."))
    if title is not None and len(title) > TITLE_MAX:
        raise UserError(_("The title is too long (at most {n} characters).").format(n=TITLE_MAX))
    for text in (awesome, crappy):
        if text is not None and not text.strip():
            raise UserError(_("Both statements need some words."))
        if text is not None and len(text) > STATEMENT_MAX:
            raise UserError(
                _("A statement is too long (at most {n} characters).").format(n=STATEMENT_MAX)
            )


def _check_room(deck: list[Dimension]) -> None:
    if len(deck) >= DECK_MAX:
        raise UserError(
            _("The deck is full ({n} dimensions): retire one first.").format(n=DECK_MAX)
        )


async def ensure_deck(community_id: int) -> None:
    """Give a community the default deck the first time it needs one (safe to race)."""
    if await Dimension.filter(community_id=community_id).exists():
        return
    for i, card in enumerate(DEFAULT_DECK, 1):  # another request may seed it at the same time
        await store.insert_if_absent(
            Dimension,
            community_id=community_id,
            key=card.key,
            default_key=card.key,
            title=_(card.title),
            awesome=_(card.awesome),
            crappy=_(card.crappy),
            position=i,
        )


async def active(community_id: int) -> list[Dimension]:
    await ensure_deck(community_id)
    return await Dimension.filter(community_id=community_id, retired_at=None).order_by(
        "position", "id"
    )


async def retired(community_id: int) -> list[Dimension]:
    return await Dimension.filter(community_id=community_id, retired_at__not_isnull=True).order_by(
        "retired_at", "id"
    )


async def find(community_id: int, ref: str, *, include_retired: bool = True) -> Dimension:
    """The dimension named by ``ref``: its key, its title or its position in the deck."""
    ref = ref.strip()
    deck = await active(community_id)
    n = to_int(ref, 1, len(deck)) if ref.isdigit() else None
    if n is not None:
        return deck[n - 1]
    pool = deck + (await retired(community_id) if include_retired else [])
    low = ref.lower()
    for d in pool:
        if d.key == low or d.title.lower() == low:
            return d
    slug = slugify(ref)
    for d in pool:
        if d.key == slug or slugify(d.title) == slug:
            return d
    names = ", ".join(d.key for d in deck)
    raise UserError(
        _("There is no dimension “{name}”. The deck has: {names}.").format(
            name=ref[:60], names=names
        )
    )


async def _record(
    community_id: int,
    member: str,
    action: str,
    dimension: Dimension | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: datetime,
) -> None:
    await DeckChange.create(
        community_id=community_id,
        dimension=dimension,
        at=now,
        member=member,
        action=action,
        before=before,
        after=after,
    )


async def _renumber(community_id: int, order: list[Dimension]) -> None:
    for i, d in enumerate(order, 1):
        if d.position != i:
            d.position = i
            await Dimension.filter(id=d.id).update(position=i)


async def add(
    community_id: int, member: str, title: str, awesome: str, crappy: str, now: datetime
) -> Dimension:
    title, awesome, crappy = title.strip(), awesome.strip(), crappy.strip()
    _check_text(title, awesome, crappy)
    deck = await active(community_id)
    _check_room(deck)
    if any(d.title.lower() == title.lower() for d in deck):
        raise UserError(_("The deck already has “{title}”.").format(title=title))
    for d in await retired(community_id):
        if d.title.lower() == title.lower():
            raise UserError(
                _(
                    "“{title}” is retired; bring it back with “healthcheck deck restore {key}”."
                ).format(title=title, key=d.key)
            )
    base = slugify(title)
    for n in range(1, 50):
        key = base if n == 1 else f"{base}-{n}"
        async with store.transaction():
            dim = await store.insert_if_absent(
                Dimension,
                community_id=community_id,
                key=key,
                title=title,
                awesome=awesome,
                crappy=crappy,
                position=len(deck) + 1,
            )
            if dim is None:  # the key is taken (perhaps at this moment): try the next one
                continue
            await _record(community_id, member, "add", dim, None, snapshot(dim), now)
        return dim
    raise UserError(_("Pick another title: that one is taken."))


async def edit(
    community_id: int,
    member: str,
    ref: str,
    now: datetime,
    *,
    title: str | None = None,
    awesome: str | None = None,
    crappy: str | None = None,
) -> Dimension:
    if title is None and awesome is None and crappy is None:
        raise UserError(_("Say what to change: --title, --awesome or --crappy."))
    title = title.strip() if title is not None else None
    awesome = awesome.strip() if awesome is not None else None
    crappy = crappy.strip() if crappy is not None else None
    _check_text(title, awesome, crappy)
    dim = await find(community_id, ref)
    if title is not None and title.lower() != dim.title.lower():
        others = await Dimension.filter(community_id=community_id).exclude(id=dim.id)
        if any(d.title.lower() == title.lower() for d in others):
            raise UserError(_("The deck already has “{title}”.").format(title=title))
    before = snapshot(dim)
    dim.title = title if title is not None else dim.title
    dim.awesome = awesome if awesome is not None else dim.awesome
    dim.crappy = crappy if crappy is not None else dim.crappy
    async with in_transaction():
        await dim.save(update_fields=["title", "awesome", "crappy"])
        await _record(community_id, member, "edit", dim, before, snapshot(dim), now)
    return dim


async def move(community_id: int, member: str, ref: str, position: int, now: datetime) -> Dimension:
    deck = await active(community_id)
    dim = await find(community_id, ref, include_retired=False)
    if not 1 <= position <= len(deck):
        raise UserError(_("The position must be between 1 and {n}.").format(n=len(deck)))
    before = snapshot(dim)
    order = [d for d in deck if d.id != dim.id]
    order.insert(position - 1, dim)
    async with in_transaction():
        await _renumber(community_id, order)
        await _record(community_id, member, "move", dim, before, snapshot(dim), now)
    return dim


async def retire(community_id: int, member: str, ref: str, now: datetime) -> Dimension:
    dim = await find(community_id, ref)
    if dim.retired_at is not None:
        raise UserError(_("“{title}” is already retired.").format(title=UserText(dim.title)))
    deck = await active(community_id)
    if len(deck) <= 1:
        raise UserError(_("The deck needs at least one dimension."))
    before = snapshot(dim)
    async with in_transaction():
        n = await Dimension.filter(id=dim.id, retired_at=None).update(retired_at=now)
        if n:
            dim.retired_at = now
            await _renumber(community_id, [d for d in deck if d.id != dim.id])
            await _record(community_id, member, "retire", dim, before, snapshot(dim), now)
    return dim


async def restore(community_id: int, member: str, ref: str, now: datetime) -> Dimension:
    dim = await find(community_id, ref)
    if dim.retired_at is None:
        raise UserError(_("“{title}” is in the deck already.").format(title=UserText(dim.title)))
    deck = await active(community_id)
    _check_room(deck)
    before = snapshot(dim)
    async with in_transaction():
        n = await Dimension.filter(id=dim.id, retired_at__not_isnull=True).update(
            retired_at=None, position=len(deck) + 1
        )
        if n:
            dim.retired_at, dim.position = None, len(deck) + 1
            await _record(community_id, member, "restore", dim, before, snapshot(dim), now)
    return dim


async def reset(
    community_id: int, member: str, now: datetime, cards: tuple[Card, ...] = DEFAULT_DECK
) -> None:
    """Back to a built-in deck (copkit's by default): its cards restored with their text, every
    other dimension retired. Results stay attached to the same dimensions, so trends continue
    across a reset."""
    await ensure_deck(community_id)
    keys = {c.key for c in cards}
    async with in_transaction():
        rows = await Dimension.filter(community_id=community_id).order_by("id")
        by_default = {d.default_key: d for d in rows if d.default_key}
        for i, card in enumerate(cards, 1):
            d = by_default.get(card.key)
            fresh: dict[str, Any] = {
                "title": _(card.title),
                "awesome": _(card.awesome),
                "crappy": _(card.crappy),
                "position": i,
                "retired_at": None,
            }
            if d is None:
                d = await Dimension.create(
                    community_id=community_id, key=card.key, default_key=card.key, **fresh
                )
                await _record(community_id, member, "reset", d, None, snapshot(d), now)
                continue
            before = snapshot(d)
            for k, v in fresh.items():
                setattr(d, k, v)
            after = snapshot(d)
            if after != before:
                await d.save(update_fields=list(fresh))
                await _record(community_id, member, "reset", d, before, after, now)
        for d in rows:
            if d.default_key not in keys and d.retired_at is None:
                before = snapshot(d)
                d.retired_at = now
                await d.save(update_fields=["retired_at"])
                await _record(community_id, member, "reset", d, before, snapshot(d), now)


async def history(community_id: int, limit: int = 30) -> list[DeckChange]:
    return (
        await DeckChange.filter(community_id=community_id)
        .order_by("-id")
        .limit(limit)
        .prefetch_related("dimension")
    )
