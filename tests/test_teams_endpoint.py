"""The Teams endpoint does no work for strangers and never lets a body hurt the process, over real
HTTP (issue 12 #7, #8): the token is checked before the SDK reads the activity, lists and ids are
bounded, deep JSON is a 400, and a body that arrives too slowly is dropped."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from fakes.bot_connector import TEAM
from fakes.teams_env import ALICE, TeamsEnv

from copkit.adapters.teams import app as teams_app
from copkit.core.models import Community

PLUGINS = ("copkit.plugins.core_commands",)
TEAMS_DEMO = True  # the env fixture adds the Teams demo plugin


@pytest.fixture
async def local(db_url, teams_options):
    async with TeamsEnv(db_url, **teams_options, credentials=False) as e:
        yield e


def _members_flood(env: TeamsEnv) -> bytes:
    """A conversation update of about 235 KB listing ~78,000 empty members."""
    activity = env.a.installed(ALICE)
    activity["membersAdded"] = []
    head = json.dumps(activity)[:-2]  # without the closing "]}"
    n = (235 * 1024 - len(head)) // 3
    body = (head + ",".join(["{}"] * n) + "]}").encode()
    assert 230 * 1024 < len(body) < teams_app.MAX_BODY
    json.loads(body)
    return body


class Stall:
    """The longest the event loop went without running a 10 ms ticker."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last - 0.01)
            last = now

    def __enter__(self) -> Stall:
        self._task = asyncio.create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def test_large_bodies_without_a_token_cost_nothing_and_stall_nothing(env: TeamsEnv):
    body = _members_flood(env)
    bad_token = env.connector.keys.token(env.connector.url, key=env.connector.keys.other)
    started = time.perf_counter()
    with Stall() as stall:
        strangers = [env.post(data=body, token=False) for _ in range(6)]
        strangers += [env.post(data=body, token=bad_token) for _ in range(2)]
        valid = env.post(env.a.mention(ALICE, "tdemo where"))
        results = await asyncio.gather(*strangers, valid)
    elapsed = time.perf_counter() - started
    assert [s for s, _ in results[:-1]] == [401] * 8
    assert results[-1][0] == 200 and "room " in env.connector.texts(env.connector.posts()[-1])
    assert stall.worst < 0.5, f"the event loop stalled for {stall.worst:.2f} s"
    assert elapsed < 3, elapsed
    assert await Community.filter(external_id__contains=TEAM).count() == 1  # the valid one


async def test_a_flood_with_a_valid_token_is_refused_quickly(env: TeamsEnv):
    body = _members_flood(env)
    token = env.connector.keys.token(env.connector.url)
    with Stall() as stall:
        status, answer = await env.post(data=body, token=token)
    assert status == 400 and "membersAdded" in answer["error"]
    assert stall.worst < 0.5, f"the event loop stalled for {stall.worst:.2f} s"


async def test_json_nested_too_deeply_is_400(env: TeamsEnv, local: TeamsEnv):
    for e in (env, local):
        token = e.connector.keys.token(e.connector.url) if e.credentials else False
        deep = b"[" * 100_000 + b"]" * 100_000
        status, answer = await e.post(data=deep, token=token)
        assert status == 400, (status, answer)
        activity = e.a.mention(ALICE, "tdemo where")
        raw = json.dumps({**activity, "value": 1})[:-1] + ', "channelData2": '
        # build the deep part as text: json.dumps itself would recurse too deep
        deep_value = "[" * 50_000 + "]" * 50_000
        status, answer = await e.post(data=(raw + deep_value + "}").encode(), token=token)
        assert status == 400, (status, answer)


async def test_json_nested_just_within_the_limit_is_not_a_500(local: TeamsEnv, caplog):
    activity = local.a.mention(ALICE, "tdemo where")
    for field in ("channelData", "value", "entities", "conversation"):
        depth = 900
        deep = '{"a": ' * depth + '"x"' + "}" * depth
        raw = json.dumps({k: v for k, v in activity.items() if k != field})[:-1]
        body = f'{raw}, "{field}": {deep}}}'.encode()
        status, answer = await local.post(data=body)
        assert status < 500, (field, status, answer)
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


async def test_overlong_ids_are_a_clean_400(local: TeamsEnv, caplog):
    activity = local.a.mention(ALICE, "tdemo where")
    long_tenant = {
        **activity,
        "channelData": {**activity["channelData"], "tenant": {"id": "t" * 300}},
    }
    long_conversation = {
        **activity,
        "conversation": {**activity["conversation"], "id": "19:" + "c" * 400},
    }
    long_sender = {**activity, "from": {**activity["from"], "id": "29:" + "p" * 300}}
    long_reply = {**activity, "replyToId": "9" * 400}
    for case in (long_tenant, long_conversation, long_sender, long_reply):
        status, answer = await local.post(case)
        assert status == 400 and "too long" in answer["error"], (status, answer)
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert local.connector.posts() == []
    status, _ = await local.post(activity)  # the same activity with real ids works
    assert status == 200


async def test_a_slow_body_is_dropped(env: TeamsEnv, monkeypatch):
    monkeypatch.setattr(teams_app, "BODY_TIMEOUT", 0.5, raising=False)
    port = int(env.url.split(":")[2].split("/")[0])
    token = env.connector.keys.token(env.connector.url)
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            "POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: 1000\r\n\r\n"
            '{"type": "mess'
        ).encode()
    )
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(1000), 5)
    assert b" 408 " in answer.split(b"\r\n")[0], answer
    rest = await asyncio.wait_for(reader.read(), 5)  # and the connection is closed
    assert rest == b"" or b"408" not in rest
    assert time.perf_counter() - started < 3
    writer.close()
    # the endpoint still serves others
    status, _ = await env.post(env.a.mention(ALICE, "tdemo where"))
    assert status == 200


async def test_markup_in_a_message_costs_linear_time(local: TeamsEnv):
    """Mentions and tags are read with patterns that never scan past the next "<": 10,000
    unclosed "<at>" once held the event loop for seconds."""
    for junk in ("<at>" * 10_000, "<at " * 10_000, "<" * 40_000):
        activity = local.a.mention(ALICE, "tdemo where " + junk)
        activity["entities"] += [
            {"type": "mention", "text": f"<at>n{i}</at>", "mentioned": {"id": f"u{i}"}}
            for i in range(900)
        ]
        with Stall() as stall:
            status, _ = await local.post(activity)
        assert status == 200
        assert stall.worst < 0.5, f"the event loop stalled for {stall.worst:.2f} s"
