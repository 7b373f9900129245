"""The facilitation tables: phases with their timers, private notes, "I'm done" presses and
nudges, participants, ballots of dots and elections.

Every row is owned by an activity of some format, named by ``owner`` (e.g. ``"workshop:3"``),
so one set of tables serves every format. The invariants live in the database:

* a phase is changed only by a conditional UPDATE on its ``version``; its timer jobs are the ones
  whose ids it stores (an older job finds another id and does nothing);
* notes are numbered by the phase's ``counter``, bumped by the same UPDATE that checks that
  writing is open, so a note written after the close is refused and none shares a number;
* "I'm done", a nudge and a participant are unique per (phase or owner, member);
* a dot is a row unique per (ballot, member, dot index), its index below the ballot's budget.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

PENDING, RUNNING, PAUSED, ENDED, SKIPPED = "pending", "running", "paused", "ended", "skipped"
OPEN, MERGED, WITHDRAWN, CLOSED = "open", "merged", "withdrawn", "closed"
NOMINATING, VOTING, ELECTED, ACCEPTED, DECLINED = (
    "nominating",
    "voting",
    "elected",
    "accepted",
    "declined",
)


class Phase(Model):
    """A timeboxed step of an activity, with a shared timer (its end, or the time left paused)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="facilitation_phases")
    community_id: int
    owner = fields.CharField(max_length=100)
    name = fields.CharField(max_length=40)
    job = fields.CharField(max_length=100)  # the format's job type that runs this timer
    status = fields.CharField(max_length=20, default=PENDING)
    seconds = fields.IntField()  # the timebox, extensions included
    ends_at = fields.DatetimeField(null=True)
    paused_left = fields.IntField(null=True)
    warn_job = fields.IntField(null=True)
    end_job = fields.IntField(null=True)
    version = fields.IntField(default=0)
    counter = fields.IntField(default=0)  # notes written so far (numbers them)
    revealed = fields.BooleanField(default=False)
    started_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "facilitation_phase"
        unique_together = (("owner", "name"),)


class Note(Model):
    """One idea, seen only by its author until the phase is revealed."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    phase = fields.ForeignKeyField("facilitation.Phase", related_name="notes")
    phase_id: int
    number = fields.IntField()
    author = fields.CharField(max_length=200)
    author_name = fields.CharField(max_length=200, default="")
    text = fields.CharField(max_length=500)
    box = fields.CharField(max_length=40, default="")
    tag = fields.CharField(max_length=20, null=True)
    strength = fields.SmallIntField(null=True)
    status = fields.CharField(max_length=20, default=OPEN)
    merged_into = fields.IntField(null=True)  # the number of the note it joined
    coauthors = fields.JSONField(default=list)  # [[id, name], …] gained by merges
    created_at = fields.DatetimeField()

    class Meta:
        table = "facilitation_note"
        unique_together = (("phase", "number"),)
        indexes = (("phase_id", "author"),)


class Done(Model):
    """Someone said they are done writing in a phase (counted, never listed)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    phase = fields.ForeignKeyField("facilitation.Phase", related_name="done")
    phase_id: int
    member = fields.CharField(max_length=200)

    class Meta:
        table = "facilitation_done"
        unique_together = (("phase", "member"),)


class Nudge(Model):
    """The one private nudge a member got in a phase."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    phase = fields.ForeignKeyField("facilitation.Phase", related_name="nudges")
    phase_id: int
    member = fields.CharField(max_length=200)

    class Meta:
        table = "facilitation_nudge"
        unique_together = (("phase", "member"),)


class Participant(Model):
    """Someone taking part in an activity, until they leave."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="facilitation_people")
    community_id: int
    owner = fields.CharField(max_length=100)
    member = fields.CharField(max_length=200)
    name = fields.CharField(max_length=200, default="")
    joined_at = fields.DatetimeField()
    left_at = fields.DatetimeField(null=True)

    class Meta:
        table = "facilitation_participant"
        unique_together = (("owner", "member"),)


class Ballot(Model):
    """A dot vote: a budget of dots each, at most per_item on one option (0: no limit)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="facilitation_ballots")
    community_id: int
    owner = fields.CharField(max_length=100)
    name = fields.CharField(max_length=60)
    budget = fields.SmallIntField()
    per_item = fields.SmallIntField(default=0)
    status = fields.CharField(max_length=20, default=OPEN)
    version = fields.IntField(default=0)

    class Meta:
        table = "facilitation_ballot"
        unique_together = (("owner", "name"),)


class Option(Model):
    """What the dots of a ballot go on: a note, a name, a candidate (named by its key)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    ballot = fields.ForeignKeyField("facilitation.Ballot", related_name="options")
    ballot_id: int
    key = fields.CharField(max_length=200)
    label = fields.CharField(max_length=500)
    author = fields.CharField(max_length=200, default="")
    status = fields.CharField(max_length=20, default=OPEN)
    merged_into = fields.IntField(null=True)  # the option id it joined
    position = fields.IntField(default=0)

    class Meta:
        table = "facilitation_option"
        unique_together = (("ballot", "key"),)


class Dot(Model):
    """One dot, its index below the ballot budget: at most that many rows per member."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    ballot = fields.ForeignKeyField("facilitation.Ballot", related_name="dots")
    ballot_id: int
    option = fields.ForeignKeyField("facilitation.Option", related_name="dots")
    option_id: int
    member = fields.CharField(max_length=200)
    dot = fields.SmallIntField()

    class Meta:
        table = "facilitation_dot"
        unique_together = (("ballot", "member", "dot"),)
        indexes = (("option_id",),)


class Election(Model):
    """Nominations, a vote (with run-offs on a tie), and the answer of the person elected."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="facilitation_elections")
    community_id: int
    owner = fields.CharField(max_length=100)
    name = fields.CharField(max_length=40)
    status = fields.CharField(max_length=20, default=NOMINATING)
    round = fields.SmallIntField(default=1)
    budget = fields.SmallIntField(default=1)
    per_item = fields.SmallIntField(default=1)
    ballot_id = fields.IntField(null=True)  # the current round's ballot
    winner_key = fields.CharField(max_length=200, null=True)
    winner_label = fields.CharField(max_length=500, default="")
    version = fields.IntField(default=0)

    class Meta:
        table = "facilitation_election"
        unique_together = (("owner", "name"),)


class Group(Model):
    """A small group of an activity (2–3 people around a theme), numbered from 1. A group
    whose members all left is ``merged`` into another (``merged_into``: that one's number)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="facilitation_groups")
    community_id: int
    owner = fields.CharField(max_length=100)
    number = fields.SmallIntField()
    theme = fields.CharField(max_length=200, default="")  # what brings them together
    status = fields.CharField(max_length=20, default=OPEN)
    merged_into = fields.SmallIntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "facilitation_group"
        unique_together = (("owner", "number"),)


class GroupMember(Model):
    """Someone's place in a group: one row per (activity, member), so nobody is in two
    groups; a move is an UPDATE of ``group``, leaving sets ``left_at``."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    group = fields.ForeignKeyField("facilitation.Group", related_name="members")
    group_id: int
    owner = fields.CharField(max_length=100)
    member = fields.CharField(max_length=200)
    name = fields.CharField(max_length=200, default="")
    position = fields.IntField(default=0)  # the order inside the group (a swap passes along it)
    joined_at = fields.DatetimeField()
    left_at = fields.DatetimeField(null=True)

    class Meta:
        table = "facilitation_group_member"
        unique_together = (("owner", "member"),)
        indexes = (("group_id",),)
