"""A community's canvas in the database: the newest version, the history, and changes that
each write a new version (see :class:`.canvas_models.CanvasVersion`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from copkit.core import store
from copkit.core.errors import UserError
from copkit.core.i18n import _

from .canvas_model import Canvas
from .canvas_models import CanvasVersion

HISTORY_SHOWN = 20
ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class Stored:
    canvas: Canvas
    version: int  # 0: nothing stored yet
    change: dict[str, Any]


async def current(community_id: int) -> Stored:
    row = await CanvasVersion.filter(community_id=community_id).order_by("-version").first()
    if row is None:
        return Stored(Canvas(), 0, {})
    return Stored(Canvas.from_json(row.data), row.version, dict(row.change))


async def history(community_id: int, limit: int = HISTORY_SHOWN) -> list[CanvasVersion]:
    return await CanvasVersion.filter(community_id=community_id).order_by("-version").limit(limit)


async def at_version(community_id: int, version: int) -> Stored | None:
    row = await CanvasVersion.get_or_none(community_id=community_id, version=version)
    return Stored(Canvas.from_json(row.data), row.version, dict(row.change)) if row else None


async def change(
    community_id: int,
    member: str,
    now: datetime,
    edit: Callable[[Canvas], dict[str, Any]],
) -> Stored:
    """Apply ``edit`` to the newest canvas and store the result as the next version.

    ``edit`` raises a :class:`UserError` to refuse (nothing is stored). Two changes at the same
    moment both land: the unique (community, version) key refuses the second insert, which is
    then applied again to the version the first one wrote."""
    for _attempt in range(ATTEMPTS):
        now_stored = await current(community_id)
        canvas = now_stored.canvas
        what = edit(canvas)
        row = await store.insert_if_absent(
            CanvasVersion,
            community_id=community_id,
            version=now_stored.version + 1,
            data=canvas.to_json(),
            change=what,
            member=member[:200],
            created_at=now,
        )
        if row is not None:
            return Stored(canvas, row.version, what)
    raise UserError(_("The canvas is being changed by someone else right now: try again."))
