"""The Xtrem tables: the community's book list (with who read what and the ratings), the
sessions of both formats, the books each reader reads in each round, and the sources found.

A session's phases, private notes, ballots, participants and groups are rows of the core's
facilitation app, owned by ``<format>:<id>``. Every move of a session is a conditional UPDATE
on ``version``: a repeated or stale press changes nothing; ``running_key`` (unique while it
runs, NULL after) keeps one session per room.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

RUNNING, DONE, STOPPED = "running", "done", "stopped"


class Book(Model):
    """A book on the community's list: ``fold`` (the title and author folded) is unique, so
    a book added twice is refused; a removed book keeps its readings and ratings."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="xtrem_books")
    community_id: int
    number = fields.IntField()  # as people name it: book 3
    title = fields.CharField(max_length=200)
    author = fields.CharField(max_length=120, default="")
    link = fields.CharField(max_length=500, default="")
    theme = fields.CharField(max_length=60, default="")
    fold = fields.CharField(max_length=330)
    added_by = fields.CharField(max_length=200)
    added_by_name = fields.CharField(max_length=200, default="")
    added_at = fields.DatetimeField()
    removed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "xtrem_book"
        unique_together = (("community", "fold"), ("community", "number"))


class Session(Model):
    """An Xtrem Reading or Xtrem Watch session in a room: its step, timeboxes and record."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="xtrem_sessions")
    community_id: int
    format = fields.CharField(max_length=20)  # xtremreading | xtremwatch
    room_id = fields.CharField(max_length=300)
    running_key = fields.CharField(max_length=320, null=True, unique=True)
    status = fields.CharField(max_length=20, default=RUNNING)
    step = fields.CharField(max_length=20)
    turn = fields.SmallIntField(default=0)  # whose pitch or presentation it is
    version = fields.IntField(default=0)
    seconds = fields.JSONField(default=dict)  # step name -> timebox
    options = fields.JSONField(default=dict)  # random groups, voice, dots …
    facilitator = fields.CharField(max_length=200)
    facilitator_name = fields.CharField(max_length=200, default="")
    record = fields.JSONField(default=dict)  # the minutes, kept at the end
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "xtrem_session"
        indexes = (("community_id", "status"),)


class Reading(Model):
    """Who reads which book in which round (1: their pick, 2: after the swap), and what they
    hope to find in it."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("xtrem.Session", related_name="readings")
    session_id: int
    book = fields.ForeignKeyField("xtrem.Book", related_name="readings")
    book_id: int
    member = fields.CharField(max_length=200)
    name = fields.CharField(max_length=200, default="")
    round = fields.SmallIntField()
    hope = fields.CharField(max_length=300, default="")

    class Meta:
        table = "xtrem_reading"
        unique_together = (("session", "member", "round"),)
        indexes = (("book_id",),)


class Rating(Model):
    """A reader's rating of a book they read: readability and recommendation, 1 to 5."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("xtrem.Session", related_name="ratings")
    session_id: int
    book = fields.ForeignKeyField("xtrem.Book", related_name="ratings")
    book_id: int
    member = fields.CharField(max_length=200)
    name = fields.CharField(max_length=200, default="")
    readability = fields.SmallIntField()
    recommendation = fields.SmallIntField()

    class Meta:
        table = "xtrem_rating"
        unique_together = (("session", "member", "book"),)


class Source(Model):
    """A link a group found in Xtrem Watch: its topic and who found it."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("xtrem.Session", related_name="sources")
    session_id: int
    number = fields.IntField()
    group = fields.SmallIntField()
    topic = fields.CharField(max_length=300, default="")
    url = fields.CharField(max_length=500)
    about = fields.CharField(max_length=300, default="")
    finder = fields.CharField(max_length=200)
    finder_name = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "xtrem_source"
        unique_together = (("session", "url"), ("session", "number"))
