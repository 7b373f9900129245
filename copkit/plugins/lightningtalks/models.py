"""Lightning talk tables: an event with its slots, the talks signed up, and feedback."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Event(Model):
    """An evening of lightning talks: slots of a few minutes, a sign-up thread, a run of show.

    ``counter`` is bumped by every change to the line-up: that conditional UPDATE is the lock
    that serialises sign-ups, withdrawals and removals of one event (on SQLite and PostgreSQL),
    and its value numbers the sign-ups in the order they arrived.
    """

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="lightning_events")
    community_id: int
    title = fields.CharField(max_length=200)
    room_id = fields.CharField(max_length=300, default="")
    thread_id = fields.CharField(max_length=300, default="")  # the sign-up thread
    starts_at = fields.DatetimeField()
    slots = fields.SmallIntField()
    minutes = fields.SmallIntField()
    cutoff_at = fields.DatetimeField(null=True)
    status = fields.CharField(max_length=20, default="open")  # open|closed|running|done|cancelled
    counter = fields.IntField(default=0)
    shuffle_seed = fields.BigIntField(null=True)
    current_talk = fields.IntField(null=True)
    talk_ends_at = fields.DatetimeField(null=True)
    warn_job = fields.IntField(null=True)
    time_job = fields.IntField(null=True)
    cutoff_job = fields.IntField(null=True)
    created_by = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "lightning_event"
        indexes = (("community_id", "starts_at"),)  # a community's evenings (site, calendar)


class Talk(Model):
    """One person's talk: in the line-up, waiting, given, skipped, withdrawn or removed.

    ``active_key`` (``event:person``) is set while the talk counts and cleared when it is
    withdrawn or removed; being unique, it keeps anyone from signing up twice.
    """

    _no_comments = True

    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("lightningtalks.Event", related_name="talks")
    event_id: int
    speaker_id = fields.CharField(max_length=200)
    speaker_name = fields.CharField(max_length=200, default="")
    title = fields.CharField(max_length=100)
    seq = fields.IntField()  # arrival order of the sign-up
    position = fields.IntField()  # running order within the line-up
    status = fields.CharField(max_length=20)  # lineup|waiting|live|done|skipped|withdrawn|removed
    active_key = fields.CharField(max_length=250, null=True, unique=True)
    link = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lightning_talk"
        indexes = (("event_id", "status"),)  # an evening's line-up and waiting list


class Feedback(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("lightningtalks.Event", related_name="feedback")
    event_id: int
    member_id = fields.CharField(max_length=200)
    rating = fields.SmallIntField()
    apply = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lightning_feedback"
        unique_together = (("event", "member_id"),)
