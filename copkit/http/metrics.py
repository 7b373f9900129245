"""``/metrics``: the runtime's counters (:mod:`copkit.core.metrics`) in Prometheus' text format.

Every family, with its labels (no label names a person, a community or carries typed text):

- ``copkit_requests_total{platform,kind,outcome}``: requests (text, command, interaction) by how
  they ended: ok, user_error, bug, unavailable;
- ``copkit_request_duration_seconds{platform,kind}``: their latency (histogram);
- ``copkit_http_requests_total{route,method,status}`` and
  ``copkit_http_request_duration_seconds{route}``: HTTP requests by route pattern;
- ``copkit_timers_fired_total``, ``copkit_timers_late_total`` (started over 5 s after due),
  ``copkit_timers_retried_total``, ``copkit_timers_failed_total``,
  ``copkit_timer_lateness_seconds`` (histogram);
- ``copkit_live_view_updates_total``, ``copkit_live_view_edits_total`` and
  ``copkit_live_view_updates_coalesced_total``: board updates asked for, edits sent, and updates
  covered by another's edit;
- ``copkit_redeliveries_total{platform}``: events a platform delivered again, answered once;
- ``copkit_db_pool_connections{state}`` (``in_use``, ``idle``, ``max``): the database pool;
- ``copkit_up_phase{phase}`` (starting, ready, stopping: 1 for the current one) and
  ``copkit_ready_check_failing{check}`` (from the last ``/readyz``); ``copkit_info{version}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

from copkit import __version__
from copkit.core.metrics import Histogram
from copkit.core.runtime import Copkit

from .state import STATE_KEY

PHASES = ("starting", "ready", "stopping")


def _histogram(family: HistogramMetricFamily, labels: list[str], hist: Histogram) -> None:
    family.add_metric(labels, hist.cumulative(), hist.total)


def pool_use() -> dict[str, int] | None:
    """Connections of the default database pool: in use, idle, max (None when unknown)."""
    try:
        from tortoise import Tortoise

        conn: Any = Tortoise.get_connection("default")
    except Exception:
        return None
    pool = getattr(conn, "_pool", None)
    if pool is not None and hasattr(pool, "get_size"):  # asyncpg
        size, idle = pool.get_size(), pool.get_idle_size()
        return {"in_use": size - idle, "idle": idle, "max": pool.get_max_size()}
    if getattr(conn, "_connection", None) is not None:  # SQLite: one connection
        lock = getattr(conn, "_lock", None)
        busy = 1 if lock is not None and lock.locked() else 0
        return {"in_use": busy, "idle": 1 - busy, "max": 1}
    return None


class RuntimeCollector(Collector):
    def __init__(self, app: web.Application, runtime: Copkit) -> None:
        self.app = app
        self.runtime = runtime

    def collect(self) -> Iterator[Any]:
        m = self.runtime.metrics
        requests = CounterMetricFamily(
            "copkit_requests", "Requests by platform, kind and outcome",
            labels=["platform", "kind", "outcome"],
        )  # fmt: skip
        for labels, n in sorted(m.requests.items()):
            requests.add_metric(list(labels), n)
        yield requests
        latency = HistogramMetricFamily(
            "copkit_request_duration_seconds", "Time to handle a request",
            labels=["platform", "kind"],
        )  # fmt: skip
        for pair, hist in sorted(m.latency.items()):
            _histogram(latency, list(pair), hist)
        yield latency
        http = CounterMetricFamily(
            "copkit_http_requests", "HTTP requests by route pattern, method and status",
            labels=["route", "method", "status"],
        )  # fmt: skip
        for labels, n in sorted(m.http.items()):
            http.add_metric(list(labels), n)
        yield http
        http_latency = HistogramMetricFamily(
            "copkit_http_request_duration_seconds", "Time to answer an HTTP request",
            labels=["route"],
        )  # fmt: skip
        for route, hist in sorted(m.http_latency.items()):
            _histogram(http_latency, [route], hist)
        yield http_latency
        s = self.runtime.scheduler
        for name, value, text in (
            ("copkit_timers_fired", s.fired, "Timers run by this process"),
            ("copkit_timers_late", m.timers_late, "Timers started over 5 s after they were due"),
            ("copkit_timers_retried", s.retried, "Timer runs that failed and will run again"),
            ("copkit_timers_failed", s.failed, "Timers given up on (marked failed)"),
        ):
            yield CounterMetricFamily(name, text, value=value)
        lateness = HistogramMetricFamily(
            "copkit_timer_lateness_seconds", "How long after it was due a timer started"
        )
        _histogram(lateness, [], m.timer_lateness)
        yield lateness
        live = self.runtime.output.live
        for name, value, text in (
            ("copkit_live_view_updates", live.requested, "Board updates asked for"),
            ("copkit_live_view_edits", live.edits, "Board edits sent to a platform"),
            (
                "copkit_live_view_updates_coalesced",
                live.coalesced,
                "Board updates covered by another update's edit",
            ),
        ):
            yield CounterMetricFamily(name, text, value=value)
        redeliveries = CounterMetricFamily(
            "copkit_redeliveries", "Events a platform delivered again (answered once)",
            labels=["platform"],
        )  # fmt: skip
        for platform, n in sorted(m.redeliveries.items()):
            redeliveries.add_metric([platform], n)
        yield redeliveries
        pool = GaugeMetricFamily(
            "copkit_db_pool_connections", "Database pool connections", labels=["state"]
        )
        for state, n in (pool_use() or {}).items():
            pool.add_metric([state], n)
        yield pool
        phase = self.app[STATE_KEY].phase
        up = GaugeMetricFamily("copkit_up_phase", "The process's phase", labels=["phase"])
        for name in PHASES:
            up.add_metric([name], 1 if name == phase else 0)
        yield up
        checks = GaugeMetricFamily(
            "copkit_ready_check_failing", "Readiness checks failing at the last check",
            labels=["check"],
        )  # fmt: skip
        failing = set(self.runtime.health.last_failing)
        for name in sorted(self.runtime.health.checks):
            checks.add_metric([name], 1 if name in failing else 0)
        yield checks
        info = GaugeMetricFamily("copkit_info", "copkit's version", labels=["version"])
        info.add_metric([__version__], 1)
        yield info


REGISTRY_KEY: web.AppKey[CollectorRegistry] = web.AppKey("copkit_metrics", CollectorRegistry)


async def serve_metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[REGISTRY_KEY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def setup(app: web.Application, runtime: Copkit) -> None:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RuntimeCollector(app, runtime))
    app[REGISTRY_KEY] = registry
    app.router.add_get("/metrics", serve_metrics)
