"""Clocks: the system clock, and a fake one tests and scripted demos advance by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Clock:
    """The system clock (aware UTC datetimes), never going backwards within a process.

    When the system clock is set back (an NTP step, an operator's mistake), :meth:`now` stays
    at the latest time it returned until the system clock catches up, so durations measured in
    one process are never negative. Durations across processes or restarts are measured with
    :func:`seconds_between`, which clamps them too."""

    def __init__(self, source: Callable[[], datetime] = _utcnow) -> None:
        self._source = source
        self._latest: datetime | None = None

    def now(self) -> datetime:
        now = self._source()
        if self._latest is not None and now < self._latest:
            return self._latest
        self._latest = now
        return now

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def seconds_between(start: datetime | None, end: datetime) -> int:
    """Whole seconds from ``start`` to ``end``; 0 when ``start`` is unknown or later (a clock
    set back between the two readings, or two machines whose clocks disagree)."""
    if start is None:
        return 0
    return max(0, int((end - start).total_seconds()))


class FakeClock(Clock):
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__()
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | float) -> None:
        if not isinstance(delta, timedelta):
            delta = timedelta(seconds=delta)
        self._now += delta

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


class MovableClock(Clock):
    """The system clock, which can also be moved forward by hand: the interactive console's
    ``/wait 5m`` skips five minutes at once (timers due meanwhile fire), then time goes on."""

    def __init__(self, source: Callable[[], datetime] = _utcnow) -> None:
        super().__init__(source)
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return super().now() + self.offset

    def advance(self, delta: timedelta | float) -> None:
        if not isinstance(delta, timedelta):
            delta = timedelta(seconds=delta)
        self.offset += max(delta, timedelta(0))
