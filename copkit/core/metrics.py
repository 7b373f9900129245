"""What one copkit process counts for its operators: requests by platform and outcome, latency,
timers, live-view edits, re-deliveries, HTTP requests.

Plain counters and fixed-bucket histograms, owned by the runtime (``runtime.metrics``); the HTTP
server exports them in Prometheus' text format (:mod:`copkit.http.metrics`), so the core needs no
metrics library. No label ever carries a person, a community's name or anything typed: labels are
a platform name, a kind of request, an outcome, a route pattern or a status code, each from a
small fixed set.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

OUTCOMES = ("ok", "user_error", "bug", "unavailable")
"""How a request ended: done; refused with a short answer; a bug (the apology); the database away."""
KINDS = ("text", "command", "interaction", "presence", "job")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LATENESS_BUCKETS = (0.1, 0.5, 1.0, 2.0, 5.0, 15.0, 60.0, 300.0)
LATE_AFTER = 5.0
"""A timer that starts more than this many seconds after it was due counts as late."""

_PLATFORM = re.compile(r"[a-z][a-z0-9_]{0,19}")


def platform_label(platform: str) -> str:
    """A platform name as a label; anything unexpected is ``other`` (labels stay bounded)."""
    label = _labels.get(platform)
    if label is None:
        label = platform if _PLATFORM.fullmatch(platform or "") else "other"
        if len(_labels) < 100:  # (the few platforms, looked at once)
            _labels[platform] = label
    return label


_labels: dict[str, str] = {}


@dataclass
class Histogram:
    """Cumulative-on-export buckets: ``counts[i]`` observations ≤ ``bounds[i]`` (not cumulative
    here), the last one for +Inf."""

    bounds: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [0] * (len(self.bounds) + 1)

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value

    @property
    def count(self) -> int:
        return sum(self.counts)

    def cumulative(self) -> list[tuple[str, int]]:
        """``(le, count)`` pairs as Prometheus wants them, ending with ``+Inf``."""
        out, running = [], 0
        for bound, n in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += n
            out.append(("+Inf" if bound == float("inf") else repr(bound), running))
        return out


class Metrics:
    """The process's counters (see the module's docstring)."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str, str]] = Counter()  # platform, kind, outcome
        self.latency: dict[tuple[str, str], Histogram] = {}  # platform, kind
        self.redeliveries: Counter[str] = Counter()  # platform
        self.timers_late = 0
        self.timer_lateness = Histogram(LATENESS_BUCKETS)
        self.http: Counter[tuple[str, str, str]] = Counter()  # route pattern, method, status
        self.http_latency: dict[str, Histogram] = {}  # route pattern

    def request(self, platform: str, kind: str, outcome: str, seconds: float) -> None:
        label = platform_label(platform)
        self.requests[(label, kind, outcome)] += 1
        hist = self.latency.get((label, kind))
        if hist is None:
            hist = self.latency[(label, kind)] = Histogram(LATENCY_BUCKETS)
        hist.observe(seconds)

    def redelivered(self, platform: str) -> None:
        self.redeliveries[platform_label(platform)] += 1

    def timer_started(self, lateness: float) -> None:
        self.timer_lateness.observe(max(lateness, 0.0))
        if lateness > LATE_AFTER:
            self.timers_late += 1

    def http_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.http[(route, method, str(status))] += 1
        hist = self.http_latency.get(route)
        if hist is None:
            hist = self.http_latency[route] = Histogram(LATENCY_BUCKETS)
        hist.observe(seconds)
