"""Brown bags: one speaker, one topic, over lunch — backlog, schedule, RSVP, reminders, calendar,
feedback and a record.

The format is declared on :data:`.format.bb`; each command, button and timer next to its
function in :mod:`.backlog`, :mod:`.sessions` and :mod:`.after`.
"""

from __future__ import annotations

from copkit.core.hookspecs import hookimpl
from copkit.core.specs import Models

from . import after, backlog, sessions  # noqa: F401  (their declarations register on bb)
from .format import bb
from .sessions import copkit_calendar_entries, copkit_series_occurrence
from .site import copkit_site_documents, copkit_site_event, copkit_site_events

__all__ = [
    "after",
    "backlog",
    "copkit_calendar_entries",
    "copkit_series_occurrence",
    "copkit_site_documents",
    "copkit_site_event",
    "copkit_site_events",
    "sessions",
]

FORMAT = bb.name

(
    copkit_register_formats,
    copkit_register_commands,
    copkit_register_actions,
    copkit_register_jobs,
) = bb.hookimpls()


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="brownbag",
            module="copkit.plugins.brownbag.models",
            migrations="copkit.plugins.brownbag.migrations",
        )
    ]
