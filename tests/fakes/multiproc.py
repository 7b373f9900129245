"""Several copkit processes on one database, and what the scale-out tests need around them.

- :class:`Fleet` starts worker processes (``multiproc_worker.py``, or real ``copkit run``), each
  serving the Teams endpoint on its own port; it can ``kill -9`` and restart them.
- :class:`Spreader` plays the Bot Connector towards the fleet: it posts activities round-robin
  and, like the Bot Connector, delivers again (to the next process) when a process refuses the
  connection or answers 503. A request cut off after it was sent is *not* retried: its outcome is
  unknown, so the tests count it as unacknowledged.
- :class:`PgProxy` sits between the fleet and PostgreSQL on loopback; ``cut()`` drops every
  connection and refuses new ones (PostgreSQL going down), ``restore()`` lets them through again.
  Only the fleet's connections go through it: the server itself keeps running for everyone else.
- :class:`TimedConnector` is the fake Bot Connector, noting when each call arrived.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from aiohttp import web

from .bot_connector import FakeBotConnector

WORKER = Path(__file__).with_name("multiproc_worker.py")
LEANCOFFEE = "copkit.plugins.core_commands,copkit.plugins.leancoffee"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TimedConnector(FakeBotConnector):
    """The fake Bot Connector; ``arrivals[i]`` is the wall time of ``calls[i]``."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []

    def _record(self, request: web.Request, body: Any) -> Any:
        self.arrivals.append(time.time())
        return super()._record(request, body)

    def texts_since(self, since: float) -> list[tuple[float, str]]:
        return [
            (at, self.texts(c))
            for at, c in zip(self.arrivals, self.calls, strict=False)
            if at >= since and c.kind in ("send", "reply", "update")
        ]


@dataclass
class Worker:
    port: int
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/messages"

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class Fleet:
    """``n`` processes on ``database``; ``speed`` > 1 runs their shared clock faster (workers
    only); ``command="copkit"`` starts real ``copkit run`` processes instead."""

    database: str
    n: int = 3
    speed: float = 1.0
    poll: float = 0.5
    plugins: str = LEANCOFFEE
    command: str = "worker"
    logdir: Path | None = None
    config: Path | None = None  # copkit only: run with --config (its database, not the env's)
    origin: float = field(default_factory=time.time)
    workers: list[Worker] = field(default_factory=list)

    def _argv(self, w: Worker) -> list[str]:
        if self.command == "copkit":
            config = ["--config", str(self.config)] if self.config else []
            copkit = str(Path(sys.executable).with_name("copkit"))
            return [copkit, *config, "run", "--port", str(w.port)]
        return [
            sys.executable,
            str(WORKER),
            "--database",
            self.database,
            "--port",
            str(w.port),
            "--plugins",
            self.plugins,
            "--speed",
            str(self.speed),
            "--origin",
            repr(self.origin),
            "--poll",
            str(self.poll),
        ]

    def _spawn(self, w: Worker) -> None:
        env = {**os.environ, "COPKIT_DATABASE_URL": self.database, "PYTHONUNBUFFERED": "1"}
        env.pop("DISCORD_TOKEN", None)
        if self.command == "copkit" and self.config is not None:
            env.pop("COPKIT_DATABASE_URL")  # the config file says where the database is
        out: Any = subprocess.DEVNULL
        if self.logdir is not None:
            self.logdir.mkdir(parents=True, exist_ok=True)
            w.log = self.logdir / f"worker-{w.port}.log"
            out = w.log.open("ab")
        w.proc = subprocess.Popen(self._argv(w), env=env, stdout=out, stderr=subprocess.STDOUT)

    async def start(self, timeout: float = 30.0) -> None:
        self.workers = [Worker(free_port()) for _ in range(self.n)]
        try:
            for w in self.workers:
                self._spawn(w)
            await self.wait_ready(self.workers, timeout)
        except BaseException:
            await self.stop()
            raise

    async def wait_ready(
        self, workers: Iterable[Worker], timeout: float = 30.0, probe: str = "/healthz"
    ) -> None:
        """Every worker answers ``probe`` with 200 (``/readyz``: started and its database up)."""
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            for w in workers:
                while True:
                    if not w.alive:
                        raise RuntimeError(f"worker on {w.port} exited: {self.tail(w)}")
                    try:
                        async with http.get(f"http://127.0.0.1:{w.port}{probe}") as r:
                            if r.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"worker on {w.port} did not start: {self.tail(w)}")
                    await asyncio.sleep(0.05)

    def tail(self, w: Worker) -> str:
        if w.log is None or not w.log.exists():
            return "(no log)"
        return w.log.read_text(errors="replace")[-3000:]

    def kill(self, i: int) -> None:
        """``kill -9`` worker ``i``."""
        w = self.workers[i]
        assert w.proc is not None
        w.proc.send_signal(signal.SIGKILL)
        w.proc.wait(10)

    async def restart(self, i: int) -> None:
        w = self.workers[i]
        if w.alive:
            self.kill(i)
        self._spawn(w)
        await self.wait_ready([w])

    async def stop(self) -> None:
        for w in self.workers:
            if w.alive:
                assert w.proc is not None
                w.proc.terminate()
        # Wait without blocking the event loop: a PgProxy in this process must keep serving
        # while the workers close their database connections.
        deadline = time.monotonic() + 10
        while any(w.alive for w in self.workers) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for w in self.workers:
            if w.alive:
                assert w.proc is not None
                w.proc.kill()
                w.proc.wait(5)

    @property
    def urls(self) -> list[str]:
        return [w.url for w in self.workers]

    async def __aenter__(self) -> Fleet:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


@dataclass
class Outcome:
    """What the sender saw: the final HTTP status (0: cut off after sending), the body, and
    how many deliveries it took."""

    status: int
    body: Any
    attempts: int
    port: int

    @property
    def ok(self) -> bool:
        return self.status == 200


class Spreader:
    """Posts activities to ``urls`` round-robin, retrying refused connections and 503s on the
    next process (after ``backoff`` seconds for a 503), as the Bot Connector does."""

    def __init__(self, urls: list[str], *, retries: int = 8, backoff: float = 0.3) -> None:
        self.urls = list(urls)
        self.retries = retries
        self.backoff = backoff
        self._next = itertools.count()
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self.statuses: list[int] = []  # every HTTP status seen, retries included

    async def close(self) -> None:
        await self.session.close()

    async def post(self, activity: dict[str, Any], *, to: int | None = None) -> Outcome:
        body = json.dumps(activity).encode()
        headers = {"Content-Type": "application/json"}
        attempts = 0
        status, payload, port = 0, None, 0
        while attempts <= self.retries:
            i = to if to is not None and attempts == 0 else next(self._next)
            url = self.urls[i % len(self.urls)]
            port = int(urlsplit(url).port or 0)
            attempts += 1
            try:
                async with self.session.post(url, data=body, headers=headers) as resp:
                    text = await resp.text()
                    status = resp.status
            except aiohttp.ClientConnectorError:
                self.statuses.append(-1)  # refused: nothing was delivered, deliver elsewhere
                continue
            except (TimeoutError, aiohttp.ClientError):
                self.statuses.append(0)  # cut off after sending: outcome unknown
                return Outcome(0, None, attempts, port)
            self.statuses.append(status)
            try:
                payload = json.loads(text) if text else None
            except ValueError:
                payload = text
            if status != 503:
                return Outcome(status, payload, attempts, port)
            await asyncio.sleep(self.backoff)
        return Outcome(status, payload, attempts, port)


class PgProxy:
    """A TCP proxy on 127.0.0.1 in front of PostgreSQL, which can be cut and restored."""

    def __init__(self, target_url: str) -> None:
        parts = urlsplit(target_url)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self._parts = parts
        self.port = 0
        self._server: asyncio.Server | None = None
        self._conns: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.down = False

    @property
    def url(self) -> str:
        """``target_url`` with the proxy as host and port."""
        netloc = self._parts.netloc.rsplit("@", 1)
        auth = netloc[0] + "@" if len(netloc) == 2 else ""
        return urlunsplit(self._parts._replace(netloc=f"{auth}127.0.0.1:{self.port}"))

    async def start(self) -> None:
        self.port = self.port or free_port()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.down = False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_r, up_w = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._conns.update((writer, up_w))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        tasks = [
            asyncio.ensure_future(pipe(reader, up_w)),
            asyncio.ensure_future(pipe(up_r, writer)),
        ]
        self._tasks.update(tasks)
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
        except asyncio.CancelledError:
            pass
        finally:
            self._tasks.difference_update(tasks)
            self._conns.difference_update((writer, up_w))

    async def cut(self) -> None:
        """The database goes away: refuse new connections, reset the open ones."""
        self.down = True
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for w in list(self._conns):
            transport = w.transport
            if transport is not None:
                transport.abort()
        self._conns.clear()

    async def restore(self) -> None:
        await self.start()

    async def stop(self) -> None:
        await self.cut()
        for t in list(self._tasks):
            t.cancel()
