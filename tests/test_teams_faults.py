"""A failed Bot Connector call in a timer (issue 12, #10): a 502 when the timebox ends does not
leave the lean coffee without a timer; the job runs again after a backoff and the session moves
on. Over real HTTP against the fake Bot Connector; SQLite, and PostgreSQL when set."""

from __future__ import annotations

from fakes.bot_connector import CHANNEL
from fakes.teams_env import ALICE, BOB, OWNER, TeamsEnv

from copkit.core.models import Job
from copkit.plugins.leancoffee.models import Session

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")


def sent_texts(env: TeamsEnv, since: int) -> str:
    return "\n".join(
        env.connector.texts(c)
        for c in env.connector.calls[since:]
        if c.kind in ("send", "update") and c.conversation == CHANNEL
    )


async def test_a_502_at_the_end_of_a_timebox_leaves_a_timer_pending(env: TeamsEnv):
    await env.post(env.a.mention(OWNER, "leancoffee start --timebox 2m --extensions none"))
    await env.post(env.a.mention(ALICE, "leancoffee propose Alpha"))
    await env.post(env.a.mention(BOB, "leancoffee propose Beta"))
    await env.post(env.a.mention(OWNER, "leancoffee voting open"))
    await env.post(env.a.mention(OWNER, "leancoffee voting close"))
    s = await Session.filter(room_id=CHANNEL).order_by("-id").first()
    assert s.phase == "discussing"
    assert await env.run_timers(minutes=1) == 1  # the heads-up
    env.connector.fail["send"] = 502  # the Bot Connector fails the "time's up" post once
    before = len(env.connector.calls)
    assert await env.run_timers(minutes=1) == 1
    pending = await Job.filter(done_at=None, cancelled=False).count()
    assert pending == 1, "no timer is pending: the lean coffee would stay on this topic forever"
    assert await env.run_timers(seconds=10) == 1  # the retry, after its backoff
    said = sent_texts(env, before)
    assert "Time's up for #1" in said and "Now discussing #2 Beta" in said, said
    s = await Session.get(id=s.id)
    assert s.phase == "discussing" and await Job.filter(done_at=None, cancelled=False).count()
