"""A community's canvas as other plugins read it (``copkit_canvas``): the core's small picture
of it, so that a plugin (the health check) can use the canvas without importing the plugin
that keeps it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CanvasSummary:
    """The newest version of a community's canvas. ``boxes`` is keyed ``vision``,
    ``importance``, ``how``, ``measures``, ``impact``, ``communication``, ``resources`` (and the
    Community Canvas themes once extended); items are what people wrote (user text)."""

    community_id: int
    version: int
    name: str = ""
    leader: str = ""
    boxes: dict[str, tuple[str, ...]] = field(default_factory=dict)
