"""The community health check: anonymous traffic-light rounds on a deck of dimensions, results
with trends and a picture, and quick pulse polls.

The format is declared on :data:`.routes.hc`; each command, button and timer next to its
function: a round's life and moderation in :mod:`.rounds`, the member's private cards in
:mod:`.answering`, results, history, trend and export in :mod:`.handlers`, the deck in
:mod:`.deck_commands`, pulse checks in :mod:`.pulse_commands`. This module binds the hooks.
"""

from __future__ import annotations

from datetime import datetime

from copkit.core.hookspecs import hookimpl
from copkit.core.models import Community
from copkit.core.specs import Measure, Models

from . import answering, deck_canvas, deck_commands, handlers, pulse_commands, rounds, signals
from .rounds import copkit_calendar_entries, copkit_series_occurrence
from .routes import FORMAT, hc
from .site import (
    copkit_site_documents,
    copkit_site_event,
    copkit_site_events,
    copkit_site_image,
    copkit_site_panels,
)

__all__ = [
    "FORMAT",
    "answering",
    "copkit_calendar_entries",
    "copkit_series_occurrence",
    "deck_canvas",
    "copkit_site_documents",
    "copkit_site_event",
    "copkit_site_events",
    "copkit_site_image",
    "copkit_site_panels",
    "deck_commands",
    "handlers",
    "pulse_commands",
    "rounds",
]

(
    copkit_register_formats,
    copkit_register_commands,
    copkit_register_actions,
    copkit_register_jobs,
) = hc.hookimpls()


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="healthcheck",
            module="copkit.plugins.healthcheck.models",
            migrations="copkit.plugins.healthcheck.migrations",
        )
    ]


@hookimpl
async def copkit_signals(
    community: Community, names: list[str], start: datetime, end: datetime
) -> list[Measure]:
    """Health-check scores for the goals and the coach (see :mod:`.signals`)."""
    return await signals.measure(community, names, start, end)
