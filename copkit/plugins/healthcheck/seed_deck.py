"""The seed's deck: eleven dimensions from the community-of-practice seed, in our own words,
offered beside copkit's own (``healthcheck deck use seed`` / ``use copkit``).

Switching decks is a reset to the other deck: its cards come back (or are added) with their
text, every other dimension is retired — never deleted, so every result and trend is kept —
and the switch is recorded in the deck's history.
"""

from __future__ import annotations

from datetime import datetime

from copkit.core.errors import UserError
from copkit.core.i18n import N_, _

from . import deck
from .deck import DEFAULT_DECK, Card
from .models import DeckChange

SEED_DECK: tuple[Card, ...] = (
    Card(
        "learning",
        N_("Learning & growth"),
        N_("Almost every time we meet I pick up something I can use, and I can feel myself grow."),
        N_("I rarely learn anything new here; my skills stand still."),
    ),
    Card(
        "help",
        N_("Help"),
        N_("When I am stuck, someone here helps me quickly and gladly."),
        N_("A call for help goes unanswered, or asking feels like a burden on others."),
    ),
    Card(
        "safe",
        N_("Safety"),
        N_("I can share an idea, a doubt or a mistake and be met with respect."),
        N_("I hold questions back for fear of looking foolish or being judged."),
    ),
    Card(
        "collaborate",
        N_("Collaborate"),
        N_("We build things together and pull in the same direction."),
        N_("Everyone works alone; we meet, but we never really work together."),
    ),
    Card(
        "sharing",
        N_("Share knowledge & learnings"),
        N_("What one of us learns soon reaches the rest of us, openly and generously."),
        N_("Know-how stays in people's heads and we keep reinventing the same things."),
    ),
    Card(
        "strategy",
        N_("Align on long-term strategies"),
        N_("We agree where the community is heading over the coming year, and why."),
        N_("There is no shared direction; every meeting starts from scratch."),
    ),
    Card(
        "ways-of-working",
        N_("Align on how we do work"),
        N_("We have a few simple, agreed ways of doing things, and we adapt them together."),
        N_("Nobody knows how things get done here, and the rules change without notice."),
    ),
    Card(
        "fun",
        N_("Fun"),
        N_("I enjoy our time together: there is laughter, curiosity and energy."),
        N_("Our meetings feel like a duty I would rather skip."),
    ),
    Card(
        "feedback",
        N_("Feedback"),
        N_("We tell each other what works and what does not, kindly and often."),
        N_("We never hear how we are doing, or only when it is too late."),
    ),
    Card(
        "deciding",
        N_("Ability to decide"),
        N_("We decide when we need to, and everyone knows how decisions are made."),
        N_("Decisions drag on, are made behind closed doors, or never get made."),
    ),
    Card(
        "motivation",
        N_("Motivation"),
        N_("I want to contribute and I look forward to what comes next."),
        N_("I have lost interest; I take part out of habit, if at all."),
    ),
)
DECKS: dict[str, tuple[Card, ...]] = {"copkit": DEFAULT_DECK, "seed": SEED_DECK}


async def current(community_id: int) -> str:
    """The deck the community chose last (``copkit`` until it chose one)."""
    last = await DeckChange.filter(community_id=community_id, action="use").order_by("-id").first()
    name = (last.after or {}).get("deck") if last is not None else None
    return name if name in DECKS else "copkit"


async def use(community_id: int, member: str, name: str, now: datetime) -> str:
    name = (name or "").strip().lower()
    if name not in DECKS:
        raise UserError(
            _("There is no deck “{name}”. The decks are: {names}.").format(
                name=name[:40], names=", ".join(DECKS)
            )
        )
    await deck.reset(community_id, member, now, DECKS[name])
    await DeckChange.create(
        community_id=community_id, at=now, member=member, action="use", after={"deck": name}
    )
    return name
