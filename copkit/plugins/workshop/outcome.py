"""What a finished workshop hands to the canvas: the seam between the two."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WorkshopOutcome:
    """The result of a vision workshop. ``boxes`` is keyed ``vision``, ``importance``, ``how``,
    ``measures``, ``impact``, ``communication``, ``resources``; ``force_field`` holds
    ``(idea, "support" | "slow", strength 1–5 or None)``."""

    community_id: int
    workshop_id: int
    name: str
    leader: str
    date: str
    participants: list[str] = field(default_factory=list)
    boxes: dict[str, list[str]] = field(default_factory=dict)
    force_field: list[tuple[str, str, int | None]] = field(default_factory=list)
