"""Lean coffee: topics proposed by everyone, dot-voted, discussed in timeboxes with thumbs votes,
captured as notes, takeaways and action items, and kept as minutes.

The format (:data:`.routes.lc`) is declared where each piece lives: topics in :mod:`.topics`,
dots in :mod:`.voting`, the facilitator's buttons in :mod:`.discussion`, the timer and thumbs
votes in :mod:`.thumbs`, notes in :mod:`.capture`, minutes in :mod:`.minutes`, start and end in
:mod:`.flow`. This module binds its hooks.
"""

from __future__ import annotations

from datetime import datetime

from copkit.core.hookspecs import hookimpl
from copkit.core.models import Community
from copkit.core.specs import Models, OpenAction

from . import capture, discussion, flow, minutes, thumbs, topics, voting
from .flow import copkit_series_occurrence
from .models import Session
from .recurring import copkit_calendar_entries
from .routes import lc
from .sessions import add_participants, running_key
from .site import (
    copkit_site_actions,
    copkit_site_documents,
    copkit_site_event,
    copkit_site_events,
)

__all__ = [
    "capture",
    "copkit_calendar_entries",
    "copkit_series_occurrence",
    "copkit_site_actions",
    "copkit_site_documents",
    "copkit_site_event",
    "copkit_site_events",
    "discussion",
    "flow",
    "minutes",
    "thumbs",
    "topics",
    "voting",
]

(
    copkit_register_formats,
    copkit_register_commands,
    copkit_register_actions,
    copkit_register_jobs,
) = lc.hookimpls()


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="leancoffee",
            module="copkit.plugins.leancoffee.models",
            migrations="copkit.plugins.leancoffee.migrations",
        )
    ]


@hookimpl
async def copkit_presence_changed(community, room, present, joined, left) -> None:
    """People present in the room of a running session are its participants."""
    if not present:
        return
    s = await Session.get_or_none(running_key=running_key(community.id, room))
    if s is not None:
        await add_participants(s.id, present)


@hookimpl
async def copkit_open_actions(community: Community) -> list[OpenAction]:
    """Lean coffee's open action items, for the community's review (``copkit.core.actions``)."""
    return await capture.open_actions(community.id)


@hookimpl
async def copkit_action_closed(
    community: Community, key: str, verdict: str, member: str, at: datetime
) -> None:
    """A review said one of ours is done (or dropped): mark it here too."""
    await capture.closed_by_review(community.id, key, verdict, member, at)
