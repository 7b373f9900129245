"""The tables of recurring events (the tortoise app ``series``): a series, its occurrences
as they come (or as they are skipped or moved ahead of time), and each community's calendar
setting."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

ACTIVE, PAUSED, ENDED = "active", "paused", "ended"
PLANNED, SKIPPED, OPENED = "planned", "skipped", "opened"


class Series(Model):
    """An event of one format that comes back: ``rule`` is an RFC 5545 RRULE value counted
    from ``first_local`` (a naive wall-clock time in ``tz``)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="series")
    community_id: int
    uid = fields.CharField(max_length=100, unique=True)  # the calendar UID, never changes
    format = fields.CharField(max_length=50)
    room_id = fields.CharField(max_length=300, default="")
    title = fields.CharField(max_length=200)
    every = fields.CharField(max_length=100)  # as typed
    rule = fields.CharField(max_length=200)
    first_local = fields.DatetimeField()  # naive local time of the first occurrence
    tz = fields.CharField(max_length=64, default="UTC")
    minutes = fields.IntField(default=60)
    options = fields.JSONField(default=dict)  # the format's options for each occurrence
    announce_minutes = fields.IntField(default=24 * 60)
    remind_minutes = fields.IntField(default=15)
    where = fields.CharField(max_length=500, default="")
    status = fields.CharField(max_length=20, default=ACTIVE)  # active | paused | ended
    sequence = fields.IntField(default=0)
    created_by = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "series_series"
        indexes = (("community_id", "status"),)  # a community's series (calendar, site)


class Occurrence(Model):
    """One date of a series, stored once it is planned, skipped or moved. ``(series,
    original_start)`` is unique: two processes planning the same date make one row; each
    step (announce, remind, open) is claimed by a conditional UPDATE of its ``*_at`` column,
    so it happens once however many workers run it."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    series = fields.ForeignKeyField("series.Series", related_name="occurrences")
    series_id: int
    original_start = fields.DatetimeField()  # the rule's date (RECURRENCE-ID), UTC
    starts_at = fields.DatetimeField(db_index=True)  # after a move, UTC
    status = fields.CharField(max_length=20, default=PLANNED)  # planned | skipped | opened
    moved = fields.BooleanField(default=False)
    sequence = fields.IntField(default=0)
    announce_job = fields.IntField(null=True)
    remind_job = fields.IntField(null=True)
    open_job = fields.IntField(null=True)
    announced_at = fields.DatetimeField(null=True)
    reminded_at = fields.DatetimeField(null=True)
    opened_at = fields.DatetimeField(null=True)
    opened_by = fields.CharField(max_length=100, default="")  # the job that opened it
    ref = fields.CharField(max_length=200, default="")  # what the format made of it

    class Meta:
        table = "series_occurrence"
        unique_together = (("series", "original_start"),)


class CalendarSetting(Model):
    """Whether a community's calendar feed is served to anyone with its address."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.OneToOneField("core.Community", related_name="calendar_setting")
    community_id: int
    public = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "series_calendar_setting"
