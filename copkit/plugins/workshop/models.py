"""The workshop table: one vision workshop in one room, its step and stage.

Its phases, notes, ballots, participants and elections are rows of the core's facilitation
app, owned by ``workshop:<id>``. Every move of the workshop is a conditional UPDATE on
``version``: a repeated or stale press changes nothing; ``running_key`` (unique while it runs,
NULL after) keeps one workshop per room.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

RUNNING, DONE, STOPPED = "running", "done", "stopped"


class Workshop(Model):
    """A vision workshop: its steps, timeboxes, dot budget and what it decided."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="workshops")
    community_id: int
    room_id = fields.CharField(max_length=300)
    running_key = fields.CharField(max_length=320, null=True, unique=True)
    status = fields.CharField(max_length=20, default=RUNNING)
    step = fields.CharField(max_length=20)
    stage = fields.CharField(max_length=20)
    version = fields.IntField(default=0)
    dots = fields.SmallIntField(default=3)
    minutes = fields.JSONField(default=dict)  # step name -> seconds
    forcefield = fields.BooleanField(default=True)
    facilitator = fields.CharField(max_length=200)
    facilitator_name = fields.CharField(max_length=200, default="")
    name = fields.CharField(max_length=100, null=True)
    leader_id = fields.CharField(max_length=200, null=True)
    leader_name = fields.CharField(max_length=200, null=True)
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "workshop_workshop"
        indexes = (("community_id", "status"),)
