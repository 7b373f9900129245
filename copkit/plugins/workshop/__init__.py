"""The vision workshop: a facilitator runs the bootstrap ritual of a community — vision and
importance, how and measures, impact, resources and communication (each written alone, then
revealed, clustered and dot-voted), an optional force field, a name and a leader — and the
outcome goes to the canvas (:mod:`.outcome`).

The format is declared on :data:`.format.ws`; its commands, buttons and timer next to their
functions in :mod:`.flow`, :mod:`.writing`, :mod:`.choosing` and :mod:`.steps`. The moves
themselves (phases, private notes, merges, dots, elections) are the core's
:mod:`copkit.core.facilitation`.
"""

from __future__ import annotations

from copkit.core.hookspecs import hookimpl
from copkit.core.specs import Models

from . import choosing, steps, writing  # noqa: F401  (their declarations register on ws)
from .format import ws

FORMAT = ws.name

(
    copkit_register_formats,
    copkit_register_commands,
    copkit_register_actions,
    copkit_register_jobs,
) = ws.hookimpls()


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="workshop",
            module="copkit.plugins.workshop.models",
            migrations="copkit.plugins.workshop.migrations",
        )
    ]
