"""Lightning talks: five minutes each — sign-ups with a slot limit and a waiting list, a line-up
in a thread, a run of show with a timer, a record and feedback.

The format is declared on :data:`.format.lt`; each command, button and timer next to its
function in :mod:`.signups`, :mod:`.stage` and :mod:`.after`.
"""

from __future__ import annotations

from copkit.core.hookspecs import hookimpl
from copkit.core.specs import Models

from . import signups, stage  # noqa: F401  (their declarations register on lt)
from .format import lt
from .signups import copkit_calendar_entries, copkit_series_occurrence
from .site import copkit_site_documents, copkit_site_event, copkit_site_events

__all__ = [
    "copkit_calendar_entries",
    "copkit_series_occurrence",
    "copkit_site_documents",
    "copkit_site_event",
    "copkit_site_events",
    "signups",
    "stage",
]

FORMAT = lt.name

(
    copkit_register_formats,
    copkit_register_commands,
    copkit_register_actions,
    copkit_register_jobs,
) = lt.hookimpls()


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="lightningtalks",
            module="copkit.plugins.lightningtalks.models",
            migrations="copkit.plugins.lightningtalks.migrations",
        )
    ]
