"""What reflect computes from its aggregates: participation levels, the give/take balance,
a member's own history and the signals of ``copkit.core.goals.SIGNALS``.

Every query reads the aggregate tables (a few thousand rows at most), never the log itself, and
leaves out the members who opted out (``me private``). Nothing here returns a list of members:
the levels and the balance come out as counts and shares only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from copkit.core import goals, store
from copkit.core.models import Community, Membership
from copkit.core.roles import Role
from copkit.core.specs import Measure

from .ingest import GIVES, PRESENTING, TAKES, epoch, month_index
from .models import OptOut

LEVELS = ("core", "active", "occasional", "peripheral")
CORE_GIVES = 6  # gave this often in the window: core
ACTIVE_GIVES = 2  # at least this often: active; once, or only taking part: occasional
DEFAULT_WINDOW = 3  # months


@dataclass(frozen=True, slots=True)
class Lens:
    """What counts, per community: the kinds that give and take, and the window in months."""

    gives: frozenset[str] = GIVES
    takes: frozenset[str] = TAKES
    window: int = DEFAULT_WINDOW


def lens_of(community: Community) -> Lens:
    cfg = (community.settings or {}).get("reflect", {})
    return Lens(
        frozenset(cfg.get("gives", GIVES)),
        frozenset(cfg.get("takes", TAKES)),
        int(cfg.get("window", DEFAULT_WINDOW)),
    )


def _in(kinds: Iterable[str]) -> tuple[str, list[str]]:
    ks = sorted(kinds) or [""]
    return ",".join("?" * len(ks)), ks


_NOT_PRIVATE = "member NOT IN (SELECT member FROM reflect_optout WHERE community_id = ?)"


def level(gives: int, takes: int) -> int:
    """3 core, 2 active, 1 occasional, 0 peripheral."""
    if gives >= CORE_GIVES:
        return 3
    if gives >= ACTIVE_GIVES:
        return 2
    return 1 if gives or takes else 0


@dataclass
class Participation:
    month: int  # the window ends with this month
    window: int
    counts: dict[str, int]
    previous: dict[str, int]
    known: int
    moved_up: int
    moved_down: int
    went_quiet: int
    newcomers: int
    balance: list[tuple[int, int, int]] = field(default_factory=list)  # month, gives, takes

    def share(self, name: str) -> int:
        return round(100 * self.counts[name] / self.known) if self.known else 0


async def participation(cid: int, lens: Lens, now: datetime, months: int = 6) -> Participation:
    m1 = month_index(now)
    m0 = m1 - lens.window + 1
    gq, gv = _in(lens.gives)
    tq, tv = _in(lens.takes)
    rows = await store.rows(
        f"SELECT member,"
        f" SUM(CASE WHEN month >= ? AND kind IN ({gq}) THEN n ELSE 0 END) AS g1,"
        f" SUM(CASE WHEN month >= ? AND kind IN ({tq}) THEN n ELSE 0 END) AS t1,"
        f" SUM(CASE WHEN month < ? AND kind IN ({gq}) THEN n ELSE 0 END) AS g0,"
        f" SUM(CASE WHEN month < ? AND kind IN ({tq}) THEN n ELSE 0 END) AS t0"
        f" FROM reflect_member_month WHERE community_id = ? AND month >= ? AND month <= ?"
        f" AND {_NOT_PRIVATE} GROUP BY member",
        [m0, *gv, m0, *tv, m1, *gv, m1, *tv, cid, m0 - 1, m1, cid],
    )
    end = _month_start(m1 + 1)
    start = _month_start(m1)
    known_rows = await store.rows(
        "SELECT COUNT(*) AS known, SUM(CASE WHEN first_at >= ? THEN 1 ELSE 0 END) AS new,"
        " SUM(CASE WHEN first_at < ? THEN 1 ELSE 0 END) AS before"
        f" FROM reflect_member WHERE community_id = ? AND first_at < ? AND {_NOT_PRIVATE}",
        [start, start, cid, end, cid],
    )
    known = int(known_rows[0]["known"] or 0)
    known_before = int(known_rows[0]["before"] or 0)
    now_counts = [0, 0, 0, 0]
    prev_counts = [0, 0, 0, 0]
    up = down = quiet = 0
    for r in rows:
        a = level(int(r["g1"] or 0), int(r["t1"] or 0))
        b = level(int(r["g0"] or 0), int(r["t0"] or 0))
        now_counts[a] += 1
        prev_counts[b] += 1
        if a > b:
            up += 1
        elif a < b:
            quiet, down = (quiet + 1, down) if a == 0 else (quiet, down + 1)
    now_counts[0] = known - sum(now_counts[1:])
    prev_counts[0] = known_before - sum(prev_counts[1:])
    balance = await give_take(cid, lens, m1 - months + 1, m1)
    return Participation(
        m1,
        lens.window,
        dict(zip(LEVELS, reversed(now_counts), strict=True)),
        dict(zip(LEVELS, reversed([max(0, c) for c in prev_counts]), strict=True)),
        known,
        up,
        down,
        quiet,
        int(known_rows[0]["new"] or 0),
        balance,
    )


async def give_take(cid: int, lens: Lens, m0: int, m1: int) -> list[tuple[int, int, int]]:
    """Per month from ``m0`` to ``m1``: the community's gives and takes (no one's own)."""
    gq, gv = _in(lens.gives)
    tq, tv = _in(lens.takes)
    rows = await store.rows(
        f"SELECT month, SUM(CASE WHEN kind IN ({gq}) THEN n ELSE 0 END) AS g,"
        f" SUM(CASE WHEN kind IN ({tq}) THEN n ELSE 0 END) AS t"
        f" FROM reflect_member_month WHERE community_id = ? AND month >= ? AND month <= ?"
        f" AND {_NOT_PRIVATE} GROUP BY month",
        [*gv, *tv, cid, m0, m1, cid],
    )
    by = {int(r["month"]): (int(r["g"] or 0), int(r["t"] or 0)) for r in rows}
    return [(m, *by.get(m, (0, 0))) for m in range(m0, m1 + 1)]


async def my_history(cid: int, member: str, lens: Lens, now: datetime, months: int = 6) -> dict:
    """One member's own months: gives and takes, the kinds, and their level now."""
    m1 = month_index(now)
    rows = await store.rows(
        "SELECT month, kind, n FROM reflect_member_month"
        " WHERE community_id = ? AND member = ? AND month >= ? AND month <= ?",
        [cid, member, m1 - months + 1, m1],
    )
    per: dict[int, list[int]] = {m: [0, 0] for m in range(m1 - months + 1, m1 + 1)}
    kinds: dict[str, int] = {}
    for r in rows:
        kind, n, m = str(r["kind"]), int(r["n"]), int(r["month"])
        if kind in lens.gives:
            per[m][0] += n
        elif kind in lens.takes:
            per[m][1] += n
        else:
            continue
        kinds[kind] = kinds.get(kind, 0) + n
    window = [per[m] for m in range(m1 - lens.window + 1, m1 + 1)]
    return {
        "months": [(m, g, t) for m, (g, t) in per.items()],
        "kinds": kinds,
        "level": level(sum(w[0] for w in window), sum(w[1] for w in window)),
        "private": await OptOut.filter(community_id=cid, member=member).exists(),
    }


def _month_start(index: int) -> int:
    from datetime import UTC

    return epoch(datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC))


async def leaders(cid: int) -> list[str]:
    return list(
        await store.column(
            Membership.filter(community_id=cid, role__gte=int(Role.LEADER)).order_by("id"),
            "person_id",
        )
    )


# Signals --------------------------------------------------------------------------------------


async def measure(
    community: Community, names: list[str], start: datetime, end: datetime
) -> list[Measure]:
    """The signals reflect computes from the log's aggregates (``copkit_signals``)."""
    cid, s, e = community.id, epoch(start), epoch(end)
    out: list[Measure] = []
    for name in names:
        base, param = goals.signal_parts(name)
        value = await _signal(community, base, param, s, e)
        if value is not None:
            out.append(Measure(name, value))
    del cid
    return out


async def _one(query: str, values: list[object]) -> float:
    rows = await store.rows(query, values)
    first = next(iter(rows[0].values())) if rows else None
    return float(first or 0)


async def _signal(community: Community, base: str, param: str, s: int, e: int) -> float | None:
    cid = community.id
    ended = "FROM reflect_event WHERE community_id = ? AND ended_at >= ? AND ended_at < ?"
    if base == "events_held":
        if param:
            return await _one(f"SELECT COUNT(*) {ended} AND format = ?", [cid, s, e, param])
        return await _one(f"SELECT COUNT(*) {ended}", [cid, s, e])
    if base == "distinct_hosts":
        pq, pv = _in(PRESENTING)
        rows = await store.rows(
            f"SELECT DISTINCT host AS m {ended} AND host != ''"
            f" UNION SELECT DISTINCT member AS m FROM reflect_member_month"
            f" WHERE community_id = ? AND month >= ? AND month <= ? AND kind IN ({pq})",
            [cid, s, e, cid, month_index(s), month_index(e - 1), *pv],
        )
        return float(len(rows))
    if base == "presenters_share":
        rows = await store.rows(
            "SELECT COUNT(*) AS known,"
            " SUM(CASE WHEN presented_at < ? THEN 1 ELSE 0 END) AS presented"
            f" FROM reflect_member WHERE community_id = ? AND first_at < ? AND {_NOT_PRIVATE}",
            [e, cid, e, cid],
        )
        known = int(rows[0]["known"] or 0)
        return round(100 * int(rows[0]["presented"] or 0) / known, 1) if known else None
    if base == "not_leader_share":
        heads = await leaders(cid)
        hq, hv = _in(heads)
        rows = await store.rows(
            f"SELECT COUNT(*) AS n, SUM(CASE WHEN host IN ({hq}) THEN 0 ELSE 1 END) AS others"
            f" {ended} AND host != ''",
            [*hv, cid, s, e],
        )
        n = int(rows[0]["n"] or 0)
        return round(100 * int(rows[0]["others"] or 0) / n, 1) if n else None
    if base == "actions_closed":
        rows = await store.rows(
            "SELECT SUM(CASE WHEN opened_at >= ? AND opened_at < ? THEN 1 ELSE 0 END) AS o,"
            " SUM(CASE WHEN closed_at >= ? AND closed_at < ? THEN 1 ELSE 0 END) AS c"
            " FROM reflect_action WHERE community_id = ?",
            [s, e, s, e, cid],
        )
        opened, closed = int(rows[0]["o"] or 0), int(rows[0]["c"] or 0)
        return round(100 * closed / opened, 1) if opened else None
    if base == "active_members":
        lens = lens_of(community)
        kq, kv = _in(lens.gives | lens.takes)
        return await _one(
            "SELECT COUNT(DISTINCT member) FROM reflect_member_month WHERE community_id = ?"
            f" AND month >= ? AND month <= ? AND kind IN ({kq}) AND {_NOT_PRIVATE}",
            [cid, month_index(s), month_index(e - 1), *kv, cid],
        )
    if base == "newcomer_contribution":
        days = int(param or 14)
        rows = await store.rows(
            "SELECT COUNT(*) AS n, SUM(CASE WHEN first_give_at IS NOT NULL"
            " AND first_give_at <= first_at + ? THEN 1 ELSE 0 END) AS gave"
            " FROM reflect_member WHERE community_id = ? AND first_at >= ? AND first_at < ?"
            f" AND {_NOT_PRIVATE}",
            [days * 86400, cid, s, e, cid],
        )
        n = int(rows[0]["n"] or 0)
        return round(100 * int(rows[0]["gave"] or 0) / n, 1) if n else None
    return None
