"""The tables of a community's announcements (the tortoise app ``announce``): where they go,
each announcement made (unique per event, kind and occurrence: posted once, whichever process
sweeps), the weekly "what's on" posts (one a week) and who asked to be notified."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

SCHEDULED, REMINDER, MOVED, CANCELLED = "scheduled", "reminder", "moved", "cancelled"


class AnnounceSetting(Model):
    """Where a community's announcements go (``room_id`` empty: nowhere) and when.

    ``sweep_job`` and ``whatson_job`` name the one live job of each chain: a job that is not
    the one named here does nothing (a second chain never starts). ``broken_at`` is set once
    when copkit could not post in the room (the leader is told once; nothing is posted until
    the room is named again)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.OneToOneField("core.Community", related_name="announce_setting")
    community_id: int
    room_id = fields.CharField(max_length=300, default="")
    room_name = fields.CharField(max_length=200, default="")
    set_by = fields.CharField(max_length=200, default="")
    set_in = fields.CharField(max_length=300, default="")  # the room it was named from
    notify_role = fields.CharField(max_length=100, default="")  # copkit's own opt-in role
    before_minutes = fields.IntField(default=60)  # the reminder ahead of each event (0: none)
    broken_at = fields.DatetimeField(null=True)
    sweep_job = fields.IntField(null=True)
    whatson_rule = fields.CharField(max_length=200, default="")  # RRULE (weekly), "" off
    whatson_first = fields.DatetimeField(null=True)  # naive local time it counts from
    whatson_every = fields.CharField(max_length=100, default="")  # as typed
    whatson_room = fields.CharField(max_length=300, default="")  # when no channel is named
    whatson_job = fields.IntField(null=True)

    class Meta:
        table = "announce_setting"


class Announcement(Model):
    """One announcement of one event: ``event`` is its calendar UID, ``kind`` scheduled,
    reminder, moved or cancelled, ``occurrence`` the start it is about (ISO, UTC) where an
    event may have several (a reminder after a move). Claimed by inserting the row; posted
    when ``posted_at`` is set; a claim never posted (its process died) is taken over late."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="announcements")
    community_id: int
    event = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=20)
    occurrence = fields.CharField(max_length=40, default="")
    title = fields.CharField(max_length=200, default="")
    starts_at = fields.DatetimeField()
    claimed_at = fields.DatetimeField()
    posted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "announce_announcement"
        unique_together = (("community", "event", "kind", "occurrence"),)


class WhatsOnPost(Model):
    """The week's "what's on" (``week`` like ``2026-W02``, in the community's zone): one row a
    week, posted or ``skipped`` when there was nothing to say."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="whatson_posts")
    community_id: int
    week = fields.CharField(max_length=10)
    at = fields.DatetimeField()
    skipped = fields.BooleanField(default=False)

    class Meta:
        table = "announce_whatson"
        unique_together = (("community", "week"),)


class NotifyOptIn(Model):
    """A member who asked to be notified of announcements (``notify me``)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="notify_optins")
    community_id: int
    person_id = fields.CharField(max_length=200)
    at = fields.DatetimeField()

    class Meta:
        table = "announce_notify"
        unique_together = (("community", "person_id"),)
