"""The HTTP server every ``copkit run`` process starts: probes through the phases, ``/metrics``
in Prometheus' format without a person or typed text in any label, requests in flight finished at
shutdown; and, with real ``copkit run`` processes, ``/readyz`` following a PostgreSQL outage
through the loopback proxy, and SIGTERM letting an in-flight Teams request finish."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time

import aiohttp
import pytest
from aiohttp import web
from conftest import PG_URL, requires_postgres, reset_postgres
from fakes.bot_connector import FakeBotConnector, TeamsActivities
from fakes.multiproc import Fleet, PgProxy, free_port
from fakes.teams_env import ALICE
from prometheus_client.parser import text_string_to_metric_families

from copkit.core.runtime import Copkit
from copkit.http.server import HttpServer

ALLOWED_LABELS = {
    "platform", "kind", "outcome", "route", "method", "status", "state", "phase", "check",
    "version", "le",
}  # fmt: skip
SECRET = "Zebra-7f3 secret topic"


async def test_metrics_parse_and_carry_no_person_community_or_text(harness):
    await harness.say("ann", "leancoffee start")
    await harness.say("ann", f"leancoffee propose {SECRET}")
    await harness.say("bob", "leancoffee nosuchcommand")  # a user error
    await harness.say("bob", "help")
    server = HttpServer(harness.runtime, host="127.0.0.1", port=0)
    await server.start()
    server.ready()
    try:
        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{server.port}"
            async with http.get(f"{base}/c/{SECRET.replace(' ', '%20')}") as r:
                assert r.status == 404
            async with http.get(f"{base}/readyz") as r:
                assert r.status == 200
            async with http.get(f"{base}/metrics") as r:
                assert r.status == 200
                assert r.headers["Content-Type"].startswith("text/plain")
                text = await r.text()
    finally:
        await server.close()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name in (
        "copkit_requests", "copkit_request_duration_seconds", "copkit_http_requests",
        "copkit_timers_fired", "copkit_timers_late", "copkit_timers_retried",
        "copkit_live_view_updates_coalesced", "copkit_redeliveries",
        "copkit_db_pool_connections", "copkit_up_phase", "copkit_ready_check_failing",
    ):  # fmt: skip
        assert name in families, sorted(families)
    outcomes = {
        s.labels["outcome"]: s.value
        for s in families["copkit_requests"].samples
        if s.name == "copkit_requests_total"
    }
    assert outcomes.get("ok", 0) >= 1 and outcomes.get("user_error", 0) >= 1, outcomes
    routes = {s.labels["route"] for s in families["copkit_http_requests"].samples}
    assert routes >= {"unmatched", "/readyz"}, routes
    pool = {s.labels["state"]: s.value for s in families["copkit_db_pool_connections"].samples}
    assert pool.get("max", 0) >= 1, pool
    community = harness.community_ref
    hidden = {"ann", "bob", community.name, community.external_id}
    for family in families.values():
        for sample in family.samples:
            assert set(sample.labels) <= ALLOWED_LABELS, (sample.name, sample.labels)
            for value in sample.labels.values():
                assert "Zebra" not in value and "secret" not in value, sample
                assert value not in hidden, sample


async def test_probes_follow_the_phases_and_in_flight_requests_finish(harness):
    started = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        started.set()
        await asyncio.sleep(0.5)
        return web.Response(text="done")

    def setup(app: web.Application, runtime: Copkit) -> None:
        app.router.add_get("/slow", slow)

    server = HttpServer(harness.runtime, [setup], host="127.0.0.1", port=0)
    await server.start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/readyz") as r:
                assert r.status == 503 and (await r.json())["down"] == ["starting"]
            async with http.get(f"{base}/slow") as r:
                assert r.status == 503 and r.headers["Retry-After"] == "1"
            async with http.get(f"{base}/healthz") as r:
                assert r.status == 200
            server.ready()
            async with http.get(f"{base}/readyz") as r:
                assert r.status == 200 and await r.json() == {"ready": True}
            in_flight = asyncio.create_task(http.get(f"{base}/slow"))
            await asyncio.wait_for(started.wait(), 5)
            stopping = asyncio.create_task(server.stop_taking_requests(5))
            await asyncio.sleep(0.05)
            async with http.get(f"{base}/readyz") as r:
                assert r.status == 503 and (await r.json())["down"] == ["stopping"]
            async with http.get(f"{base}/slow") as r:
                assert r.status == 503, "no new requests while stopping"
            assert not stopping.done(), "waits for the request in flight"
            response = await in_flight
            assert response.status == 200 and await response.text() == "done"
            assert await asyncio.wait_for(stopping, 5) is True
    finally:
        await server.close()


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "DISCORD", "COPKIT_"))
    }
    return env | {"COPKIT_DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1", **extra}


class SlowConnector(FakeBotConnector):
    """The fake Bot Connector taking ``delay`` seconds to accept each sent activity."""

    delay = 0.0

    async def _send(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay)
        return await super()._send(request)


async def test_sigterm_lets_an_in_flight_request_finish_and_exits_0(tmp_path):
    connector = SlowConnector()
    await connector.start()
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "copkit", "run", "--port", str(port), "--no-discord",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path,
        env=_env(f"sqlite://{tmp_path / 'run.db'}"),
    )  # fmt: skip
    said: list[str] = []
    try:
        assert proc.stdout is not None
        while not any("ready in" in line for line in said):
            line = await asyncio.wait_for(proc.stdout.readline(), 60)
            assert line, "copkit run exited: " + "".join(said)
            said.append(line.decode())
        url = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{url}/readyz") as r:
                assert r.status == 200
            connector.delay = 1.5
            activity = TeamsActivities(connector.url).personal(ALICE, "help")
            posted = asyncio.create_task(
                http.post(f"{url}/api/messages", data=json.dumps(activity))
            )
            await asyncio.sleep(0.5)  # the reply is on its way to the (slow) Bot Connector
            assert not posted.done()
            proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 1.0
            while True:  # readiness turns 503 at once, while the request still runs
                async with http.get(f"{url}/readyz") as r:
                    if r.status == 503:
                        assert (await r.json())["down"] == ["stopping"]
                        break
                assert time.monotonic() < deadline, "/readyz still 200 after SIGTERM"
                await asyncio.sleep(0.05)
            assert not posted.done(), "the request was still in flight"
            response = await asyncio.wait_for(posted, 10)
            assert response.status == 200, await response.text()
        assert "What I can do" in connector.texts(connector.posts()[-1])
        out = (await asyncio.wait_for(proc.communicate(), 30))[0].decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await connector.stop()
    assert proc.returncode == 0, "".join(said) + out
    assert "Traceback" not in out, out
    assert "copkit: stopped" in out


@requires_postgres
async def test_readyz_follows_a_postgresql_outage_within_a_second(tmp_path):
    await reset_postgres(PG_URL)
    proxy = PgProxy(PG_URL)
    await proxy.start()
    fleet = Fleet(proxy.url, n=1, command="copkit", logdir=tmp_path)
    await fleet.start(timeout=60)
    url = f"http://127.0.0.1:{fleet.workers[0].port}/readyz"

    async def status(http: aiohttp.ClientSession) -> int:
        async with http.get(url, timeout=aiohttp.ClientTimeout(total=5)) as r:
            return r.status

    async def until(http: aiohttp.ClientSession, wanted: int, limit: float) -> float:
        began = time.monotonic()
        while (got := await status(http)) != wanted:
            assert time.monotonic() - began < limit, f"/readyz still {got} after {limit} s"
            await asyncio.sleep(0.05)
        return time.monotonic() - began

    try:
        async with aiohttp.ClientSession() as http:
            await until(http, 200, 60)
            await proxy.cut()
            flipped = await until(http, 503, 1.0)
            async with http.get(url) as r:
                assert (await r.json())["down"] == ["database"]
            await asyncio.sleep(1)
            assert await status(http) == 503
            await proxy.restore()
            back = await until(http, 200, 10)
    finally:
        await fleet.stop()
        await proxy.stop()
    print(f"/readyz 503 {flipped:.2f} s after the cut, 200 {back:.2f} s after the restore")
    assert flipped < 1.0


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_no_log_line_carries_answers_or_sql_values(tmp_path, log_format):
    import subprocess

    script = "\n".join(
        [
            "leancoffee start",
            f"leancoffee propose {SECRET}",
            "leancoffee vote 1",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-m", "copkit", "-v", "--log-format", log_format, "console", "--script", "-"],
        input=script, capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env=_env(f"sqlite://{tmp_path / 'c.db'}"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Zebra" in done.stdout, "the console shows it (user-facing output)"
    assert done.stderr.strip(), "-v logs something"
    assert "Zebra" not in done.stderr and "INSERT" not in done.stderr.upper(), done.stderr[-3000:]
    if log_format == "json":
        for line in done.stderr.splitlines():
            entry = json.loads(line)
            assert {"time", "level", "logger", "message"} <= set(entry), entry


def test_copkit_run_json_logs_are_one_object_per_line(tmp_path):
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, "-m", "copkit", "run", "--port", "0", "--no-discord"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        # (COPKIT_SECRET set: no warning that the site's key was generated, which comes as soon
        # as the database is open, before or after "ready" depending on the machine's load)
        env=_env(f"sqlite://{tmp_path / 'j.db'}", COPKIT_LOG_FORMAT="json",
                 COPKIT_SECRET="a-test-key-of-a-realistic-length-0123456789"),
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        lines = []
        while not any("ready in" in line for line in lines):
            line = proc.stderr.readline()
            assert line, "copkit run exited: " + "".join(lines)
            lines.append(line)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out == "", "JSON mode writes only JSON lines, on stderr"
    entries = [json.loads(line) for line in [*lines, *err.splitlines()]]
    messages = [e["message"] for e in entries]
    assert any(m.startswith("HTTP on http://127.0.0.1:") for m in messages), messages
    assert messages[-1] == "stopped", messages
    for e in entries:
        assert e["logger"] == "copkit.run" and e["level"] == "info", e
        assert e["time"].endswith("+00:00"), e
