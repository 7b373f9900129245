"""Dispatch through the core: commands, roles, enablement, failing plugins, bad input."""

from __future__ import annotations

import pytest
from conftest import requires_postgres
from core_fixtures import EVENTS, DemoPlugin, FailingPlugin

from copkit.core.events import Person, RoomRef
from copkit.core.models import LogEntry
from copkit.testing import Harness

PLUGINS = ["copkit.plugins.core_commands"]


@pytest.fixture
async def h(db_url):
    EVENTS.clear()
    async with Harness(db_url, plugins=PLUGINS, extra=[DemoPlugin(), FailingPlugin()]) as h:
        yield h


async def test_stateless_command_answers(h):
    out = await h.say("bob", "demo ping")
    assert [m.view.text for m in out] == ["pong"]


async def test_unknown_command_suggests_closest(h):
    out = await h.say("bob", "demo pnig")
    assert "Unknown command" in out[0].view.text
    assert "demo ping" in out[0].view.text
    assert out[0].private_to == "bob"


async def test_wrong_arguments_give_the_usage_line(h):
    out = await h.say("bob", "demo later --after soon")
    assert "not a duration" in out[0].view.text
    out = await h.say("bob", "demo echo")
    assert "Usage: demo echo <text>" in out[0].view.text
    out = await h.say("bob", "demo ping extra words")
    assert "Usage: demo ping" in out[0].view.text


async def test_missing_role_is_refused_and_core_team_allowed(h):
    out = await h.say("bob", "demo secret")
    assert out[0].private_to == "bob"
    assert out[0].view.text == "Only the leader or core team can see the secret."
    await h.say("leader", "roles core add bob")
    out = await h.say("bob", "demo secret")
    assert out[0].view.text == "the secret"


async def test_role_requirement_can_be_changed_per_community(h):
    await h.say("leader", "roles require member demo secret")
    out = await h.say("carol", "demo secret")
    assert out[0].view.text == "the secret"
    out = await h.say("carol", "roles require member demo ping")
    assert "Only the leader" in out[0].view.text


async def test_platform_admins_count_as_core_team(h):
    from copkit.core.events import Person

    out = await h.say(Person("dave", "Dave", is_admin=True), "demo secret")
    assert out[0].view.text == "the secret"


async def test_disabled_format_gets_no_dispatch_and_reenabling_is_immediate(h):
    await h.say("leader", "formats disable demo")
    out = await h.say("bob", "demo ping")
    assert "demo is not enabled here" in out[0].view.text
    out = await h.click("bob", "demo:press:1")
    assert "not enabled" in out[0].view.text
    await h.say("leader", "formats enable demo")
    out = await h.say("bob", "demo ping")
    assert out[0].view.text == "pong"


async def test_enablement_is_per_community(db_url):
    async with Harness(db_url, plugins=PLUGINS, extra=[DemoPlugin()], community="one") as h:
        await h.say("leader", "formats disable demo")
        assert "not enabled" in (await h.say("bob", "demo ping"))[0].view.text
        h.community_ref = type(h.community_ref)("test", "two", "Two", owner_id="leader")
        assert (await h.say("bob", "demo ping"))[0].view.text == "pong"


async def test_failing_plugin_is_isolated_and_others_still_run(h):
    out = await h.say("bob", "demo echo hello")
    assert out[-1].view.text == "hello"
    assert ("contribution", ("bob", "echo", "demo:echo")) in EVENTS
    assert h.rt.hooks.failures >= 1
    assert await LogEntry.filter(kind="echo", member="bob").count() == 1


async def test_a_bug_gets_a_short_apology_not_a_traceback(h):
    out = await h.say("bob", "demo echo boom")
    assert len(out) == 1
    assert out[0].view.text.startswith("Sorry, something went wrong")
    assert "Traceback" not in out[0].view.text
    out = await h.say("bob", "demo echo oops")
    assert out[0].view.text == "That is not allowed."


async def test_keyed_view_is_updated_in_place(h):
    await h.say("bob", "demo echo one")
    await h.say("bob", "demo echo two")
    assert (await h.view("demo:last")).text == "two"
    keyed = [m for m in h.messenger.log if m.view.text in ("one", "two")]
    assert len(keyed) == 1 and keyed[0].edits == 1


async def test_button_press_routes_by_action_prefix(h):
    out = await h.click("carol", "demo:press:42")
    assert out[0].view.text == "pressed 42 by carol"
    out = await h.click("carol", "nothing:here")
    assert "no longer works" in out[0].view.text


async def test_structured_command_checks_like_text(h):
    out = await h.command("bob", ("demo", "echo"), {"text": "hi"})
    assert out[-1].view.text == "hi"
    out = await h.command("bob", ("demo", "echo"), {})
    assert "text is missing" in out[0].view.text


async def test_quoted_arguments_and_typographic_quotes(h):
    out = await h.say("bob", "demo echo “two words”")
    assert out[-1].view.text == "two words"


async def test_roles_handover_keeps_a_single_leader(h):
    await h.say("bob", "demo ping")
    out = await h.say("leader", "roles leader bob")
    assert out[0].view.text == "bob is now leader."
    out = await h.say("leader", "formats disable demo")
    assert "Only the leader" in out[0].view.text
    out = await h.say("bob", "roles")
    fields = {f.name: f.value for f in out[0].view.fields}
    assert fields["Leader"] == "bob"
    assert "leader" in fields["Core team"]


async def test_unknown_person_is_a_clear_answer(h):
    out = await h.say("leader", "roles core add @nobody")
    assert "don't know nobody" in out[0].view.text


async def test_random_text_through_the_whole_path_always_gets_one_answer(h):
    import random

    rng = random.Random(7)
    alphabet = "ab -—\"'“”«»@#\\/\n\t\u200b€日本demoechoping--after5m"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        out = await h.say("fuzzer", text)
        assert len(out) <= 2, (text, [m.view.text for m in out])
        for m in out:
            assert "Traceback" not in m.view.text


@requires_postgres
async def test_format_change_reaches_another_process_at_once(db_url):
    """Two runtimes on one PostgreSQL: a change in one takes effect in the other without waiting."""
    import asyncio

    from copkit.core.runtime import Copkit

    async with Harness(db_url, plugins=PLUGINS, extra=[DemoPlugin()]) as h:
        from copkit.core.plugins import make_plugin_manager

        other = Copkit(
            db_url,
            pm=make_plugin_manager(PLUGINS, extra=[DemoPlugin()], entry_points_group=None),
            clock=h.clock,
            coalesce_interval=0,
        )
        other.add_messenger(h.messenger)
        other.bus.start()
        await asyncio.wait_for(other.bus.connected.wait(), 5)
        try:
            person = Person("bob", "bob")
            await other.handle_text(h.community_ref, RoomRef("general"), person, "demo ping")
            assert h.messenger.log[-1].view.text == "pong"  # cached as enabled in "other"
            await h.say("leader", "formats disable demo")
            for _ in range(50):
                if not other.communities._by_ref:
                    break
                await asyncio.sleep(0.02)
            await other.handle_text(h.community_ref, RoomRef("general"), person, "demo ping")
            assert "not enabled" in h.messenger.log[-1].view.text
        finally:
            await other.bus.stop()
