"""The core's tables: communities, members and roles, enabled formats, rooms, shown views,
timer jobs and the community log.

Every model of copkit (core and plugins) says ``_no_comments = True``: copkit writes no ``#:``
field comments, and without it tortoise reads and parses each model's source file when the class
is made, looking for them (about a second of every start-up; a test keeps it on every model)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Community(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    platform = fields.CharField(max_length=20)
    external_id = fields.CharField(max_length=200)
    name = fields.CharField(max_length=200, default="")
    locale = fields.CharField(max_length=20, default="en")
    timezone = fields.CharField(max_length=64, default="UTC")
    core_role = fields.CharField(max_length=200, null=True)  # a platform role that means core team
    settings = fields.JSONField(default=dict)  # e.g. {"require": {"leancoffee start": 0}}
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "copkit_community"
        unique_together = (("platform", "external_id"),)


class Membership(Model):
    """A person's role in a community. Only people with a role above member need a row."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="memberships")
    community_id: int
    person_id = fields.CharField(max_length=200)
    name = fields.CharField(max_length=200, default="")
    role = fields.SmallIntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "copkit_membership"
        unique_together = (("community", "person_id"),)
        indexes = (("community_id", "role"),)  # a community's leader and core team, at load


class FormatSetting(Model):
    """Whether a format is enabled in a community (absent: the format's default)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="format_settings")
    community_id: int
    format = fields.CharField(max_length=50)
    enabled = fields.BooleanField()

    class Meta:
        table = "copkit_format_setting"
        unique_together = (("community", "format"),)


class Room(Model):
    """A room seen by an adapter, with the adapter's data (e.g. a Teams conversation reference)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="rooms")
    community_id: int
    external_id = fields.CharField(max_length=300)
    name = fields.CharField(max_length=200, default="")
    kind = fields.CharField(max_length=20, default="text")
    data = fields.JSONField(null=True)

    class Meta:
        table = "copkit_room"
        unique_together = (("community", "external_id"),)


class ShownView(Model):
    """Where a keyed view was posted, so it can be updated in place after a restart."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="views")
    community_id: int
    key = fields.CharField(max_length=200)
    room_id = fields.CharField(max_length=300)
    ref = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "copkit_shown_view"
        unique_together = (("community", "key"),)


class Place(Model):
    """A room copkit opened for part of an activity and remembers by ``key``: a group's
    thread (created once, later posts go there) or a temporary voice channel (removed at the
    end). ``closed_at`` is set when copkit removed it."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="places")
    community_id: int
    key = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=20)  # thread | voice
    room_id = fields.CharField(max_length=300)
    parent_id = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "copkit_place"
        unique_together = (("community", "key", "kind"),)


class Job(Model):
    """A persisted timer: run ``handler`` with ``payload`` at ``due_at``, exactly once."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="jobs", null=True)
    community_id: int | None
    handler = fields.CharField(max_length=100)
    payload = fields.JSONField(default=dict)
    room_id = fields.CharField(max_length=300, default="")
    due_at = fields.DatetimeField(db_index=True)
    claimed_by = fields.CharField(max_length=100, null=True)
    claimed_at = fields.DatetimeField(null=True)
    done_at = fields.DatetimeField(null=True, db_index=True)
    cancelled = fields.BooleanField(default=False)
    attempts = fields.SmallIntField(
        default=0, db_default=0
    )  # claims so far; above 1 a worker died mid-job
    error = fields.TextField(null=True)

    class Meta:
        table = "copkit_job"


class LogEntry(Model):
    """The community's log: every contribution and every decision, for transparency."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="log")
    community_id: int
    at = fields.DatetimeField(db_index=True)
    member = fields.CharField(max_length=200, default="")
    kind = fields.CharField(max_length=50)
    ref = fields.CharField(max_length=200, default="")
    text = fields.TextField(default="")

    class Meta:
        table = "copkit_log"
        # the latest entries of one community (``log``), and a community's entries over time
        indexes = (("community_id", "id"), ("community_id", "at"))


class Delivery(Model):
    """An inbound platform event already answered, with its answer.

    A re-delivery (Teams retries activities, maybe to another process) gets the same answer and
    changes nothing again."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    platform = fields.CharField(max_length=20)
    key = fields.CharField(max_length=300)
    status = fields.SmallIntField()
    body = fields.JSONField(null=True)
    at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "copkit_delivery"
        unique_together = (("platform", "key"),)
