"""Load on the Teams endpoint: copkit on both SDK backends (one, two and three processes on the
Agents SDK, one on botbuilder), and bare echo bots on both SDKs, in one run.

N concurrent clients (default 32) post realistic activities for 30 s (after a 3 s warm-up) to
``copkit run`` processes sharing one PostgreSQL, round-robin, during a lean coffee's dot vote:
four in five are clicks on the board (Action.Execute invokes, a dot given or taken back), one in
five is an @mention typed in the channel (``leancoffee vote 2`` / ``unvote 2``, answered
privately). Replies go to a loopback fake Bot Connector. The same activities then go to a bare
botbuilder echo bot and a bare Microsoft 365 Agents SDK echo bot (written below: they echo
messages and answer invokes), measured the same way on the same machine. Prints activities/s,
p50/p99 latency and errors per run, and each copkit backend's single-process throughput as a
share of the echo bots measured in the same run, PASS/FAIL per target (issue 20): copkit on the
Agents SDK at least 80 % of the Agents SDK echo bot and at least 100 % of the botbuilder echo bot
given copkit's msrest fix, copkit on botbuilder at least 100 % of that echo bot, no errors; and
the machine's load average.

    COPKIT_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test_h \\
        python benchmarks/teams_load.py [--clients 32] [--seconds 30] [--processes 1,2,3] \\
            [--sdks agents,botbuilder] [--repeat 3]

The database's public schema is dropped and recreated before each copkit run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fakes.bot_connector import (  # noqa: E402
    TEAM,
    FakeBotConnector,
    TeamsActivities,
    actions_of,
    user,
)
from fakes.multiproc import Fleet, free_port  # noqa: E402
from fakes.multiproc_session import vote_click  # noqa: E402

from copkit.plugins.leancoffee.routes import UNVOTE_PICK, VOTE_PICK  # noqa: E402

OWNER = user("olivia", "Olivia Owner")
TOPICS = 5


# The echo bot ------------------------------------------------------------------------------------


def echo_bot(port: int, patched: bool) -> None:
    """A bare botbuilder bot: echoes each message into its conversation, answers each invoke.

    The invoke path goes through ``adapter.process_activity`` (``CloudAdapter.process`` answers
    every invoke with 500 in botbuilder 4.17); the rest is the SDK's own sample shape."""
    from aiohttp import web
    from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )
    from botbuilder.schema import Activity

    if patched:  # the msrest fix copkit's adapter applied while it still called through msrest
        from msrest.universal_http.requests import ClientRetryPolicy

        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)

    class Config:
        APP_ID = ""
        APP_PASSWORD = ""
        APP_TYPE = "MultiTenant"
        APP_TENANTID = ""

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))

    class Echo(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(f"Echo: {turn_context.activity.text}")

        async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
            return InvokeResponse(
                status=200,
                body={
                    "statusCode": 200,
                    "type": "application/vnd.microsoft.activity.message",
                    "value": "Got it.",
                },
            )

    bot = Echo()

    async def messages(request: web.Request) -> web.Response:
        activity = Activity().deserialize(await request.json())
        auth = request.headers.get("Authorization", "")
        response = await adapter.process_activity(auth, activity, bot.on_turn)
        if response is not None:
            return web.json_response(response.body, status=response.status)
        return web.Response(status=200)

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", health)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def agents_echo_bot(port: int) -> None:
    """A bare Microsoft 365 Agents SDK bot, as its samples are: an ActivityHandler behind the
    aiohttp CloudAdapter's own ``process`` (no token checks: anonymous, like the echo above)."""
    from aiohttp import web
    from microsoft_agents.activity import InvokeResponse
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.aiohttp import CloudAdapter
    from microsoft_agents.hosting.core import ActivityHandler, TurnContext
    from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration

    connections = MsalConnectionManager(
        {"SERVICE_CONNECTION": AgentAuthConfiguration(anonymous_allowed=True)}
    )
    adapter = CloudAdapter(connection_manager=connections)

    class Echo(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(f"Echo: {turn_context.activity.text}")

        async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
            return InvokeResponse(
                status=200,
                body={
                    "statusCode": 200,
                    "type": "application/vnd.microsoft.activity.message",
                    "value": "Got it.",
                },
            )

    bot = Echo()

    async def messages(request: web.Request) -> web.Response:
        response = await adapter.process(request, bot)
        return response if response is not None else web.Response(status=200)

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", health)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


# Load ----------------------------------------------------------------------------------------


class Load:
    """Makes the activities: client ``k`` is one person toggling one dot on topic ``k % 5``,
    by clicking the board (four times in five) or by typing the command."""

    def __init__(
        self,
        a: TeamsActivities,
        board_id: str,
        card: dict,
        topic_ids: list[int],
        conversation: str | None = None,
    ):
        self.a = a
        self.board_id = board_id
        # A click on a card comes from the conversation the card was posted in (as in Teams),
        # not from a new thread each time.
        self.conversation = conversation
        self.clicks = [vote_click(card, t) for t in topic_ids]
        self.numbers = list(range(1, len(topic_ids) + 1))

    def activity(self, k: int, i: int) -> dict[str, Any]:
        who = user(f"load{k:03d}", f"Load {k}")
        t = k % len(self.clicks)
        give = i % 2 == 0
        if i % 5 == 4:  # typed in the channel
            word = "vote" if give else "unvote"
            return self.a.mention(who, f"leancoffee {word} {self.numbers[t]}")
        data, inputs = self.clicks[t]
        if not give:  # the board's "Take a dot back from…" choice: the same topic picked
            data = {**data, "copkit": UNVOTE_PICK.build()}
        return self.a.execute(
            who, self.board_id, data, inputs=inputs, conversation=self.conversation
        )


async def drive(
    urls: list[str], make: Any, clients: int, seconds: float, warmup: float = 3.0
) -> dict[str, Any]:
    """``clients`` loops posting ``make(k, i)`` round-robin to ``urls``; counts the window
    after ``warmup``."""
    rr = itertools.count()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    done = 0
    start = time.monotonic()
    window = (start + warmup, start + warmup + seconds)
    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=conn, timeout=aiohttp.ClientTimeout(total=30)
    ) as http:

        async def client(k: int) -> None:
            nonlocal done
            i = 0
            while time.monotonic() < window[1]:
                body = json.dumps(make(k, i)).encode()
                i += 1
                url = urls[next(rr) % len(urls)]
                t0 = time.perf_counter()
                try:
                    async with http.post(
                        url, data=body, headers={"Content-Type": "application/json"}
                    ) as resp:
                        await resp.read()
                        status = str(resp.status)
                except Exception as exc:  # noqa: BLE001 - counted as an error
                    status = type(exc).__name__
                took = time.perf_counter() - t0
                now = time.monotonic()
                if window[0] <= now <= window[1]:
                    if status in ("200", "202"):  # the Agents SDK accepts a message with 202
                        done += 1
                        latencies.append(took)
                    else:
                        errors[status] = errors.get(status, 0) + 1

        await asyncio.gather(*(client(k) for k in range(clients)))
    latencies.sort()
    return {
        "rate": done / seconds,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        "errors": errors,
        "n": done,
    }


async def reset(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1).split("?")[0])
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def post(http: aiohttp.ClientSession, url: str, activity: dict) -> Any:
    async with http.post(url, json=activity) as resp:
        assert resp.status == 200, (resp.status, await resp.text())
        return await resp.text()


async def prepare(connector: FakeBotConnector, url: str) -> Load:
    """A lean coffee with five topics, voting open; returns the activity maker."""
    a = TeamsActivities(connector.url)
    a._ids = itertools.count(int(time.time() * 1000) * 1000)
    connector.rosters[TEAM] = [{**OWNER, "userRole": "owner"}]
    async with aiohttp.ClientSession() as http:
        await post(http, url, a.mention(OWNER, "leancoffee start --title Load"))
        for k in range(TOPICS):
            await post(http, url, a.mention(user(f"author{k}"), f"leancoffee propose Topic {k}"))
        await post(http, url, a.mention(OWNER, "leancoffee voting open"))
    await asyncio.sleep(1.5)  # the board's last edit
    for msg in connector.messages.values():
        card = msg.activity.get("attachments", [{}])[0].get("content", {})
        if "Voting is open" not in json.dumps(card, ensure_ascii=False):
            continue
        ids = sorted(
            {int(v) for x in actions_of(card) for v in (x.get("data") or {}).get("selected", [])}
        ) or [int(c["value"]) for c in _choices(card)]
        return Load(a, msg.id, card, ids[:TOPICS], msg.conversation)
    raise SystemExit("no board with open voting was posted")


def _choices(card: Any) -> list[dict]:
    found: list[dict] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Input.ChoiceSet":
                found.extend(node.get("choices", []))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return found


def line(name: str, r: dict[str, Any]) -> str:
    errors = sum(r["errors"].values())
    detail = f" {r['errors']}" if errors else ""
    return f"{name:34} {r['rate']:8.1f} {r['p50']:9.1f} {r['p99']:9.1f} {errors:7d}{detail}"


async def run_copkit(url: str, n: int, sdk: str, args: argparse.Namespace) -> dict[str, Any]:
    await reset(url)
    os.environ["COPKIT_TEAMS_SDK"] = sdk  # the fleet's processes inherit it
    connector = FakeBotConnector()
    await connector.start()
    fleet = Fleet(url, n=n, command="copkit", logdir=Path(args.logdir) if args.logdir else None)
    try:
        await fleet.start(timeout=60)
        await fleet.wait_ready(fleet.workers, 60.0, probe="/readyz")
        load = await prepare(connector, fleet.urls[0])
        return await drive(fleet.urls, load.activity, args.clients, args.seconds)
    finally:
        await fleet.stop()
        await connector.stop()


async def run_echo(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """``kind``: ``botbuilder``, ``patched`` (botbuilder with copkit's msrest fix) or ``agents``."""
    connector = FakeBotConnector()
    await connector.start()
    port = free_port()
    argv = [sys.executable, __file__, "--echo", str(port), "--echo-sdk", kind]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/messages"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(400):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
        a = TeamsActivities(connector.url)
        card = {
            "actions": [
                {
                    "type": "Action.Execute",
                    "data": {"copkit": VOTE_PICK.build(page=1), "selected": [str(k + 1)]},
                }
                for k in range(TOPICS)
            ]
        }
        board = "1700000000000"
        conversation = f"{a.channel};messageid={board}"
        load = Load(a, board, card, list(range(1, TOPICS + 1)), conversation)
        return await drive([url], load.activity, args.clients, args.seconds)
    finally:
        proc.terminate()
        proc.wait(10)
        await connector.stop()


async def main(args: argparse.Namespace) -> None:
    url = os.environ.get("COPKIT_BENCH_POSTGRES_URL")
    if not url:
        raise SystemExit("set COPKIT_BENCH_POSTGRES_URL (several processes need PostgreSQL)")
    counts = [int(x) for x in args.processes.split(",")]
    print(
        f"Teams endpoint load: {args.clients} clients, {args.seconds:.0f} s per run, "
        f"{os.cpu_count()} CPUs, PostgreSQL; 4/5 card clicks, 1/5 typed commands"
    )
    print(f"{'':34} {'act/s':>8} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
    sdks = [x for x in args.sdks.split(",") if x]
    runs: dict[str, list[dict[str, Any]]] = {}
    # name -> (top, bottom, target share in % or None)
    ratios: dict[str, tuple[str, str, float | None]] = {
        "copkit agents / agents echo bot": (
            "copkit agents, 1 process",
            "agents echo bot",
            80.0,
        ),
        "copkit agents / echo + msrest fix": (
            "copkit agents, 1 process",
            "echo bot + copkit's msrest fix",
            100.0,
        ),
        "copkit botbuilder / echo + msrest fix": (
            "copkit botbuilder, 1 process",
            "echo bot + copkit's msrest fix",
            100.0,
        ),
        "copkit botbuilder / botbuilder echo": (
            "copkit botbuilder, 1 process",
            "botbuilder echo bot",
            None,
        ),
        "copkit agents / copkit botbuilder": (
            "copkit agents, 1 process",
            "copkit botbuilder, 1 process",
            None,
        ),
        "agents echo / botbuilder echo": ("agents echo bot", "botbuilder echo bot", None),
    }
    shares: dict[str, list[float]] = {k: [] for k in ratios}
    for rep in range(args.repeat):
        # Interleaved, so that every configuration sees the same (shared, noisy) machine.
        got: dict[str, dict[str, Any]] = {}
        for sdk in sdks:
            for n in counts if sdk == sdks[0] else [1]:
                name = f"copkit {sdk}, {n} process{'es' if n > 1 else ''}"
                got[name] = await run_copkit(url, n, sdk, args)
        got["agents echo bot"] = await run_echo("agents", args)
        got["botbuilder echo bot"] = await run_echo("botbuilder", args)
        got["echo bot + copkit's msrest fix"] = await run_echo("patched", args)
        for name, r in got.items():
            runs.setdefault(name, []).append(r)
            if args.repeat > 1:
                print(line(f"  run {rep + 1}: {name}"[:34], r), flush=True)
            else:
                print(line(name, r), flush=True)
        for ratio, (top, bottom, _target) in ratios.items():
            if top in got and bottom in got and got[bottom]["rate"]:
                shares[ratio].append(got[top]["rate"] / got[bottom]["rate"] * 100)
    if args.repeat > 1:
        print(f"medians of {args.repeat} runs:")
        for name, rs in runs.items():
            med = {
                "rate": statistics.median(r["rate"] for r in rs),
                "p50": statistics.median(r["p50"] for r in rs),
                "p99": statistics.median(r["p99"] for r in rs),
                "errors": {
                    k: sum(r["errors"].get(k, 0) for r in rs) for r in rs for k in r["errors"]
                },
            }
            print(line(name, med))
    verdicts: list[bool] = []
    for name, values in shares.items():
        if not values:
            continue
        target = ratios[name][2]
        median = statistics.median(values)
        runs_text = ", ".join(f"{v:.0f}" for v in values)
        if target is None:
            print(f"{name}: {median:.0f} % (runs: {runs_text})")
            continue
        ok = median >= target
        verdicts.append(ok)
        print(
            f"{'PASS' if ok else 'FAIL'} {name}: {median:.0f} % "
            f"(runs: {runs_text}; target >= {target:.0f} %, same run)"
        )
    copkit_errors = {
        name: sum(sum(r["errors"].values()) for r in rs)
        for name, rs in runs.items()
        if name.startswith("copkit")
    }
    no_errors = not any(copkit_errors.values())
    verdicts.append(no_errors)
    print(f"{'PASS' if no_errors else 'FAIL'} copkit errors: {copkit_errors} (target: none)")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("overall:", "PASS" if all(verdicts) else "FAIL")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--processes", default="1,2,3")
    p.add_argument("--logdir", default="")
    p.add_argument("--repeat", type=int, default=1, help="run everything N times, print medians")
    p.add_argument("--sdks", default="agents,botbuilder", help="copkit's backends to measure")
    p.add_argument("--echo", type=int, help=argparse.SUPPRESS)
    p.add_argument("--echo-sdk", default="botbuilder", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.echo and a.echo_sdk == "agents":
        agents_echo_bot(a.echo)
    elif a.echo:
        echo_bot(a.echo, a.echo_sdk == "patched")
    else:
        asyncio.run(main(a))
