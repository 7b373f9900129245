"""Lean coffee tables: sessions, topics, dots, thumbs votes, notes, participants and minutes.

The invariants live in the database:

* one running session per room: ``Session.running_key`` is unique while running, NULL after;
* nobody exceeds their dots: a dot is a ``Vote`` row, unique per (session, member, dot index),
  and the index is always below the session's budget;
* one thumbs vote per person and round: unique (session, round, member);
* state transitions are guarded by ``Session.step`` (an optimistic version number) and timer
  jobs by ``Session.timer_job`` (a job whose id is not the current one does nothing).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

PROPOSING = "proposing"
VOTING = "voting"
DISCUSSING = "discussing"
ENDED = "ended"

OPEN = "open"  # to discuss
CURRENT = "discussing"
DISCUSSED = "discussed"
SKIPPED = "skipped"
WITHDRAWN = "withdrawn"
MERGED = "merged"
REMOVED = "removed"
GONE = (WITHDRAWN, MERGED, REMOVED)

NOTE = "note"
TAKEAWAY = "takeaway"
ACTION = "action"

MAX_DOTS = 10  # the most dots a session may give each person


class Session(Model):
    """One lean coffee in one room."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="leancoffee_sessions")
    community_id: int
    room_id = fields.CharField(max_length=300)
    running_key = fields.CharField(max_length=320, null=True, unique=True)
    title = fields.CharField(max_length=200, default="")
    phase = fields.CharField(max_length=20, default=PROPOSING)
    step = fields.IntField(default=0)  # bumped by every transition (optimistic locking)
    votes = fields.SmallIntField(default=2)  # dots per person
    timebox = fields.IntField(default=480)  # seconds
    extensions = fields.JSONField(default=list)  # seconds, e.g. [240, 120]
    current_topic = fields.IntField(null=True)
    ends_at = fields.DatetimeField(null=True)  # end of the running timebox
    paused_left = fields.IntField(null=True)  # seconds left while paused
    active_since = fields.DatetimeField(null=True)  # the current topic's clock runs since
    timer_job = fields.IntField(null=True)
    thumbs_round = fields.IntField(default=0)
    thumbs_open = fields.BooleanField(default=False)
    thumbs_ends_at = fields.DatetimeField(null=True)
    thumbs_window = fields.IntField(default=60)  # seconds
    discussed_count = fields.IntField(default=0)
    started_by = fields.CharField(max_length=200, default="")
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "leancoffee_session"
        indexes = (("community_id", "room_id", "phase"),)


class Topic(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("leancoffee.Session", related_name="topics")
    session_id: int
    community = fields.ForeignKeyField("core.Community", related_name="leancoffee_topics")
    community_id: int
    number = fields.IntField()  # #1, #2 … within the session
    title = fields.CharField(max_length=120)
    pitch = fields.CharField(max_length=300, default="")
    author = fields.CharField(max_length=200)
    author_name = fields.CharField(max_length=200, default="")
    coauthors = fields.JSONField(default=list)  # [[id, name], …] gained by merges
    status = fields.CharField(max_length=20, default=OPEN)
    carried_over = fields.BooleanField(default=False)
    origin = fields.IntField(null=True)  # the backlog topic this one was carried from
    merged_into = fields.IntField(null=True)
    similar_to = fields.IntField(null=True)  # number of a near-duplicate proposed earlier
    in_backlog = fields.BooleanField(default=False)
    order = fields.IntField(null=True)  # 1 for the first topic discussed, …
    started_at = fields.DatetimeField(null=True)
    spent = fields.IntField(default=0)  # seconds discussed
    extensions_used = fields.SmallIntField(default=0)
    thumbs = fields.JSONField(default=list)  # [[up, neutral, down], …] per round
    final_votes = fields.IntField(null=True)  # dots when voting closed
    # Its dots now: kept by the database's triggers on leancoffee_vote (migration 0002); never
    # written by copkit's code.
    dot_count = fields.IntField(default=0, db_default=0)
    created_at = fields.DatetimeField()

    class Meta:
        table = "leancoffee_topic"
        unique_together = (("session", "number"),)
        indexes = (("community_id", "in_backlog"),)


class Vote(Model):
    """One dot. ``dot`` is in ``range(session.votes)``: at most that many rows per member."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("leancoffee.Session", related_name="dots")
    session_id: int
    topic = fields.ForeignKeyField("leancoffee.Topic", related_name="dots")
    topic_id: int
    member = fields.CharField(max_length=200)
    dot = fields.SmallIntField()

    class Meta:
        table = "leancoffee_vote"
        unique_together = (("session", "member", "dot"),)
        indexes = (("topic_id",),)


class Thumbs(Model):
    """A thumbs vote at the end of a timebox: up (keep going), neutral, down (move on)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("leancoffee.Session", related_name="thumbs_votes")
    session_id: int
    round = fields.IntField()
    topic = fields.IntField()
    member = fields.CharField(max_length=200)
    value = fields.CharField(max_length=10)

    class Meta:
        table = "leancoffee_thumbs"
        unique_together = (("session", "round", "member"),)


class Note(Model):
    """A note, takeaway or action item, optionally about a topic."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("leancoffee.Session", related_name="notes")
    session_id: int
    community = fields.ForeignKeyField("core.Community", related_name="leancoffee_notes")
    community_id: int
    topic = fields.IntField(null=True)
    kind = fields.CharField(max_length=10)
    text = fields.CharField(max_length=500)
    author = fields.CharField(max_length=200)
    author_name = fields.CharField(max_length=200, default="")
    owner = fields.CharField(max_length=200, null=True)  # a person id or a name
    owner_name = fields.CharField(max_length=200, null=True)
    due = fields.DateField(null=True)
    done = fields.BooleanField(default=False)
    done_at = fields.DatetimeField(null=True)
    done_by = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "leancoffee_note"
        indexes = (("community_id", "kind", "done"),)


class Participant(Model):
    """Someone the adapter reported present during a session (voice channel, meeting)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("leancoffee.Session", related_name="participants")
    session_id: int
    member = fields.CharField(max_length=200)

    class Meta:
        table = "leancoffee_participant"
        unique_together = (("session", "member"),)


class Minutes(Model):
    """The stored minutes of a session: the data, and its Markdown."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    session = fields.OneToOneField("leancoffee.Session", related_name="minutes")
    session_id: int
    community = fields.ForeignKeyField("core.Community", related_name="leancoffee_minutes")
    community_id: int
    day = fields.DateField()  # in the community's time zone
    data = fields.JSONField()
    markdown = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "leancoffee_minutes"
        indexes = (("community_id", "day"),)
