"""Live views: one render in flight, paced, ending on the latest state; plain keyed updates
go the same way."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from copkit.core.live import LiveViews
from copkit.core.views import View


class Recorder:
    def __init__(self) -> None:
        self.shown: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def show_now(self, community: Any, target: Any, view: View, **kw: Any) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.01)
        self.shown.append(view.text)
        self.in_flight -= 1


COMMUNITY = SimpleNamespace(id=1)


async def test_a_burst_is_a_few_renders_ending_on_the_latest_state():
    rec = Recorder()
    live = LiveViews(rec.show_now, interval=0.2)
    state = {"n": 0}
    renders = 0

    async def render() -> View:
        nonlocal renders
        renders += 1
        await asyncio.sleep(0.005)
        return View(text=f"v{state['n']}")

    async def change(i: int) -> None:
        state["n"] = i
        await live.update(COMMUNITY, "board", render, wait=False)

    for i in range(1, 101):
        await change(i)
        await asyncio.sleep(0.001)
    await live.drain()
    assert rec.shown[-1] == "v100"
    assert 1 <= len(rec.shown) <= 3 and renders == len(rec.shown)
    assert rec.most_in_flight == 1
    assert live.pending() == 0


async def test_a_waiting_request_returns_after_a_render_that_covers_it():
    rec = Recorder()
    live = LiveViews(rec.show_now, interval=0.05)
    state = {"n": 0}

    async def render() -> View:
        return View(text=f"v{state['n']}")

    async def change(i: int) -> None:
        state["n"] = i
        await live.update(COMMUNITY, "board", render)
        assert rec.shown and int(rec.shown[-1][1:]) >= i  # what I changed is shown

    await asyncio.gather(*(change(i) for i in range(1, 21)))
    assert rec.shown[-1] == "v20"
    assert len(rec.shown) < 20


async def test_a_render_that_fails_is_logged_and_the_next_one_still_runs(caplog):
    rec = Recorder()
    live = LiveViews(rec.show_now, interval=0)
    calls = 0

    async def render() -> View:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("boom")
        return View(text="ok")

    await live.update(COMMUNITY, "k", render)
    await live.update(COMMUNITY, "k", render)
    assert rec.shown == ["ok"]
    assert "showing the live view k failed" in caplog.text


async def test_drain_shows_the_pending_latest_without_waiting_for_the_pace():
    rec = Recorder()
    live = LiveViews(rec.show_now, interval=30)
    for i in range(3):

        async def render(i: int = i) -> View:
            return View(text=f"v{i}")

        await live.update(COMMUNITY, "k", render, wait=False)
        await asyncio.sleep(0.05)  # the first renders at once; the others wait for the pace
    assert rec.shown == ["v0"]
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    await live.drain()
    assert rec.shown[-1] == "v2" and loop.time() - t0 < 5
