"""The goals' tables (tortoise app ``goals``): a community's goals and the values entered by hand.

The app is the core's own, beside ``core``: every community has goals whichever plugins are
installed; the canvas writes them, the reflect plugin measures them (see ``docs/reflect.md``).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class GoalRow(Model):
    """One goal: what the community wants, with an optional target, cadence and signal."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="goals")
    community_id: int
    text = fields.CharField(max_length=300)
    target = fields.FloatField(null=True)
    cadence = fields.CharField(max_length=10, null=True)  # week|month|quarter|year
    signal = fields.CharField(max_length=100, null=True)  # a documented signal, or None
    source = fields.CharField(max_length=10, default="manual")  # canvas|manual
    source_ref = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "goals_goal"


class GoalValue(Model):
    """A value the core team entered for a goal and a period (``2026-01``, ``2026-W03`` …)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    goal = fields.ForeignKeyField("goals.GoalRow", related_name="values")
    goal_id: int
    period = fields.CharField(max_length=10)
    value = fields.FloatField()
    by = fields.CharField(max_length=200, default="")
    at = fields.DatetimeField()

    class Meta:
        table = "goals_value"
        unique_together = (("goal", "period"),)
