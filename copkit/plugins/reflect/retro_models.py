"""The retro's tables (tortoise app ``retro``): a retrospective in a room, and the actions it
agreed. Its phases, notes and dots are rows of the core's facilitation app, owned by
``retro:<id>``; the reviews of earlier actions are the core's (:mod:`copkit.core.actions`).

Every move of a retro is a conditional UPDATE on ``version``: a repeated or stale press
changes nothing; ``running_key`` (unique while it runs, NULL after) keeps one retro per room.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

RUNNING, DONE = "running", "done"
OPEN, CLOSED_DONE, DROPPED = "open", "done", "dropped"


class Retro(Model):
    """A retrospective: its prompts, stage, timeboxes, dot budget and the actions reviewed."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="retros")
    community_id: int
    room_id = fields.CharField(max_length=300)
    running_key = fields.CharField(max_length=320, null=True, unique=True)
    status = fields.CharField(max_length=20, default=RUNNING)
    stage = fields.CharField(max_length=20, default="review")  # review|writing|voting|actions
    prompts = fields.CharField(max_length=10, default="ssc")
    version = fields.IntField(default=0)
    dots = fields.SmallIntField(default=3)
    write_seconds = fields.IntField(default=600)
    vote_seconds = fields.IntField(default=300)
    review = fields.JSONField(default=list)  # the open actions shown at the start (snapshot)
    facilitator = fields.CharField(max_length=200)
    facilitator_name = fields.CharField(max_length=200, default="")
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "retro_retro"
        indexes = (("community_id", "status"),)


class RetroAction(Model):
    """An action a retro agreed: what, who and by when. It stays open until a later review
    says it is done or dropped."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    retro = fields.ForeignKeyField("retro.Retro", related_name="actions")
    retro_id: int
    community = fields.ForeignKeyField("core.Community", related_name="retro_actions")
    community_id: int
    text = fields.CharField(max_length=500)
    owner_id = fields.CharField(max_length=200, null=True)
    owner_name = fields.CharField(max_length=200, default="")
    due = fields.DateField(null=True)
    status = fields.CharField(max_length=10, default=OPEN)
    author = fields.CharField(max_length=200)
    created_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "retro_action"
        indexes = (("community_id", "status"),)
