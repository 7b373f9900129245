"""Reflect's tables: aggregates of the community log (kept up to date from a cursor, so a view
reads a few hundred rows, never the whole log), the opt-outs, and what the coach sent.

Times in the aggregates are whole epoch seconds (UTC): written in bulk with raw SQL, they
compare the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Cursor(Model):
    """How far the aggregates have read the community's log (its last ``copkit_log.id``)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="reflect_cursor")
    community_id: int
    last_id = fields.BigIntField(default=0)

    class Meta:
        table = "reflect_cursor"
        unique_together = (("community",),)


class MemberMonth(Model):
    """How many contributions of one kind a member made in one month (``month`` = y*12+m-1)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="reflect_months")
    community_id: int
    member = fields.CharField(max_length=200)
    month = fields.IntField()
    kind = fields.CharField(max_length=50)
    n = fields.IntField(default=0)

    class Meta:
        table = "reflect_member_month"
        unique_together = (("community", "month", "member", "kind"),)
        indexes = (("community_id", "member", "month"),)


class Member(Model):
    """A member the log has seen: when first, when they first gave, when they first presented."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="reflect_members")
    community_id: int
    member = fields.CharField(max_length=200)
    first_at = fields.BigIntField()  # epoch seconds
    last_at = fields.BigIntField()  # epoch seconds
    first_give_at = fields.BigIntField(null=True)
    presented_at = fields.BigIntField(null=True)

    class Meta:
        table = "reflect_member"
        unique_together = (("community", "member"),)
        indexes = (("community_id", "first_at"),)


class Event(Model):
    """An activity the log saw start or end (``ref`` is ``<format>:<id>``)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="reflect_events")
    community_id: int
    ref = fields.CharField(max_length=200)
    format = fields.CharField(max_length=50)
    host = fields.CharField(max_length=200, default="")
    started_at = fields.BigIntField(null=True)
    ended_at = fields.BigIntField(null=True)

    class Meta:
        table = "reflect_event"
        unique_together = (("community", "ref"),)
        indexes = (("community_id", "ended_at"),)


class Action(Model):
    """An action the log saw opened (``action``) and perhaps closed (``action.done``)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="reflect_actions")
    community_id: int
    ref = fields.CharField(max_length=200)
    opened_at = fields.BigIntField(null=True)
    closed_at = fields.BigIntField(null=True)

    class Meta:
        table = "reflect_action"
        unique_together = (("community", "ref"),)
        indexes = (("community_id", "opened_at"),)


class OptOut(Model):
    """A member who asked to be left out of the statistics (``me private``)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="reflect_optouts")
    community_id: int
    member = fields.CharField(max_length=200)
    at = fields.DatetimeField()

    class Meta:
        table = "reflect_optout"
        unique_together = (("community", "member"),)


class Nudge(Model):
    """A nudge the coach sent, at most one a week per community (checked under a lock)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="reflect_nudges")
    community_id: int
    kind = fields.CharField(max_length=30)
    sent_at = fields.DatetimeField()
    week = fields.CharField(max_length=10)  # the ISO week: one row per week at most

    class Meta:
        table = "reflect_nudge"
        unique_together = (("community", "week"),)


class Timers(Model):
    """The community's coach and digest jobs, scheduled once (a unique row per community)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="reflect_timers")
    community_id: int
    coach_job = fields.IntField(null=True)
    digest_job = fields.IntField(null=True)

    class Meta:
        table = "reflect_timers"
        unique_together = (("community",),)


class DigestSent(Model):
    """A monthly digest sent (``month`` as ``2026-01``): never twice."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="reflect_digests")
    community_id: int
    month = fields.CharField(max_length=7)
    at = fields.DatetimeField()

    class Meta:
        table = "reflect_digest"
        unique_together = (("community", "month"),)
