"""Brown bag tables: the talk backlog, sessions, RSVPs and feedback."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Talk(Model):
    """A talk someone could give or would like to hear (the backlog)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="brownbag_talks")
    community_id: int
    title = fields.CharField(max_length=200)
    proposer_id = fields.CharField(max_length=200)
    status = fields.CharField(max_length=20, default="open")  # open | scheduled | dropped
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "brownbag_talk"


class Upvote(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    talk = fields.ForeignKeyField("brownbag.Talk", related_name="upvotes")
    talk_id: int
    member_id = fields.CharField(max_length=200)

    class Meta:
        table = "brownbag_upvote"
        unique_together = (("talk", "member_id"),)


class Volunteer(Model):
    """Someone who could give a talk of the backlog."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    talk = fields.ForeignKeyField("brownbag.Talk", related_name="volunteers")
    talk_id: int
    member_id = fields.CharField(max_length=200)
    name = fields.CharField(max_length=200, default="")

    class Meta:
        table = "brownbag_volunteer"
        unique_together = (("talk", "member_id"),)


class Session(Model):
    """A scheduled brown bag: one speaker, one topic, one time."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="brownbag_sessions")
    community_id: int
    uid = fields.CharField(max_length=100, unique=True)  # the calendar UID, never changes
    talk = fields.ForeignKeyField("brownbag.Talk", related_name="sessions", null=True)
    talk_id: int | None
    title = fields.CharField(max_length=200)
    speaker_id = fields.CharField(max_length=200)
    speaker_name = fields.CharField(max_length=200, default="")
    starts_at = fields.DatetimeField()
    minutes = fields.IntField(default=45)
    where = fields.CharField(max_length=500, default="")
    room_id = fields.CharField(max_length=300, default="")
    status = fields.CharField(max_length=20, default="scheduled")  # scheduled | done | cancelled
    sequence = fields.IntField(default=0)
    remind_day_job = fields.IntField(null=True)
    remind_soon_job = fields.IntField(null=True)
    end_job = fields.IntField(null=True)
    attendance = fields.IntField(null=True)
    recording_url = fields.CharField(max_length=500, default="")
    slides_url = fields.CharField(max_length=500, default="")
    created_by = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    done_at = fields.DatetimeField(null=True)

    class Meta:
        table = "brownbag_session"
        indexes = (("community_id", "starts_at"),)  # a community's sessions (site, calendar)


class Rsvp(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("brownbag.Session", related_name="rsvps")
    session_id: int
    member_id = fields.CharField(max_length=200)
    answer = fields.CharField(max_length=10)  # going | maybe | no
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "brownbag_rsvp"
        unique_together = (("session", "member_id"),)


class Feedback(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("brownbag.Session", related_name="feedback")
    session_id: int
    member_id = fields.CharField(max_length=200)
    rating = fields.SmallIntField()
    apply = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "brownbag_feedback"
        unique_together = (("session", "member_id"),)
