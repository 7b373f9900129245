"""The open actions' review tables (tortoise app ``actions``, the core's own): each verdict a
review gave an action (done, carried, dropped), and the actions a review closed.

An action lives in the tables of the format that agreed it (lean coffee, a retro…) and
reaches the review through ``copkit_open_actions``; these tables only remember what reviews
decided, so every format's actions are reviewed the same way (see :mod:`copkit.core.actions`).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ActionReview(Model):
    """One verdict on one action in one review (``event``, e.g. ``retro:3``): unique, so a
    repeated or stale press changes nothing."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="action_reviews")
    community_id: int
    key = fields.CharField(max_length=200)
    event = fields.CharField(max_length=100)
    verdict = fields.CharField(max_length=10)  # done|carried|dropped
    member = fields.CharField(max_length=200)
    at = fields.DatetimeField()

    class Meta:
        table = "actions_review"
        unique_together = (("community", "key", "event"),)


class ActionClosed(Model):
    """An action a review closed (done or dropped): it leaves the open list (once)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="actions_closed")
    community_id: int
    key = fields.CharField(max_length=200)
    verdict = fields.CharField(max_length=10)
    event = fields.CharField(max_length=100)
    at = fields.DatetimeField()

    class Meta:
        table = "actions_closed"
        unique_together = (("community", "key"),)
