"""Caches stay bounded however long a process runs: the runtime's per-community, room and
person caches (and the Discord adapter's per-message maps) keep their most recently used
entries only."""

from __future__ import annotations

import pytest

from copkit.core import communities as communities_module
from copkit.core.lru import LRUDict, LRUSet
from copkit.core.models import Community, Room
from copkit.testing import Harness


def test_lru_dict_keeps_the_most_recently_used():
    d: LRUDict[str, int] = LRUDict(2)
    d["a"], d["b"] = 1, 2
    assert d.get("a") == 1  # "a" is now the most recent
    d["c"] = 3
    assert "b" not in d and d["a"] == 1 and d["c"] == 3 and len(d) == 2
    assert d.pop("a") == 1 and len(d) == 1
    with pytest.raises(ValueError):
        LRUDict(0)


def test_lru_set_keeps_the_most_recently_added():
    s: LRUSet[int] = LRUSet(3)
    for n in range(10):
        s.add(n)
    assert sorted(s) == [7, 8, 9] and 9 in s and 0 not in s


async def test_the_runtime_caches_are_bounded(db_url, monkeypatch):
    monkeypatch.setattr(communities_module, "SEEN_KEPT", 3, raising=False)
    monkeypatch.setattr(communities_module, "COMMUNITIES_KEPT", 2, raising=False)
    async with Harness(db_url, plugins=("copkit.plugins.core_commands",)) as h:
        for n in range(8):
            await h.say(f"p{n}", "help", room=f"room{n}")
        rt = h.rt.communities
        assert len(rt._rooms_seen) <= 3 and len(rt._people_seen) <= 3
        assert await Room.all().count() == 8, "every room is still stored"
        for n in range(5):
            h.community_ref = h.community_ref.__class__("test", f"c{n}", f"C{n}", owner_id="x")
            answer = await h.say("leader", "help")
            assert answer, "an evicted community is loaded again"
        assert len(rt._by_ref) <= 2 and len(rt._by_id) <= 2
        assert await Community.all().count() == 6
