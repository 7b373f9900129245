"""The health check's tables.

Anonymity is a property of this schema, not a promise of the code around it:

* ``Respondent`` says *who* took part in a round (one row per member: no duplicates, participation);
* ``Answer`` and ``Note`` say *what* was answered and have **no member column**;
* no table pairs a member with a ballot: while the round is open, a member's answers carry a token
  computed from their id and the round's ``secret`` (an HMAC, see ``ballot.token``), so they can
  change them. Closing a round erases the secret, re-inserts the answers (and the respondents) in
  a random order with no token, and scrubs the files (``copkit.core.storage.scrub``: the SQLite
  WAL is checkpointed and truncated, PostgreSQL's tables vacuumed), so neither a column, the row
  order nor deleted bytes link a person to an answer afterwards. Below the anonymity threshold
  the answers are deleted.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

OPEN = "open"
CLOSED = "closed"


class Dimension(Model):
    """One card of a community's deck. Never deleted: a retired dimension keeps its history."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="healthcheck_dimensions")
    community_id: int
    key = fields.CharField(max_length=60)
    title = fields.CharField(max_length=100)
    awesome = fields.CharField(max_length=300)
    crappy = fields.CharField(max_length=300)
    position = fields.IntField(default=0)
    default_key = fields.CharField(max_length=60, null=True)  # the default card it came from
    retired_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "healthcheck_dimension"
        unique_together = (("community", "key"),)


class DeckChange(Model):
    """The deck's history: who added, edited, moved, retired, restored or reset what, and how."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="healthcheck_deck_changes")
    community_id: int
    dimension = fields.ForeignKeyField("healthcheck.Dimension", related_name="changes", null=True)
    dimension_id: int | None
    at = fields.DatetimeField()
    member = fields.CharField(max_length=200, default="")
    action = fields.CharField(max_length=20)
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)

    class Meta:
        table = "healthcheck_deck_change"


class Round(Model):
    """A health-check round. ``open_slot`` holds the community id while open (NULL after), so a
    unique constraint allows one open round per community."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="healthcheck_rounds")
    community_id: int
    number = fields.IntField()
    room_id = fields.CharField(max_length=300, default="")
    status = fields.CharField(max_length=10, default=OPEN)
    open_slot = fields.IntField(null=True, unique=True)
    opened_by = fields.CharField(max_length=200, default="")
    opened_at = fields.DatetimeField()
    closes_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)
    min_responses = fields.IntField(default=3)
    responses = fields.IntField(default=0)  # respondents, counted at close
    members = fields.IntField(default=0)  # members of the community at close
    enough = fields.BooleanField(default=False)  # results may be shown
    close_job_id = fields.IntField(null=True)
    remind_job_id = fields.IntField(null=True)
    # While open: the key of the members' ballot tokens (NULL once closed).
    secret = fields.CharField(max_length=64, null=True)
    closed_by = fields.CharField(max_length=200, default="")  # "" for the close timer
    moderate = fields.BooleanField(default=False)  # comments wait for the leader's approval
    writes = fields.IntField(
        default=0
    )  # bumped by each answer: the row lock orders answers and close

    class Meta:
        table = "healthcheck_round"
        unique_together = (("community", "number"),)


class RoundDimension(Model):
    """The deck as it was when a round started (edits apply from the next round)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    round = fields.ForeignKeyField("healthcheck.Round", related_name="items")
    round_id: int
    dimension = fields.ForeignKeyField("healthcheck.Dimension", related_name="round_items")
    dimension_id: int
    position = fields.IntField()
    title = fields.CharField(max_length=100)
    awesome = fields.CharField(max_length=300)
    crappy = fields.CharField(max_length=300)

    class Meta:
        table = "healthcheck_round_dimension"
        unique_together = (("round", "dimension"),)


class Respondent(Model):
    """Who answered a round (participation, duplicates). Nothing here says what they answered."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    round = fields.ForeignKeyField("healthcheck.Round", related_name="respondents")
    round_id: int
    member = fields.CharField(max_length=200)

    class Meta:
        table = "healthcheck_respondent"
        unique_together = (("round", "member"),)


class Answer(Model):
    """One answer on one dimension. No member column, and ``token`` is NULL once the round closed."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    round = fields.ForeignKeyField("healthcheck.Round", related_name="answers")
    round_id: int
    item = fields.ForeignKeyField("healthcheck.RoundDimension", related_name="answers")
    item_id: int
    token = fields.CharField(max_length=64, null=True, db_index=True)
    colour = fields.CharField(max_length=5, null=True)
    trend = fields.CharField(max_length=6, null=True)
    comment = fields.TextField(null=True)
    approved = fields.BooleanField(default=True)  # a held comment is shown once approved

    class Meta:
        table = "healthcheck_answer"
        unique_together = (("round", "token", "item"),)


class Note(Model):
    """An answer to "What did we forget?". No member column, ``token`` is NULL once closed."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    round = fields.ForeignKeyField("healthcheck.Round", related_name="notes")
    round_id: int
    token = fields.CharField(max_length=64, null=True, db_index=True)
    text = fields.TextField()
    approved = fields.BooleanField(default=True)

    class Meta:
        table = "healthcheck_note"
        unique_together = (("round", "token"),)


class Pulse(Model):
    """A quick one-question poll, anonymous unless ``public``. Votes are counted into ``counts``
    and deleted at close."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="healthcheck_pulses")
    community_id: int
    room_id = fields.CharField(max_length=300, default="")
    question = fields.CharField(max_length=300)
    options = fields.JSONField()
    public = fields.BooleanField(default=False)
    status = fields.CharField(max_length=10, default=OPEN)
    opened_by = fields.CharField(max_length=200, default="")
    opened_at = fields.DatetimeField()
    closes_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)
    min_responses = fields.IntField(default=3)
    voters = fields.IntField(default=0)
    counts = fields.JSONField(null=True)
    enough = fields.BooleanField(default=False)
    close_job_id = fields.IntField(null=True)
    secret = fields.CharField(max_length=64, null=True)  # the key of the vote tokens, while open
    writes = fields.IntField(default=0)

    class Meta:
        table = "healthcheck_pulse"


class PulseVote(Model):
    """One vote per member while the pulse is open, deleted when it closes. ``member`` holds the
    member's token (an HMAC of their id under the pulse's secret), not their id."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    pulse = fields.ForeignKeyField("healthcheck.Pulse", related_name="votes")
    pulse_id: int
    member = fields.CharField(max_length=200)
    option = fields.IntField()

    class Meta:
        table = "healthcheck_pulse_vote"
        unique_together = (("pulse", "member"),)
