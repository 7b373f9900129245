"""Facilitation moves shared by the formats that run a group through steps (a workshop, a
retrospective, Xtrem Reading/Watch): each move has one home here, formats only order them.

* :mod:`.phases` — a timeboxed step with a shared timer: start, one-minute heads-up, ``+time``,
  pause/resume, skip, close. Timers are rows (the format names its job type, which hands the
  job to :func:`.phases.on_timer`), so a restart continues where it was.
* :mod:`.notes` — private writing until the reveal: notes only their author sees, "I'm done"
  counted (never listed), one private nudge for those who wrote nothing, reveal exactly once;
  clustering (merge: authors and dots combined).
* :mod:`.dots` — dot votes with a budget: one row per dot under a unique key, placed by one
  conditional INSERT; merge of options; tally.
* :mod:`.elections` — nominate, vote (a ballot), close with run-offs on a tie, accept/decline.
* :mod:`.people` — who takes part in an activity (late joiners, leavers).

The tables are the tortoise app ``facilitation`` (:data:`MODELS`), which the core always opens
and migrates next to its own: a format only uses the moves. Nothing here knows a format or a
platform.
"""

from __future__ import annotations

from copkit.core.storage import FACILITATION_MODELS as MODELS

__all__ = ["MODELS", "OWNER_MAX", "owner_of"]

OWNER_MAX = 100
"""The longest ``owner`` (``"<format>:<id>"``) the tables store."""


def owner_of(format_name: str, activity_id: int) -> str:
    """The owner key of a format's activity, e.g. ``owner_of("workshop", 3)`` → ``workshop:3``."""
    owner = f"{format_name}:{activity_id}"
    if len(owner) > OWNER_MAX:
        raise ValueError(f"owner {owner!r} is too long")
    return owner
