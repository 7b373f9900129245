"""The community's open actions across formats, and their review.

Each format keeps its own action items (lean coffee's, a retro's…) and lists the open ones
through the collector hook ``copkit_open_actions``; :func:`open_actions` gathers them and
leaves out those a review closed. A review (:func:`review`, e.g. at the start of a retro)
gives each action a verdict — done, carried or dropped — stored once per action and review
(a repeated or stale press changes nothing), logged in the community log; done and dropped
close the action here and tell its format (``copkit_action_closed``). No format imports
another: the hooks carry everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import store
from .actions_models import ActionClosed, ActionReview
from .errors import UserError
from .i18n import N_, _
from .specs import OpenAction

if TYPE_CHECKING:
    from .context import Scope

DONE, CARRIED, DROPPED = "done", "carried", "dropped"
VERDICTS = (DONE, CARRIED, DROPPED)
VERDICT_WORDS = {DONE: N_("done"), CARRIED: N_("carried"), DROPPED: N_("dropped")}

__all__ = ["CARRIED", "DONE", "DROPPED", "VERDICTS", "OpenAction", "open_actions", "review"]


async def open_actions(scope: Scope) -> list[OpenAction]:
    """Every format's open actions of the community, oldest first, less those closed by a
    review."""
    every = await scope.services.hooks.open_actions(scope.community)
    closed = set(await store.column(ActionClosed.filter(community_id=scope.community.id), "key"))
    return [a for a in every if a.key not in closed]


async def verdicts(community_id: int, event: str) -> dict[str, str]:
    """The verdicts a review (``event``) gave so far, by action key."""
    rows = await ActionReview.filter(community_id=community_id, event=event)
    return {r.key: r.verdict for r in rows}


def check_verdict(raw: object) -> str:
    value = str(raw or "").strip().casefold()
    aliases = {"carry": CARRIED, "drop": DROPPED, "keep": CARRIED}
    value = aliases.get(value, value)
    if value not in VERDICTS:
        raise UserError(_("Say done, carried or dropped."))
    return value


async def review(scope: Scope, action: OpenAction, verdict: str, event: str) -> bool:
    """Record ``verdict`` on ``action`` in the review ``event``. True when recorded; False when
    this review had given it a verdict already (nothing changes then)."""
    verdict = check_verdict(verdict)
    member = getattr(getattr(scope, "person", None), "id", "") or ""
    cid = scope.community.id
    async with store.transaction():
        row = await store.insert_if_absent(
            ActionReview,
            community_id=cid,
            key=action.key[:200],
            event=event[:100],
            verdict=verdict,
            member=member[:200],
            at=scope.now(),
        )
        if row is None:
            return False
        if verdict != CARRIED:
            await store.insert_if_absent(
                ActionClosed,
                community_id=cid,
                key=action.key[:200],
                verdict=verdict,
                event=event[:100],
                at=scope.now(),
            )
    await scope.log(f"action.{verdict}", ref=action.key, text=event, member=member)
    if verdict != CARRIED:
        await scope.services.hooks.action_closed(
            scope.community, action.key, verdict, member, scope.now()
        )
    return True
