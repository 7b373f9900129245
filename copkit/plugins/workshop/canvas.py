"""The community canvas as a plugin: its format (commands in :mod:`.canvas_commands`), its
tables (app ``canvas``) and the ``copkit_canvas`` hook through which other plugins read it."""

from __future__ import annotations

from copkit.core.canvas import CanvasSummary
from copkit.core.hookspecs import hookimpl
from copkit.core.specs import Models

from . import canvas_goals, canvas_store
from .canvas_commands import cv, store_outcome

__all__ = ["canvas_goals", "store_outcome"]

(
    copkit_register_formats,
    copkit_register_commands,
    copkit_register_actions,
    copkit_register_jobs,
) = cv.hookimpls()


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="canvas",
            module="copkit.plugins.workshop.canvas_models",
            migrations="copkit.plugins.workshop.canvas_migrations",
        )
    ]


@hookimpl
async def copkit_canvas(community_id: int) -> CanvasSummary | None:
    stored = await canvas_store.current(community_id)
    if stored.version == 0:
        return None
    c = stored.canvas
    return CanvasSummary(
        community_id=community_id,
        version=stored.version,
        name=c.name,
        leader=c.leader,
        boxes={k: tuple(v) for k, v in c.boxes.items()},
    )
