"""A community's goals: the API the canvas writes and the reflect plugin measures.

A goal is a sentence with an optional numeric ``target``, a ``cadence`` (the period it is
measured over) and a ``signal`` — the name of a measure copkit computes from its own data (see
:data:`SIGNALS` and ``docs/reflect.md``). A goal without a signal is measured by the values the
core team enters with :func:`record_value`. Stored in the core's own tortoise app ``goals``
(:mod:`copkit.core.goals_models`), so any plugin may read and write goals without importing
another plugin::

    from copkit.core import goals

    g = await goals.add_goal(community.id, "Two events a month", target=2, cadence="month",
                             signal="events_held", source="canvas", source_ref="canvas:3:measures")
    await goals.goals_of(community.id)          # every goal, oldest first
    await goals.update_goal(g.id, target=3)
    await goals.record_value(g.id, "2026-01", 2, by="ann")
    await goals.remove_goal(g.id)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from copkit.core.parsing import to_int

from . import store
from .errors import UserError
from .goals_models import GoalRow, GoalValue
from .i18n import N_, _

TEXT_MAX = 300
REF_MAX = 200
GOALS_MAX = 30  # a scorecard stays one readable message on every platform
CADENCES = ("week", "month", "quarter", "year")
SOURCES = ("canvas", "manual")

SIGNALS: dict[str, str] = {
    "events_held": N_("events held in the period (add :<format> for one format)"),
    "distinct_hosts": N_("different people who ran or presented at an event in the period"),
    "presenters_share": N_("share of members (%) who ever presented or ran an event"),
    "not_leader_share": N_("share of the period's events (%) not run by the leader"),
    "actions_closed": N_("actions closed in the period, as a share (%) of those opened"),
    "active_members": N_("members who contributed in the period"),
    "newcomer_contribution": N_(
        "share of the period's newcomers (%) who gave within 14 days (add :<days>)"
    ),
    "health": N_(
        "health-check score (0–100) of a dimension in the period's last round: health:<key>"
    ),
}
"""The signals copkit measures by itself: ``name`` or ``name:<parameter>``."""

_PARAM = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}$")
_NEEDS_PARAM = {"health"}
_INT_PARAM = {"newcomer_contribution"}
_NO_PARAM = {"distinct_hosts", "presenters_share", "not_leader_share", "actions_closed"}
_NO_PARAM |= {"active_members"}


@dataclass(frozen=True, slots=True)
class Goal:
    id: int
    community_id: int
    text: str
    target: float | None
    cadence: str | None
    signal: str | None
    source: str
    source_ref: str | None
    created_at: datetime


def _goal(row: GoalRow) -> Goal:
    return Goal(
        row.id,
        row.community_id,
        row.text,
        row.target,
        row.cadence,
        row.signal,
        row.source,
        row.source_ref,
        row.created_at,
    )


# Checking values --------------------------------------------------------------------------------


def signal_parts(signal: str) -> tuple[str, str]:
    """``events_held:leancoffee`` → ``("events_held", "leancoffee")``; no parameter → ``""``."""
    name, _sep, param = signal.partition(":")
    return name, param


def check_signal(signal: str | None) -> str | None:
    """The signal, normalised, or a :class:`UserError` naming the documented ones."""
    if signal is None or not signal.strip():
        return None
    signal = signal.strip().lower()
    name, param = signal_parts(signal)
    known = name in SIGNALS
    ok = known and (
        (bool(param) and _PARAM.match(param) is not None and name not in _NO_PARAM)
        or (not param and name not in _NEEDS_PARAM)
    )
    if ok and param and name in _INT_PARAM:
        ok = to_int(param, 1, 365) is not None
    if not ok:
        raise UserError(
            _("“{signal}” is not a signal copkit measures. Pick one of: {names}.").format(
                signal=signal[:60], names=", ".join(signal_names())
            )
        )
    return signal


def signal_names() -> list[str]:
    return [f"{n}:<key>" if n in _NEEDS_PARAM else n for n in SIGNALS]


def check_cadence(cadence: str | None) -> str | None:
    if cadence is None or not cadence.strip():
        return None
    cadence = cadence.strip().lower()
    if cadence not in CADENCES:
        raise UserError(_("The cadence is one of: {names}.").format(names=", ".join(CADENCES)))
    return cadence


def check_target(target: float | None) -> float | None:
    if target is None:
        return None
    try:
        value = float(target)
    except (TypeError, ValueError):
        raise UserError(_("The target is a number, e.g. 2 or 60.")) from None
    if not math.isfinite(value) or abs(value) > 1e9:
        raise UserError(_("The target is a number, e.g. 2 or 60."))
    return value


def check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise UserError(_("A goal needs a few words."))
    if len(text) > TEXT_MAX:
        raise UserError(_("The goal is too long (at most {n} characters).").format(n=TEXT_MAX))
    return text


# Periods ----------------------------------------------------------------------------------------


def period_of(cadence: str | None, when: datetime) -> str:
    """The period ``when`` falls in: ``2026-W03``, ``2026-01``, ``2026-Q1`` or ``2026``
    (a goal without a cadence is measured by month)."""
    when = when.astimezone(UTC)
    if cadence == "week":
        year, week, _day = when.isocalendar()
        return f"{year}-W{week:02d}"
    if cadence == "quarter":
        return f"{when.year}-Q{(when.month - 1) // 3 + 1}"
    if cadence == "year":
        return f"{when.year}"
    return f"{when.year}-{when.month:02d}"


def period_bounds(cadence: str | None, when: datetime) -> tuple[datetime, datetime]:
    """The start (included) and end (excluded) of the period ``when`` falls in, in UTC."""
    when = when.astimezone(UTC)
    if cadence == "week":
        start = datetime(when.year, when.month, when.day, tzinfo=UTC) - timedelta(
            days=when.weekday()
        )
        return start, start + timedelta(days=7)
    if cadence == "year":
        return datetime(when.year, 1, 1, tzinfo=UTC), datetime(when.year + 1, 1, 1, tzinfo=UTC)
    months = 3 if cadence == "quarter" else 1
    first = (when.month - 1) // months * months + 1
    start = datetime(when.year, first, 1, tzinfo=UTC)
    end_month = first + months
    end = datetime(when.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1, tzinfo=UTC)
    return start, end


def previous_period(cadence: str | None, when: datetime) -> tuple[datetime, datetime]:
    start, _end = period_bounds(cadence, when)
    return period_bounds(cadence, start - timedelta(seconds=1))


_PERIOD = re.compile(r"^(\d{4})(?:-(W\d{2}|Q[1-4]|\d{2}))?$")


def check_period(cadence: str | None, period: str) -> str:
    """``period`` as :func:`period_of` writes it for ``cadence``, or a :class:`UserError`."""
    p = (period or "").strip().upper()
    m = _PERIOD.match(p)
    ok = m is not None
    if m is not None:
        tail = m.group(2) or ""
        if cadence == "week":
            ok = tail.startswith("W") and 1 <= int(tail[1:]) <= 53
        elif cadence == "quarter":
            ok = tail.startswith("Q")
        elif cadence == "year":
            ok = not tail
        else:
            ok = to_int(tail, 1, 12) is not None
    if not ok:
        example = period_of(cadence, datetime(2026, 3, 2, tzinfo=UTC))
        raise UserError(_("Name the period like {example}.").format(example=example))
    return p


# The API ----------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


async def add_goal(
    community_id: int,
    text: str,
    *,
    target: float | None = None,
    cadence: str | None = None,
    signal: str | None = None,
    source: str = "manual",
    source_ref: str | None = None,
    now: datetime | None = None,
) -> Goal:
    """Store a new goal; bad values raise a :class:`UserError` and store nothing."""
    text = check_text(text)
    target, cadence, signal = check_target(target), check_cadence(cadence), check_signal(signal)
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    if await GoalRow.filter(community_id=community_id).count() >= GOALS_MAX:
        raise UserError(
            _("The community has {n} goals already: remove one first.").format(n=GOALS_MAX)
        )
    row = await GoalRow.create(
        community_id=community_id,
        text=text,
        target=target,
        cadence=cadence,
        signal=signal,
        source=source,
        source_ref=(source_ref or None) and source_ref[:REF_MAX],
        created_at=_now(now),
    )
    return _goal(row)


async def goals_of(community_id: int) -> list[Goal]:
    """The community's goals, oldest first."""
    rows = await GoalRow.filter(community_id=community_id).order_by("id")
    return [_goal(r) for r in rows]


async def get_goal(goal_id: int, community_id: int | None = None) -> Goal:
    """One goal (of that community, when given), or a :class:`UserError`."""
    query = GoalRow.filter(id=goal_id)
    if community_id is not None:
        query = query.filter(community_id=community_id)
    row = await query.first()
    if row is None:
        raise UserError(_("There is no goal #{n}.").format(n=goal_id))
    return _goal(row)


_CHANGEABLE = ("text", "target", "cadence", "signal", "source_ref")


async def update_goal(goal_id: int, **changes: Any) -> Goal:
    """Change some of ``text``, ``target``, ``cadence``, ``signal``, ``source_ref``."""
    unknown = set(changes) - set(_CHANGEABLE)
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    values: dict[str, Any] = {}
    if "text" in changes:
        values["text"] = check_text(changes["text"])
    if "target" in changes:
        values["target"] = check_target(changes["target"])
    if "cadence" in changes:
        values["cadence"] = check_cadence(changes["cadence"])
    if "signal" in changes:
        values["signal"] = check_signal(changes["signal"])
    if "source_ref" in changes:
        ref = changes["source_ref"]
        values["source_ref"] = ref[:REF_MAX] if ref else None
    await get_goal(goal_id)
    if values:
        await GoalRow.filter(id=goal_id).update(**values)
    return await get_goal(goal_id)


async def remove_goal(goal_id: int) -> None:
    """Forget a goal and the values entered for it (removing it twice changes nothing)."""
    async with in_transaction():
        await GoalValue.filter(goal_id=goal_id).delete()
        await GoalRow.filter(id=goal_id).delete()


async def record_value(
    goal_id: int, period: str, value: float, by: str, *, now: datetime | None = None
) -> float:
    """Enter ``value`` for the goal's ``period`` (a second entry replaces the first)."""
    goal = await get_goal(goal_id)
    period = check_period(goal.cadence, period)
    number = check_target(value)
    assert number is not None
    await store.upsert(
        GoalValue,
        {"goal_id": goal_id, "period": period},
        {"value": number, "by": by[:200], "at": _now(now)},
    )
    return number


async def values_of(goal_id: int) -> dict[str, float]:
    """The values entered for a goal, by period."""
    return {v.period: v.value for v in await GoalValue.filter(goal_id=goal_id)}


async def values_for(goal_ids: list[int]) -> dict[int, dict[str, float]]:
    """The values entered for several goals, in one query."""
    out: dict[int, dict[str, float]] = {g: {} for g in goal_ids}
    if goal_ids:
        for v in await GoalValue.filter(goal_id__in=goal_ids):
            out[v.goal_id][v.period] = v.value
    return out
