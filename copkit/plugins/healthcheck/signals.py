"""What the health check tells the goals and the coach, through ``copkit_signals``: only
aggregates of closed rounds with enough answers, never anything about one respondent.

* ``health:<key>`` — the score (0 green … 100) of a dimension in the last such round closed in
  the period (a dimension with fewer answers than the round's minimum has none);
* ``health.average`` — that round's mean score over its dimensions;
* ``health.days_since`` — days from the last round's close to the period's end;
* ``health.red_twice`` — how many dimensions are red two rounds running (``detail`` names them).
"""

from __future__ import annotations

from datetime import datetime

from copkit.core.models import Community
from copkit.core.specs import Measure

from . import logic
from .models import CLOSED, Dimension, Round


async def measure(
    community: Community, names: list[str], start: datetime, end: datetime
) -> list[Measure]:
    wanted = [n for n in names if n.startswith(("health:", "health."))]
    if not wanted:
        return []
    r = (
        await Round.filter(
            community_id=community.id,
            status=CLOSED,
            enough=True,
            closed_at__gte=start,
            closed_at__lt=end,
        )
        .order_by("-closed_at")
        .first()
    )
    out: list[Measure] = []
    if r is None or r.closed_at is None:
        return out
    if "health.days_since" in wanted:
        out.append(Measure("health.days_since", (end - r.closed_at).total_seconds() / 86400))
    res = await logic.results(r)
    shown = [line for line in res.lines if line.tally.answered >= r.min_responses]
    keys = dict(
        await Dimension.filter(id__in=[line.dimension_id for line in shown]).values_list(
            "id", "key"
        )
    )
    scores = {keys[line.dimension_id]: line.tally.score for line in shown}
    for name in wanted:
        if name.startswith("health:") and scores.get(name[7:]) is not None:
            out.append(Measure(name, float(scores[name[7:]] or 0)))
    if "health.average" in wanted:
        values = [s for s in scores.values() if s is not None]
        if values:
            out.append(Measure("health.average", round(sum(values) / len(values), 1)))
    if "health.red_twice" in wanted:
        red = [line.title for line in shown if line.red_twice]
        out.append(Measure("health.red_twice", float(len(red)), ", ".join(red)))
    return out
