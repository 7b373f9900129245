"""The scorecard: each goal, its target, its value this period and the trend.

A goal with a signal is measured through ``copkit_signals`` (every plugin may answer, reflect
itself for the log's signals, the health check for ``health:<dimension>``); one without a
signal shows the values the core team entered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from copkit.core import goals
from copkit.core.goals import Goal
from copkit.core.models import Community
from copkit.core.plugins import Hooks
from copkit.core.specs import Measure


@dataclass(frozen=True, slots=True)
class Row:
    goal: Goal
    period: str
    value: float | None
    previous: float | None
    auto: bool  # measured by copkit (else entered by hand)

    @property
    def trend(self) -> str | None:
        """``up``, ``down``, ``same`` or ``None`` (not enough to say)."""
        if self.value is None or self.previous is None:
            return None
        if self.value > self.previous:
            return "up"
        return "down" if self.value < self.previous else "same"

    @property
    def met(self) -> bool | None:
        if self.value is None or self.goal.target is None:
            return None
        return self.value >= self.goal.target

    @property
    def progress(self) -> float | None:
        """The value as a share of the target (0 to 1), for the picture."""
        if self.value is None or not self.goal.target:
            return None
        return max(0.0, min(1.0, self.value / self.goal.target))


async def measures(
    hooks: Hooks, community: Community, names: list[str], start: datetime, end: datetime
) -> dict[str, Measure]:
    return await hooks.signals(community, sorted(set(names)), start, end)


async def scorecard(hooks: Hooks, community: Community, now: datetime) -> list[Row]:
    all_goals = await goals.goals_of(community.id)
    by_cadence: dict[str | None, list[Goal]] = {}
    for g in all_goals:
        by_cadence.setdefault(g.cadence, []).append(g)
    manual = await goals.values_for([g.id for g in all_goals if not g.signal])
    rows: dict[int, Row] = {}
    for cadence, group in by_cadence.items():
        names = [g.signal for g in group if g.signal]
        start, end = goals.period_bounds(cadence, now)
        p_start, p_end = goals.previous_period(cadence, now)
        current = await measures(hooks, community, [n for n in names if n], start, end)
        before = await measures(hooks, community, [n for n in names if n], p_start, p_end)
        period, previous = goals.period_of(cadence, now), goals.period_of(cadence, p_start)
        for g in group:
            if g.signal:
                cur, prev = current.get(g.signal), before.get(g.signal)
                rows[g.id] = Row(
                    g,
                    period,
                    cur.value if cur else None,
                    prev.value if prev else None,
                    True,
                )
            else:
                vals = manual.get(g.id, {})
                rows[g.id] = Row(g, period, vals.get(period), vals.get(previous), False)
    return [rows[g.id] for g in all_goals]
