"""The canvas's table: every version of a community's canvas (the newest is the canvas)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class CanvasVersion(Model):
    """One version of a community's canvas. Every change writes a new row with the next
    ``version``; the unique key makes two changes made at the same moment number apart."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "core.Community", related_name="canvas_versions"
    )
    community_id: int
    version = fields.IntField()
    data: Any = fields.JSONField()
    change: Any = fields.JSONField()
    member = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField()

    class Meta:
        app = "canvas"
        table = "canvas_version"
        unique_together = (("community", "version"),)
